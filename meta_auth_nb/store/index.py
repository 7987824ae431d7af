"""The non-secret profile index: ``<config_dir>/profiles.json``.

Store layer (filelock). It holds masked tokens, app ids, cached ``TokenInfo``
facts and timestamps only; secrets live in the keyring or in memory.
"""

from __future__ import annotations

import json
import os
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
from .profile import PROFILE_RE

__all__ = ["INDEX_NAME", "ProfileIndex"]

#: The index file's name inside the config folder.
INDEX_NAME = "profiles.json"
INDEX_VERSION = 1
LOCK_TIMEOUT_S = 30.0

log = get_logger("meta_auth_nb.store")
T = TypeVar("T")


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
        """Return ``{profile: record}``; empty when there is no index yet.

        Reads need no lock (writes are atomic). A corrupt file is moved
        aside (under the lock) with a warning; the index of a folder that
        belongs to another user is not read.
        """
        if self.foreign_owner() is not None:
            log.warning("The config folder %s belongs to another user; its profile index is not read.", self.directory)
            return {}
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
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
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        parsed = self._parse(text)
        if parsed is None:
            self._move_aside()
            return {}
        return parsed

    def _move_aside(self) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{INDEX_NAME}.corrupt-{stamp}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{INDEX_NAME}.corrupt-{stamp}-{n}")
            n += 1
        try:
            os.replace(self.path, target)
        except OSError as exc:
            log.warning(
                "The profile index %s is not valid JSON and could not be moved aside (%s).",
                self.path,
                describe_exception(exc),
            )
            return
        log.warning(
            "The profile index %s was not valid JSON; it was moved aside to %s and a new one was started. "
            "Tokens kept in the system keyring are not affected: load them by name or save them again.",
            self.path,
            target.name,
        )

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
                    if item.is_file() and item.stat().st_mode & 0o077:
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
