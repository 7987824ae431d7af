"""Exception types and the classifier that maps Graph errors onto them.

Every message says what went wrong in plain words and what to do next, and
is redacted: no exception text ever carries a token or an app secret.
Graph layer; stdlib only.
"""

from __future__ import annotations

from typing import Any, Mapping

from .redact import redact
from .tokens import TOKEN_SUBCODE_REASONS, TokenInfo
from .usage import Usage, parse_usage

__all__ = [
    "MetaAuthError",
    "GraphError",
    "TokenError",
    "TokenMissing",
    "TokenExpired",
    "TokenInvalidated",
    "MissingPermission",
    "RateLimited",
    "TransientError",
    "GraphConnectionError",
    "InvalidAppSecretProof",
    "OAuthError",
    "StateMismatch",
    "LoginDenied",
    "CodeExchangeFailed",
    "classify",
    "error_from_token_info",
]


class MetaAuthError(Exception):
    """Base of every error this package raises."""


class GraphError(MetaAuthError):
    """An error reported by the Graph API (or on the way to it).

    Attributes
    ----------
    message : str
        Graph's message, redacted.
    code, subcode : int or None
        Graph's ``code`` and ``error_subcode``.
    type : str or None
        Graph's error ``type`` (``OAuthException``...).
    fbtrace_id : str or None
        Quote it when asking Meta for help.
    status : int or None
        The HTTP status.
    hint : str
        What to do next.
    user_title, user_msg : str or None
        Graph's ``error_user_title`` / ``error_user_msg`` when sent.
    is_transient : bool
        Graph marked it transient (worth retrying).
    """

    default_hint = "Check the request; quote the fbtrace_id if you ask Meta for help."

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        subcode: int | None = None,
        type: str | None = None,
        fbtrace_id: str | None = None,
        status: int | None = None,
        hint: str | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
        is_transient: bool = False,
    ) -> None:
        self.message = redact(str(message or "Unknown error"))
        self.code = code
        self.subcode = subcode
        self.type = type
        self.fbtrace_id = fbtrace_id
        self.status = status
        self.hint = redact(hint or self.default_hint)
        self.user_title = redact(user_title) if user_title else None
        self.user_msg = redact(user_msg) if user_msg else None
        self.is_transient = is_transient
        super().__init__(self._render())

    def _render(self) -> str:
        ids = []
        if self.code is not None:
            ids.append(f"code {self.code}" + (f"/{self.subcode}" if self.subcode is not None else ""))
        if self.fbtrace_id:
            ids.append(f"fbtrace_id {self.fbtrace_id}")
        detail = f" ({', '.join(ids)})" if ids else ""
        return f"{self.message}{detail}. {self.hint}"

    def __reduce__(self) -> Any:
        # Keep exceptions picklable (multiprocessing, papermill) with all fields.
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type, state: dict) -> GraphError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, err._render())
    return err


class TokenError(GraphError):
    """The access token cannot be used (code 190, 102, 104)."""

    default_hint = "Check that the whole token was copied, or log in again for a new one (%meta_login)."

    @property
    def reason(self) -> str:
        """Why, in plain words."""
        return TOKEN_SUBCODE_REASONS.get(self.subcode or 0, "the token is invalid")


class TokenMissing(TokenError):
    """No access token was sent."""

    default_hint = "Pass a token, set META_ACCESS_TOKEN, or run %meta_login."


class TokenExpired(TokenError):
    """The token's lifetime is over (190/463)."""

    default_hint = (
        "Log in again for a new token (%meta_login or `meta-auth login`); "
        "extend short-lived tokens to 60-day ones so this happens less."
    )

    @property
    def reason(self) -> str:
        return TOKEN_SUBCODE_REASONS[463]


_INVALIDATED_HINTS = {
    458: "The user removed the app: log in again and approve the app.",
    459: "Log in on facebook.com to clear the security checkpoint, then log in again.",
    460: "Tokens stop working when the password changes: log in again for a new token.",
    464: "Confirm the account on facebook.com, then log in again.",
    492: "Log in again for a new token.",
}


class TokenInvalidated(TokenError):
    """The token was invalidated before its expiry (password change, app removed...)."""

    default_hint = "Log in again for a new token (%meta_login or `meta-auth login`)."


