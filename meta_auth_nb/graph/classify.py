"""Which Graph reply becomes which exception of :mod:`meta_auth_nb._base.errors`.

The code tables (token subcodes, rate-limit codes, transient codes, code
exchange failures) live here and nowhere else. Graph layer, I/O-free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .._base.errors import (
    CodeExchangeFailed,
    GraphError,
    InvalidAppSecretProof,
    MissingPermission,
    RateLimited,
    TokenError,
    TokenExpired,
    TokenInvalidated,
    TokenMissing,
    TooMuchData,
    TransientError,
)
from .._base.tokens import TOKEN_SUBCODE_REASONS, TokenInfo
from .._base.usage import parse_usage
from .versions import version_advice

__all__ = [
    "RATE_LIMIT_CODES",
    "TOO_MUCH_DATA_SUBCODE",
    "TRANSIENT_CODES",
    "VERSION_ENDED_CODE",
    "classify",
    "error_from_token_info",
]

#: What to do when a token was invalidated, by subcode.
_INVALIDATED_HINTS = {
    458: "The user removed the app: log in again and approve the app.",
    459: "Log in on facebook.com to clear the security checkpoint, then log in again.",
    460: "Tokens stop working when the password changes: log in again for a new token.",
    464: "Confirm the account on facebook.com, then log in again.",
    466: "The token was revoked by an API call (a logout, oauth/revoke, a removed permission): log in again.",
    492: "Log in again for a new token.",
}

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
#: Codes that are temporary unless the reply says otherwise (``is_transient`` wins).
TRANSIENT_CODES = frozenset({1, 2, 960})
EXPIRED_SUBCODE = 463
INVALIDATED_SUBCODES = frozenset({458, 459, 460, 464, 466, 492})
#: The Marketing API version in use has ended.
VERSION_ENDED_CODE = 2635
#: Insights report not ready right after it completed: try again.
_TRANSIENT_PAIRS = frozenset({(2601, 1815107)})

_CODE_EXCHANGE = {
    36007: "The login code has expired (codes live about 10 minutes): log in again for a new one.",
    36008: "redirect_uri must be exactly the one used in the login dialog URL, character for character.",
    36009: "Each login code works once: log in again for a new code.",
}
#: "Too much data per call" on an insights call (or a report run): ask for less.
TOO_MUCH_DATA_SUBCODE = 1487534
_IMPERSONATE = re.compile(r"permissions?(?:\(s\))? must be granted before impersonating")

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
    # is_transient decides when Graph sends it: code 1 with is_transient false is not worth a retry.
    said = error.get("is_transient")
    said_transient = said if isinstance(said, bool) else None
    fields: dict[str, Any] = {
        "code": code,
        "subcode": subcode,
        "type": str(error["type"]) if error.get("type") is not None else None,
        "fbtrace_id": str(error["fbtrace_id"]) if error.get("fbtrace_id") is not None else None,
        "status": status,
        "user_title": error.get("error_user_title") if isinstance(error.get("error_user_title"), str) else None,
        "user_msg": error.get("error_user_msg") if isinstance(error.get("error_user_msg"), str) else None,
        "is_transient": said_transient is True,
    }
    lowered = message.lower()
    squeezed = re.sub(r"[\s_]", "", lowered)

    if not error:
        if status is not None and status >= 500:
            return TransientError(f"The Graph API answered HTTP {status}", **fields)
        return GraphError(f"The Graph API answered HTTP {status} with no error details", **fields)
    if code == 190 and _IMPERSONATE.search(lowered):
        return MissingPermission(message, **fields)
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
    if "appsecretproof" in squeezed:
        return InvalidAppSecretProof(message, **fields)
    if code == 1 and "client secret" in lowered:
        return CodeExchangeFailed(
            message, hint="Check the app secret (App settings > Basic in the Meta app dashboard).", **fields
        )
    if code == 101:
        return CodeExchangeFailed(message, hint="Check the app id (META_APP_ID or --app-id).", **fields)
    if code == 1 and "missing" in lowered and "parameter" in lowered:
        return GraphError(message, hint="A required parameter was not sent; see the message.", **fields)
    if code == VERSION_ENDED_CODE:
        return GraphError(message or "This Graph API version has ended", hint=version_advice(message), **fields)
    if code == 10 or (code is not None and 200 <= code <= 299):
        return MissingPermission(message, **fields)
    if code in RATE_LIMIT_CODES:
        usage = parse_usage(headers)
        retry_after = usage.retry_after if usage else None
        kind = _BUC_KIND.get(code) or _RATE_LIMIT_KIND.get(code)  # type: ignore[arg-type]
        text = message or f"The {kind} rate limit was reached"
        return RateLimited(text, retry_after=retry_after, usage=usage, **fields)
    if "reduce the amount of data" in lowered or subcode == TOO_MUCH_DATA_SUBCODE:
        return TooMuchData(message, **fields)
    transient = said_transient
    if transient is None:
        transient = (
            code in TRANSIENT_CODES or (code, subcode) in _TRANSIENT_PAIRS or (status is not None and status >= 500)
        )
    if transient:
        fields["is_transient"] = True
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
