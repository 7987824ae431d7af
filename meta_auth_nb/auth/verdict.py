"""Token status: one function, :func:`judge`, that gives a :class:`Verdict` (a :class:`Status`, why, what to do).

Auth layer, I/O-free. ``%meta_tokens``, ``meta-auth profiles``, ``meta-auth
check``, the panel and ``session()`` all judge a token here, from fresh facts
or from the facts cached at its last check, so the same facts get the same
words everywhere. What an invalid token's error means comes from the
token-error table (:mod:`meta_auth_nb._base.token_errors`), which the
session's classifier reads too; the expiry's words from
:mod:`meta_auth_nb._base.words`; whether extending helps from
:mod:`.extension`. Advice names the commands that work where it is read (a
:class:`~meta_auth_nb._base.commands.Place`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .._base.commands import Place
from .._base.settings import DEFAULT_WARN_DAYS
from .._base.status import Status
from .._base.timefmt import utcnow
from .._base.token_errors import EXPIRED_SUBCODE, TOKEN_CODE, login_advice, token_error_meaning
from .._base.tokens import Permission, TokenInfo
from .._base.words import data_access_expiry_of, expiry_of
from .extension import extension_offer
from .oauth import CONFIG_REREQUEST_ADVICE, normalize_scopes

__all__ = [
    "EXPIRY_UNKNOWN_REASON",
    "Status",
    "Verdict",
    "expiry_unknown_advice",
    "judge",
    "login_advice",
]


@dataclass(frozen=True)
class Verdict:
    """A status, why, and the way back in words a person can follow.

    Attributes
    ----------
    status : Status
    reason : str or None
        Why, in plain words (None when healthy).
    advice : str
        What to do, naming commands that work where it is read.
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


def expiry_unknown_advice(place: Place, profile: str | None = None) -> str:
    """How to see the expiry of a token that may not inspect itself, with the commands that work at ``place``."""
    return (
        "Set META_APP_ID and META_APP_SECRET (the app's id and secret, App settings > Basic) to see its expiry, "
        f"then check again: {place.check(profile)}; or ask someone with a role on the app to check it."
    )


#: Why a token's expiry is unknown, in words.
EXPIRY_UNKNOWN_REASON = (
    "expiry unknown: Graph answers debug_token only for the app token or people with a role on the app, "
    "so the facts come from /me and /me/permissions"
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
    place: Place | None = None,
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
    place : Place, optional
        Where the verdict is read: its advice names the commands that work
        there (default: either a notebook or a terminal).
    """
    now = now or utcnow()
    place = place or Place()
    login = login_advice(place, profile)
    if info is None:
        return Verdict(Status.UNCHECKED, "not checked yet", f"Check it: {place.check(profile)}.")
    perms = tuple(permissions)
    declined = tuple(sorted(p.name for p in perms if p.status == "declined"))
    required = normalize_scopes(required_scopes)
    missing = tuple(s for s in required if s not in info.scopes)
    expiry = expiry_of(info, now=now)
    if not info.is_valid or expiry.past:
        if info.is_valid:  # valid when Graph last said, but its time is up by the clock
            meaning = token_error_meaning(TOKEN_CODE, EXPIRED_SUBCODE, None)
        else:
            meaning = token_error_meaning(info.error_code, info.error_subcode, info.error_message)
        meaning = meaning or token_error_meaning(TOKEN_CODE, None, None)
        assert meaning is not None  # code 190 always has a meaning
        return Verdict(meaning.status, meaning.reason, meaning.advice(place, profile), missing, declined)
    if missing:
        rerequest = [s for s in missing if s in declined]
        reason = f"missing required permission{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
        if rerequest:
            reason += f" (declined: {', '.join(rerequest)})"
        again = place.login(profile, scopes=missing, rerequest=bool(rerequest))
        asked = "; the dialog asks again for the declined ones: " if rerequest else ": "
        advice = f"Log in again asking for {', '.join(missing)}{asked}{again}."
        if config_id:
            advice = f"{CONFIG_REREQUEST_ADVICE} Then: {place.login(profile, config_id=config_id)}."
        return Verdict(Status.MISSING_SCOPES, reason, advice, missing, declined)
    if not info.expiry_known:
        advice = expiry_unknown_advice(place, profile)
        return Verdict(Status.EXPIRY_UNKNOWN, EXPIRY_UNKNOWN_REASON, advice, missing, declined)
    warn = timedelta(days=warn_days)
    if expiry.left is not None and expiry.left <= warn:
        offer = extension_offer(info, now=now, warn_days=warn_days)
        if can_extend and offer.offered:
            what = "Refresh it for another 60 days" if offer.kind == "system_user" else "Extend it (one call)"
            advice = f"{what}: {place.extend(profile)}. Or: {login}"
        else:
            advice = login
        return Verdict(Status.EXPIRING, expiry.sentence, advice, missing, declined)
    data_access = data_access_expiry_of(info, now)
    if data_access.left is not None and data_access.left <= warn:
        return Verdict(
            Status.DATA_ACCESS_EXPIRING,
            f"data access {data_access.sentence}",
            "Data access is renewed when the user logs in again: " + login,
            missing,
            declined,
        )
    return Verdict(Status.OK, None, "Nothing to do.", missing, declined)