class MissingPermission(GraphError):
    """The token lacks a permission the call needs (code 10, 200-299)."""

    default_hint = (
        "Log in again asking for the permission it needs; if it was declined, "
        "use auth_type='rerequest' so the dialog asks again."
    )


class RateLimited(GraphError):
    """A rate limit was hit (codes 4, 17, 32, 613, 80000-80014).

    Attributes
    ----------
    retry_after : float or None
        Seconds to wait before access comes back, when the headers say.
    usage : Usage or None
        The usage headers of the refused response.
    """

    default_hint = "Wait and retry, and spread calls out (fewer, larger pages; batch requests)."

    def __init__(self, message: str, *, retry_after: float | None = None, usage: Usage | None = None, **kw: Any) -> None:
        self.retry_after = retry_after
        self.usage = usage
        if retry_after and "hint" not in kw:
            kw["hint"] = f"Access should come back in about {retry_after:.0f} s; wait, then retry with fewer calls."
        super().__init__(message, **kw)


class TransientError(GraphError):
    """A temporary Graph failure (code 1, 2, HTTP 5xx) that survived the retries."""

    default_hint = "This is on Meta's side and usually passes: retry in a minute."


class GraphConnectionError(GraphError):
    """The Graph API could not be reached (DNS, refused, reset, timeout)."""

    default_hint = "Check the network connection and META_GRAPH_URL, then retry."


class InvalidAppSecretProof(GraphError):
    """``appsecret_proof`` did not match, or the app requires one."""

    default_hint = "Use the app secret of the token's own app (App settings > Basic)."


class OAuthError(GraphError):
    """The login flow failed."""

    default_hint = "Start the login again (%meta_login)."


class StateMismatch(OAuthError):
    """The redirect's ``state`` is not the one this login sent (possible CSRF)."""

    default_hint = (
        "Start the login again and use the redirect of that same attempt; "
        "never paste a link someone else sent you."
    )


class LoginDenied(OAuthError):
    """The user pressed Cancel or declined the app in the login dialog."""

    default_hint = "Log in again and press Continue/Allow to grant the app access."


class CodeExchangeFailed(OAuthError):
    """The authorization code could not be exchanged for a token."""

    default_hint = "Log in again for a new code."


# --- the classifier ---------------------------------------------------------

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
TRANSIENT_CODES = frozenset({1, 2})
EXPIRED_SUBCODE = 463
INVALIDATED_SUBCODES = frozenset({458, 459, 460, 464, 492})

_CODE_EXCHANGE = {
    36007: "The login code has expired (codes live about 10 minutes): log in again for a new one.",
    36008: "redirect_uri must be exactly the one used in the login dialog URL, character for character.",
    36009: "Each login code works once: log in again for a new code.",
}

