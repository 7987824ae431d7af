"""Is a token healthy? Validation, classification and the way back.

Flows layer. :func:`validate` asks Graph once (``debug_token`` and
``/me/permissions`` in one batch round trip) and classifies the answer;
:func:`check_profile` does that for a stored profile and caches the facts.
Nothing is extended or refreshed unless asked (``auto_extend=True``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable

from .._base.errors import GraphError, TokenError
from ..graph.sync import GraphSession
from .lifecycle import app_token, extend_token, inspect_token, refresh_system_user_token
from .oauth import normalize_scopes
from .._base.redact import get_logger
from .._base.tokens import AccessToken, Permission, TokenInfo, as_token, describe_delta, utcnow

log = get_logger(__name__)

DEFAULT_WARN_DAYS = 7.0

OK, EXPIRING, DATA_ACCESS_EXPIRING, MISSING_SCOPES, EXPIRED, INVALID = (
    "ok",
    "expiring",
    "data_access_expiring",
    "missing_scopes",
    "expired",
    "invalid",
)
#: status -> severity: 0 healthy, 1 needs attention soon, 2 unusable now.
SEVERITY = {OK: 0, EXPIRING: 1, DATA_ACCESS_EXPIRING: 1, MISSING_SCOPES: 2, EXPIRED: 2, INVALID: 2}


@dataclass(frozen=True)
class HealthReport:
    """The state of one token and what to do about it.

    Attributes
    ----------
    status : str
        ``ok``, ``expiring``, ``data_access_expiring``, ``missing_scopes``,
        ``expired`` or ``invalid``.
    severity : int
        0 healthy, 1 needs attention soon, 2 unusable now.
    reason : str or None
        Why, in plain words.
    advice : str
        The way back, as steps a person can follow.
    """

    status: str
    reason: str | None
    advice: str
    info: TokenInfo
    permissions: tuple[Permission, ...] = ()
    missing_scopes: tuple[str, ...] = ()
    declined_scopes: tuple[str, ...] = ()
    profile: str | None = None
    token: AccessToken | None = field(default=None, repr=False)
    checked_at: datetime = field(default_factory=utcnow)

    @property
    def severity(self) -> int:
        return SEVERITY[self.status]

    @property
    def ok(self) -> bool:
        return self.status == OK

    def summary(self) -> str:
        """One line: who, app, type, expiry, scopes (the token masked)."""
        info = self.info
        parts = [self.profile or "token", self.token.masked if self.token else None, self.status]
        if info.is_valid:
            parts += [
                info.type or "token",
                f"app {info.application or info.app_id}",
                f"user {info.user_id}" if info.user_id else None,
                "never expires" if info.expires_at is None else f"expires {describe_delta(info.expires_in(self.checked_at))}",
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
            "status": self.status,
            "severity": self.severity,
            "reason": self.reason,
            "advice": self.advice,
            "type": info.type,
            "app_id": info.app_id,
            "user_id": info.user_id,
            "valid": info.is_valid,
            "expires_at": info.expires_at.isoformat() if info.expires_at else None,
            "data_access_expires_at": info.data_access_expires_at.isoformat() if info.data_access_expires_at else None,
            "scopes": list(info.scopes),
            "missing_scopes": list(self.missing_scopes),
            "declined_scopes": list(self.declined_scopes),
            "checked_at": self.checked_at.isoformat(),
        }


def classify_health(
    info: TokenInfo,
    permissions: Iterable[Permission] = (),
    *,
    required_scopes: Iterable[str] | str = (),
    warn_days: float = DEFAULT_WARN_DAYS,
    now: datetime | None = None,
    profile: str | None = None,
    can_extend: bool = False,
) -> tuple[str, str | None, str, tuple[str, ...], tuple[str, ...]]:
    """Classify facts already fetched: (status, reason, advice, missing, declined)."""
    now = now or utcnow()
    perms = tuple(permissions)
    declined = tuple(sorted(p.name for p in perms if p.status == "declined"))
    required = normalize_scopes(required_scopes)
    missing = tuple(s for s in required if s not in info.scopes)
    login = _login_steps(profile)
    if not info.is_valid:
        status = EXPIRED if info.error_subcode == 463 or info.invalid_reason == "the token has expired" else INVALID
        reason = info.invalid_reason
        advice = login
        if info.error_subcode == 459:
            advice = "Log in on facebook.com to clear the security checkpoint, then: " + login
        return status, reason, advice, missing, declined
    if missing:
        rerequest = [s for s in missing if s in declined]
        reason = f"missing required permission{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
        if rerequest:
            reason += f" (declined: {', '.join(rerequest)})"
        advice = (
            f"Log in again asking for {', '.join(missing)}; declined permissions need the dialog to ask again "
            f"(auth_type=rerequest): %meta_login{_flag(profile)} --scopes {','.join(missing)} "
            f"or meta-auth login{_flag(profile)}."
        )
        return MISSING_SCOPES, reason, advice, missing, declined
    warn = timedelta(days=warn_days)
    left = info.expires_in(now)
    if left is not None and left <= warn:
        reason = f"expires {describe_delta(left)}"
        if can_extend and info.type == "SYSTEM_USER":
            advice = f"Refresh it for another 60 days: meta-auth extend{_flag(profile)}."
        elif can_extend:
            advice = f"Extend it (one call, needs the app secret): meta-auth extend{_flag(profile)}. Or: " + login
        else:
            advice = login
        return EXPIRING, reason, advice, missing, declined
    data_left = info.data_access_expires_in(now)
    if data_left is not None and data_left <= warn:
        reason = f"data access expires {describe_delta(data_left)}"
        return DATA_ACCESS_EXPIRING, reason, "Data access is renewed when the user logs in again: " + login, missing, declined
    return OK, None, "Nothing to do.", missing, declined


def _flag(profile: str | None) -> str:
    return f" --profile {profile}" if profile else ""


def _login_steps(profile: str | None) -> str:
    return (
        f"Get a new token: in a notebook run %meta_login{_flag(profile)}; in a terminal run "
        f"meta-auth login{_flag(profile)} (or paste a new token from the Graph API Explorer)."
    )


def fetch_facts(
    token: AccessToken,
    *,
    app_id: str | None = None,
    app_secret: str | None = None,
    **options: Any,
) -> tuple[TokenInfo, tuple[Permission, ...], datetime | None]:
    """``debug_token`` and ``/me/permissions`` in one batch round trip.

    The token inspects itself inside the batch; when Graph refuses the
    token outright, the app token (if known) asks ``debug_token`` why.

    Returns
    -------
    (info, permissions, server_time)
        ``server_time`` is Graph's clock (its Date header), or None.
    """
    try:
        with GraphSession(token, app_secret=app_secret, **options) as session:
            debug, perms = session.batch(
                [
                    {"method": "POST", "relative_url": "debug_token",
                     "body": {"input_token": token.get_secret_value(), "method": "get"}},
                    {"method": "GET", "relative_url": "me/permissions?limit=500"},
                ]
            )
            server_now = session.server_time
    except TokenError as error:
        debug, perms, server_now = error, None, None
    if isinstance(debug, TokenError) and not (app_id and app_secret):
        return _info_from_error(debug), (), server_now
    if isinstance(debug, GraphError):
        # Ask outside the batch: with the app token when known (it can say
        # why a token is invalid), else the token inspects itself.
        caller = app_token(app_id, app_secret) if app_id and app_secret else token
        with GraphSession(caller, **options) as session:
            payload = session.post("debug_token", input_token=token.get_secret_value(), method="get")
            return TokenInfo.from_debug_token(payload), (), session.server_time
    info = TokenInfo.from_debug_token(debug)
    permissions: tuple[Permission, ...] = ()
    if isinstance(perms, dict):
        permissions = tuple(
            Permission(str(p.get("permission")), str(p.get("status"))) for p in perms.get("data", ()) if isinstance(p, dict)
        )
    return info, permissions, server_now


def _info_from_error(error: GraphError) -> TokenInfo:
    return TokenInfo(is_valid=False, error_code=error.code, error_subcode=error.subcode, error_message=error.message)


def validate(
    token: AccessToken | str,
    *,
    app_id: str | None = None,
    app_secret: str | None = None,
    required_scopes: Iterable[str] | str = (),
    warn_days: float = DEFAULT_WARN_DAYS,
    profile: str | None = None,
    now: datetime | None = None,
    **options: Any,
) -> HealthReport:
    """Check a token against Graph and say whether it is healthy.

    Parameters
    ----------
    required_scopes : str or iterable of str
        Permissions the work needs; a missing one makes the token unusable.
    warn_days : float
        Warn this many days ahead of expiry and of data-access expiry.
    """
    token = as_token(token)
    info, permissions, server_now = fetch_facts(token, app_id=app_id, app_secret=app_secret, **options)
    now = now or server_now or utcnow()
    status, reason, advice, missing, declined = classify_health(
        info,
        permissions,
        required_scopes=required_scopes,
        warn_days=warn_days,
        now=now,
        profile=profile,
        can_extend=bool(app_id and app_secret),
    )
    return HealthReport(status, reason, advice, info, permissions, missing, declined, profile, token, now)


def usable_app_secret(stored: Any) -> str | None:
    """The app secret to use with a stored profile, or None.

    The one stored with the profile; otherwise ``META_APP_SECRET`` when
    ``META_APP_ID`` names the profile's own app (a secret of another app would
    only produce a wrong ``appsecret_proof``). A secret from the environment
    is used, never stored.
    """
    if stored.app_secret:
        return stored.app_secret
    from .._base.settings import get_settings

    settings = get_settings()
    if settings.app_secret and stored.app_id and settings.app_id == stored.app_id:
        return settings.app_secret
    return None


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
    app_secret = usable_app_secret(stored)
    report = validate(
        stored.token,
        app_id=stored.app_id,
        app_secret=app_secret,
        required_scopes=scopes,
        warn_days=warn_days,
        profile=stored.name,
        now=now,
        **options,
    )
    if stored.backend not in ("env", "colab"):
        store.update_info(stored.name, report.info, checked_at=report.checked_at)
    if auto_extend and report.status == EXPIRING and app_secret and stored.app_id:
        extend_profile(store, stored.name, **options)
        return check_profile(store, stored.name, required_scopes=scopes, warn_days=warn_days, now=now, **options)
    return report


def extend_profile(store: Any, profile: str | None = None, **options: Any) -> tuple[AccessToken, AccessToken]:
    """Extend (user token) or refresh (60-day system user token) a stored profile.

    Returns
    -------
    (before, after) tokens, both masked when shown.
    """
    from .._base.errors import OAuthError

    stored = store.load(profile)
    app_secret = usable_app_secret(stored)
    if not (stored.app_id and app_secret):
        raise OAuthError(
            "Extending needs the app secret, and this profile does not store one",
            hint=f"Set META_APP_ID={stored.app_id} and META_APP_SECRET, or save the profile again with its app secret (meta-auth login{_flag(stored.name)}).",
        )
    kind = stored.info.type if stored.info else None
    call = refresh_system_user_token if kind == "SYSTEM_USER" else extend_token
    after = call(stored.token, app_id=stored.app_id, app_secret=app_secret, **options)
    info = inspect_token(after, app_id=stored.app_id, app_secret=app_secret, **options)
    store.save(
        stored.name,
        after,
        app_id=stored.app_id,
        app_secret=stored.app_secret,
        info=info,
        required_scopes=stored.required_scopes,
        checked_at=utcnow(),
    )
    log.info("extended profile %s: %s -> %s", stored.name, stored.token.masked, after.masked)
    return stored.token, after
