"""The kernel-only memory store: :data:`vault`, shared by every TokenStore of a process.

Store layer, stdlib only. Used where no keyring works (containers, Binder,
Colab): a profile saved there lives as long as the kernel.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .._base.tokens import AccessToken

__all__ = ["MemoryEntry", "vault"]


@dataclass
class MemoryEntry:
    """A profile kept in this process only (no usable keyring)."""

    token: AccessToken
    app_secret: str | None = field(default=None, repr=False)
    record: dict[str, Any] = field(default_factory=dict)


class Vault:
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

    def first_time(self, notice: str) -> bool:
        """True the first time this process is about to say ``notice`` (each is said once)."""
        with self.lock:
            first = notice not in self.announced
            self.announced.add(notice)
            return first

    def clear(self) -> None:
        """Forget everything (tests, or a full logout)."""
        with self.lock:
            self.entries.clear()
            self.pseudo_facts.clear()
            self.pseudo_served.clear()
            self.announced.clear()


#: The one memory store of this process.
vault = Vault()
