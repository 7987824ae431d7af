"""What state a token is in: the one :class:`Status` enum.

Base layer, stdlib only. :func:`meta_auth_nb.auth.verdict.judge` decides a
token's status; the token-error table (:mod:`.token_errors`) says which
status each Graph token error means; the front ends show it. The values are
the words tables and JSON print (``ok``, ``expiring``...).
"""

from __future__ import annotations

from enum import Enum

__all__ = ["Status"]


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
        """0 healthy, 1 needs attention soon, 2 unusable now, 3 could not be checked.

        ``meta-auth check`` exits with the worst severity of what it checked.
        """
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
