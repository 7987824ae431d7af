"""The kernel sandbox's config folders leave with it: at ``--no-sandbox``, at kernel exit, after a killed kernel.

Real kernels (ipykernel through jupyter_client, as JupyterLab starts them),
each with a temp folder of its own, so what a workshop's kernels leave behind
can be counted.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from meta_auth_nb.cli.demo import kernel_env

jupyter_client = pytest.importorskip("jupyter_client")

PREFIX = "meta-auth-sandbox-"


def _folders(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith(PREFIX))


def _start(tmp: Path, config: Path):
    env = kernel_env(config, autopilot=None)
    env["TMPDIR"] = str(tmp)
    env.pop("PYTEST_CURRENT_TEST", None)
    return jupyter_client.manager.start_new_kernel(kernel_name="python3", extra_arguments=[], env=env)


def _run(client, code: str) -> None:
    reply = client.execute_interactive(code, timeout=120)
    assert reply["content"]["status"] == "ok", reply["content"].get("evalue")


@pytest.fixture
def tmp(tmp_path) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def test_the_folder_goes_when_the_sandbox_stops_and_when_the_kernel_exits(tmp, tmp_path):
    manager, client = _start(tmp, tmp_path / "config")
    try:
        _run(client, "%load_ext meta_auth_nb\n%meta_login --sandbox")
        (first,) = _folders(tmp)
        assert first.startswith(f"{PREFIX}{manager.provisioner.pid}-")  # the kernel's process id in its name
        _run(client, "%meta_login --no-sandbox")
        assert _folders(tmp) == []
        _run(client, "%meta_login --sandbox --scenario expiring-token")
        _run(client, "%meta_login --sandbox --scenario declined-ads-read")  # another scenario: a new sandbox
        assert len(_folders(tmp)) == 1 and _folders(tmp) != [first]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)  # as JupyterLab shuts a kernel down, or restarts it
    assert _folders(tmp) == []


def test_a_killed_kernels_folder_is_removed_when_the_next_sandbox_starts(tmp, tmp_path):
    manager, client = _start(tmp, tmp_path / "config")
    _run(client, "%load_ext meta_auth_nb\n%meta_login --sandbox")
    client.stop_channels()
    manager.shutdown_kernel(now=True)  # killed: nothing runs in it any more
    (left,) = _folders(tmp)
    # Left alone: the folder of a process that is alive (this one), and one named by an older version.
    live, older = tmp / f"{PREFIX}{os.getpid()}-live", tmp / f"{PREFIX}la30l68x"
    live.mkdir()
    older.mkdir()

    manager, client = _start(tmp, tmp_path / "config")
    try:
        _run(client, "%load_ext meta_auth_nb\n%meta_login --sandbox")
        now = _folders(tmp)
        assert left not in now and live.name in now and older.name in now and len(now) == 3
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)
    assert _folders(tmp) == sorted([live.name, older.name])
