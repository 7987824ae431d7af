"""Undoing the encodings a secret can hide behind in text, with a map back to the original positions.

A token is plain ASCII letters and digits, but the text around it may be
encoded, and then so may the token or its separators:

* backslash escapes of JSON, Python and JavaScript strings: ``\\u0045AA…`` in a
  ``.json`` file, ``"\\x45AA…"``, ``\\U00000045`` and octal ``\\105`` in Python,
  ``\\u{45}`` in JavaScript, ``\\/`` in JSON-escaped URLs;
* URL percent-encoding: ``APP_ID%7CSECRET`` in a logged URL, a whole URL
  encoded inside another one's query (``%26access_token%3D…``);
* HTML character references: numeric (``&#124;``, ``&#x7C;``, also without
  the ``;`` browsers do not need) and named (``&vert;``, ``&amp;``, the names
  HTML5 knows; the few old ones browsers read without ``;`` too, unless a
  letter, a digit or ``=`` follows, as in a URL's ``&copy=1``).

:func:`decoded_views` gives the text with all of them decoded, once and again
for text encoded twice (``%257C``, ``\\\\u0045``), each view able to map a span
of its own text back to the span of the original text it came from. The
detector looks in every view, so a secret is found whatever mix of these
encodings it is written in, and reported at (and masked in) the original text.

Base64, hex and other whole-value encodings are not undone: a token encoded
that way is no longer recognisable by its shape.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from html.entities import html5

__all__ = ["MAX_DEPTH", "DecodedView", "decoded_views"]

#: How many times a text is decoded again (``%25257C`` is three levels deep).
MAX_DEPTH = 3

_ESCAPE = re.compile(
    r"\\(?:u(?P<u>[0-9A-Fa-f]{4})|u\{(?P<ubrace>[0-9A-Fa-f]{1,6})\}|U(?P<U>[0-9A-Fa-f]{8})|x(?P<x>[0-9A-Fa-f]{2})"
    r"|(?P<oct>[0-7]{1,3})|(?P<c>[\\/\"'bfnrt]))"
    r"|%(?P<pct>[0-9A-Fa-f]{2})"
    r"|&#(?:[xX](?P<hexref>[0-9A-Fa-f]{1,6})|(?P<decref>[0-9]{1,7}));?"
    r"|&(?P<named>[A-Za-z][A-Za-z0-9]{1,31}(?:;|(?![A-Za-z0-9=])))"
)
_CONTROL = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_MAX_CODE_POINT = 0x10FFFF


_BASES = {"decref": 10, "oct": 8}


def _char(match: re.Match[str]) -> str | None:
    """The character an escape stands for (None: leave it as it is)."""
    name = match.lastgroup or ""
    value = match.group(name)
    if name == "c":
        return _CONTROL.get(value, value)
    if name == "named":
        # One character only: the map back to the text counts one character per escape.
        char = html5.get(value)
        return char if char is not None and len(char) == 1 else None
    code = int(value, _BASES.get(name, 16))
    return chr(code) if code <= _MAX_CODE_POINT else None


def _replace(match: re.Match[str]) -> str:
    char = _char(match)
    return match.group(0) if char is None else char


class DecodedView:
    """A text with its escapes decoded, and how to find a span of it in the text it came from.

    Parameters
    ----------
    source : str
        The text this view decodes (the original text, or the parent view's).
    text : str
        The decoded text.
    parent : DecodedView or None
        The view this one decodes further (None: ``source`` is the original text).

    Attributes
    ----------
    text : str
        The decoded text.
    """

    __slots__ = ("_ends", "_parent", "_positions", "_source", "_starts", "text")

    def __init__(self, source: str, text: str, parent: DecodedView | None = None) -> None:
        self.text = text
        self._source = source
        self._parent = parent
        # Built on first use (most views have no match to map back): the decoded index of each
        # character that came from an escape, and that escape's span in the source.
        self._positions: list[int] | None = None
        self._starts: list[int] = []
        self._ends: list[int] = []

    def _map(self) -> list[int]:
        if self._positions is None:
            positions: list[int] = []
            decoded = 0  # decoded length so far
            last = 0
            for match in _ESCAPE.finditer(self._source):
                if _char(match) is None:
                    continue
                decoded += match.start() - last
                positions.append(decoded)
                self._starts.append(match.start())
                self._ends.append(match.end())
                decoded += 1
                last = match.end()
            self._positions = positions
        return self._positions

    def _source_start(self, index: int) -> int:
        positions = self._map()
        i = bisect.bisect_right(positions, index) - 1
        if i < 0:
            return index
        if positions[i] == index:
            return self._starts[i]
        return self._ends[i] + index - positions[i] - 1

    def _source_end(self, index: int) -> int:
        if index <= 0:
            return 0
        positions = self._map()
        last = index - 1
        i = bisect.bisect_right(positions, last) - 1
        if i < 0:
            return index
        if positions[i] == last:
            return self._ends[i]
        return self._ends[i] + index - positions[i] - 1

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that ``self.text[start:end]`` was decoded from.

        Parameters
        ----------
        start, end : int
            A span of :attr:`text`.

        Returns
        -------
        (int, int)
            The span in the original text (escapes at either edge included whole).
        """
        start, end = self._source_start(start), self._source_end(end)
        return self._parent.span(start, end) if self._parent is not None else (start, end)


def decoded_views(text: str) -> Iterator[DecodedView]:
    """Yield ``text`` decoded once, then decoded again, while there is something to decode.

    Parameters
    ----------
    text : str
        Any text.

    Yields
    ------
    DecodedView
        At most :data:`MAX_DEPTH` views; none when ``text`` holds no escape,
        percent-encoding or character reference.
    """
    view: DecodedView | None = None
    source = text
    for _ in range(MAX_DEPTH):
        decoded = _ESCAPE.sub(_replace, source)
        if decoded == source:
            return
        view = DecodedView(source, decoded, view)
        yield view
        source = decoded
