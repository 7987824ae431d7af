"""Token status: one :class:`Status` enum and one function, :func:`judge`, that gives a :class:`Verdict`.

Auth layer, I/O-free. ``%meta_tokens``, ``meta-auth profiles``, ``meta-auth
check``, the panel and ``session()`` all judge a token here, from fresh facts
or from the facts cached at its last check, so the same facts get the same
words everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from .._base.commands import either, in_kernel_sandbox, notebook_login, profile_option, terminal
from .._base.settings import DEFAULT_WARN_DAYS, ENV_APP_SECRET, env_value
from .._base.timefmt import describe_delta, utcnow
from .._base.tokens import TOKEN_SUBCODE_REASONS, Permission, TokenInfo
from .oauth import CONFIG_REREQUEST_ADVICE, normalize_scopes

__all__ = [
    "EXPIRY_UNKNOWN_REASON",
    "Status",
    "Verdict",
    "expiry_unknown_advice",
    "judge",
    "login_advice",
    "profile_flag",
]

EXPIRED_SUBCODE = 463


class Status(str, Enum):
    """What state a token is in. Compares equal to its string value (``Status.OK == "ok"``)."""

    OK = "ok"
    #: Valid, with its scopes, but debug_token could not be asked: no warning can come before it expires.
    EXPIRY_UNKNOWN = "expiry_unknown"
    EXPIRING = "expiring"
    DATA_ACCESS_EXPIRING = "data_access_expiring"
    MISSING_SCOPES = "missing_scopes"
    EXPIRED = "expired"
    INVALID = "invalid"
    #: Saved but never checked: no facts to judge by.
    UNCHECKED = "unchecked"
    #: The profile is listed but cannot be loaded here.
    UNREADABLE = "unreadable"
    #: It could not be checked (Graph unreachable, no such profile...).
    ERROR = "error"

    def __str__(self) -> str:
        return self.value

    @property
    def severity(self) -> int:
        """0 healthy, 1 needs attention soon, 2 unusable now, 3 could not be checked."""
        return _SEVERITY[self]

    @property
    def usable(self) -> bool:
        """True while calls with the token still work (healthy or soon needing attention)."""
        return self in (Status.OK, Status.EXPIRY_UNKNOWN, Status.EXPIRING, Status.DATA_ACCESS_EXPIRING)


_SEVERITY = {
    Status.OK: 0,
    Status.EXPIRY_UNKNOWN: 1,
    Status.EXPIRING: 1,
    Status.DATA_ACCESS_EXPIRING: 1,
    Status.UNCHECKED: 1,
    Status.MISSING_SCOPES: 2,
    Status.EXPIRED: 2,
    Status.INVALID: 2,
    Status.UNREADABLE: 2,
    Status.ERROR: 3,
}


@dataclass(frozen=True)
class Verdict:
    """A status, why, and the way back in words a person can follow.

    Attributes
    ----------
    status : Status
    reason : str or None
        Why, in plain words (None when healthy).
    advice : str
        What to do, naming commands that work in this situation.
    missing_scopes, declined_scopes : tuple of str
        Required permissions the token lacks, and permissions the user declined.
    """

    status: Status
    reason: str | None = None
    advice: str = "Nothing to do."
    missing_scopes: tuple[str, ...] = ()
    declined_scopes: tuple[str, ...] = ()

    @property
    def severity(self) -> int:
        return self.status.severity


def profile_flag(profile: str | None) -> str:
    """`` --profile P`` for commands naming a profile other than the default, empty otherwise."""
    option = profile_option(profile)
    return f" {option}" if option else ""


def expiry_unknown_advice(profile: str | None) -> str:
    """How to see the expiry of a token that may not inspect itself."""
    if in_kernel_sandbox() and env_value(ENV_APP_SECRET):
        return (
            "The sandbox's app secret is set in this kernel: save the token, and "
            f"{notebook_login(profile)} checks it with the secret and shows its expiry."
        )
    return (
        "Set META_APP_ID and META_APP_SECRET (the app's id and secret, App settings > Basic) to see its expiry, "
        f"then check again: {either(notebook_login(profile), terminal('check', profile))}; "
        "or ask someone with a role on the app to check it."
    )


#: Why a token's expiry is unknown, in words.
EXPIRY_UNKNOWN_REASON = (
    "expiry unknown: Graph answers debug_token only for the app token or people with a role on the app, "
    "so the facts come from /me and /me/permissions"
)


def login_advice(profile: str | None) -> str:
    """How to get a new token, with the commands that work here."""
    if in_kernel_sandbox():
        return f"Get a new token: run {notebook_login(profile)} and log in again (about 10 s)."
    return (
        f"Get a new token: {either(notebook_login(profile), terminal('login', profile))} "
        "(or paste a new token from the Graph API Explorer)."
    )


def judge(
    info: TokenInfo | None,
    permissions: Iterable[Permission] = (),
    *,
    required_scopes: Iterable[str] | str = (),
    warn_days: float = DEFAULT_WARN_DAYS,
    now: datetime | None = None,
    profile: str | None = None,
    can_extend: bool = False,
    config_id: str | None = None,
) -> Verdict:
    """Judge a token from facts already fetched (fresh, or cached at its last check).

    Parameters
    ----------
    info : TokenInfo or None
        What debug_token said; None when the token was never checked.
    permissions : iterable of Permission
        ``/me/permissions``, when known (declined permissions need ``rerequest``).
    required_scopes : str or iterable of str
        Permissions the work needs; a missing one makes the token unusable.
    warn_days : float
        Warn this many days ahead of expiry and of data-access expiry.
    now : datetime, optional
        The time to judge by (Graph's clock when known); default this machine's.
    profile : str, optional
        Named in the advice.
    can_extend : bool
        The app secret is at hand, so an expiring token can be extended.
    config_id : str, optional
        The Login for Business configuration the profile logs in with: a
        missing permission is then added to the configuration, not re-asked.
    """
    now = now or utcnow()
    login = login_advice(profile)
    if info is None:
        return Verdict(
            Status.UNCHECKED,
            "not checked yet",
            f"Check it: {either(notebook_login(profile), terminal('check', profile))}.",
        )
    perms = tuple(permissions)
    declined = tuple(sorted(p.name for p in perms if p.status == "declined"))
    required = normalize_scopes(required_scopes)
    missing = tuple(s for s in required if s not in info.scopes)
    left = info.expires_in(now)
    if not info.is_valid or (left is not None and left.total_seconds() <= 0):
        expired = info.error_subcode == EXPIRED_SUBCODE or info.invalid_reason == TOKEN_SUBCODE_REASONS[EXPIRED_SUBCODE]
        if info.is_valid or expired:
            return Verdict(Status.EXPIRED, TOKEN_SUBCODE_REASONS[EXPIRED_SUBCODE], login, missing, declined)
        advice = login
        if info.error_subcode == 459:
            advice = "Log in on facebook.com to clear the security checkpoint, then: " + login
        return Verdict(Status.INVALID, info.invalid_reason, advice, missing, declined)
    if missing:
        rerequest = [s for s in missing if s in declined]
        reason = f"missing required permission{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
        if rerequest:
            reason += f" (declined: {', '.join(rerequest)})"
        wanted = ",".join(missing)
        again = either(
            notebook_login(profile, "--scopes", wanted),
            terminal("login", profile, "--oauth", "--scopes", wanted, "--auth-type", "rerequest"),
        )
        advice = (
            f"Log in again asking for {', '.join(missing)}; declined permissions need the dialog to ask again "
            f"(auth_type=rerequest): {again}."
        )
        if config_id:
            config = either(
                notebook_login(profile, "--config-id", config_id),
                terminal("login", profile, "--oauth", "--config-id", config_id),
            )
            advice = f"{CONFIG_REREQUEST_ADVICE} Then: {config}."
        return Verdict(Status.MISSING_SCOPES, reason, advice, missing, declined)
    if not info.expiry_known:
        return Verdict(Status.EXPIRY_UNKNOWN, EXPIRY_UNKNOWN_REASON, expiry_unknown_advice(profile), missing, declined)
    warn = timedelta(days=warn_days)
    if left is not None and left <= warn:
        # In a notebook, %meta_login opens its panel at the Extend step.
        extend = either(notebook_login(profile), terminal("extend", profile))
        if can_extend and info.type == "SYSTEM_USER":
            advice = f"Refresh it for another 60 days: {extend}."
        elif can_extend:
            advice = f"Extend it (one call, needs the app secret): {extend}. Or: " + login
        else:
            advice = login
        return Verdict(Status.EXPIRING, f"expires {describe_delta(left)}", advice, missing, declined)
    data_left = info.data_access_expires_in(now)
    if data_left is not None and data_left <= warn:
        return Verdict(
            Status.DATA_ACCESS_EXPIRING,
            f"data access expires {describe_delta(data_left)}",
            "Data access is renewed when the user logs in again: " + login,
            missing,
            declined,
        )
    return Verdict(Status.OK, None, "Nothing to do.", missing, declined)
