"""The OS keyring as a token source: :class:`KeyringAdapter`.

Store layer (keyring, imported when first used). It wraps any ``keyring``
backend so that nothing raw from keyring (``NoKeyringError``, ``InitError``,
``PasswordSetError``, D-Bus errors...) escapes: every failure becomes
:class:`~meta_auth_nb._base.errors.KeyringFailure`, whose reason is redacted
and in plain words. It also decides, once, whether the keyring is usable at
all, and stops using it after a failure (each retry could mean a D-Bus
timeout or an unlock prompt).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .._base.errors import KeyringFailure
from .._base.redact import get_logger, redact
from .._base.settings import ENV_ALLOW_FILE_KEYRING

__all__ = ["SERVICE", "KeyringAdapter", "describe_exception", "secret_key", "token_key"]

#: The keyring service name every entry is stored under.
SERVICE = "meta_auth_nb"
# No ':' in it, so it can never collide with a '<profile>:token' entry.
PROBE_USER = "meta_auth_nb-probe"

log = get_logger("meta_auth_nb.store")
T = TypeVar("T")


def token_key(profile: str) -> str:
    """The keyring username of a profile's token."""
    return f"{profile}:token"


def secret_key(profile: str) -> str:
    """The keyring username of a profile's app secret."""
    return f"{profile}:app_secret"


def is_file_backend(backend: Any) -> bool:
    """True for keyrings.alt's file backends (plaintext, or encrypted with a password typed at a prompt)."""
    return type(backend).__module__.startswith("keyrings.alt.")


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
    off : str, optional
        Do not use a keyring at all, for this reason (nothing is resolved or probed).
    """

    def __init__(self, backend: Any = None, *, allow_insecure: bool = False, off: str | None = None) -> None:
        self.unusable_reason: str | None = None
        self._usable: bool | None = None
        if off:
            self.backend, self.label, self.unusable_reason, self._usable = None, "keyring", off, False
            return
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
        self.unusable_reason = self._class_problem(backend, allow_insecure)

    @staticmethod
    def _class_problem(backend: Any, allow_insecure: bool) -> str | None:
        # Backends that "work" but keep nothing, or keep secrets in a plain
        # file, must count as no keyring at all.
        try:
            from keyring.backends import chainer, fail, null
        except Exception:  # pragma: no cover - keyring always ships these
            return None
        if isinstance(backend, fail.Keyring):
            return "keyring found no usable backend, as is usual on headless Linux, in containers and on Binder"
        if isinstance(backend, null.Keyring):
            return "the keyring backend in use (keyring.backends.null.Keyring) stores nothing"
        first = backend
        if isinstance(backend, chainer.ChainerBackend):
            try:
                chained = backend.backends
            except Exception as exc:
                return f"keyring could not list its backends ({describe_exception(exc)})"
            if not chained:
                return "keyring found no usable backend to chain"
            first = chained[0]  # writes go to the first backend that takes them
        if not allow_insecure and is_file_backend(first):
            return (
                f"the keyring backend in use ({type(first).__module__}.{type(first).__qualname__}) keeps secrets "
                f"in a file on disk, not in a system keyring; set {ENV_ALLOW_FILE_KEYRING}=1 to use it anyway"
            )
        return None

    @property
    def usable(self) -> bool:
        """True while the keyring works; the first call makes one harmless read to find out."""
        if self._usable is None:
            if self.unusable_reason:
                self._usable = False
            else:
                # One harmless read tells a locked or unreachable keyring from a working one.
                try:
                    self.get(PROBE_USER)
                    self._usable = True
                except KeyringFailure as failure:
                    self.broke(failure)
        return bool(self._usable)

    @property
    def checked(self) -> bool | None:
        """None until :attr:`usable` was asked (a repr must not probe), then whether it is usable."""
        return self._usable

    def broke(self, failure: KeyringFailure) -> None:
        """Stop using the keyring after ``failure``; its reason becomes :attr:`unusable_reason`."""
        self._usable, self.unusable_reason = False, failure.reason
        log.debug("Keyring unusable from now on: %s", failure.reason)

    def _call(self, what: str, func: Callable[..., T], *args: Any) -> T:
        try:
            return func(*args)
        except Exception as exc:  # NoKeyringError, InitError, KeyringLocked, D-Bus errors...
            raise KeyringFailure(
                f"the system keyring ({self.label}) failed to {what}: {describe_exception(exc)}"
            ) from None

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

    def save_entries(self, profile: str, token: str, app_secret: str | None, *, keep: bool) -> str | None:
        """Write a profile's token, and its app secret; returns the secret the profile now has.

        Without a new secret, the stored one is kept only when ``keep`` (same
        app as before), else deleted: an old secret may belong to another app.
        """
        self.set(token_key(profile), token)
        if app_secret:
            self.set(secret_key(profile), app_secret)
            return app_secret
        if keep:
            return self.get(secret_key(profile))
        self.delete(secret_key(profile))
        return None

    def read_secret(self, profile: str) -> str | None:
        """A profile's app secret; a failure to read it is logged, not raised (the token still loads)."""
        try:
            return self.get(secret_key(profile))
        except KeyringFailure as failure:
            log.warning("Could not read the app secret of profile %r: %s", profile, failure.reason)
            return None

    def delete_entries(self, profile: str) -> bool:
        """Delete a profile's token and app secret; True when something was there."""
        removed = self.delete(token_key(profile))
        return self.delete(secret_key(profile)) or removed
