"""The words a person reads about a token: its expiry, its type, where it is kept.

Base layer, stdlib only. ``%meta_tokens``, ``meta-auth profiles``, ``meta-auth
check`` (and its mail), ``meta-auth inspect``, the panel's card and the
session's one line all say these facts with these words; they choose only
the form (a table cell, a sentence, HTML around it).

The words follow one rule: a time is said relative to now and, in a cell,
with its date (``in 59 days (2027-02-03 12:00 UTC)``); ``never`` is a valid
token without an expiry; ``unknown`` is a valid token whose expiry Graph would
not tell (its owner has no role on the app); ``-`` is a token with no facts
to tell (not checked yet, or not valid).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .timefmt import describe_delta, utcnow
from .tokens import AccessToken, TokenInfo

__all__ = [
    "FUTURE",
    "KEPT_WORDS",
    "NEVER",
    "NO_FACTS",
    "PAST",
    "UNKNOWN",
    "Expiry",
    "data_access_expiry_of",
    "expiry_of",
    "kept_words",
    "moment_words",
    "type_cell",
    "type_words",
]

FUTURE, PAST, NEVER, UNKNOWN, NO_FACTS = "future", "past", "never", "unknown", "no_facts"

#: Where a token is kept, by the store's backend name.
KEPT_WORDS = {
    "keyring": "system keyring",
    "memory": "this kernel's memory",
    "env": "META_ACCESS_TOKEN",
    "colab": "Colab secret",
}


def moment_words(moment: datetime) -> str:
    """A moment as every message writes it: ``2027-02-03 12:00 UTC``."""
    return f"{moment:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True)
class Expiry:
    """When something expires, as one fact with its words.

    Attributes
    ----------
    kind : {"future", "past", "never", "unknown", "no_facts"}
    when : datetime or None
        The moment, for ``future`` and ``past``.
    left : timedelta or None
        Time left (negative when past), for ``future`` and ``past``.
    """

    kind: str
    when: datetime | None = None
    left: timedelta | None = None

    @property
    def relative(self) -> str:
        """``in 59 days``, ``2 hours ago``, ``never``, ``unknown``, ``-``."""
        if self.kind in (FUTURE, PAST):
            return describe_delta(self.left)
        return {NEVER: "never", UNKNOWN: "unknown"}.get(self.kind, "-")

    @property
    def cell(self) -> str:
        """For a table: ``in 59 days (2027-02-03 12:00 UTC)``, ``never``, ``unknown``, ``-``."""
        if self.when is not None:
            return f"{self.relative} ({moment_words(self.when)})"
        return self.relative

    @property
    def sentence(self) -> str:
        """For a line: ``expires in 59 days``, ``expired 2 hours ago``, ``never expires``, ``expiry unknown``."""
        if self.kind == FUTURE:
            return f"expires {self.relative}"
        if self.kind == PAST:
            return f"expired {self.relative}"
        return {NEVER: "never expires", UNKNOWN: "expiry unknown"}.get(self.kind, "expiry not known")

    @property
    def past(self) -> bool:
        """True when the moment has passed."""
        return self.kind == PAST


def _timed(moment: datetime, now: datetime) -> Expiry:
    left = moment - now
    return Expiry(FUTURE if left.total_seconds() > 0 else PAST, moment, left)


def expiry_of(info: TokenInfo | None, token: AccessToken | None = None, now: datetime | None = None) -> Expiry:
    """When a token expires, from Graph's facts (or, unchecked, from the token's own expiry).

    Parameters
    ----------
    info : TokenInfo or None
        debug_token's facts (None: never checked).
    token : AccessToken, optional
        Its own ``expires_at`` (from the login's reply) is used when there are no facts.
    now : datetime, optional
        Graph's clock when known; default this machine's.
    """
    now = now or utcnow()
    if info is None:
        moment = token.expires_at if token is not None else None
        return _timed(moment, now) if moment is not None else Expiry(NO_FACTS)
    if not info.is_valid:
        # A token that no longer works has an expiry worth saying only when that is why.
        past = info.expires_at is not None and info.expires_at <= now
        return _timed(info.expires_at, now) if past and info.expires_at is not None else Expiry(NO_FACTS)
    if not info.expiry_known:
        return Expiry(UNKNOWN)
    return _timed(info.expires_at, now) if info.expires_at is not None else Expiry(NEVER)


def data_access_expiry_of(info: TokenInfo | None, now: datetime | None = None) -> Expiry:
    """When a valid token's data access expires (``never``, ``unknown`` as for :func:`expiry_of`)."""
    if info is None or not info.is_valid:
        return Expiry(NO_FACTS)
    if not info.expiry_known:
        return Expiry(UNKNOWN)
    moment = info.data_access_expires_at
    return _timed(moment, now or utcnow()) if moment is not None else Expiry(NEVER)


def type_words(info: TokenInfo | None) -> str:
    """``USER``, ``SYSTEM_USER``...; ``unknown`` when Graph would not say; ``-`` without facts."""
    return type_cell(info.type if info is not None else None, info.is_valid if info is not None else None)


def type_cell(kind: str | None, valid: bool | None) -> str:
    """:func:`type_words` from a report's fields (``type``, ``valid``)."""
    return kind or ("unknown" if valid else "-")


def kept_words(backend: str | None) -> str:
    """Where a token is kept, in words (``system keyring``, ``memory only``...)."""
    if not backend:
        return "-"
    return KEPT_WORDS.get(backend, backend)
