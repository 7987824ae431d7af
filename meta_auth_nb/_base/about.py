"""The package's own version, in one place (pyproject.toml reads it from here).

Graph API versions are another matter: see :mod:`.versions`.
"""

__version__ = "0.1.0"