_RATE_LIMIT_KIND = {4: "app", 17: "user", 32: "page", 613: "call"}
_BUC_KIND = {
    80000: "ads insights",
    80001: "pages",
    80002: "Instagram",
    80003: "custom audience",
    80004: "ads management",
    80005: "lead generation",
    80006: "Messenger",
    80008: "WhatsApp",
    80009: "catalog",
    80014: "catalog batch",
}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def classify(
    envelope: Mapping[str, Any] | None,
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> GraphError:
    """Turn a Graph error reply into the matching exception.

    Parameters
    ----------
    envelope : mapping or None
        The decoded JSON body (``{"error": {...}}``), or None if the body was
        not JSON.
    status : int, optional
        HTTP status code.
    headers : mapping, optional
        Response headers (usage headers give ``retry_after``).

    Returns
    -------
    GraphError
        The most specific subclass; unknown codes stay a plain GraphError
        carrying every field.
    """
    error: Mapping[str, Any] = {}
    if isinstance(envelope, Mapping):
        raw = envelope.get("error")
        if isinstance(raw, Mapping):
            error = raw
        elif isinstance(raw, str):  # some OAuth endpoints answer {"error": "..."}
            error = {"message": raw, "type": "OAuthException"}
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode", error.get("subcode")))
    message = str(error.get("message") or "")
    transient = error.get("is_transient") is True
    fields: dict[str, Any] = {
        "code": code,
        "subcode": subcode,
        "type": str(error["type"]) if error.get("type") is not None else None,
        "fbtrace_id": str(error["fbtrace_id"]) if error.get("fbtrace_id") is not None else None,
        "status": status,
        "user_title": error.get("error_user_title") if isinstance(error.get("error_user_title"), str) else None,
        "user_msg": error.get("error_user_msg") if isinstance(error.get("error_user_msg"), str) else None,
        "is_transient": transient,
    }
    lowered = message.lower()

    if not error:
        if status is not None and status >= 500:
            return TransientError(f"The Graph API answered HTTP {status}", **fields)
        return GraphError(f"The Graph API answered HTTP {status} with no error details", **fields)
    if code == 190:
        if subcode == EXPIRED_SUBCODE or "has expired" in lowered:
            return TokenExpired(message or "The access token has expired", **fields)
        if subcode in INVALIDATED_SUBCODES or "changed their password" in lowered or "changed the password" in lowered:
            hint = _INVALIDATED_HINTS.get(subcode or 0)
            if subcode is None and "password" in lowered:
                fields["subcode"] = None
                hint = _INVALIDATED_HINTS[460]
            return TokenInvalidated(message or "The access token was invalidated", hint=hint, **fields)
        return TokenError(message or "The access token is invalid", **fields)
    if code == 102:
        return TokenInvalidated(message or "The session is invalid", **fields)
    if code == 104:
        return TokenMissing(message or "An access token is required", **fields)
    if code in _CODE_EXCHANGE or subcode in _CODE_EXCHANGE:
        key = subcode if subcode in _CODE_EXCHANGE else code
        return CodeExchangeFailed(message, hint=_CODE_EXCHANGE[key], **fields)  # type: ignore[index]
    if code == 100 and "verification code" in lowered:
        return CodeExchangeFailed(
            message, hint="Paste the whole redirected URL (or the whole code), then try again.", **fields
        )
    if code == 100 and "appsecret_proof" in lowered:
        return InvalidAppSecretProof(message, **fields)
    if code == 1 and "client secret" in lowered:
        return CodeExchangeFailed(message, hint="Check the app secret (App settings > Basic in the Meta app dashboard).", **fields)
    if code == 101:
        return CodeExchangeFailed(message, hint="Check the app id (META_APP_ID or --app-id).", **fields)
    if code == 1 and "missing" in lowered and "parameter" in lowered:
        return GraphError(message, hint="A required parameter was not sent; see the message.", **fields)
    if code == 10 or (code is not None and 200 <= code <= 299):
        return MissingPermission(message, **fields)
    if code in RATE_LIMIT_CODES:
        usage = parse_usage(headers)
        retry_after = usage.retry_after if usage else None
        kind = _BUC_KIND.get(code) or _RATE_LIMIT_KIND.get(code)  # type: ignore[arg-type]
        text = message or f"The {kind} rate limit was reached"
        return RateLimited(text, retry_after=retry_after, usage=usage, **fields)
    if code in TRANSIENT_CODES or transient or (status is not None and status >= 500):
        return TransientError(message or "A temporary error occurred", **fields)
    if subcode is not None and subcode in TOKEN_SUBCODE_REASONS:
        return TokenInvalidated(message, hint=_INVALIDATED_HINTS.get(subcode), **fields)
    return GraphError(message or f"Graph API error (HTTP {status})", **fields)


def error_from_token_info(info: TokenInfo) -> TokenError | None:
    """The exception matching an invalid ``debug_token`` result, or None when valid.

    debug_token answers HTTP 200 with ``is_valid: false`` and an ``error``
    block whose key is ``subcode``; this reads that block the same way
    :func:`classify` reads an error envelope.
    """
    if info.is_valid:
        return None
    envelope = {
        "error": {
            "code": info.error_code if info.error_code is not None else 190,
            "error_subcode": info.error_subcode,
            "message": info.error_message or f"The access token is not valid: {info.invalid_reason}",
            "type": "OAuthException",
        }
    }
    err = classify(envelope, status=200)
    if isinstance(err, TokenError):
        return err
    return TokenError(err.message, code=err.code, subcode=err.subcode, type=err.type, status=200)
