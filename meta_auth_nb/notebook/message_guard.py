"""Redaction of a kernel's outgoing Jupyter messages: the one funnel all notebook output passes.

Notebook UI layer. In an IPython kernel everything a frontend shows, and so
everything a saved notebook keeps, leaves the kernel as a Jupyter message that
the kernel's :class:`jupyter_client.session.Session` packs into bytes in
``Session.serialize`` (``Session.send`` calls it for every message):

* iopub: ``stream`` (``print``, and the output of child processes, which
  ipykernel reads from file descriptors 1 and 2), ``display_data``,
  ``update_display_data``, ``execute_result``, ``error``, ``execute_input``,
  comm messages (widget state, which the saved notebook keeps);
* shell and control replies: ``execute_reply`` with its payloads (the pager of
  ``obj?`` and ``%page``), ``inspect_reply`` (Shift-Tab), ``complete_reply``,
  ``history_reply``, the debugger's replies; stdin's ``input_request``.

:class:`MessageGuard` wraps ``serialize`` on the kernel's session, so every
string in a message's content and metadata, dictionary keys included, goes
through :func:`~meta_auth_nb._base.redact.redact` first. The header and parent
header (ids, dates, message type) and binary buffers are left alone, so the
message stays valid, and a message with nothing to mask is sent unchanged.

Two refinements keep the output right:

* base64 data (``image/png`` and other binary types in a MIME bundle,
  ``data:...;base64,`` URIs) is binary data written as text, where runs shaped
  like a token occur by chance (in about one 50 kB image in five): it is masked
  only where it holds a secret the process knows, so images are not broken;
* frontends join consecutive ``stream`` messages of a cell into one output, so
  a secret written in pieces (one character per write, uneven parts, a child
  process's output read in chunks) would show whole although no message holds
  it. :class:`StreamJoints` reads each message as the continuation of what
  its stream sent before: it hides the rest of a secret begun there, and the
  end of a message that is, or begins, a secret that may go on.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._base.redact import APP_TOKEN_PATTERN, SECRET_PARAM_PATTERN, TOKEN_PATTERN, known_secrets, redact

__all__ = ["MessageGuard", "StreamJoints", "scrub", "scrub_blob", "scrub_text"]

ELLIPSIS = "\u2026"
#: MIME types whose values in a MIME bundle are base64-encoded binary data.
BINARY_MIME_PREFIXES = ("image/", "audio/", "video/")
BINARY_MIMES = frozenset({"application/pdf", "application/octet-stream"})
#: The payload of a ``data:<type>;base64,`` URI.
DATA_URI_PAYLOAD = re.compile(r";base64,([A-Za-z0-9+/=]+)")


def is_binary_mime(key: object) -> bool:
    """True for a MIME type whose bundle value is base64 data (``image/png``; not ``image/svg+xml``)."""
    if not isinstance(key, str):
        return False
    return key in BINARY_MIMES or (key.startswith(BINARY_MIME_PREFIXES) and not key.startswith("image/svg"))


def scrub_blob(data: str) -> str:
    """Redact base64 ``data`` only if it holds a secret the process knows.

    Parameters
    ----------
    data : str
        Binary data written as base64 (an inline image, a PDF).

    Returns
    -------
    str
        ``data`` itself, or its redacted form when a known secret was put there as text.
    """
    if any(secret in data for secret in known_secrets.snapshot()):
        return redact(data)
    return data


def scrub_text(text: str) -> str:
    """Redact ``text``, leaving the base64 payload of ``data:`` URIs to :func:`scrub_blob`."""
    if ";base64," not in text:
        return redact(text)
    pieces: list[str] = []
    start = 0
    for match in DATA_URI_PAYLOAD.finditer(text):
        pieces.append(redact(text[start : match.start(1)]))
        pieces.append(scrub_blob(match.group(1)))
        start = match.end(1)
    pieces.append(redact(text[start:]))
    return "".join(pieces)


def _free_key(key: str, taken: dict[Any, Any], original: dict[Any, Any], own: object) -> str:
    """``key``, or ``key #2``, ``key #3``... when a redacted key would overwrite another entry."""
    candidate, number = key, 1
    while candidate in taken or (candidate in original and candidate != own):
        number += 1
        candidate = f"{key} #{number}"
    return candidate


