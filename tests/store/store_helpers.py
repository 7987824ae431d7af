"""Helpers for the token store tests: canaries, in-test keyring backends, a Colab stand-in."""

from __future__ import annotations

import secrets
import string
import types

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import InitError, PasswordDeleteError, PasswordSetError

ALNUM = string.ascii_letters + string.digits


def canary_token() -> str:
    """A token shaped like a real one (``EAA`` + 160 letters/digits), unique per call."""
    return "EAA" + "".join(secrets.choice(ALNUM) for _ in range(160))


def canary_secret() -> str:
    """An app-secret-shaped canary (32 hex characters)."""
    return secrets.token_hex(16)


class _TestBackend(KeyringBackend):
    """Base of the in-test backends. Not viable, so keyring never auto-selects one."""

    @properties.classproperty
    def priority(cls) -> float:  # type: ignore[override]
        raise RuntimeError("test-only backend")

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError


class RefusingKeyring(_TestBackend):
    """Reads fine (nothing stored), refuses to store: PasswordSetError carrying the password.

    Putting the password in the message checks that even a careless backend
    cannot leak it through the store.
    """

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError(f"cannot store {password} for {username}")


class BrokenKeyring(_TestBackend):
    """Fails on every call with InitError, like a locked or unreachable SecretService."""

    def get_password(self, service: str, username: str) -> str | None:
        raise InitError("Failed to create the collection: Prompt dismissed.")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise InitError("Failed to create the collection: Prompt dismissed.")

    def delete_password(self, service: str, username: str) -> None:
        raise InitError("Failed to create the collection: Prompt dismissed.")


class DictKeyring(_TestBackend):
    """A working in-process backend (a real KeyringBackend subclass) for logic tests."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.data.pop((service, username), None) is None:
            raise PasswordDeleteError("No such password!")


def make_colab_userdata(secrets_map: dict[str, str], *, no_access: set[str] = frozenset()) -> types.ModuleType:
    """A stand-in for ``google.colab.userdata``: a real module with ``get`` and Colab's two errors."""
    module = types.ModuleType("google.colab.userdata")

    class SecretNotFoundError(Exception):
        pass

    class NotebookAccessError(Exception):
        pass

    def get(key: str) -> str:
        module.calls.append(key)
        if key in no_access:
            raise NotebookAccessError(key)
        if key not in secrets_map:
            raise SecretNotFoundError(key)
        return secrets_map[key]

    module.SecretNotFoundError = SecretNotFoundError
    module.NotebookAccessError = NotebookAccessError
    module.get = get
    module.calls = []
    return module
