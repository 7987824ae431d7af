"""`meta-auth demo --execute` works on its own and prints the DataFrames, no full token."""

from __future__ import annotations

import re
import subprocess
import sys


def test_demo_execute_runs_the_whole_flow():
    result = subprocess.run(
        [sys.executable, "-m", "meta_auth_nb.cli", "demo", "--execute"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for step in ("Code exchanged", "Extended", "debug_token says", "Scopes and granular targets", "campaigns of act_", "insights rows"):
        assert step in out
    assert "1000 insights rows" in out
    assert not re.search(r"EAA[A-Za-z0-9]{20,}", out + result.stderr)  # tokens only ever masked


def test_cli_help_lists_commands():
    result = subprocess.run([sys.executable, "-m", "meta_auth_nb.cli", "--help"], capture_output=True, text=True, check=True)
    assert "sandbox" in result.stdout and "demo" in result.stdout
