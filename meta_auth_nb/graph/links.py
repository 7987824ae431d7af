"""Secrets and URLs: the one test of whether a URL carries a token, and the scrubbing of links in replies.

A token in a URL ends up in proxy logs, server logs, browser history and
printed replies, so no request this package builds may carry one there, in
any spelling (``access_token``, ``ACCESS_TOKEN``, ``access%5Ftoken``, doubly
encoded...) or under any name (a token-shaped value, a known secret).
:func:`url_problem` says what is wrong with a URL, for the request builder
(:mod:`.request`) to refuse it; :func:`scrub_links` removes token-bearing
parameters from the links of a reply (``paging.next``/``previous`` carry the
caller's token on real Graph) before it is returned. Graph layer, I/O-free.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from .._base.redact import APP_TOKEN_PATTERN, known_secrets, redact

__all__ = [
    "SECRET_PARAMS",
    "key_name",
    "might_carry_secrets",
    "query_pairs",
    "scrub_links",
    "scrub_url",
    "secret_in",
    "url_problem",
]

#: Parameter names whose value is a token or a secret: never in a URL.
SECRET_PARAMS = frozenset({"access_token", "client_secret", "fb_exchange_token", "input_token", "revoke_token"})
#: Opaque cursors: any run of letters may show up in them, so only known secrets count there.
_CURSORS = frozenset({"after", "before"})
#: A token as a value of its own (not three letters inside a longer base64 run).
_TOKEN_VALUE = re.compile(r"(?<![A-Za-z0-9])EAA[A-Za-z0-9]{20,}(?![A-Za-z0-9])")
#: A quick look at a raw body: could any link in it carry a secret?
_SUSPECT = re.compile(rb"(?i)(?:_|%5f)(?:token|secret)|EAA[A-Za-z0-9]{20}")


def _decoded(text: str) -> str:
    """``text`` percent-decoded until it no longer changes (at most a few rounds)."""
    for _ in range(4):
        once = unquote_plus(text)
        if once == text:
            break
        text = once
    return text


def key_name(key: str) -> str:
    """A parameter name as a server may read it: decoded, trimmed, lower case, without ``[]``."""
    name = _decoded(str(key)).strip().lower()
    return name[:-2] if name.endswith("[]") else name


def secret_in(text: str, secrets: Iterable[str | None] = (), *, shapes: bool = True) -> bool:
    """True when ``text`` (in any percent-encoding) holds a known secret or, with ``shapes``, a token-shaped value."""
    plain = _decoded(text)
    if shapes and (_TOKEN_VALUE.search(plain) or APP_TOKEN_PATTERN.search(plain)):
        return True
    return any(s and s in plain for s in [*secrets, *known_secrets.snapshot()])


def _secret_pair(key: str, value: str, secrets: Sequence[str | None]) -> bool:
    shapes = key_name(key) not in _CURSORS
    return secret_in(value, secrets, shapes=shapes) or secret_in(key, secrets)


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The parameters of a query string, blank values kept."""
    return parse_qsl(query, keep_blank_values=True)


def url_problem(url: str, params: Mapping[str, str] | None = None, secrets: Iterable[str | None] = ()) -> str | None:
    """What makes a URL unfit to send, or None when it carries no secret.

    Parameters
    ----------
    url : str
        The URL (or a relative Graph path) with its own query.
    params : mapping, optional
        Parameters that will be added to its query.
    secrets : iterable of str
        Secrets of the session (its token, the app secret).
    """
    parts = urlsplit(url)
    secrets = list(secrets)
    pairs = [*query_pairs(parts.query), *(params or {}).items()]
    for key, value in pairs:
        name = key_name(key)
        if name == "access_token":
            return "access_token in the URL: the session sends the token in an Authorization header"
        if name in SECRET_PARAMS:
            return f"{name} in the URL: send it as a POST parameter (with method=get for a read)"
        if _secret_pair(str(key), str(value), secrets):
            return f"a token or secret as the value of {name!r} in the URL: send it as a POST parameter"
    if secret_in(parts.path, secrets) or secret_in(parts.fragment, secrets):
        return "a token or secret in the URL's path"
    return None


def scrub_url(url: str, secrets: Iterable[str | None] = ()) -> str:
    """``url`` without the parameters that carry a token or secret (any spelling)."""
    parts = urlsplit(url)
    secrets = list(secrets)
    kept = [
        (k, v)
        for k, v in query_pairs(parts.query)
        if key_name(k) not in SECRET_PARAMS and not _secret_pair(k, v, secrets)
    ]
    clean = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))
    # A secret left in the path or fragment is masked: the link is then only for reading.
    if secret_in(parts.path, secrets) or secret_in(parts.fragment, secrets):
        return redact(clean, secrets)
    return clean


def _is_link(value: str) -> bool:
    return "?" in value and ("://" in value or value.startswith("/"))


def scrub_links(payload: Any, secrets: Sequence[str | None] = ()) -> Any:
    """``payload`` with every link (a URL string anywhere in it) scrubbed by :func:`scrub_url`.

    Other strings, such as a page's own ``access_token`` field in
    ``me/accounts``, are data the caller asked for and stay as they are.
    """
    if isinstance(payload, str):
        return scrub_url(payload, secrets) if _is_link(payload) and _carries_secret(payload, secrets) else payload
    if isinstance(payload, dict):
        return {k: scrub_links(v, secrets) for k, v in payload.items()}
    if isinstance(payload, list):
        return [scrub_links(v, secrets) for v in payload]
    return payload


def _carries_secret(url: str, secrets: Sequence[str | None]) -> bool:
    parts = urlsplit(url)
    pairs = query_pairs(parts.query)
    if any(key_name(k) in SECRET_PARAMS or _secret_pair(k, v, secrets) for k, v in pairs):
        return True
    return secret_in(parts.path, secrets) or secret_in(parts.fragment, secrets)


def might_carry_secrets(body: bytes, secrets: Iterable[str | None] = ()) -> bool:
    """A fast look at a raw reply: False when no link in it can carry a secret.

    Only the session's own secrets are searched here (a token's letters and
    digits are the same in any encoding); every other token is token-shaped.
    """
    if _SUSPECT.search(body):
        return True
    return any(s and s.encode() in body for s in secrets)
