"""`meta-auth demo`: the quickstart notebook headless (--execute) or in JupyterLab; the script fallback."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time

import httpx
import nbformat
import pytest

from meta_auth_nb.cli import demo
from meta_auth_nb.sandbox import Sandbox

TOKEN_PATTERN = re.compile(r"EAA[A-Za-z0-9]{20,}")


def test_demo_execute_runs_the_quickstart_notebook():
    result = subprocess.run(
        [sys.executable, "-m", "meta_auth_nb.cli", "demo", "--execute"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert "Running 01_quickstart.ipynb in a real kernel" in out
    # The panel was driven by the autopilot, and each section's results were printed as text.
    assert "Autopilot (alice, sandbox): Facebook Login: alice pressed Allow" in out
    for heading in (
        "== 2. Log in ==",
        "== 4. Your ad accounts and their campaigns ==",
        "== 5. Insights, with a progress bar ==",
    ):
        assert heading in out
    assert "Graph API session on the sandbox · profile sandbox" in out
    assert "act_" in out and "campaign_name" in out and "ctr_percent" in out
    assert "Read 2000 insights rows from 2 ad accounts." in out
    assert "IntProgress" not in out and "VBox(" not in out  # widgets are not shown as text
    assert not TOKEN_PATTERN.search(out + result.stderr)  # tokens only ever masked
    assert Sandbox(seed=0).app_secret not in out + result.stderr


def test_demo_execute_fails_with_the_cell_error(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Broken"),
            nbformat.v4.new_code_cell("print('first')"),
            nbformat.v4.new_code_cell("raise RuntimeError('the report has no rows')"),
            nbformat.v4.new_code_cell("print('never')"),
        ]
    )
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    lines: list[str] = []
    assert demo.run_notebook(path, lines.append) == 1
    text = "\n".join(lines)
    assert "first" in text and "never" not in text
    assert "Cell 3 of broken.ipynb (counting from 1) failed" in text and "the report has no rows" in text


def test_demo_execute_without_the_notebooks_runs_the_script(monkeypatch, capsys):
    monkeypatch.setattr(demo, "NOTEBOOK", demo.REPO_ROOT / "no-such-folder" / "01_quickstart.ipynb")
    assert demo.run_demo(execute=True) == 0
    out = capsys.readouterr().out
    for step in (
        "Code exchanged",
        "Extended",
        "debug_token says",
        "Scopes and granular targets",
        "campaigns of act_",
        "insights rows",
    ):
        assert step in out
    assert "1000 insights rows" in out
    assert not TOKEN_PATTERN.search(out)


def test_demo_lab_command(monkeypatch, tmp_path):
    monkeypatch.setenv("META_APP_ID", "1234567890")  # a developer's own app must not reach the demo
    command, root, env = demo.lab_command(config_dir=tmp_path, port=8899, token="t", open_browser=False)
    assert command[1] == "notebooks/01_quickstart.ipynb" and root == demo.REPO_ROOT
    assert "--ServerApp.ip=127.0.0.1" in command and "--no-browser" in command
    assert ("--allow-root" in command) == (os.geteuid() == 0)
    assert not [name for name in env if name.startswith("META_")]
    # its kernels keep profiles in the demo's own folder, and tokens out of the user's keyring
    assert env["XDG_CONFIG_HOME"] == str(tmp_path)
    assert env["PYTHON_KEYRING_BACKEND"] == "keyring.backends.fail.Keyring"


@pytest.mark.keyring
def test_demo_execute_leaves_the_users_store_alone(tmp_path, secret_service, secret_service_keyring):
    """With a working keyring and a real config folder, `meta-auth demo --execute` writes to neither."""
    home_config = tmp_path / "home-config"
    home_config.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("META_")}
    env.update(secret_service.env(), XDG_CONFIG_HOME=str(home_config))
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.SecretService.Keyring"
    result = subprocess.run(
        [sys.executable, "-m", "meta_auth_nb.cli", "demo", "--execute"],
        capture_output=True, text=True, timeout=180, check=False, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "saved it as profile sandbox" in result.stdout  # the panel did save, somewhere else
    assert list(home_config.iterdir()) == []
    assert secret_service_keyring.get_password("meta_auth_nb", "sandbox:token") is None


def test_run_lab_starts_jupyterlab_in_the_repository(monkeypatch):
    calls = []
    monkeypatch.setattr(demo.subprocess, "call", lambda command, **kw: calls.append((command, kw)) or 0)
    assert demo.run_demo() == 0
    ((command, options),) = calls
    assert command[1] == "notebooks/01_quickstart.ipynb" and options["cwd"] == demo.REPO_ROOT


@pytest.mark.slow
def test_demo_jupyterlab_serves_the_quickstart():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token = secrets.token_hex(8)
    command, root, env = demo.lab_command(port=port, token=token, open_browser=False)
    process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/status", params={"token": token}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stderr.read().decode()[-3000:]
            assert time.monotonic() < deadline, "JupyterLab did not start"
            time.sleep(0.3)
        model = httpx.get(f"{base}/api/contents/notebooks/01_quickstart.ipynb", params={"token": token}, timeout=10)
        assert model.status_code == 200 and model.json()["type"] == "notebook"
        page = httpx.get(f"{base}/lab/tree/notebooks/01_quickstart.ipynb", params={"token": token}, timeout=10)
        assert page.status_code == 200 and "JupyterLab" in page.text
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_cli_help_lists_commands():
    result = subprocess.run(
        [sys.executable, "-m", "meta_auth_nb.cli", "--help"], capture_output=True, text=True, check=True
    )
    assert "sandbox" in result.stdout and "demo" in result.stdout
