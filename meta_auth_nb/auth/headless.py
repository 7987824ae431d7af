"""``meta_auth_nb.session()``: an authenticated session for scripts and scheduled notebooks.

Auth layer. Loads the token (store profile, Colab secret or
``META_ACCESS_TOKEN``), validates it once and fails fast with the same
classified errors the notebook shows, so a scheduled job stops at its first
cell with a reason instead of failing half way through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._base.errors import MissingPermission
from .._base.redact import get_logger
from .._base.settings import DEFAULT_WARN_DAYS
from .._base.timefmt import utcnow
from .._base.token_errors import EXPIRED_SUBCODE
from .._base.versions import version_notice
from ..graph.classify import error_from_token_info
from ..graph.drivers.sync import GraphSession
from .app_choice import app_for
from .health import Status, entry_settings
from .profiles import check_profile

if TYPE_CHECKING:
    from ..store import TokenStore

log = get_logger(__name__)


def session(
    profile: str | None = None,
    *,
    store: TokenStore | None = None,
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

    settings, options = entry_settings(options)
    store = store or TokenStore()
    stored = store.load(profile)
    checked = None
    if validate:
        report = check_profile(
            store, stored.name, required_scopes=required_scopes, warn_days=warn_days, auto_extend=auto_extend, **options
        )
        if report.status in (Status.EXPIRED, Status.INVALID):
            # The same token-error table as every Graph reply: the same facts raise the same exception.
            info = report.info if not report.info.is_valid else replace(report.info, is_valid=False,
                                                                        error_subcode=EXPIRED_SUBCODE)  # fmt: skip
            error = error_from_token_info(info, settings.place, stored.name)
            assert error is not None  # not valid
            raise error
        if report.missing_scopes:
            raise MissingPermission(
                report.reason or "A required permission is missing", hint=report.advice, place=settings.place
            )
        if report.status in (Status.EXPIRING, Status.EXPIRY_UNKNOWN):
            log.warning("profile %s: %s. %s", stored.name, report.reason, report.advice)
        stored = store.load(stored.name) if auto_extend else stored
        checked = report.checked_at
    _warn_about_version(options.get("version") or settings.graph_version, checked)
    return GraphSession(stored.token, app_secret=app_for(settings, stored=stored).secret, **options)


_warned: set[str] = set()


def _warn_about_version(version: str, now: datetime | None) -> None:
    """Once per process and version: the pinned version's Marketing API calls end soon, or ended."""
    notice = version_notice(version, (now or utcnow()).date())
    if notice and notice not in _warned:
        _warned.add(notice)
        log.warning("%s", notice)


__all__ = ["session"]
