"""Reading a file as text, whatever its encoding and size: in pieces of whole lines.

Scan layer, stdlib only.

Which encoding
--------------
Tokens and app secrets are ASCII, so what matters is that each character of
the file is read as the character it is:

* a byte order mark says UTF-8, UTF-16 or UTF-32 (either byte order), as
  PowerShell's ``>`` and Windows editors write them;
* without one, a file holding NUL bytes in the pattern of ASCII text written
  in UTF-16 or UTF-32 (a NUL beside every character) is read in that encoding;
* any other file holding a NUL byte is binary data: it is read byte by byte
  (Latin-1), so a token stored in it as ASCII (a pickle, a database, a log
  padded with NULs) is still found. No pattern of the scanner matches random
  bytes by chance (each needs a run of 20 or more letters and digits, or a
  name such as ``access_token=``);
* everything else is UTF-8, undecodable bytes replaced.

In pieces
---------
:func:`text_pieces` decodes the file incrementally and hands it on in pieces
of whole lines (about a mebibyte each, longer only when one line is), so a
file of any size is read in full with memory for one piece.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PIECE_CHARS", "SNIFF_BYTES", "TextEncoding", "encoding_of", "read_text", "sniff_encoding", "text_pieces"]

#: Bytes looked at to tell the encoding.
SNIFF_BYTES = 8192
#: About how many characters a piece of a text file holds.
PIECE_CHARS = 1 << 20
#: Byte order marks, longest first (the UTF-32 LE mark begins like the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Encodings recognised by their NUL pattern, widest first (UTF-32 text is also NUL-rich UTF-16).
_WIDE = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")
#: Share of the characters that must be ASCII for a NUL-patterned sample to count as text.
_ASCII_SHARE = 0.3


@dataclass(frozen=True)
class TextEncoding:
    """How a file's bytes become text.

    Attributes
    ----------
    codec : str
        The Python codec of the text after the byte order mark
        (``utf-8``, ``utf-16-le``..., or ``latin-1`` for binary data).
    bom : bool
        The file starts with a byte order mark (skipped on reading, written back by ``--fix``).
    binary : bool
        The file is binary data, read byte by byte.
    """

    codec: str = "utf-8"
    bom: bool = False
    binary: bool = False

    @property
    def bom_bytes(self) -> bytes:
        """The byte order mark as the file has it (empty when none)."""
        return "\ufeff".encode(self.codec) if self.bom else b""


def _looks_like_text(sample: bytes, codec: str) -> bool:
    """Whether ``sample`` decodes in ``codec`` to text without NULs, mostly ASCII (the NUL pattern of wide text)."""
    try:
        text = codecs.getincrementaldecoder(codec)("strict").decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    if not text or "\0" in text:
        return False
    ascii_chars = sum(1 for char in text if char < "\x80")
    controls = sum(1 for char in text if not char.isprintable() and char not in "\t\n\r\f\v")
    return ascii_chars >= _ASCII_SHARE * len(text) and controls <= 0.05 * len(text)


def sniff_encoding(head: bytes) -> TextEncoding:
    """Tell a file's encoding from its first bytes (see the module notes).

    Parameters
    ----------
    head : bytes
        The file's first :data:`SNIFF_BYTES` bytes (fewer for a short file).

    Returns
    -------
    TextEncoding
    """
    for mark, codec in _BOMS:
        if head.startswith(mark):
            return TextEncoding(codec, bom=True)
    if b"\0" not in head:
        return TextEncoding("utf-8")
    for codec in _WIDE:
        if _looks_like_text(head, codec):
            return TextEncoding(codec)
    return TextEncoding("latin-1", binary=True)


def encoding_of(path: Path) -> TextEncoding:
    """The encoding of the file at ``path``, told from its first bytes (see :func:`sniff_encoding`)."""
    with path.open("rb") as handle:
        return sniff_encoding(handle.read(SNIFF_BYTES))


def text_pieces(
    path: Path, encoding: TextEncoding | None = None, piece_chars: int = PIECE_CHARS
) -> Iterator[tuple[int, str]]:
    """Yield a file's text in pieces of whole lines.

    Parameters
    ----------
    path : Path
    encoding : TextEncoding, optional
        Default: sniffed from the file.
    piece_chars : int
        About how long a piece is (a longer line makes a longer piece).

    Yields
    ------
    (int, str)
        The 1-based number of the piece's first line, and the piece (its
        lines with their line ends; the last piece may end without one).
    """
    encoding = encoding or encoding_of(path)
    decoder = codecs.getincrementaldecoder(encoding.codec)("replace")
    line = 1
    pending = ""
    with path.open("rb") as handle:
        handle.read(len(encoding.bom_bytes))
        while True:
            data = handle.read(piece_chars)
            pending += decoder.decode(data, final=not data)
            if len(pending) >= piece_chars or not data:
                cut = len(pending) if not data else pending.rfind("\n") + 1
                if cut > 0:
                    piece, pending = pending[:cut], pending[cut:]
                    yield line, piece
                    line += piece.count("\n")
            if not data:
                return


def read_text(path: Path, encoding: TextEncoding | None = None) -> str:
    """A file's whole text (for ``--fix``, which rewrites it), its byte order mark left out.

    Parameters
    ----------
    path : Path
    encoding : TextEncoding, optional
        Default: sniffed from the file.
    """
    encoding = encoding or encoding_of(path)
    data = path.read_bytes()[len(encoding.bom_bytes) :]
    return data.decode(encoding.codec, errors="replace")
