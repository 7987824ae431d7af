"""Which Graph reply becomes which exception of :mod:`meta_auth_nb._base.errors`: a table, read in order.

Each :class:`Family` says which replies it takes (codes, subcodes, a message
pattern) and the exception they become, with what to do; the first family
that matches a reply decides. What a *token* error means (expired, password
changed, app removed...) is the token-error table's
(:mod:`meta_auth_nb._base.token_errors`), which the verdict reads too.
``is_transient`` decides whether a reply no family claims is worth a retry,
when Graph sends it. Meta's insights subcodes (its "Ads Insights error codes")
are rows of their own: a timeout asks for less, like "too much data"
(:data:`INSIGHTS_TIMEOUT_SUBCODES`); refused breakdowns or custom metrics are
the query's fault, never retried (:data:`INSIGHTS_REFUSED_PARTS`); too many
insights requests is a rate limit, paced (:data:`INSIGHTS_THROTTLE_SUBCODES`).
Graph layer, I/O-free.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._base.commands import Place
from .._base.errors import (
    GraphError,
    InvalidAppSecretProof,
    MissingPermission,
    RateLimited,
    TokenError,
    TooMuchData,
    TransientError,
)
from .._base.insights_errors import InsightsQueryRefused
from .._base.login_errors import CodeExchangeFailed
from .._base.token_errors import TOKEN_CODE, token_error_meaning, token_subcodes
from .._base.tokens import TokenInfo
from .._base.usage_headers import parse_usage
from .versions import version_advice

__all__ = [
    "FAMILIES",
    "INSIGHTS_REFUSED_PARTS",
    "INSIGHTS_THROTTLE_SUBCODES",
    "INSIGHTS_THROTTLE_WAIT_S",
    "INSIGHTS_TIMEOUT_SUBCODES",
    "RATE_LIMIT_CODES",
    "TOO_MUCH_DATA_SUBCODE",
    "TRANSIENT_CODES",
    "VERSION_ENDED_CODE",
    "Family",
    "classify",
    "error_from_token_info",
]

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
#: Codes that are temporary unless the reply says otherwise (``is_transient`` wins).
TRANSIENT_CODES = frozenset({1, 2, 960})
#: Insights report not ready right after it completed: try again.
TRANSIENT_PAIRS = frozenset({(2601, 1815107)})
#: The Marketing API version in use has ended.
VERSION_ENDED_CODE = 2635
#: "Too much data per call" on an insights call (or a report run): ask for less.
TOO_MUCH_DATA_SUBCODE = 1487534
#: Insights that took too long: 100/1504018 "Request timed out", 2/1504038 (a synchronous call's timeout),
#: -3/1504045 (a request too large). Meta's remedy is the one for too much data: ask for less, or go async.
INSIGHTS_TIMEOUT_SUBCODES = frozenset({1504018, 1504038, 1504045})
#: What Meta refused of an insights query, by subcode: the request is wrong, so it is never retried.
INSIGHTS_REFUSED_PARTS = {1504041: "breakdowns", 1504042: "custom metrics"}
#: 4/1504022 and 4/1504039: too many insights requests. A rate limit: the pull waits, it does not fail.
INSIGHTS_THROTTLE_SUBCODES = frozenset({1504022, 1504039})
#: How long the insights throttle holds calls when no usage header says (Meta: "wait a few minutes").
INSIGHTS_THROTTLE_WAIT_S = 60.0

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


@dataclass(frozen=True)
class ErrorReply:
    """An error reply, read: Graph's fields and what classifying it needs."""

    code: int | None
    subcode: int | None
    message: str
    is_transient: bool | None  # as Graph said it, None when it did not
    status: int | None
    headers: Mapping[str, str] | None
    place: Place
    fields: dict[str, Any]
    version: str | None = None  # the Graph version the call was pinned to

    @property
    def lowered(self) -> str:
        return self.message.lower()


@dataclass(frozen=True)
class Family:
    """One kind of Graph error: the replies it takes, the exception they become, and what to do.

    A reply matches when every condition given holds: ``codes`` (its code),
    ``subcodes`` (its subcode), ``code_or_subcode`` (either), ``message``
    (searched in the lower-cased message), ``when`` (anything else).
    """

    name: str
    error: type[GraphError]
    codes: frozenset[int] = frozenset()
    subcodes: frozenset[int] = frozenset()
    code_or_subcode: frozenset[int] = frozenset()
    message: re.Pattern[str] | None = None
    when: Callable[[ErrorReply], bool] | None = None
    hint: str | None = None
    #: Builds the exception when more than the class and hint are needed.
    build: Callable[[Family, ErrorReply], GraphError] | None = field(default=None, repr=False)

    def matches(self, reply: ErrorReply) -> bool:
        return (
            (not self.codes or reply.code in self.codes)
            and (not self.subcodes or reply.subcode in self.subcodes)
            and (not self.code_or_subcode or bool({reply.code, reply.subcode} & self.code_or_subcode))
            and (self.message is None or bool(self.message.search(reply.lowered)))
            and (self.when is None or self.when(reply))
        )

    def make(self, reply: ErrorReply) -> GraphError:
        if self.build is not None:
            return self.build(self, reply)
        return self.error(reply.message or self.name, hint=self.hint, place=reply.place, **reply.fields)


