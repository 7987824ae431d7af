"""Secrets and URLs: the one test of whether a URL carries a token, and the scrubbing of links in replies.

A token in a URL ends up in proxy logs, server logs, browser history and
printed replies, so no request this package builds may carry one there, in
any spelling (``access_token``, ``ACCESS_TOKEN``, ``access%5Ftoken``, doubly
encoded...) or under any name (a token-shaped value, a known secret).
:func:`url_problem` says what is wrong with a URL, for the request builder
(:mod:`.request`) to refuse it; :func:`scrub_body` removes token-bearing
parameters from the links of a reply (``paging.next``/``previous`` carry the
caller's token on real Graph) before it is decoded and returned. Graph
layer, I/O-free.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from .._base.redact import APP_TOKEN_PATTERN, known_secrets, redact

__all__ = [
    "PROOF_PARAMS",
    "SECRET_PARAMS",
    "key_name",
    "query_pairs",
    "scrub_body",
    "scrub_url",
    "secret_in",
    "url_problem",
]

#: Parameter names whose value is a token or a secret: never in a URL.
SECRET_PARAMS = frozenset({"access_token", "client_secret", "fb_exchange_token", "input_token", "revoke_token"})
#: Proof that the caller holds the app secret: a GET of ours carries it in its query (Graph reads it
#: there), but a link handed back in a reply has no use for it, so it is dropped with the token.
PROOF_PARAMS = frozenset({"appsecret_proof", "appsecret_time"})
#: Opaque cursors: any run of letters may show up in them, so only known secrets count there.
_CURSORS = frozenset({"after", "before"})
#: Characters of a parameter name that PHP-style servers read as an underscore.
_PHP_UNDERSCORED = re.compile(r"[. \[]")
#: A token as a value of its own (not three letters inside a longer base64 run).
_TOKEN_VALUE = re.compile(r"(?<![A-Za-z0-9])EAA[A-Za-z0-9]{20,}(?![A-Za-z0-9])")


def _decoded(text: str) -> str:
    """``text`` percent-decoded until it no longer changes (at most a few rounds)."""
    for _ in range(4):
        once = unquote_plus(text)
        if once == text:
            break
        text = once
    return text


def key_name(key: str) -> str:
    """A parameter name as a PHP-style server may read it: decoded, trimmed, lower case, array brackets cut.

    ``method[x]``, ``method[]`` and ``method%5B0%5D`` are all ``method`` there
    (an array under that name), and dots and spaces in a name read as
    underscores (``access.token`` is ``access_token``).
    """
    name = _decoded(str(key)).strip().lower()
    bracket = name.find("[")
    if bracket > 0 and "]" in name[bracket:]:
        name = name[:bracket]
    return _PHP_UNDERSCORED.sub("_", name)


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
        if key_name(k) not in SECRET_PARAMS | PROOF_PARAMS and not _secret_pair(k, v, secrets)
    ]
    clean = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))
    # A secret left in the path or fragment is masked: the link is then only for reading.
    if secret_in(parts.path, secrets) or secret_in(parts.fragment, secrets):
        return redact(clean, secrets)
    return clean


def _is_link(value: str) -> bool:
    """A URL (absolute, or a path); not a JSON text or a sentence that merely contains one."""
    return value.startswith(("http://", "https://", "/")) and not any(c in value for c in ' "{}\n')


def _carries_secret(url: str, secrets: Sequence[str | None]) -> bool:
    parts = urlsplit(url)
    pairs = query_pairs(parts.query)
    if any(key_name(k) in SECRET_PARAMS | PROOF_PARAMS or _secret_pair(k, v, secrets) for k, v in pairs):
        return True
    return secret_in(parts.path, secrets) or secret_in(parts.fragment, secrets)


def _literal_around(body: bytes, at: int) -> tuple[int, int] | None:
    """The span (quotes included) of the JSON string literal that byte ``at`` lies in.

    The nearest unescaped quotes on either side: inside a string literal
    these are its own (its content holds no unescaped quote). The needles
    searched for only occur inside strings in JSON.
    """

    def escaped(index: int) -> bool:
        slashes = 0
        while index - slashes - 1 >= 0 and body[index - slashes - 1] == 0x5C:  # a backslash
            slashes += 1
        return slashes % 2 == 1

    start = body.rfind(b'"', 0, at)
    while start > 0 and escaped(start):
        start = body.rfind(b'"', 0, start)
    end = body.find(b'"', at)
    while end >= 0 and escaped(end):
        end = body.find(b'"', end + 1)
    return (start, end + 1) if start >= 0 and end >= 0 else None


def scrub_body(body: bytes, secrets: Sequence[str | None] = ()) -> bytes:
    """A JSON reply's text with every token-bearing link (a URL string anywhere in it) scrubbed.

    Works on the raw text, before decoding, so a page of data costs a couple
    of byte searches rather than a walk over every value: only the JSON
    strings holding a ``?`` (every link with a query), a token shape
    (``EAA``) or one of the session's secrets are looked at, and those that
    are links carrying a secret are replaced by their :func:`scrub_url` form.
    Other strings, such as a page's own ``access_token`` field in
    ``me/accounts``, are data the caller asked for and stay as they are.
    """
    spots: list[int] = []
    own = [s.encode() for s in secrets if s and not s.startswith("EAA")]  # tokens are found as EAA...
    for needle in (b"?", b"EAA", *own):
        at = body.find(needle)
        while at >= 0:
            spots.append(at)
            at = body.find(needle, at + 1)
    if not spots:
        return body
    spans = {span for at in spots if (span := _literal_around(body, at)) is not None}
    replacements: dict[bytes, bytes] = {}
    for start, end in spans:
        literal = body[start:end]
        try:
            value = json.loads(literal)
        except ValueError:
            continue
        if isinstance(value, str) and _is_link(value) and _carries_secret(value, list(secrets)):
            replacements[literal] = json.dumps(scrub_url(value, secrets)).encode()
    for literal, clean in replacements.items():
        body = body.replace(literal, clean)
    return body
