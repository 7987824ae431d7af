"""Writing files so that a reader never sees half of one.

Base layer; stdlib only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(
    path: Path, text: str, *, mode: int | None = None, sync: bool = False, encoding: str = "utf-8"
) -> None:
    """Replace ``path`` with ``text`` in one step (a temp file in the same folder, then ``os.replace``).

    Parameters
    ----------
    path : Path
        The file to write; its folder must exist.
    text : str
        The whole new content, written with newlines kept as given.
    mode : int, optional
        Permission bits for the new file; default: those of the file it
        replaces, else the temp file's own (0600).
    sync : bool
        fsync before the rename, so a crash cannot leave an empty file.
    encoding : str
        The codec the text is written in (UTF-8 unless a file being rewritten had another).
    """
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except OSError:
            mode = None
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        if mode is not None:
            try:
                os.fchmod(handle, mode)
            except (AttributeError, OSError):  # Windows: no POSIX modes
                pass
        with os.fdopen(handle, "w", encoding=encoding, newline="") as out:
            out.write(text)
            if sync:
                out.flush()
                os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
