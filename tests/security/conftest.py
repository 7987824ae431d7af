"""What the scan tests share: a token store with no real keyring, and ``meta-auth scan`` run in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from meta_auth_nb.cli import main as cli_main
from meta_auth_nb.store.memory import vault


@pytest.fixture
def private_scan_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The scanner's TokenStore sees no real keyring, and no other test's memory profiles."""
    from keyring.backends import fail

    monkeypatch.setattr("keyring.get_keyring", lambda: fail.Keyring())
    vault.clear()
    yield
    vault.clear()


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``meta-auth scan ARGV``: its exit code, stdout and stderr."""
    code = cli_main(["scan", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err