def _token_error(_: Family, reply: ErrorReply) -> GraphError:
    meaning = token_error_meaning(reply.code, reply.subcode, reply.message)
    assert meaning is not None  # the families that build this match token replies only
    return meaning.error(
        reply.message or meaning.reason,
        reason=meaning.reason,
        hint=meaning.explained(reply.place),
        place=reply.place,
        **reply.fields,
    )


def _rate_limited(_: Family, reply: ErrorReply) -> GraphError:
    usage = parse_usage(reply.headers)
    kind = _BUC_KIND.get(reply.code or 0) or _RATE_LIMIT_KIND.get(reply.code or 0, "")
    text = reply.message or f"The {kind} rate limit was reached"
    return RateLimited(text, retry_after=usage.retry_after if usage else None, usage=usage, place=reply.place,
                       **reply.fields)  # fmt: skip


def _insights_throttled(_: Family, reply: ErrorReply) -> GraphError:
    usage = parse_usage(reply.headers)
    wait = (usage.retry_after if usage else None) or INSIGHTS_THROTTLE_WAIT_S
    text = reply.message or "There have been too many insights requests"
    return RateLimited(text, retry_after=wait, usage=usage, place=reply.place, **reply.fields)


def _query_refused(_: Family, reply: ErrorReply) -> GraphError:
    part = INSIGHTS_REFUSED_PARTS.get(reply.subcode or 0, "query")
    text = reply.message or f"Meta refused the query's {part}"
    return InsightsQueryRefused(text, part=part, place=reply.place, **{**reply.fields, "is_transient": False})


def _version_ended(_: Family, reply: ErrorReply) -> GraphError:
    message = reply.message or "This Graph API version has ended"
    return GraphError(message, hint=version_advice(reply.message, reply.version), place=reply.place, **reply.fields)


def _transient(family: Family, reply: ErrorReply) -> GraphError:
    return TransientError(reply.message or "A temporary error occurred", place=reply.place,
                          **{**reply.fields, "is_transient": True})  # fmt: skip


def _is_transient(reply: ErrorReply) -> bool:
    if reply.is_transient is not None:  # Graph said so: code 1 with is_transient false is not worth a retry
        return reply.is_transient
    return (
        reply.code in TRANSIENT_CODES
        or (reply.code, reply.subcode) in TRANSIENT_PAIRS
        or (reply.status is not None and reply.status >= 500)
    )


def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


