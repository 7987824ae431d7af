"""The package's exceptions, one tree under :class:`MetaAuthError` (drawn in :mod:`meta_auth_nb._base.errors`).

``from meta_auth_nb.errors import TokenExpired`` or ``mab.errors.TokenExpired``.
"""

from __future__ import annotations

from ._base import errors as _tree
from ._base import insights_errors as _insights
from ._base import login_errors as _login
from ._base.errors import *  # noqa: F403 - this module is the public name of that one
from ._base.insights_errors import *  # noqa: F403
from ._base.login_errors import *  # noqa: F403

__all__ = sorted([*_tree.__all__, *_insights.__all__, *_login.__all__])
