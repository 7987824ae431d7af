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
from .._base.settings import DEFAULT_WARN_DAYS, get_settings
from .._base.timefmt import utcnow
from .._base.versions import version_notice
from ..graph.classify import error_from_token_info
from ..graph.drivers.sync import GraphSession
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
    """Load, validate and return a ready :class:`~meta_auth_nb.graph.drivers.sync.GraphSession`.

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

    Notes
    -----
    Logged as warnings (``meta_auth_nb`` logger), the session still made:
    a token expiring within ``warn_days``; a token whose expiry cannot be
    read (its owner has no role on the app and no app secret is at hand;
    the advice says how to see it); a pinned Graph version whose Marketing
    API calls end within 90 days or have ended (once per process).

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
    checked = None
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
        if report.status in (Status.EXPIRING, Status.EXPIRY_UNKNOWN):
            log.warning("profile %s: %s. %s", stored.name, report.reason, report.advice)
        stored = store.load(stored.name) if auto_extend else stored
        checked = report.checked_at
    _warn_about_version(options.get("version") or get_settings().graph_version, checked)
    return GraphSession(stored.token, app_secret=secret_for_profile(stored), **options)


_warned: set[str] = set()


def _warn_about_version(version: str, now: Any) -> None:
    """Once per process and version: the pinned version's Marketing API calls end soon, or ended."""
    notice = version_notice(version, (now or utcnow()).date())
    if notice and notice not in _warned:
        _warned.add(notice)
        log.warning("%s", notice)


__all__ = ["session"]
