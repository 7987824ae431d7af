"""Reading a notebook's JSON one cell at a time, so a notebook of any size is read whole.

Scan layer, stdlib only.

A notebook is one JSON object, and most of its size sits in a few places:
the cells (outputs with plots, widget views) and the metadata (saved widget
state). :func:`notebook_events` walks the top of the document itself, a few
characters at a time, and parses each cell, and each other field, with the
standard JSON parser (in C) on its own: memory holds one cell or field at a
time, never the whole file. It descends into:

* the notebook object itself (its keys, in order, a key written twice included);
* ``cells``, the list of a v4 notebook;
* ``worksheets``, a v3 notebook's list, each worksheet's keys and its ``cells``.

Everything else (a cell, ``metadata``, ``nbformat``...) is one value. Objects
keep every value of a key written twice (see ``object_pairs_hook``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["CHUNK_CHARS", "Event", "notebook_events"]

#: Characters read at a time.
CHUNK_CHARS = 1 << 20
#: An event: ("open", path, "{" or "["), ("key", path, key) or ("value", path, value).
Event = tuple[str, tuple[Any, ...], Any]
_SPACE = re.compile(r"[ \t\n\r]*")


def _container(path: tuple[Any, ...]) -> str | None:
    """The container walked into at ``path`` (``{`` or ``[``), or None when its value is parsed whole."""
    if path == ():
        return "{"
    if path in (("cells",), ("worksheets",)):
        return "["
    if len(path) == 2 and path[0] == "worksheets" and isinstance(path[1], int):
        return "{"
    if len(path) == 3 and path[0] == "worksheets" and path[2] == "cells":
        return "["
    return None


class _Reader:
    """A JSON text read from ``read`` in chunks, with a position in what is buffered."""

    def __init__(self, read: Callable[[int], str], chunk: int, object_pairs_hook: Callable[..., Any] | None) -> None:
        self._read = read
        self._chunk = chunk
        self._decoder = json.JSONDecoder(object_pairs_hook=object_pairs_hook)
        self.buffer = ""
        self.pos = 0
        self.eof = False

    def more(self) -> bool:
        """Read on: at least as much again as the value being parsed holds, so long values cost linear time."""
        if self.eof:
            return False
        data = self._read(max(self._chunk, len(self.buffer) - self.pos))
        if not data:
            self.eof = True
            return False
        self.buffer = self.buffer[self.pos :] + data
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the text)."""
        while True:
            self.pos = _SPACE.match(self.buffer, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.more():
                return ""

    def take(self, expected: str) -> None:
        """Step over ``expected`` (the next non-space character), or raise ValueError."""
        found = self.peek()
        if found != expected:
            raise ValueError(f"expected {expected!r} in the notebook's JSON, found {found or 'its end'!r}")
        self.pos += 1

    def value(self) -> Any:
        """Parse the next JSON value, reading on until it is whole."""
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError:
                if self.more():
                    continue
                raise
            if end == len(self.buffer) and self.more():
                continue  # a number or a literal may go on in the next chunk
            self.pos = end
            return value


def _walk(reader: _Reader, path: tuple[Any, ...]) -> Iterator[Event]:
    kind = _container(path)
    if kind is None or reader.peek() != kind:
        yield ("value", path, reader.value())
        return
    reader.pos += 1
    yield ("open", path, kind)
    close = "}" if kind == "{" else "]"
    if reader.peek() == close:
        reader.pos += 1
        return
    index = 0
    while True:
        if kind == "{":
            key = reader.value()
            if not isinstance(key, str):
                raise ValueError("a key of the notebook's JSON is not a string")
            reader.take(":")
            yield ("key", (*path, key), key)
            yield from _walk(reader, (*path, key))
        else:
            yield from _walk(reader, (*path, index))
            index += 1
        following = reader.peek()
        reader.pos += 1
        if following == close:
            return
        if following != ",":
            raise ValueError(f"expected ',' or {close!r} in the notebook's JSON, found {following or 'its end'!r}")


def notebook_events(
    read: Callable[[int], str], *, chunk: int = CHUNK_CHARS, object_pairs_hook: Callable[..., Any] | None = None
) -> Iterator[Event]:
    """Walk a notebook's JSON text, read in chunks from ``read``, one cell or field at a time.

    Parameters
    ----------
    read : callable
        ``read(n)`` returns up to ``n`` more characters ("" at the end), as a text file's ``read``.
    chunk : int
        Characters read at a time (more while a long value is parsed).
    object_pairs_hook : callable, optional
        Passed to the JSON parser for the objects inside each value.

    Yields
    ------
    Event
        ``("open", path, "{" | "[")`` for each container walked into (the
        notebook itself has path ``()``), ``("key", path, key)`` for each of
        its keys (path ends with the key), ``("value", path, value)`` for each
        value parsed whole.

    Raises
    ------
    ValueError
        For text that is not one JSON value (``json.JSONDecodeError`` included).
    """
    reader = _Reader(read, chunk, object_pairs_hook)
    yield from _walk(reader, ())
    if reader.peek():
        raise ValueError("the notebook's JSON goes on after its end")