#: The families, in the order a reply is tried against them.
FAMILIES: tuple[Family, ...] = (
    Family(
        "impersonation",
        MissingPermission,
        codes=frozenset({TOKEN_CODE}),
        message=_pattern(r"permissions?(?:\(s\))? must be granted before impersonating"),
    ),
    Family("token", TokenError, codes=frozenset({TOKEN_CODE, 102, 104}), build=_token_error),
    Family(
        "expired login code",
        CodeExchangeFailed,
        code_or_subcode=frozenset({36007}),
        hint="The login code has expired (codes live about 10 minutes): log in again for a new one.",
    ),
    Family(
        "redirect mismatch",
        CodeExchangeFailed,
        code_or_subcode=frozenset({36008}),
        hint="redirect_uri must be exactly the one used in the login dialog URL, character for character.",
    ),
    Family(
        "used login code",
        CodeExchangeFailed,
        code_or_subcode=frozenset({36009}),
        hint="Each login code works once: log in again for a new code.",
    ),
    Family(
        "malformed login code",
        CodeExchangeFailed,
        codes=frozenset({100}),
        message=_pattern(r"verification code"),
        hint="Paste the whole redirected URL (or the whole code), then try again.",
    ),
    Family("appsecret_proof", InvalidAppSecretProof, message=_pattern(r"app[\s_]*secret[\s_]*proof")),
    Family(
        "client secret",
        CodeExchangeFailed,
        codes=frozenset({1}),
        message=_pattern(r"client secret"),
        hint="Check the app secret (App settings > Basic in the Meta app dashboard).",
    ),
    Family("app id", CodeExchangeFailed, codes=frozenset({101}), hint="Check the app id (META_APP_ID or --app-id)."),
    Family(
        "missing parameter",
        GraphError,
        codes=frozenset({1}),
        message=_pattern(r"missing.*parameter|parameter.*missing"),
        hint="A required parameter was not sent; see the message.",
    ),
    Family("version ended", GraphError, codes=frozenset({VERSION_ENDED_CODE}), build=_version_ended),
    Family("missing permission", MissingPermission, codes=frozenset({10, *range(200, 300)})),
    Family(
        "insights query refused", InsightsQueryRefused, subcodes=frozenset(INSIGHTS_REFUSED_PARTS), build=_query_refused
    ),
    Family("insights throttle", RateLimited, subcodes=INSIGHTS_THROTTLE_SUBCODES, build=_insights_throttled),
    Family("rate limit", RateLimited, codes=RATE_LIMIT_CODES, build=_rate_limited),
    Family("too much data", TooMuchData, message=_pattern(r"reduce the amount of data")),
    Family("too much data per call", TooMuchData, subcodes=frozenset({TOO_MUCH_DATA_SUBCODE})),
    Family(
        "insights timed out",
        TooMuchData,
        subcodes=INSIGHTS_TIMEOUT_SUBCODES,
        hint="Meta timed out on the request: ask for less (a shorter range, fewer fields or breakdowns) or use an "
        "async report run; meta.insights() does both by itself.",
    ),
    Family("transient", TransientError, when=_is_transient, build=_transient),
    Family("token, by subcode", TokenError, subcodes=token_subcodes(), build=_token_error),
)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def classify(
    envelope: Mapping[str, Any] | None,
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    place: Place | None = None,
    version: str | None = None,
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
    place : Place, optional
        Where the error is read: its hint names the commands that work there.
    version : str, optional
        The Graph version the call was pinned to: advice about an ended
        version never names the one already in use.

    Returns
    -------
    GraphError
        The exception of the first :data:`FAMILIES` entry that matches;
        unknown codes stay a plain GraphError carrying every field.
    """
    place = place or Place()
    error: Mapping[str, Any] = {}
    if isinstance(envelope, Mapping):
        raw = envelope.get("error")
        if isinstance(raw, Mapping):
            error = raw
        elif isinstance(raw, str):  # some OAuth endpoints answer {"error": "..."}
            error = {"message": raw, "type": "OAuthException"}
    said = error.get("is_transient")
    fields: dict[str, Any] = {
        "code": _int(error.get("code")),
        "subcode": _int(error.get("error_subcode", error.get("subcode"))),
        "type": str(error["type"]) if error.get("type") is not None else None,
        "fbtrace_id": str(error["fbtrace_id"]) if error.get("fbtrace_id") is not None else None,
        "status": status,
        "user_title": _text(error.get("error_user_title")),
        "user_msg": _text(error.get("error_user_msg")),
        "is_transient": said is True,
    }
    if not error:
        if status is not None and status >= 500:
            return TransientError(
                f"The Graph API answered HTTP {status}", place=place, **{**fields, "is_transient": True}
            )
        return GraphError(f"The Graph API answered HTTP {status} with no error details", place=place, **fields)
    reply = ErrorReply(
        code=fields["code"],
        subcode=fields["subcode"],
        message=str(error.get("message") or ""),
        is_transient=said if isinstance(said, bool) else None,
        status=status,
        headers=headers,
        place=place,
        fields=fields,
        version=version,
    )
    for family in FAMILIES:
        if family.matches(reply):
            return family.make(reply)
    return GraphError(reply.message or f"Graph API error (HTTP {status})", place=place, **fields)


def error_from_token_info(info: TokenInfo, place: Place | None = None, profile: str | None = None) -> TokenError | None:
    """The exception matching an invalid ``debug_token`` result, or None when valid.

    debug_token answers HTTP 200 with ``is_valid: false`` and an ``error``
    block whose key is ``subcode``; its meaning comes from the same
    token-error table :func:`classify` reads, so the same facts give the same
    exception and reason.
    """
    if info.is_valid:
        return None
    meaning = token_error_meaning(info.error_code, info.error_subcode, info.error_message)
    meaning = meaning or token_error_meaning(TOKEN_CODE, None, None)
    assert meaning is not None  # code 190 always has a meaning
    place = place or Place()
    return meaning.error(
        info.error_message or f"The access token is not valid: {meaning.reason}",
        reason=meaning.reason,
        hint=meaning.explained(place, profile),
        place=place,
        code=info.error_code if info.error_code is not None else TOKEN_CODE,
        subcode=info.error_subcode,
        type="OAuthException",
        status=200,
    )
