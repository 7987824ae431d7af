"""The package's exceptions, one tree under :class:`MetaAuthError` (drawn in :mod:`meta_auth_nb._base.errors`).

``from meta_auth_nb.errors import TokenExpired`` or ``mab.errors.TokenExpired``.
"""

from __future__ import annotations

from ._base.errors import *  # noqa: F403 - this module is the public name of that one
from ._base.errors import __all__ as __all__