def _scrub_dict(data: dict[Any, Any]) -> dict[Any, Any]:
    cleaned: dict[Any, Any] = {}
    changed = False
    for key, value in data.items():
        if isinstance(value, str) and is_binary_mime(key):
            new_value: Any = scrub_blob(value)
        else:
            new_value = scrub(value)
        new_key = key
        if isinstance(key, str):
            new_key = scrub_text(key)
            if new_key != key:
                new_key = _free_key(new_key, cleaned, data, key)
        changed = changed or new_key != key or new_value is not value
        cleaned[new_key] = new_value
    return cleaned if changed else data


def scrub(value: Any) -> Any:
    """Redact every string in a JSON-like ``value``: values and dictionary keys, at any depth.

    Parameters
    ----------
    value : Any
        A message's content or metadata: dicts, lists, tuples, strings, numbers.

    Returns
    -------
    Any
        The same object when there was nothing to mask (nothing is copied),
        otherwise a copy with the same structure; ``value`` is never changed.
    """
    if isinstance(value, str):
        cleaned = scrub_text(value)
        return value if cleaned == value else cleaned
    if isinstance(value, dict):
        return _scrub_dict(value)
    if isinstance(value, (list, tuple)):
        items = [scrub(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return tuple(items) if isinstance(value, tuple) else items
    return value


@dataclass
class _StreamEnd:
    """What is remembered of one output stream: its last characters as written, and how its output ends."""

    tail: str = ""
    #: The text sent last ended with a hidden part (``…``): a secret that may go on in the next one.
    open: bool = False


def _pattern_spans(text: str) -> list[tuple[int, int, int, bool]]:
    """Where :func:`redact` masks something in ``text`` by its shape or by a known value.

    Returns
    -------
    list of (evidence, start, end, shaped)
        ``evidence`` is where the text that makes it a secret begins (the
        name of a URL parameter, an app id), ``start:end`` is what is masked,
        ``shaped`` is True for a pattern match (which may go on past ``end``
        when ``end`` is the end of the text), False for a known value.
    """
    spans: list[tuple[int, int, int, bool]] = []
    for secret in known_secrets.snapshot():
        at = text.find(secret)
        while at != -1:
            spans.append((at, at, at + len(secret), False))
            at = text.find(secret, at + 1)
    spans.extend((m.start(), m.start(), m.end(), True) for m in TOKEN_PATTERN.finditer(text))
    if "|" in text or "%7" in text:
        spans.extend((m.start(), m.start(2), m.end(2), True) for m in APP_TOKEN_PATTERN.finditer(text))
    spans.extend((m.start(), m.start(2), m.end(2), True) for m in SECRET_PARAM_PATTERN.finditer(text))
    return spans


class StreamJoints:
    """Mask a secret written in pieces across the ``stream`` messages of one output.

    Frontends join a cell's consecutive stream messages into one output, so
    what counts is the stream as a whole, however it was cut: one character
    per message, uneven parts, a child process's output read in chunks. For
    each (parent message, stream name) the last ``keep`` characters written
    are kept, and each new text is read as their continuation:

    * a secret whose evidence began in what was sent before and that reaches
      into the new text (the rest of a token, of a known secret, of a URL
      parameter's value) is hidden there;
    * a text that ends with a secret that may go on (a token-shaped run, a
      URL parameter's value, an app token's secret part, or the first 8 or
      more characters of a secret the process knows, counted across earlier
      messages too) has that end hidden at once.

    A hidden part shows as ``…`` (a token's own first four characters come
    first when it starts in the text), and the rest of a secret hidden at the
    end of one message shows as nothing in the next, so the joined output
    reads ``EAAB…`` or ``…`` once. What was sent already stays as it was: of a
    known secret at most its first 7 characters (fewer than
    :attr:`MIN_PART`), of a token the process never saw at most the part
    before it became token-shaped.

    Parameters
    ----------
    keep : int
        Characters of each stream remembered (longer than any Meta token).
    streams : int
        Streams remembered, the least recently written forgotten first.
    """

    #: The shortest beginning of a known secret recognised as one (as short as a known secret).
    MIN_PART = 8

    def __init__(self, keep: int = 512, streams: int = 64) -> None:
        self.keep = keep
        self.streams = streams
        self._ends: OrderedDict[tuple[Any, Any], _StreamEnd] = OrderedDict()
        self._lock = threading.Lock()

    def join(self, key: tuple[Any, Any], text: str) -> str:
        """Return ``text`` redacted, with what continues or begins a secret across the joints hidden.

        Parameters
        ----------
        key : tuple
            The stream: (parent message id, stream name).
        text : str
            The stream message's text, as written.
        """
        with self._lock:  # one stream's messages are read in the order they are sent
            end = self._ends.pop(key, None) or _StreamEnd()
            hidden = self.hidden_parts(end.tail, text)
            shown = self._shown(text, hidden, continuing=end.open)
            self._ends[key] = _StreamEnd((end.tail + text)[-self.keep :], bool(hidden) and hidden[-1][1] == len(text))
            while len(self._ends) > self.streams:
                self._ends.popitem(last=False)
        return shown

    def hidden_parts(self, tail: str, text: str) -> list[tuple[int, int, str]]:
        """The parts of ``text`` to hide, given the stream's ``tail`` already sent.

        Returns
        -------
        list of (start, end, shown)
            Sorted, not overlapping; ``shown`` is what stands for the part
            (``…``, or a token's first characters then ``…``).
        """
        parts: list[tuple[int, int, str]] = []
        joint = len(tail)
        # Tokens, app tokens and URL parameters never hold white space, nor (usually) a known secret:
        # then nothing goes on across white space, and most output (lines) has nothing to look at.
        no_spaces = not known_secrets.spaced
        if tail and not (no_spaces and (tail[-1].isspace() or text[:1].isspace())):
            # Secrets whose evidence was sent before and that reach into this text.
            for evidence, start, stop, _ in _pattern_spans(tail + text[: self.keep]):
                if evidence < joint < stop:
                    parts.append((max(start, joint) - joint, stop - joint, ELLIPSIS))
        if not (no_spaces and text[-1:].isspace()):
            parts.extend(self._open_end(tail, text))
        parts.sort()
        merged: list[tuple[int, int, str]] = []
        for start, stop, shown in parts:
            if merged and start <= merged[-1][1]:
                first, last, said = merged[-1]
                merged[-1] = (first, max(last, stop), said)
            else:
                merged.append((start, stop, shown))
        return merged

    def _open_end(self, tail: str, text: str) -> list[tuple[int, int, str]]:
        """The end of ``text`` that is, or begins, a secret that may go on in the next message."""
        window = (tail + text)[-self.keep :]
        offset = len(tail) + len(text) - len(window)  # window index + offset = index in tail + text
        joint = len(tail) - offset  # where ``text`` starts in the window (may be negative)
        parts: list[tuple[int, int, str]] = []
        complete = set()
        spans = _pattern_spans(window)
        for _, start, stop, shaped in spans:
            if not shaped and stop == len(window):
                complete.add(start)  # a whole known value: nothing more of it can come
        for _, start, stop, shaped in spans:
            if shaped and stop == len(window) and start not in complete:
                first = start - joint
                token_here = first >= 0 and window.startswith("EAA", start)
                parts.append((max(first, 0), len(text), text[first : first + 4] + ELLIPSIS if token_here else ELLIPSIS))
        begun = self.unfinished_secret(window)
        if begun:
            parts.append((max(len(window) - begun - joint, 0), len(text), ELLIPSIS))
        return [part for part in parts if part[0] < len(text)]

    @staticmethod
    def _shown(text: str, hidden: list[tuple[int, int, str]], *, continuing: bool) -> str:
        if not hidden:
            return scrub_text(text)
        pieces: list[str] = []
        at = 0
        for start, stop, shown in hidden:
            pieces.append(scrub_text(text[at:start]))
            # The rest of a secret whose beginning was already hidden adds nothing: "…" shows once.
            pieces.append("" if start == 0 and continuing else shown)
            at = stop
        pieces.append(scrub_text(text[at:]))
        return "".join(pieces)

    def unfinished_secret(self, text: str) -> int:
        """How many characters at the end of ``text`` begin a known secret without finishing it (0: none)."""
        longest = 0
        for secret in known_secrets.snapshot():
            first = secret[: self.MIN_PART]
            at = text.find(first, max(0, len(text) - len(secret) + 1))
            while at != -1:
                if secret.startswith(text[at:]):
                    longest = max(longest, len(text) - at)
                    break
                at = text.find(first, at + 1)
        return longest

    def forget(self) -> None:
        """Drop every remembered stream end."""
        with self._lock:
            self._ends.clear()


class MessageGuard:
    """Redact every message a kernel session sends, in ``Session.serialize``.

    Parameters
    ----------
    session : jupyter_client.session.Session
        The kernel's session (``get_ipython().kernel.session``).
    """

    def __init__(self, session: Any) -> None:
        self.session = session
        self.joints = StreamJoints()
        self.active = False
        self._inner: Callable[..., Any] | None = None
        self._had_own = False
        self._wrapper = self.serialize  # one bound method, so detach can recognise it

    def attach(self) -> None:
        """Start redacting: put :meth:`serialize` in front of the session's own."""
        if self.active:
            return
        self._had_own = "serialize" in vars(self.session)
        self._inner = self.session.serialize
        self.session.serialize = self._wrapper
        self.active = True

    def detach(self) -> None:
        """Stop redacting and give the session its own ``serialize`` back.

        If something else has wrapped ``serialize`` since, that wrapper stays
        and this guard just passes messages through.
        """
        if not self.active:
            return
        self.active = False
        if vars(self.session).get("serialize") is self._wrapper:
            if self._had_own:
                self.session.serialize = self._inner
            else:
                del self.session.serialize
        self.joints.forget()

    def serialize(self, msg: dict[str, Any], ident: Any = None) -> list[bytes]:
        """The session's ``serialize``, given the redacted message while the guard is active."""
        assert self._inner is not None
        if self.active:
            msg = self.clean(msg)
        result: list[bytes] = self._inner(msg, ident)
        return result

    def clean(self, msg: dict[str, Any]) -> dict[str, Any]:
        """``msg`` with its content and metadata redacted (``msg`` itself when there was nothing to mask).

        Parameters
        ----------
        msg : dict
            A message as ``Session.msg`` builds it: header, parent_header,
            metadata, content (a dict, or bytes when already packed).
        """
        packed = msg.get("content")
        content = self.session.unpack(packed) if isinstance(packed, (bytes, str)) else packed  # bytes: relayed
        header = msg.get("header") or {}
        if header.get("msg_type") == "stream" and isinstance(content, dict) and isinstance(content.get("text"), str):
            parent = msg.get("parent_header") or {}
            rest = scrub({key: value for key, value in content.items() if key != "text"})
            text = self.joints.join((parent.get("msg_id"), content.get("name")), content["text"])
            new_content: Any = {**rest, "text": text}
            if new_content == content:
                new_content = content
        else:
            new_content = scrub(content)
        metadata = msg.get("metadata")
        new_metadata = scrub(metadata)
        if new_content is content and new_metadata is metadata:
            return msg
        return {**msg, "content": new_content, "metadata": new_metadata}
