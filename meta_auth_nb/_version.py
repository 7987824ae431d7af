"""The package's own version, in one place (pyproject.toml reads it from here).

Graph API versions are another matter: see :mod:`meta_auth_nb._base.versions`. This
module sits outside the layers, so ``import meta_auth_nb`` loads it and nothing else.
"""

__version__ = "0.1.0"
