"""The kernel sandbox's private config folders: made in the temp folder, gone with the sandbox or the kernel.

Notebook UI layer, stdlib only. The kernel's sandbox keeps its profile list
in a folder of its own (``meta-auth-sandbox-<pid>-<random>`` in the temp
folder). It is removed when the sandbox stops (``%meta_login --no-sandbox``,
another scenario), again when the kernel exits (a late write may have made it
anew), and, for kernels killed before they could clean up, when a later
sandbox starts: a folder of this user whose kernel (the process id in its
name) is gone is removed then. A workshop's kernels leave nothing behind.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading

__all__ = ["PREFIX", "make_folder", "remove_folder", "remove_stale"]

#: The start of every sandbox folder's name.
PREFIX = "meta-auth-sandbox-"

_made: set[str] = set()
_lock = threading.Lock()


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (another user's counts); POSIX only."""
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only asked
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, as another user's
        return True
    return True


def remove_stale(folder: str | None = None) -> list[str]:
    """Remove the sandbox folders of this user's kernels that are gone.

    Parameters
    ----------
    folder : str, optional
        Where to look; default the temp folder.

    Returns
    -------
    list of str
        The folders removed. A folder whose name carries no process id (made
        by an older version), of another user, or of a live process is left.
    """
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return []
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder or tempfile.gettempdir()))
    except OSError:
        return removed
    for entry in entries:
        pid, _, rest = entry.name[len(PREFIX) :].partition("-")
        if not entry.name.startswith(PREFIX) or not pid.isdigit() or not rest:
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
        except OSError:
            continue
        if int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed


def make_folder() -> str:
    """A new private folder for a sandbox's profile list (0700), after clearing those of dead kernels."""
    remove_stale()
    folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
    with _lock:
        if not _made:
            atexit.register(_remove_all)
        _made.add(folder)
    return folder


def remove_folder(folder: str) -> None:
    """Remove a sandbox's folder now (it is removed again at exit, should something write there later)."""
    shutil.rmtree(folder, ignore_errors=True)


def _remove_all() -> None:
    with _lock:
        folders = list(_made)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
