"""`meta-auth demo`: the quickstart notebook headless (--execute) or in JupyterLab; the script fallback."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

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
    assert "Read 300 insights rows (a campaign a day) from 2 ad accounts." in out
    assert "account_currency" in out and "USD" in out and "GBP" in out
    assert "Progress" not in out and "VBox(" not in out and "HBox(" not in out  # widgets are not shown as text
    # Every heading printed has something under it (the Colab install and %load_ext show nothing).
    lines = [line for line in out.splitlines() if line.strip()]
    headed = [i for i, line in enumerate(lines) if line.startswith("== ")]
    assert headed and all(i + 1 < len(lines) and not lines[i + 1].startswith("== ") for i in headed), headed
    assert "== 0. On Google Colab: install the package ==" not in out and "== 1. Load the extension ==" not in out
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


def _repo_notebooks() -> dict[str, bytes]:
    """The repository's notebooks folder, file by file (what git would see change)."""
    folder = demo.REPO_ROOT / "notebooks"
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.slow
def test_demo_serves_copies_of_the_notebooks_and_prints_their_address_last():
    """`meta-auth demo --port N`: JupyterLab on copies in a temporary folder; its address is the last line."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    before = _repo_notebooks()
    env = {**os.environ, "BROWSER": "true"}  # no browser here: `true` opens nothing, quietly
    process = subprocess.Popen(
        [sys.executable, "-m", "meta_auth_nb.cli", "demo", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    lines: list[str] = []
    try:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.strip().startswith("http://"):
                break
        out = "\n".join(lines)
        assert "Starting JupyterLab on copies of the notebooks in" in out, out
        url = lines[-1].strip()
        assert url.startswith(f"http://127.0.0.1:{port}/lab/tree/notebooks/01_quickstart.ipynb?token="), out
        assert "Its address:" in lines[-2] and "No web browser" not in out  # plainly, last
        folder = out.split("copies of the notebooks in ")[1].split(" ")[0]
        assert not folder.startswith(str(demo.REPO_ROOT))
        assert Path(folder, "notebooks", "04_insights_at_scale.ipynb").exists()
        token = url.split("token=")[1]
        base, auth = f"http://127.0.0.1:{port}", {"token": token}
        page = httpx.get(url, timeout=10)
        assert page.status_code == 200 and "JupyterLab" in page.text
        # JupyterLab's autosave writes the notebook it shows: a copy, never the repository's.
        model = httpx.get(f"{base}/api/contents/notebooks/01_quickstart.ipynb", params=auth, timeout=10).json()
        model["content"]["cells"][0]["source"] = "an edit an autosave would keep"
        saved = httpx.put(
            f"{base}/api/contents/notebooks/01_quickstart.ipynb",
            params=auth,
            json={"type": "notebook", "format": "json", "content": model["content"]},
            timeout=10,
        )
        assert saved.status_code == 200
        assert "an edit an autosave would keep" in Path(folder, "notebooks", "01_quickstart.ipynb").read_text()
        assert _repo_notebooks() == before
    finally:
        process.send_signal(signal.SIGTERM)  # as Ctrl-C: JupyterLab stops, and its folder goes
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    assert not Path(folder).exists()  # the temporary folder goes with JupyterLab
    assert _repo_notebooks() == before


def test_demo_execute_leaves_the_repositorys_notebooks_as_they_are(capsys):
    before = _repo_notebooks()
    assert demo.run_notebook(demo.REPO_ROOT / "notebooks" / "04_insights_at_scale.ipynb", print) == 0
    assert _repo_notebooks() == before  # its checkpoint files went to the temporary folder


def test_make_demo_says_it_installs_and_shows_pip_progress(tmp_path):
    """The first `make demo` says what it installs, and pip shows what it fetches (no --quiet)."""
    plan = subprocess.run(
        ["make", "--no-print-directory", "-n", "demo", f"VENV={tmp_path / 'venv'}", "ARGS=--port 9000"],
        cwd=demo.REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    steps = [line for line in plan.splitlines() if line.strip() and not line.startswith("make")]
    assert "installing what the demo needs" in plan
    install = next(line for line in steps if "install" in line and ".[demo]" in line)
    assert "--quiet" not in install and "--progress-bar on" in install
    assert steps[-1].endswith("meta-auth demo --port 9000")


def test_cli_help_lists_commands():
    result = subprocess.run(
        [sys.executable, "-m", "meta_auth_nb.cli", "--help"], capture_output=True, text=True, check=True
    )
    assert "sandbox" in result.stdout and "demo" in result.stdout
