"""Fixtures for the token store tests: real keyring backends, canaries, a Colab stand-in."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# tests/ holds shared helpers (keyring_support), tests/store the store helpers:
# make both importable however pytest was started (rootdir, importmode).
for _folder in (Path(__file__).resolve().parents[1], Path(__file__).resolve().parent):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))


from meta_auth_nb.store.memory import vault  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    # The memory backend is process-wide by design; tests must not see each other's.
    vault.clear()
    yield
    vault.clear()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "cfg"


@pytest.fixture
def fail_keyring() -> Any:
    from keyring.backends import fail

    return fail.Keyring()


@pytest.fixture(params=["in_process", pytest.param("secret_service", marks=pytest.mark.keyring)])
def working_keyring(request: pytest.FixtureRequest) -> Any:
    """A keyring that works: the real SecretService one (skipped when it cannot start) and an in-process one."""
    if request.param == "secret_service":
        return request.getfixturevalue("secret_service_keyring")
    from store_helpers import DictKeyring

    return DictKeyring()


@pytest.fixture(
    params=["fail", "refusing", "broken", "in_process", pytest.param("secret_service", marks=pytest.mark.keyring)]
)
def any_keyring(request: pytest.FixtureRequest) -> Any:
    """Every kind of keyring the store meets: none, refusing, broken, working (in-process and real)."""
    import store_helpers
    from keyring.backends import fail

    if request.param == "secret_service":
        return request.getfixturevalue("secret_service_keyring")
    return {
        "fail": fail.Keyring,
        "refusing": store_helpers.RefusingKeyring,
        "broken": store_helpers.BrokenKeyring,
        "in_process": store_helpers.DictKeyring,
    }[request.param]()
