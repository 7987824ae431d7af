"""``meta-auth scan`` against the holes of a red-team pass: what reports show, what it missed, what ``--fix`` wrote.

Each test plants a canary where a careless user (or an attacker testing the
hook) would, and checks what a user sees: the exit code, the text and
``--json`` reports, and the file on disk.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import nbformat
import pytest
from hypothesis import HealthCheck, settings
from nbformat.v4 import new_code_cell, new_notebook, new_output

from meta_auth_nb._base.redact import TOKEN_PATTERN, mask, redact
from meta_auth_nb.cli import main as cli_main
from meta_auth_nb.scan import scan_text
from meta_auth_nb.store.memory import vault
from tests.conftest import make_canary

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
APP_ID = "1234567890123456"
KIND = {"token": "Meta access token", "stored secret with quote and backslash": "stored secret"}

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(autouse=True)
def _private_store(monkeypatch):
    """The scanner's TokenStore sees no real keyring, and no other test's memory profiles."""
    from keyring.backends import fail

    monkeypatch.setattr("keyring.get_keyring", lambda: fail.Keyring())
    vault.clear()
    yield
    vault.clear()


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli_main(["scan", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_no_part_shown(secret: str, text: str, window: int = 6) -> None:
    """No run of ``window`` characters of ``secret`` is in ``text`` (a mask shows 4 at each end, apart)."""
    parts = {secret[i : i + window] for i in range(len(secret) - window + 1)}
    shown = sorted(p for p in parts if p in text)
    assert shown == [], f"{len(shown)} part(s) of the secret shown, e.g. {shown[:1]}"


def raw_notebook(**metadata: Any) -> dict[str, Any]:
    """A valid v4 notebook as plain JSON (what is on disk), one code cell."""
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 1,
                "id": "a1b2c3d4",
                "metadata": {},
                "outputs": [],
                "source": ["x = 1\n"],
            }
        ],
        "metadata": dict(metadata),
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# --- 3. an uppercase hex digest is not a token ------------------------------------------------


def _hex_digest_with_eaa() -> str:
    while True:
        digest = secrets.token_hex(64).upper()
        cut = secrets.randbelow(40)
        candidate = digest[:cut] + "EAA" + digest[cut + 3 :]
        if len(candidate) - candidate.index("EAA") > 25:
            return candidate


def test_uppercase_hex_digest_is_not_a_token(tmp_path, capsys):
    digest = _hex_digest_with_eaa()
    assert scan_text(f"sha512: {digest}") == []
    assert redact(f"sha512={digest}") == f"sha512={digest}"  # the leak guard and logs keep it too
    nb = new_notebook(cells=[new_code_cell("checksum()")])
    nb.cells[0].outputs = [new_output("stream", name="stdout", text=f"SHA512 {digest}\n")]
    nbformat.write(nb, str(tmp_path / "digest.ipynb"))
    code, out, _ = run_cli(capsys, str(tmp_path))
    assert code == 0, out


def test_real_tokens_are_still_tokens(sandbox):
    # Sandbox tokens look like real ones: EAA then 150+ letters and digits, mixed case.
    tokens = [make_canary(), sandbox.issue_token(), sandbox.issue_token(kind="system_user", lifetime_s=0)]
    digest = _hex_digest_with_eaa()
    text = " ".join([digest, *tokens])
    assert [m.value for m in scan_text(text)] == tokens
    assert redact(text) == " ".join([digest, *(mask(t) for t in tokens)])
    for token in tokens:
        assert TOKEN_PATTERN.fullmatch(token)
