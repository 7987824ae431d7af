"""The storage parts behind :class:`meta_auth_nb.store.TokenStore`.

Flows layer (stdlib, keyring, filelock). Four parts, each small:

* :class:`KeyringAdapter` wraps any ``keyring`` backend so that nothing raw
  from keyring (``NoKeyringError``, ``InitError``, ``PasswordSetError``,
  D-Bus errors...) escapes: every failure becomes :class:`KeyringFailure`,
  whose reason is redacted and in plain words.
* :class:`ProfileIndex` is the non-secret JSON index in the user's config
  folder, written atomically under a file lock.
* :data:`vault` is the kernel-only memory store, shared by every store of a
  process.
* :func:`read_colab_secret` reads Colab's Secrets panel, read-only.

Secrets never reach the index: it holds masked tokens, app ids, cached
``TokenInfo`` facts and timestamps only.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar

from .._base.errors import MetaAuthError
from .._base.redact import get_logger, redact
from .._base.tokens import AccessToken

__all__ = [
    "SERVICE",
    "INDEX_NAME",
    "StoreError",
    "ProfileNotFound",
    "InvalidProfileName",
    "validate_profile",
    "KeyringFailure",
    "KeyringAdapter",
    "ProfileIndex",
    "MemoryEntry",
    "vault",
    "read_colab_secret",
    "to_iso",
    "from_iso",
]

#: The keyring service name every entry is stored under.
SERVICE = "meta_auth_nb"
#: The index file's name inside the config folder.
INDEX_NAME = "profiles.json"
INDEX_VERSION = 1

_PROFILE_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_LOCK_TIMEOUT_S = 30.0

log = get_logger("meta_auth_nb.store")
T = TypeVar("T")


# --- errors -----------------------------------------------------------------


class StoreError(MetaAuthError):
    """The token store could not do what was asked; the message says why and what to do.

    The message is redacted: a secret the process knows (or anything shaped
    like a token) is masked even if it ended up in a profile name.
    """

    __module__ = "meta_auth_nb.store"

    def __init__(self, message: str = "") -> None:
        super().__init__(redact(str(message)))


class ProfileNotFound(StoreError):
    """No token is stored (or reachable) under the profile asked for.

    Attributes
    ----------
    profile : str
        The profile name that was looked up.
    """

    __module__ = "meta_auth_nb.store"

    def __init__(self, message: str, *, profile: str = "") -> None:
        super().__init__(message)
        self.profile = profile

    def __reduce__(self) -> Any:
        # Keep the keyword-only attribute across pickling (multiprocessing, papermill).
        return (_rebuild_not_found, (str(self), self.profile))


def _rebuild_not_found(message: str, profile: str) -> ProfileNotFound:
    return ProfileNotFound(message, profile=profile)


class InvalidProfileName(StoreError, ValueError):
    """A profile name that is not 1-64 letters, digits, ``-``, ``_`` or ``.``."""

    __module__ = "meta_auth_nb.store"


def validate_profile(name: object) -> str:
    """Return ``name`` if it is a valid profile name.

    Parameters
    ----------
    name : object
        The candidate name.

    Raises
    ------
    InvalidProfileName
        Also a ValueError, so ``except ValueError`` works too.
    """
    if not isinstance(name, str) or not _PROFILE_RE.match(name):
        shown = repr(name) if isinstance(name, str) and len(name) <= 80 else f"a {type(name).__name__}"
        if isinstance(name, str) and len(name) > 80:
            shown = f"a {len(name)}-character string"
        raise InvalidProfileName(
            f"{redact(shown)} is not a valid profile name: use 1 to 64 letters, digits, "
            "'-', '_' or '.' (for example 'default', 'client-a', 'prod_2024')."
        )
    return name


# --- time helpers -------------------------------------------------------------


def to_iso(value: datetime | None) -> str | None:
    """Aware datetime -> ISO 8601 UTC string (naive ones are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_iso(value: Any) -> datetime | None:
    """ISO 8601 string -> aware UTC datetime; garbage gives None (the index is user-editable)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


# --- keyring ------------------------------------------------------------------


class KeyringFailure(Exception):
    """Internal: a keyring call failed. ``reason`` is redacted plain text.

    Never leaves the store: TokenStore turns it into a memory fallback or a
    :class:`StoreError` raised ``from None``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def describe_exception(exc: BaseException, limit: int = 200) -> str:
    """``"InitError: Failed to unlock the collection"`` - redacted and shortened."""
    text = redact(" ".join(str(exc).split()))
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class KeyringAdapter:
    """A keyring backend whose failures are caught and described.

    Parameters
    ----------
    backend : keyring.backend.KeyringBackend or None
        The backend to use; None means ``keyring.get_keyring()`` (resolved
        here, once).
    """

    def __init__(self, backend: Any = None) -> None:
        self.unusable_reason: str | None = None
        if backend is None:
            try:
                import keyring

                backend = keyring.get_keyring()
            except Exception as exc:  # a broken keyringrc or backend plugin
                self.backend = None
                self.label = "keyring"
                self.unusable_reason = f"keyring could not choose a backend ({describe_exception(exc)})"
                return
        self.backend = backend
        cls = type(backend)
        self.label = f"{cls.__module__}.{cls.__qualname__}"
        self.unusable_reason = self._class_problem(backend)

    @staticmethod
    def _class_problem(backend: Any) -> str | None:
        # Backends that "work" but keep nothing must count as no keyring at all.
        try:
            from keyring.backends import chainer, fail, null
        except Exception:  # pragma: no cover - keyring always ships these
            return None
        if isinstance(backend, fail.Keyring):
            return (
                "keyring found no usable backend, as is usual on headless Linux, "
                "in containers and on Binder"
            )
        if isinstance(backend, null.Keyring):
            return "the keyring backend in use (keyring.backends.null.Keyring) stores nothing"
        if isinstance(backend, chainer.ChainerBackend):
            try:
                if not backend.backends:
                    return "keyring found no usable backend to chain"
            except Exception as exc:
                return f"keyring could not list its backends ({describe_exception(exc)})"
        return None

    def _call(self, what: str, func: Callable[..., T], *args: Any) -> T:
        try:
            return func(*args)
        except Exception as exc:  # NoKeyringError, InitError, KeyringLocked, D-Bus errors...
            raise KeyringFailure(f"the system keyring ({self.label}) failed to {what}: {describe_exception(exc)}") from None

    def get(self, username: str) -> str | None:
        """Read one entry of :data:`SERVICE`; None when absent."""
        if self.backend is None:
            raise KeyringFailure(self.unusable_reason or "no keyring")
        value = self._call("read", self.backend.get_password, SERVICE, username)
        return value if isinstance(value, str) and value else None

    def set(self, username: str, value: str) -> None:
        """Write one entry of :data:`SERVICE`."""
        if self.backend is None:
            raise KeyringFailure(self.unusable_reason or "no keyring")
        self._call("store", self.backend.set_password, SERVICE, username, value)

    def delete(self, username: str) -> bool:
        """Delete one entry; False when there was none."""
        if self.backend is None:
            raise KeyringFailure(self.unusable_reason or "no keyring")
        try:
            self.backend.delete_password(SERVICE, username)
            return True
        except Exception as exc:
            # PasswordDeleteError means "not found" for most backends but may
            # hide a real failure: look again to tell them apart.
            try:
                still_there = self.backend.get_password(SERVICE, username)
            except Exception:
                still_there = True
            if not still_there:
                return False
            raise KeyringFailure(
                f"the system keyring ({self.label}) failed to delete: {describe_exception(exc)}"
            ) from None


# --- the index file -------------------------------------------------------------


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

    # reading ----------------------------------------------------------------
    def read(self) -> dict[str, dict[str, Any]]:
        """Return ``{profile: record}``; empty when there is no index yet.

        Reads need no lock (writes are atomic). A corrupt file is moved
        aside (under the lock) with a warning.
        """
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            log.warning("Could not read the profile index %s (%s); carrying on without it.", self.path, describe_exception(exc))
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
            if isinstance(name, str) and _PROFILE_RE.match(name) and isinstance(record, dict):
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
            log.warning("The profile index %s is not valid JSON and could not be moved aside (%s).", self.path, describe_exception(exc))
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
        from filelock import FileLock, Timeout

        self._ensure_dir()
        try:
            lock = FileLock(str(self.lock_path), timeout=_LOCK_TIMEOUT_S, mode=0o600)
        except TypeError:  # filelock without the mode argument
            lock = FileLock(str(self.lock_path), timeout=_LOCK_TIMEOUT_S)
        try:
            with lock:
                profiles = self._read_locked()
                before = json.dumps(profiles, sort_keys=True)
                result = change(profiles)
                if json.dumps(profiles, sort_keys=True) != before or not self.path.exists():
                    self._write(profiles)
                return result
        except Timeout:
            raise StoreError(
                f"Another process has held the profile index lock ({self.lock_path}) for over "
                f"{_LOCK_TIMEOUT_S:.0f} s; try again, or delete that lock file if no other kernel is running."
            ) from None
        except OSError as exc:
            raise StoreError(
                f"Could not write the profile index in {self.directory} ({describe_exception(exc)}). "
                "Check that this folder is writable, or pass TokenStore(config_dir=...) to use another."
            ) from None

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

    def _write(self, profiles: Mapping[str, Any]) -> None:
        doc = {
            "format": "meta_auth_nb profile index (no tokens or secrets; those live in the keyring)",
            "version": INDEX_VERSION,
            "profiles": {name: profiles[name] for name in sorted(profiles)},
        }
        # Defence in depth: mask anything token-shaped that slipped into cached facts.
        text = redact(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{INDEX_NAME}.", suffix=".tmp", dir=self.directory)
        try:
            try:
                os.fchmod(fd, 0o600)
            except (AttributeError, OSError):  # Windows: no POSIX modes
                pass
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


# --- the kernel-only memory store -------------------------------------------------


@dataclass
class MemoryEntry:
    """A profile kept in this process only (no usable keyring)."""

    token: AccessToken
    app_secret: str | None = field(default=None, repr=False)
    record: dict[str, Any] = field(default_factory=dict)


class _Vault:
    """Process-level secrets for the memory backend, shared by all TokenStores.

    Keyed by config folder so two stores pointed at different folders do not
    see each other's profiles (they would not share an index either).
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.entries: dict[str, dict[str, MemoryEntry]] = {}
        #: facts cached for env / Colab pseudo-profiles: (folder, profile) -> dict
        self.pseudo_facts: dict[tuple[str, str], dict[str, Any]] = {}
        #: what load() last served for a pseudo-profile: (folder, profile) -> (backend, fingerprint)
        self.pseudo_served: dict[tuple[str, str], tuple[str, str]] = {}
        #: notices already logged in this process
        self.announced: set[str] = set()

    def get(self, folder: str, profile: str) -> MemoryEntry | None:
        with self.lock:
            return self.entries.get(folder, {}).get(profile)

    def put(self, folder: str, profile: str, entry: MemoryEntry) -> None:
        with self.lock:
            self.entries.setdefault(folder, {})[profile] = entry

    def pop(self, folder: str, profile: str) -> MemoryEntry | None:
        with self.lock:
            return self.entries.get(folder, {}).pop(profile, None)

    def names(self, folder: str) -> list[str]:
        with self.lock:
            return list(self.entries.get(folder, {}))

    def clear(self) -> None:
        """Forget everything (tests, or a full logout)."""
        with self.lock:
            self.entries.clear()
            self.pseudo_facts.clear()
            self.pseudo_served.clear()
            self.announced.clear()


#: The one memory store of this process.
vault = _Vault()


# --- Colab secrets -------------------------------------------------------------------


def read_colab_secret(userdata: Any, name: str) -> tuple[str | None, str | None]:
    """Read one secret from Colab's Secrets panel.

    Parameters
    ----------
    userdata : module
        ``google.colab.userdata`` (or a stand-in with ``get`` and the two
        exception classes).
    name : str
        The secret's name, e.g. ``META_ACCESS_TOKEN``.

    Returns
    -------
    (value, problem) : tuple
        ``value`` is the stripped secret or None; ``problem`` is ``"no-access"``
        when the secret exists but this notebook was not granted access,
        another short text for unexpected failures, else None.
    """
    not_found = getattr(userdata, "SecretNotFoundError", None)
    no_access = getattr(userdata, "NotebookAccessError", None)
    try:
        value = userdata.get(name)
    except Exception as exc:
        if isinstance(no_access, type) and isinstance(exc, no_access):
            return None, "no-access"
        if isinstance(not_found, type) and isinstance(exc, not_found):
            return None, None
        # Anything else (a timeout, an older Colab) is a reason to fall through, not to crash.
        log.debug("Reading the Colab secret %s failed: %s", name, describe_exception(exc))
        return None, describe_exception(exc)
    if not isinstance(value, str) or not value.strip():
        return None, None
    return value.strip(), None
