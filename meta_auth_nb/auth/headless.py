"""``meta_auth_nb.session()``: an authenticated session for scripts and scheduled notebooks.

Auth layer. Loads the token (store profile, Colab secret or
``META_ACCESS_TOKEN``), validates it once and fails fast with the same
classified errors the notebook shows, so a scheduled job stops at its first
cell with a reason instead of failing half way through.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._base.errors import MissingPermission
from .._base.redact import get_logger
from .._base.settings import DEFAULT_WARN_DAYS
from ..graph.classify import error_from_token_info
from ..graph.sync import GraphSession
from .app_secret import secret_for_profile
from .health import Status, check_profile

log = get_logger(__name__)


def session(
    profile: str | None = None,
    *,
    store: Any = None,
    required_scopes: Iterable[str] | str | None = None,
    warn_days: float = DEFAULT_WARN_DAYS,
    auto_extend: bool = False,
    validate: bool = True,
    **options: Any,
) -> GraphSession:
    """Load, validate and return a ready :class:`~meta_auth_nb.graph.sync.GraphSession`.

    Parameters
    ----------
    profile : str, optional
        Store profile; default ``META_AUTH_PROFILE`` or ``default``. With no
        stored profile, ``META_ACCESS_TOKEN`` (and ``META_APP_SECRET``) are used.
    required_scopes : str or iterable, optional
        Fail unless the token has these permissions.
    auto_extend : bool
        Extend an expiring token when the app secret is known.
    validate : bool
        Skip the validation call when False (not recommended).
    **options
        Session options (``base_url``, ``version``, ``retry``...).

    Raises
    ------
    ProfileNotFound
        Nothing stored and no ``META_ACCESS_TOKEN``.
    TokenExpired, TokenInvalidated, TokenError
        The token cannot be used; the message says how to get a new one.
    MissingPermission
        A required permission is missing or declined.
    """
    from ..store import TokenStore

    store = store or TokenStore()
    stored = store.load(profile)
    if validate:
        report = check_profile(
            store, stored.name, required_scopes=required_scopes, warn_days=warn_days, auto_extend=auto_extend, **options
        )
        error = error_from_token_info(report.info)
        if error is not None:
            raise type(error)(
                error.message, code=error.code, subcode=error.subcode, type=error.type, hint=report.advice
            )
        if report.missing_scopes:
            raise MissingPermission(report.reason or "A required permission is missing", hint=report.advice)
        if report.status == Status.EXPIRING:
            log.warning("profile %s: %s. %s", stored.name, report.reason, report.advice)
        stored = store.load(stored.name) if auto_extend else stored
    return GraphSession(stored.token, app_secret=secret_for_profile(stored), **options)


__all__ = ["session"]
