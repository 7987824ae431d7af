"""The non-secret profile index: ``<config_dir>/profiles.json``.

Store layer (filelock). It holds masked tokens, app ids, cached ``TokenInfo``
facts and timestamps only; secrets live in the keyring or in memory.

What it says is acted on (a login goes to the app, redirect address and
configuration a profile names), so it is believed only when nobody else
could have written it: the folder and the file are checked on the opened
folder and file (not by path, which another user could swap between a check
and the read), and an index in a folder of another user or that others can
write, or a file of another user or that others can change, is not used. The
user is told why and how to fix it; before a write, in the folder the store
has made its user's alone, such a file is set aside and a new index started.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from .._base.errors import StoreError
from .._base.files import write_atomically
from .._base.redact import get_logger, redact
from .keyring_source import describe_exception
from .memory import vault
from .messages import untrusted_index_message, untrusted_index_set_aside_message
from .profile import PROFILE_RE

__all__ = ["INDEX_NAME", "ProfileIndex"]

#: The index file's name inside the config folder.
INDEX_NAME = "profiles.json"
INDEX_VERSION = 1
LOCK_TIMEOUT_S = 30.0

log = get_logger("meta_auth_nb.store")
T = TypeVar("T")
#: Permission bits that let other users change a file, or the entries of a folder.
_OTHERS_WRITE = 0o022


class UntrustedIndex(Exception):
    """The index could have been written by someone else.

    Attributes
    ----------
    reason : str
        What lets them ("other users can write in its folder (mode 777)").
    fix : str
        What the user can do about it, a sentence.
    """

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.reason, self.fix = reason, fix


class ProfileIndex:
    """The non-secret profile index: ``<config_dir>/profiles.json``.

    Every write is a read-modify-write inside a :class:`filelock.FileLock`,
    and the new file replaces the old atomically (temp file in the same
    folder + ``os.replace``), so kernels saving different profiles at the
    same moment lose nothing and a reader never sees half a file.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / INDEX_NAME
        self.lock_path = directory / (INDEX_NAME + ".lock")
        self._held = threading.local()  # how deep this thread is inside locked()

    # reading ----------------------------------------------------------------
    def read(self) -> dict[str, dict[str, Any]]:
        """Return ``{profile: record}``; empty when there is no index yet, or none to believe.

        Reads need no lock (writes are atomic). A corrupt file is moved
        aside (under the lock) with a warning; an index someone else could
        have written is not read (see the module notes), with a warning once.
        """
        try:
            text = self.trusted_text()
        except FileNotFoundError:
            return {}
        except UntrustedIndex as untrusted:
            message = untrusted_index_message(str(self.path), untrusted.reason, untrusted.fix)
            if vault.first_time(message):
                log.warning("%s", message)
            return {}
        except OSError as exc:
            log.warning(
                "Could not read the profile index %s (%s); carrying on without it.", self.path, describe_exception(exc)
            )
            return {}
        parsed = self._parse(text)
        if parsed is not None:
            return parsed
        try:
            return self.update(lambda profiles: dict(profiles))  # moves it aside under the lock
        except StoreError as exc:
            log.warning("%s", exc)
            return {}

    def trusted_text(self) -> str:
        """The index's text, read once the opened folder and file show that nobody else could have written it.

        Raises
        ------
        FileNotFoundError
            There is no index (or no folder) yet.
        UntrustedIndex
            The folder or the file belongs to another user or can be changed
            by other users, or the index is not a regular file.
        OSError
            It could not be read.
        """
        getuid = getattr(os, "getuid", None)
        if getuid is None or os.open not in os.supports_dir_fd:  # no file owners to check (Windows)
            return self.path.read_text(encoding="utf-8")
        uid = getuid()
        folder = os.open(self.directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            self._check(os.fstat(folder), uid, what="folder")
            # Non-blocking: a FIFO planted under the index's name must not hang the reader.
            opened = os.open(INDEX_NAME, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0), dir_fd=folder)
        finally:
            os.close(folder)
        with os.fdopen(opened, "r", encoding="utf-8") as handle:
            self._check(os.fstat(handle.fileno()), uid, what="file")
            return handle.read()

    def _check(self, status: os.stat_result, uid: int, *, what: str) -> None:
        """Raise UntrustedIndex when the opened folder or file (``what``) is not its user's alone to change."""
        mode = stat.S_IMODE(status.st_mode)
        if what == "folder":
            if status.st_uid != uid:
                raise UntrustedIndex(
                    f"its folder belongs to another user (uid {status.st_uid})",
                    "Pass TokenStore(config_dir=...), or set META_AUTH_CONFIG_DIR, to use a folder of yours.",
                )
            if mode & _OTHERS_WRITE:
                raise UntrustedIndex(
                    f"other users can write in its folder (mode {mode:o})",
                    f"Run `chmod 700 {self.directory}`, look through the index for app ids and addresses you do not "
                    "know, then save your profile again.",
                )
            return
        delete = f"Delete it (`rm {self.path}`) and save your profile again."
        if not stat.S_ISREG(status.st_mode):
            raise UntrustedIndex("it is not a regular file", delete)
        if status.st_uid != uid:
            raise UntrustedIndex(f"it belongs to another user (uid {status.st_uid})", delete)
        if mode & _OTHERS_WRITE:
            raise UntrustedIndex(
                f"other users can change it (mode {mode:o})",
                f"Run `chmod 600 {self.path}`, look through it for app ids and addresses you do not know, then save "
                "your profile again.",
            )

    @staticmethod
    def _parse(text: str) -> dict[str, dict[str, Any]] | None:
        try:
            doc = json.loads(text)
        except ValueError:
            return None
        if not isinstance(doc, dict) or not isinstance(doc.get("profiles", {}), dict):
            return None
        out: dict[str, dict[str, Any]] = {}
        for name, record in doc.get("profiles", {}).items():
            # Hand-edited junk entries are skipped rather than fatal.
            if isinstance(name, str) and PROFILE_RE.match(name) and isinstance(record, dict):
                out[name] = record
        return out

    def _read_locked(self) -> dict[str, dict[str, Any]]:
        """The index before a write: the folder is its user's alone by now (see ``_secure``)."""
        try:
            text = self.trusted_text()
        except FileNotFoundError:
            return {}
        except UntrustedIndex as untrusted:
            aside = self._move_aside("untrusted", "could have been written by someone else")
            if aside is not None:
                log.warning("%s", untrusted_index_set_aside_message(str(self.path), untrusted.reason, aside))
            return {}
        parsed = self._parse(text)
        if parsed is None:
            aside = self._move_aside("corrupt", "is not valid JSON", masked=True)
            if aside is not None:
                log.warning(
                    "The profile index %s was not valid JSON; it was moved aside to %s and a new one was started. "
                    "Tokens kept in the system keyring are not affected: load them by name or save them again.",
                    self.path,
                    aside,
                )
            return {}
        return parsed

    def _move_aside(self, label: str, why: str, *, masked: bool = False) -> str | None:
        """Move the index to ``profiles.json.<label>-<time>``; its new name, or None (warned) when it could not be.

        With ``masked``, what is kept aside is the index's text with every
        token and secret masked (a hand-edited index may hold one); otherwise
        the file itself, as evidence.
        """
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{INDEX_NAME}.{label}-{stamp}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{INDEX_NAME}.{label}-{stamp}-{n}")
            n += 1
        try:
            if masked:
                write_atomically(target, redact(self.path.read_text(encoding="utf-8", errors="replace")), mode=0o600)
                os.unlink(self.path)
            else:
                os.replace(self.path, target)
        except OSError as exc:
            log.warning(
                "The profile index %s %s and could not be moved aside (%s).", self.path, why, describe_exception(exc)
            )
            return None
        return target.name

    # writing ----------------------------------------------------------------
    def update(self, change: Callable[[dict[str, dict[str, Any]]], T]) -> T:
        """Apply ``change`` to the profiles mapping and write the result.

        Parameters
        ----------
        change : callable
            Called with the current ``{profile: record}`` mapping (mutable,
            read inside the lock); its return value is returned.

        Raises
        ------
        StoreError
            If the folder cannot be written or the lock is held too long.
        """
        try:
            with self.locked():
                profiles = self._read_locked()
                before = json.dumps(profiles, sort_keys=True)
                result = change(profiles)
                if json.dumps(profiles, sort_keys=True) != before or not self.path.exists():
                    self._write(profiles)
                return result
        except OSError as exc:
            raise StoreError(self._unwritable(exc)) from None

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's write lock: one writer at a time across kernels (re-entrant in a thread).

        Raises
        ------
        StoreError
            If the lock cannot be taken: an unwritable folder, or another
            process holding it too long.
        """
        if getattr(self._held, "depth", 0):
            self._held.depth += 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        from filelock import FileLock, Timeout

        self._ensure_dir()
        try:
            lock = FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT_S, mode=0o600)
        except TypeError:  # filelock without the mode argument
            lock = FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT_S)
        try:
            lock.acquire()
        except Timeout:
            raise StoreError(
                f"Another process has held the profile index lock ({self.lock_path}) for over "
                f"{LOCK_TIMEOUT_S:.0f} s; try again, or delete that lock file if no other kernel is running."
            ) from None
        except OSError as exc:
            raise StoreError(self._unwritable(exc)) from None
        self._held.depth = 1
        try:
            yield
        finally:
            self._held.depth = 0
            lock.release()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """:meth:`locked` when the lock can be taken, else unlocked.

        For writes whose secrets must be kept even where the index cannot be
        (the index write that follows says why). Holding the lock keeps a
        keyring entry and its index record from two kernels' saves from
        interleaving, and spares the keyring daemon concurrent writes, which
        gnome-keyring does not always survive.
        """
        with ExitStack() as stack:
            try:
                stack.enter_context(self.locked())
            except StoreError:
                pass
            yield

    def _unwritable(self, exc: OSError) -> str:
        return (
            f"Could not write the profile index in {self.directory} ({describe_exception(exc)}). "
            "Check that this folder is writable, or pass TokenStore(config_dir=...) to use another."
        )

    def _ensure_dir(self) -> None:
        try:
            if not self.directory.is_dir():
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
                os.chmod(self.directory, 0o700)  # mkdir's mode is filtered by the umask
        except OSError as exc:
            raise StoreError(
                f"Could not create the config folder {self.directory} ({describe_exception(exc)}); "
                "pass TokenStore(config_dir=...) to use another."
            ) from None
        self._secure()

    def foreign_owner(self) -> int | None:
        """The owner's uid when the folder belongs to another user, else None (also where uids do not exist)."""
        getuid = getattr(os, "getuid", None)
        try:
            owner = self.directory.stat().st_uid
        except OSError:
            return None
        return owner if getuid is not None and owner != getuid() else None

    def _secure(self) -> None:
        """Refuse a folder of another user; tighten a folder others can read or write to 0700 (files 0600)."""
        owner = self.foreign_owner()
        if owner is not None:
            raise StoreError(
                f"The config folder {self.directory} belongs to another user (uid {owner}), who could read or "
                "change what is kept there; it is not used. Pass TokenStore(config_dir=...) to use a folder of yours."
            )
        try:
            mode = self.directory.stat().st_mode & 0o777
            if mode & 0o077:
                os.chmod(self.directory, 0o700)
                for item in self.directory.iterdir():
                    loose = item.stat().st_mode & 0o077 if item.is_file() else 0
                    # An index others could change stays as it is: the read before the write sets it aside.
                    if loose and not (item.name == INDEX_NAME and loose & _OTHERS_WRITE):
                        os.chmod(item, 0o600)
                log.warning(
                    "The config folder %s could be read or changed by other users (mode %o); it was tightened to "
                    "700, its files to 600.",
                    self.directory,
                    mode,
                )
        except OSError as exc:
            raise StoreError(
                f"The config folder {self.directory} can be read or changed by other users, and its permissions "
                f"could not be tightened ({describe_exception(exc)}); it is not used. Run `chmod 700 "
                f"{self.directory}`, or pass TokenStore(config_dir=...) to use another folder."
            ) from None

    def _write(self, profiles: Mapping[str, Any]) -> None:
        doc = {
            "format": "meta_auth_nb profile index (no tokens or secrets; those live in the keyring)",
            "version": INDEX_VERSION,
            "profiles": {name: profiles[name] for name in sorted(profiles)},
        }
        # Defence in depth: mask anything token-shaped that slipped into cached facts, value by value
        # (masking the JSON text would also hit names, keys and the format line).
        text = json.dumps(redact_values(doc), indent=2, ensure_ascii=False) + "\n"
        write_atomically(self.path, text, mode=0o600, sync=True)


def redact_values(node: Any) -> Any:
    """A copy of a JSON document with every string value redacted (keys are names, kept as they are)."""
    if isinstance(node, str):
        return redact(node)
    if isinstance(node, dict):
        return {key: redact_values(value) for key, value in node.items()}
    if isinstance(node, list):
        return [redact_values(value) for value in node]
    return node
