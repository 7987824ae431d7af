"""What a token error means: one table from Graph's code, subcode and message to status, exception, reason and fix.

Base layer, stdlib only. Both readers of a token error use it, so the same
reply gets the same meaning everywhere: the session's classifier
(:func:`meta_auth_nb.graph.classify.classify`, an error reply becomes the
exception of the row) and the verdict (:func:`meta_auth_nb.auth.verdict.judge`,
an invalid ``debug_token`` result becomes the status, reason and advice of
the row), and so :attr:`TokenInfo.invalid_reason` too.

Graph names token problems by subcode of code 190 (458 app removed, 459
checkpointed, 460 password changed, 463 expired, 464 unconfirmed, 466
revoked by an API call, 467 not recognised, 492 invalid session); a reply
without a subcode is read by its message ("Session has expired",
"The access token expired.", "...changed their password...",
"...has not authorized application..."); codes 102 (session) and 104 (no
token) are token problems too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .commands import Place
from .errors import TokenError, TokenExpired, TokenInvalidated, TokenMissing
from .status import Status

__all__ = [
    "EXPIRED_SUBCODE",
    "TOKEN_CODE",
    "TokenErrorMeaning",
    "login_advice",
    "token_error_meaning",
    "token_subcodes",
]

#: Graph's code for "this access token cannot be used", and its subcode for "it has expired".
TOKEN_CODE, EXPIRED_SUBCODE = 190, 463


def login_advice(place: Place, profile: str | None = None) -> str:
    """How to get a new token, with the command that works at ``place``."""
    if place.sandbox:
        return f"Get a new token: run {place.login(profile)} and log in again (about 10 s)."
    return (
        f"Get a new token: log in again with {place.login(profile)} (or paste a new token from the Graph API Explorer)."
    )


@dataclass(frozen=True)
class TokenErrorMeaning:
    """One row of the table.

    Attributes
    ----------
    status : Status
        ``expired`` or ``invalid``.
    error : type of TokenError
        The exception the classifier raises.
    reason : str
        Why, in plain words (lower case, no final stop).
    first : str or None
        What must happen on facebook.com before a new login can work, if anything.
    """

    status: Status
    error: type[TokenError]
    reason: str
    first: str | None = None

    def advice(self, place: Place, profile: str | None = None) -> str:
        """What to do, naming the command that works at ``place``."""
        login = login_advice(place, profile)
        if self.first is None:
            return login
        return f"{self.first}, then: {login[0].lower()}{login[1:]}"

    def explained(self, place: Place, profile: str | None = None) -> str:
        """Why, then what to do: the hint of the exception a reply of this row raises."""
        return f"{self.reason[0].upper()}{self.reason[1:]}. {self.advice(place, profile)}"


_EXPIRED = TokenErrorMeaning(Status.EXPIRED, TokenExpired, "the token has expired")
_PASSWORD = TokenErrorMeaning(Status.INVALID, TokenInvalidated, "the user changed their password")
_APP_REMOVED = TokenErrorMeaning(
    Status.INVALID,
    TokenInvalidated,
    "the app was removed by the user",
    "Approve the app again when the login dialog asks",
)
_INVALID = TokenErrorMeaning(Status.INVALID, TokenError, "the token is invalid")

#: By subcode (of code 190, or of debug_token's error block).
_BY_SUBCODE: dict[int, TokenErrorMeaning] = {
    458: _APP_REMOVED,
    459: TokenErrorMeaning(
        Status.INVALID,
        TokenInvalidated,
        "the user's account is checkpointed (they must log in on facebook.com to unlock it)",
        "Log in on facebook.com to clear the security checkpoint",
    ),
    460: _PASSWORD,
    463: _EXPIRED,
    464: TokenErrorMeaning(
        Status.INVALID,
        TokenInvalidated,
        "the user's account is unconfirmed",
        "Confirm the account on facebook.com",
    ),
    466: TokenErrorMeaning(
        Status.INVALID,
        TokenInvalidated,
        "the token was revoked by an API call (a logout, oauth/revoke or a removed permission)",
    ),
    467: TokenErrorMeaning(
        Status.INVALID,
        TokenError,
        "Graph does not recognise the token (it was cut off when copied, its session ended, or it belongs to "
        "another Graph, such as a sandbox's)",
        "Check that the whole token was copied",
    ),
    492: TokenErrorMeaning(
        Status.INVALID,
        TokenInvalidated,
        "the session is invalid (the user may have logged out or changed their role)",
    ),
}
#: By message, for a reply without a subcode (first match wins).
_BY_MESSAGE: tuple[tuple[re.Pattern[str], TokenErrorMeaning], ...] = (
    (re.compile(r"\bexpired\b"), _EXPIRED),
    (re.compile(r"\bpassword\b"), _PASSWORD),
    (re.compile(r"(has )?not authorized application"), _APP_REMOVED),
)
#: By code, other than 190.
_BY_CODE: dict[int, TokenErrorMeaning] = {
    102: TokenErrorMeaning(Status.INVALID, TokenInvalidated, "the session is invalid"),
    104: TokenErrorMeaning(Status.INVALID, TokenMissing, "no access token was sent"),
}


def token_subcodes() -> frozenset[int]:
    """The subcodes that name a token problem whatever the code."""
    return frozenset(_BY_SUBCODE)


def token_error_meaning(code: int | None, subcode: int | None, message: str | None) -> TokenErrorMeaning | None:
    """What a token error means, or None when the reply is not about the token.

    Parameters
    ----------
    code, subcode : int or None
        Graph's ``code`` and ``error_subcode`` (``subcode`` in debug_token's
        error block). ``code`` None reads like 190 (debug_token may leave it out).
    message : str or None
        Graph's message, read when the subcode says nothing.
    """
    if subcode in _BY_SUBCODE:
        return _BY_SUBCODE[subcode]
    if code in _BY_CODE:
        return _BY_CODE[code]
    if code not in (TOKEN_CODE, None):
        return None
    lowered = (message or "").lower()
    for pattern, meaning in _BY_MESSAGE:
        if pattern.search(lowered):
            return meaning
    return _INVALID
