"""The kernel's sandbox: the one built-in Graph API sandbox ``%meta_login --sandbox`` starts and reuses.

Notebook layer. :func:`kernel_sandbox` hands it to notebook code (a
workshop moving the sandbox's clock, say); :data:`KERNEL` is the holder
the magics use.

While it runs, the kernel is in the sandbox's world: its settings point at
it (Graph and dialog URLs, its app), the default profile is ``sandbox``, and
saved tokens go to a store of its own, kept in this kernel's memory with a
private profile list. They are exported as ``META_*`` environment variables,
so that every call in this kernel (each magic reads them once as it starts,
:attr:`KernelSandbox.settings`, and hands them down; ``mab.inspect_token``
or ``mab.TokenStore()`` in a cell read them the same way) and its child
processes (``!meta-auth ...``) talk to it. Sandbox tokens are never written to the keyring or the user's
config folder, because the sandbox and every token it issued end with the
kernel: a saved one could never come back. Your own token, registered
redirect and configuration are set aside meanwhile.
:meth:`KernelSandbox.stop` (``%meta_login --no-sandbox``) puts everything back.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from .._base.commands import NOTEBOOK
from .._base.settings import (
    ENV_ACCESS_TOKEN,
    ENV_APP_ID,
    ENV_APP_SECRET,
    ENV_CONFIG_DIR,
    ENV_CONFIG_ID,
    ENV_DIALOG_URL,
    ENV_GRAPH_URL,
    ENV_KERNEL_SANDBOX,
    ENV_PROFILE,
    ENV_REDIRECT_URI,
    ENV_STORE,
    STORE_MEMORY,
    Settings,
)
from .sandbox_folder import make_folder, remove_folder

if TYPE_CHECKING:
    from ..sandbox import Sandbox
    from ..store import TokenStore

__all__ = ["KEEP", "KERNEL", "SANDBOX_PROFILE", "KernelSandbox", "kernel_sandbox", "scenario_description"]

SANDBOX_PROFILE = "sandbox"
#: ``KernelSandbox.start(scenario=KEEP)``: keep the running sandbox, whatever its scenario.
KEEP = object()
#: Every variable the sandbox sets (or sets aside, with an empty value) while it runs.
_SANDBOX_ENV = (
    ENV_GRAPH_URL,
    ENV_DIALOG_URL,
    ENV_APP_ID,
    ENV_APP_SECRET,
    ENV_PROFILE,
    ENV_CONFIG_DIR,
    ENV_STORE,
    ENV_ACCESS_TOKEN,
    ENV_REDIRECT_URI,
    ENV_CONFIG_ID,
    ENV_KERNEL_SANDBOX,
)


class KernelSandbox:
    """The one sandbox of this kernel, started by ``%meta_login --sandbox`` and reused.

    While it runs, the kernel's environment points every setting at it (see
    the module docstring); :meth:`stop` puts the previous values back.
    """

    def __init__(self) -> None:
        self.box: Sandbox | None = None
        #: How many sandboxes this kernel has started (tokens of older ones are dead).
        self.generation = 0
        self._saved: dict[str, str | None] = {}
        self._folder: str | None = None
        self._store: TokenStore | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self.box is not None

    @property
    def settings(self) -> Settings:
        """The running sandbox's settings, read now: its Graph, its app, a store in this kernel's memory.

        Raises
        ------
        RuntimeError
            No sandbox runs.
        """
        if self.box is None:
            raise RuntimeError("no sandbox runs in this kernel: %meta_login --sandbox starts one")
        return Settings.from_env(os.environ)

    @property
    def store(self) -> TokenStore:
        """The running sandbox's token store: this kernel's memory, a private profile list.

        Raises
        ------
        RuntimeError
            No sandbox runs.
        """
        if self._store is None:
            raise RuntimeError("no sandbox runs in this kernel: %meta_login --sandbox starts one")
        return self._store

    def start(self, scenario: str | object | None = KEEP) -> Sandbox:
        """Start it (or return the running one) and point the settings at it.

        Parameters
        ----------
        scenario : str or None, optional
            A workshop scenario (one of ``Sandbox.scenarios``) or None for
            none. A running sandbox with another scenario is replaced by a
            fresh one, with an empty store (a scenario is fixed for a
            sandbox's life); by default the running one is kept, whatever its scenario.
        """
        with self._lock:
            if self.box is not None and scenario is not KEEP and self.box.scenario != scenario:
                self._stop()
            if self.box is None:
                from ..sandbox import Sandbox
                from ..store import TokenStore

                box = Sandbox(scenario=scenario if isinstance(scenario, str) else None).start()
                folder = make_folder()  # removed at stop and at exit; dead kernels' ones at the next start
                overlay = {name: "" for name in _SANDBOX_ENV}  # set aside what the sandbox does not give
                overlay.update(box.env())
                overlay.update(
                    {
                        ENV_PROFILE: SANDBOX_PROFILE,
                        ENV_CONFIG_DIR: folder,
                        ENV_STORE: STORE_MEMORY,
                        ENV_KERNEL_SANDBOX: "1",
                    }
                )
                self._saved = {name: os.environ.get(name) for name in overlay}
                os.environ.update(overlay)
                settings = Settings.from_env(os.environ)
                self.box, self._folder = box, folder
                self._store = TokenStore(place=settings.at(NOTEBOOK).place)
                self.generation += 1
            return self.box

    def stop(self) -> bool:
        """Stop it, forget its tokens and restore the settings it replaced; False when none ran."""
        with self._lock:
            return self._stop()

    def _stop(self) -> bool:
        box, self.box = self.box, None
        if box is None:
            return False
        store, self._store = self._store, None
        if store is not None:
            for name in store.profiles():
                store.delete(name)  # memory only: nothing can fail but a missing profile
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved = {}
        if self._folder is not None:
            remove_folder(self._folder)
            self._folder = None
        box.stop()
        return True


#: Process-wide: a kernel has one namespace, so one sandbox.
KERNEL = KernelSandbox()


def kernel_sandbox() -> Sandbox | None:
    """The sandbox ``%meta_login --sandbox`` started in this kernel, or None when none runs.

    Examples
    --------
    >>> import meta_auth_nb as mab
    >>> mab.kernel_sandbox().advance(10 * 60)   # doctest: +SKIP
    """
    return KERNEL.box


def scenario_description(name: str) -> str:
    """The sentence a facilitator reads out for a workshop scenario (what it changes, and why)."""
    from ..sandbox import Sandbox

    return Sandbox.scenarios.get(name, "")
