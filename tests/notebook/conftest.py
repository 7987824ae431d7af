"""Fixtures for the notebook UI tests: a real IPython shell with the extension, a private store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

from meta_auth_nb.notebook.kernel_sandbox import KERNEL as kernel_sandbox
from meta_auth_nb.notebook.magics import MetaAuthMagics
from meta_auth_nb.store import TokenStore
from meta_auth_nb.store.memory import vault
from tests.store.store_helpers import DictKeyring

#: Names the tests may leave in the user namespace.
_SESSION_NAMES = ("meta", "fb", "ads")


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    """The process' InteractiveShell with meta_auth_nb loaded (``%load_ext``)."""
    ip = InteractiveShell.instance()
    if "meta_auth_nb" in ip.extension_manager.loaded:
        ip.run_line_magic("reload_ext", "meta_auth_nb")
    else:
        ip.run_line_magic("load_ext", "meta_auth_nb")
    yield ip
    magics = ip.magics_manager.registry.get("MetaAuthMagics")
    if magics is not None and magics.panel is not None:
        magics.panel.close()
    for name in _SESSION_NAMES:
        ip.user_ns.pop(name, None)
    if "MetaAuthMagics" in ip.config:  # %config in a test must not reach the next one
        del ip.config["MetaAuthMagics"]
    import meta_auth_nb.notebook.leak_guard as guard

    guard.uninstall()
    # Before the root conftest's monkeypatch undoes META_*: the sandbox restores what it replaced.
    kernel_sandbox.stop()
    vault.clear()


@pytest.fixture
def keyring_backend() -> Any:
    """A working in-process keyring (a real KeyringBackend subclass)."""
    return DictKeyring()


@pytest.fixture
def store(tmp_path, keyring_backend) -> TokenStore:
    return TokenStore(config_dir=tmp_path / "cfg", keyring_backend=keyring_backend)


@pytest.fixture
def magics(shell, store) -> MetaAuthMagics:
    """The registered MetaAuthMagics, on a private store, leak guard off (tests look at raw output).

    While the kernel's sandbox runs, the magics use its own store instead (``sandbox_store``).
    """
    instance = shell.magics_manager.registry["MetaAuthMagics"]
    instance.store = store
    instance.leak_guard = False
    return instance


@pytest.fixture
def sandbox_store(magics) -> TokenStore:
    """The kernel sandbox's own store (the sandbox is started here): this kernel's memory, a private index."""
    kernel_sandbox.start()
    return kernel_sandbox.store
