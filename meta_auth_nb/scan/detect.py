"""Finding secrets in a piece of text, and masking them: the patterns and what they match.

Knows nothing of files or notebooks; base layer only.

What counts as a secret
-----------------------
* **access_token**: anything shaped like a Meta token
  (:data:`~meta_auth_nb._base.redact.TOKEN_PATTERN`, ``EAA`` + 20 or more
  letters/digits with a lowercase letter and a digit among them: an uppercase
  hex digest holding ``EAA`` is not one, nor a name such as ``EAAccessTokenProvider``);
* **app_token**: ``APP_ID|SECRET`` (:data:`~meta_auth_nb._base.redact.APP_TOKEN_PATTERN`);
* **app_secret**: 32 hex characters, but only next to a name that says so
  (``app_secret``, ``client_secret``, ``META_APP_SECRET``, ``AppSecret`` ...),
  also as ``APP_SECRET: str = "..."``, ``... or "..."`` and ``b"..."``; or under
  such a JSON key, or in a widget whose description says so. A bare 32-hex
  string is also an MD5 digest, a UUID without dashes, a widget model id:
  flagging all of them would make the hook useless;
* **url_secret**: the value of ``access_token=``, ``client_secret=``,
  ``fb_exchange_token=`` or ``input_token=`` in a URL's query or a form body (a
  logged request), whatever its shape, when it looks like a credential (16 or
  more URL-safe characters, letters and digits both) rather than a placeholder
  or a mask (a value that runs into ``…`` is one: what ``--fix`` and the
  redactor write, ``123456789012345|0f1e…e1f0``, is not found again);
* **known_secret**: any value the token store holds (tokens and app secrets of
  every profile, ``META_ACCESS_TOKEN``), whatever its shape. Also any value
  passed as ``known=`` to :func:`scan_text`.

Every pattern is also looked for in the text's decoded views
(:mod:`~meta_auth_nb.scan.encodings`: backslash escapes, percent-encoding,
HTML character references), so ``\\u0045AA…`` or ``APP_ID%7CSECRET`` is found
too, and reported and masked where it is written. An app token's mask keeps
the app id and its bar as written (``APP_ID%7C0f1e…e1f0``), so ``--fix`` leaves
a URL's encoding as it was.

Random base64 (inline images, plotly ``bdata``) holds ``EAA`` + 20
letters/digits now and then, so inside a long base64 run (256 or more
base64 characters, a ``+`` or ``/`` among them) a token-shaped string counts
only when it looks like a real token put there: a whole token (``EAA`` + 150
or more letters/digits) that starts the run or follows a ``/`` or ``=`` (a
path segment or a parameter of a long URL).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote

from .._base.redact import APP_TOKEN_PATTERN, TOKEN_PATTERN, app_token_mask, mask
from .encodings import DecodedView, decoded_views

__all__ = [
    "KIND_LABELS",
    "MIN_KNOWN",
    "REAL_TOKEN_MIN",
    "SECRET_NAME",
    "Match",
    "clean_known",
    "line_col",
    "mask_text",
    "scan_text",
]

#: Shortest known value looked for (as in :mod:`meta_auth_nb._base.redact`): shorter ones match words.
MIN_KNOWN = 8

#: Shortest run of letters/digits after ``EAA`` that a real token has (what counts inside base64 runs).
REAL_TOKEN_MIN = 150

#: A name that says "app secret": META_APP_SECRET, app_secret, client-secret, AppSecret, "app secret".
SECRET_NAME = re.compile(r"(?i)(?:meta[ _-]?)?(?:app|client)[ _-]?secret")
#: That name, then on the same line: optionally a type annotation (``: str``,
#: ``: Final[str]``, before an ``=``) or an expression ending in ``or``
#: (``os.getenv("APP_SECRET") or``); a few separator characters (quotes, ``=``,
#: ``:``, ``"] = "``, ``", "``, JSON-escaped quotes); optionally a string prefix
#: (``b"``, ``rb'``); then 32 hex characters.
_SECRET_IN_TEXT = re.compile(
    r"(?i)(?:meta[ _-]?)?(?:app|client)[ _-]?secret"
    r"(?:\s*:\s*[a-z_][\w.\[\], |]{0,40}?(?=\s*=)|[^\n]{0,80}?\bor\b)?"
    r"[^\w\n]{0,12}?(?:(?<![a-z0-9])[bru]{1,2}[\"'])?(?<![0-9a-f])([0-9a-f]{32})(?![0-9a-f])"
)
#: A secret parameter of a URL or form body (after ``?``, ``&``, ``;``, a quote, a
#: space or at a line's start; not ``f(access_token=x)`` or ``obj.access_token=x`` in
#: code) and its value (see :func:`_credential_like`).
_URL_SECRET = re.compile(
    r"(?:(?<=[?&;\"'\s])|(?<![^\n]))(?:access_token|client_secret|fb_exchange_token|input_token)=([A-Za-z0-9._~|%-]+)"
)
_URL_SECRET_MIN = 16
#: What every mask ends its visible start with: a value running into it is masked already.
_MASK_MARK = "\u2026"
#: Something every pattern above needs (``EAA``, a digit then a bar, "secret", ``token=``):
#: text without any of them (or a known value) is not searched further.
_TRIGGER = re.compile(r"EAA|[0-9](?:\||%7[Cc])|(?i:secret)|token=")
#: A maximal run of base64 characters; see :func:`_base64_blobs`.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]+")
_BASE64_MIN_RUN = 256
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_HEX32 = re.compile(r"(?i)(?<![0-9a-f])([0-9a-f]{32})(?![0-9a-f])")
#: A value that is a 32-hex string and nothing else (under a key/label naming a secret).
_HEX32_VALUE = re.compile(r"(?i)\s*[\"']?([0-9a-f]{32})[\"']?\s*")

#: Kind -> what people are told it is.
KIND_LABELS = {
    "access_token": "Meta access token",
    "app_token": "app token (APP_ID|SECRET)",
    "app_secret": "app secret",
    "url_secret": "secret URL parameter",
    "known_secret": "stored secret",
}
#: When matches overlap, the group is named after the first kind here (a known value before all).
_KIND_ORDER = ("access_token", "app_token", "app_secret", "url_secret", "known_secret")


@dataclass(frozen=True)
class Match:
    """One secret in a piece of text.

    Attributes
    ----------
    start, end : int
        Span of the secret in the scanned text.
    kind : str
        ``access_token``, ``app_token``, ``app_secret``, ``url_secret`` or ``known_secret``.
    replacement : str
        The masked form; shown as the preview and written by ``--fix``.
    known : bool
        True when the value is one the store (or the caller) knows.
    value : str
        The secret itself; kept out of repr and of every output.
    """

    start: int
    end: int
    kind: str
    replacement: str
    known: bool
    value: str = field(repr=False, compare=False)

    @property
    def preview(self) -> str:
        """The masked value, safe to print."""
        return self.replacement


def _kind_of(value: str) -> str:
    if TOKEN_PATTERN.fullmatch(value):
        return "access_token"
    if APP_TOKEN_PATTERN.fullmatch(value):
        return "app_token"
    if _HEX32.fullmatch(value):
        return "app_secret"
    return "known_secret"


def _masked(value: str, kind: str) -> str:
    # The app id of an app token is public; only the part after the bar is a secret.
    whole = APP_TOKEN_PATTERN.fullmatch(value) if kind == "app_token" else None
    return app_token_mask(whole) if whole else mask(value)


def _base64_blobs(text: str) -> list[tuple[int, int]]:
    """Spans of long base64 blobs (an inline image, plotly ``bdata``) in ``text``.

    Random base64 holds ``EAA`` + 20 letters/digits now and then. A real token
    is usually delimited by quotes, spaces, ``=`` or ``&``, so its run of base64
    characters is short or has no ``+``/``/``; a blob's run is long and has them.
    """
    return [
        m.span()
        for m in _BASE64_RUN.finditer(text)
        if m.end() - m.start() >= _BASE64_MIN_RUN and ("+" in m.group(0) or "/" in m.group(0))
    ]


def _placed_token(text: str, match: re.Match[str], blob: tuple[int, int]) -> bool:
    """Whether a token-shaped string inside a base64 blob is a real token put there, not chance.

    A real one is whole (``EAA`` + :data:`REAL_TOKEN_MIN` or more letters/digits)
    and starts the run or a path segment or parameter value (after ``/`` or
    ``=``). In random base64 that is about one chance in a billion per character.
    """
    start = match.start()
    if match.end() - start - 3 < REAL_TOKEN_MIN:
        return False
    return start == blob[0] or text[start - 1] in "/="


def _credential_like(value: str) -> bool:
    """Whether a URL parameter's value looks like a credential rather than a placeholder.

    ``YOUR_ACCESS_TOKEN``, ``{token}``, ``<token>``, ``$TOKEN`` and short
    values are placeholders; a credential is long and mixes letters and digits.
    """
    decoded = unquote(value)
    return len(decoded) >= _URL_SECRET_MIN and any(c.isdigit() for c in decoded) and any(c.isalpha() for c in decoded)


def clean_known(known: Iterable[str | None]) -> list[str]:
    """The known values worth looking for: stripped, unique, long enough.

    Parameters
    ----------
    known : iterable of str or None
        Values from the store or the caller; None, non-strings and values
        shorter than :data:`MIN_KNOWN` are dropped.

    Returns
    -------
    list of str
        Sorted. Their order does not matter: where one contains another, both
        are found and :func:`scan_text` merges the overlap into one match.
    """
    return sorted({k.strip() for k in known if isinstance(k, str) and len(k.strip()) >= MIN_KNOWN})


def _candidates(text: str, known: list[str], secret_context: bool) -> list[Match]:
    """Every match of every pattern in ``text``, overlapping ones included."""
    candidates: list[Match] = []
    if not secret_context and not _TRIGGER.search(text) and not any(value in text for value in known):
        return candidates
    for value in known:
        start = text.find(value)
        while start != -1:
            kind = _kind_of(value)
            candidates.append(Match(start, start + len(value), kind, _masked(value, kind), True, value))
            start = text.find(value, start + len(value))
    blobs: list[tuple[int, int]] | None = None
    for m in TOKEN_PATTERN.finditer(text):
        if blobs is None:
            blobs = _base64_blobs(text)
        blob = next((b for b in blobs if b[0] <= m.start() and m.end() <= b[1]), None)
        if blob is not None and not _placed_token(text, m, blob):
            continue
        candidates.append(Match(m.start(), m.end(), "access_token", mask(m.group(0)), False, m.group(0)))
    for m in APP_TOKEN_PATTERN.finditer(text):
        candidates.append(Match(m.start(), m.end(), "app_token", app_token_mask(m), False, m.group(0)))
    hex_matches = list(_SECRET_IN_TEXT.finditer(text))
    if secret_context and (whole := _HEX32_VALUE.fullmatch(text)):
        hex_matches.append(whole)
    for m in hex_matches:
        candidates.append(Match(m.start(1), m.end(1), "app_secret", mask(m.group(1)), False, m.group(1)))
    for m in _URL_SECRET.finditer(text):
        if _credential_like(m.group(1)) and not text.startswith(_MASK_MARK, m.end(1)):
            candidates.append(Match(m.start(1), m.end(1), "url_secret", mask(m.group(1)), False, m.group(1)))
    return candidates


def scan_text(text: str, known: Iterable[str | None] = (), *, secret_context: bool = False) -> list[Match]:
    """Find secrets in a string, as written or encoded (``\\u0045AA…``, ``%7C``).

    Parameters
    ----------
    text : str
        Any text.
    known : iterable of str
        Values to find whatever their shape (from the store); values shorter
        than 8 characters are ignored.
    secret_context : bool
        The text is the value of something named as an app secret (a JSON key
        ``app_secret``, a widget described "App secret"): if the whole value
        is 32 hex characters it counts, no name needed next to it. (Only the
        whole value: the same widget's ``IPY_MODEL_<hex>`` references are ids.)

    Returns
    -------
    list of Match
        Non-overlapping, in text order. Overlapping matches are merged into
        one (named after a known value first, then a token, an app token, an
        app secret, a URL parameter). A secret found in a decoded view of the
        text (:func:`~meta_auth_nb.scan.encodings.decoded_views`) is reported
        at the span of ``text`` it is written in (its ``value``, escapes
        included), with the mask of the decoded secret as its preview.
    """
    if not text:
        return []
    known_list = clean_known(known)
    candidates = _candidates(text, known_list, secret_context)
    for view in decoded_views(text):
        for m in _candidates(view.text, known_list, secret_context):
            start, end = view.span(m.start, m.end)
            replacement = _as_written(text, view, m) or m.replacement
            candidates.append(Match(start, end, m.kind, replacement, m.known, text[start:end]))
    return _merge(text, candidates)


def _as_written(text: str, view: DecodedView, match: Match) -> str | None:
    """An app token's mask with its app id and bar as ``text`` writes them (``%257C`` stays), or None."""
    whole = APP_TOKEN_PATTERN.fullmatch(match.value) if match.kind == "app_token" else None
    if whole is None:
        return None
    start, _ = view.span(match.start, match.end)
    secret_start, _ = view.span(match.start + whole.start(2), match.end)
    return text[start:secret_start] + mask(whole.group(2))


def _rank(match: Match) -> tuple[bool, int]:
    return (not match.known, _KIND_ORDER.index(match.kind) if match.kind in _KIND_ORDER else len(_KIND_ORDER))


def _merge(text: str, candidates: list[Match]) -> list[Match]:
    """One match per overlapping group, covering all of it.

    Masking only one of two overlapping matches could leave the rest
    secret-shaped (``12345|0000EAA…``), so a group is masked whole; its kind
    is that of the first candidate in priority order (known, token, app
    token, app secret, URL parameter). When one candidate covers the whole
    group (the same secret found as written and decoded), its mask is kept.
    """
    groups: list[list[Match]] = []
    for cand in sorted(candidates, key=lambda m: (m.start, -m.end)):
        if groups and cand.start < max(m.end for m in groups[-1]):
            groups[-1].append(cand)
        else:
            groups.append([cand])
    merged: list[Match] = []
    for group in groups:
        start, end = group[0].start, max(m.end for m in group)
        best = min(group, key=_rank)
        covering = sorted((m for m in group if (m.start, m.end) == (start, end)), key=_rank)
        value = text[start:end]
        replacement = covering[0].replacement if covering else _masked(value, best.kind)
        merged.append(Match(start, end, best.kind, replacement, any(m.known for m in group), value))
    return merged


def mask_text(text: str, known: Iterable[str | None] = (), *, secret_context: bool = False) -> str:
    """Return ``text`` with every secret :func:`scan_text` finds replaced by its mask.

    Parameters
    ----------
    text : str
        Any text.
    known : iterable of str
        As for :func:`scan_text`.
    secret_context : bool
        As for :func:`scan_text`.

    Returns
    -------
    str
        The same text when nothing is found.
    """
    matches = scan_text(text, known, secret_context=secret_context)
    if not matches:
        return text
    parts: list[str] = []
    last = 0
    for m in matches:
        parts.append(text[last : m.start])
        parts.append(m.replacement)
        last = m.end
    parts.append(text[last:])
    return "".join(parts)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset`` in ``text``.

    Parameters
    ----------
    text : str
    offset : int
        A character index into ``text``.

    Returns
    -------
    (int, int)
        Line and column, both counted from 1.
    """
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
