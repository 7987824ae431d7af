"""The base layer: settings, the token model, redaction, usage figures, errors, time wording, files.

Standard library only (import-linter checks it), so everything above can
import it freely and ``import meta_auth_nb`` stays cheap.
"""

from . import commands  # noqa: F401  (so error hints name the commands that work where they are read)
