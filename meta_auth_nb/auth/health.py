"""Is a token healthy? Validation against Graph, and the way back.

Auth layer. :func:`validate` asks Graph once (``debug_token`` and
``/me/permissions`` in one batch round trip) and judges the answer with
:func:`~meta_auth_nb.auth.verdict.judge`; :func:`check_profile` does that for
a stored profile and caches the facts. Nothing is extended or refreshed
unless asked (``auto_extend=True``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._base.errors import OAuthError, TokenError
from .._base.redact import get_logger
from .._base.settings import DEFAULT_WARN_DAYS
from .._base.timefmt import describe_delta, to_iso, utcnow
from .._base.tokens import AccessToken, Permission, TokenInfo, as_token
from .app_secret import profile_app, secret_for_profile
from .facts import fetch_facts
from .lifecycle import (
    extend_token,
    inspect_token,
    refresh_system_user_token,
    revoke_permission,
    revoke_token,
)
from .oauth import normalize_scopes
from .verdict import Status, Verdict, judge, profile_flag

__all__ = [
    "HealthReport",
    "Status",
    "Verdict",
    "check_profile",
    "extend_profile",
    "fetch_facts",
    "revoke_profile",
    "validate",
]

log = get_logger(__name__)


@dataclass(frozen=True)
class HealthReport:
    """The state of one token, the facts behind it, and what to do about it.

    Attributes
    ----------
    verdict : Verdict
        Status, reason and advice (see :func:`~meta_auth_nb.auth.verdict.judge`).
    info : TokenInfo
        What debug_token said.
    permissions : tuple of Permission
    profile : str or None
    token : AccessToken or None
        Masked in every repr.
    checked_at : datetime
        The time the verdict was judged by (Graph's clock when known).
    """

    verdict: Verdict
    info: TokenInfo
    permissions: tuple[Permission, ...] = ()
    profile: str | None = None
    token: AccessToken | None = field(default=None, repr=False)
    checked_at: datetime = field(default_factory=utcnow)

    @property
    def status(self) -> Status:
        return self.verdict.status

    @property
    def reason(self) -> str | None:
        return self.verdict.reason

    @property
    def advice(self) -> str:
        return self.verdict.advice

    @property
    def missing_scopes(self) -> tuple[str, ...]:
        return self.verdict.missing_scopes

    @property
    def declined_scopes(self) -> tuple[str, ...]:
        return self.verdict.declined_scopes

    @property
    def severity(self) -> int:
        return self.verdict.severity

    @property
    def ok(self) -> bool:
        return self.status == Status.OK

    def summary(self) -> str:
        """One line: who, app, type, expiry, scopes (the token masked)."""
        info = self.info
        parts = [self.profile or "token", self.token.masked if self.token else None, self.status.value]
        if info.is_valid:
            if not info.expiry_known:
                expiry = "expiry unknown"
            elif info.expires_at is None:
                expiry = "never expires"
            else:
                expiry = f"expires {describe_delta(info.expires_in(self.checked_at))}"
            app = info.application or info.app_id
            parts += [
                info.type or "token",
                f"app {app}" if app else None,
                info.user_name or (f"user {info.user_id}" if info.user_id else None),
                expiry,
                f"scopes {', '.join(info.scopes) or 'none'}",
            ]
        elif self.reason:
            parts.append(self.reason)
        return " \u00b7 ".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready and secret-free."""
        info = self.info
        return {
            "profile": self.profile,
            "token": self.token.masked if self.token else None,
            "status": self.status.value,
            "severity": self.severity,
            "reason": self.reason,
            "advice": self.advice,
            "type": info.type,
            "app_id": info.app_id,
            "user_id": info.user_id,
            "valid": info.is_valid,
            "expiry_known": info.expiry_known,
            "expires_at": to_iso(info.expires_at),
            "data_access_expires_at": to_iso(info.data_access_expires_at),
            "scopes": list(info.scopes),
            "missing_scopes": list(self.missing_scopes),
            "declined_scopes": list(self.declined_scopes),
            "checked_at": to_iso(self.checked_at),
        }


def validate(
    token: AccessToken | str,
    *,
    app_id: str | None = None,
    app_secret: str | None = None,
    required_scopes: Iterable[str] | str = (),
    warn_days: float = DEFAULT_WARN_DAYS,
    profile: str | None = None,
    now: datetime | None = None,
    config_id: str | None = None,
    **options: Any,
) -> HealthReport:
    """Check a token against Graph and say whether it is healthy.

    Parameters
    ----------
    required_scopes : str or iterable of str
        Permissions the work needs; a missing one makes the token unusable.
    warn_days : float
        Warn this many days ahead of expiry and of data-access expiry.
    config_id : str, optional
        The Login for Business configuration the token comes from (changes
        the advice for a missing permission).

    Notes
    -----
    A token whose owner has no role on the app, checked without the app
    secret, is reported valid with its scopes and an unknown expiry
    (:attr:`~meta_auth_nb.auth.verdict.Status.EXPIRY_UNKNOWN`), with the
    reason and the fix in words.
    """
    token = as_token(token)
    info, permissions, server_now = fetch_facts(token, app_id=app_id, app_secret=app_secret, **options)
    now = now or server_now or utcnow()
    verdict = judge(
        info,
        permissions,
        required_scopes=required_scopes,
        warn_days=warn_days,
        now=now,
        profile=profile,
        can_extend=bool(app_id and app_secret),
        config_id=config_id,
    )
    return HealthReport(verdict, info, permissions, profile=profile, token=token, checked_at=now)


def check_profile(
    store: Any,
    profile: str | None = None,
    *,
    required_scopes: Iterable[str] | str | None = None,
    warn_days: float = DEFAULT_WARN_DAYS,
    auto_extend: bool = False,
    now: datetime | None = None,
    **options: Any,
) -> HealthReport:
    """Load a stored profile, validate it and cache the facts in the store.

    With ``auto_extend=True`` (and a stored app secret) a token that is
    expiring is extended (or, for a 60-day system user token, refreshed)
    and saved before the report is made.
    """
    stored = store.load(profile)
    scopes = stored.required_scopes if required_scopes is None else normalize_scopes(required_scopes)
    app_id, app_secret = profile_app(stored)
    report = validate(
        stored.token,
        app_id=app_id,
        app_secret=app_secret,
        required_scopes=scopes,
        warn_days=warn_days,
        profile=stored.name,
        now=now,
        config_id=stored.config_id,
        **options,
    )
    if stored.backend not in ("env", "colab"):
        store.update_info(stored.name, report.info, checked_at=report.checked_at)
    if auto_extend and report.status == Status.EXPIRING and app_secret and app_id:
        extend_profile(store, stored.name, **options)
        return check_profile(store, stored.name, required_scopes=scopes, warn_days=warn_days, now=now, **options)
    return report


def extend_profile(store: Any, profile: str | None = None, **options: Any) -> tuple[AccessToken, AccessToken]:
    """Extend (user token) or refresh (60-day system user token) a stored profile.

    Returns
    -------
    (before, after) tokens, both masked when shown.
    """
    stored = store.load(profile)
    app_id, app_secret = profile_app(stored)
    if not (app_id and app_secret):
        raise OAuthError(
            "Extending needs the app secret, and this profile does not store one",
            hint=f"Set META_APP_ID={app_id or '<the app id>'} and META_APP_SECRET, or save the profile again with "
            f"its app secret (meta-auth login{profile_flag(stored.name)} --save-app-secret).",
        )
    kind = stored.info.type if stored.info else None
    call = refresh_system_user_token if kind == "SYSTEM_USER" else extend_token
    after = call(stored.token, app_id=app_id, app_secret=app_secret, **options)
    info = inspect_token(after, app_id=app_id, app_secret=app_secret, **options)
    store.save(
        stored.name,
        after,
        app_id=app_id,
        app_secret=stored.app_secret,
        info=info,
        required_scopes=stored.required_scopes,
        checked_at=utcnow(),
        config_id=stored.config_id,
        redirect_uri=stored.redirect_uri,
    )
    log.info("extended profile %s: %s -> %s", stored.name, stored.token.masked, after.masked)
    return stored.token, after


def revoke_profile(stored: Any, *, remove_app_without_secret: bool = True, **options: Any) -> str:
    """Revoke a stored profile's token at Graph, the best way the secrets at hand allow.

    With the app secret of the token's app: ``oauth/revoke`` ends this token.
    Without it, and ``remove_app_without_secret``: ``DELETE /me/permissions``
    removes the app for the user, which ends every token that user has for
    the app (otherwise :class:`OAuthError`). A token that is already unusable
    has nothing to revoke.

    Returns
    -------
    str
        What was done, in words (the token masked).

    Raises
    ------
    GraphError
        Graph could not be reached, or refused (the caller keeps the profile).
    """
    token = stored.token
    app_secret = secret_for_profile(stored)
    if not (stored.app_id and app_secret) and not remove_app_without_secret:
        raise OAuthError(
            f"Revoking this one token needs the app secret of app {stored.app_id or '?'}",
            hint=f"Set META_APP_ID={stored.app_id or '<the app id>'} and META_APP_SECRET (App settings > Basic).",
        )
    try:
        if stored.app_id and app_secret and not token.is_app_token:
            revoke_token(token, app_id=stored.app_id, app_secret=app_secret, **options)
            return f"revoked {token.masked} at Graph"
        revoke_permission(token, None, app_secret=app_secret, **options)
    except TokenError as exc:
        return f"{token.masked} was already unusable ({exc.reason}), so there was nothing to revoke"
    return (
        f"removed the app's permissions for the user of {token.masked} "
        "(every token of theirs for the app stops working)"
    )
