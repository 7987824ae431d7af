"""``meta-auth demo``: the quickstart notebook, in JupyterLab or run headless.

``meta-auth demo`` opens a copy of ``notebooks/01_quickstart.ipynb`` (the
other notebooks beside it) in JupyterLab, in a temporary folder, and prints
its address last (``--port N`` picks the port); its login cell starts the
built-in sandbox. ``meta-auth demo --execute`` runs the same notebook top to
bottom in a real kernel with nbclient (:mod:`.demo_kernel`), the sandbox
autopilot playing the person at the login panel, and prints each result
(text and DataFrames) to the terminal. Nothing is sent to Meta and nothing is
stored outside a temporary folder: the repository's notebooks stay as they are.

An installed package has no ``notebooks/`` folder: there, ``--execute``
falls back to :func:`run_headless`, the same flow as a plain script.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._base.settings import LOOPBACK_REDIRECT_URI
from .common import Command, CommandContext, port_arg
from .demo_kernel import NOTEBOOK, REPO_ROOT, demo_environment, kernel_env, notebook_client, run_notebook

__all__ = [
    "COMMAND",
    "NOTEBOOK",
    "REPO_ROOT",
    "copy_notebooks",
    "free_port",
    "kernel_env",
    "lab_command",
    "notebook_client",
    "run_demo",
    "run_headless",
    "run_lab",
    "run_notebook",
]

REDIRECT_URI = LOOPBACK_REDIRECT_URI  # accepted unregistered: the sandbox app is in development mode


# --- the scripted fallback --------------------------------------------------------------------
def run_headless(echo: Callable[[str], None] = print, *, insights_rows: int = 1000) -> int:
    """The quickstart's flow as a plain script, for an installed package without the notebooks."""
    import pandas as pd

    from .. import frames
    from .._base.timefmt import describe_delta
    from ..auth.lifecycle import extend_token, inspect_token, permissions
    from ..auth.oauth import exchange_code, login_url, parse_redirect
    from ..graph.drivers.sync import GraphSession
    from ..sandbox import Sandbox

    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", 20)
    with Sandbox(insights_rows=insights_rows) as box:
        app = {"app_id": box.app_id, "app_secret": box.app_secret}
        where = {"base_url": box.graph_url}
        echo(f"1. Sandbox Graph API running at {box.graph_url} (app id {box.app_id})")

        request = login_url(box.app_id, REDIRECT_URI, ["ads_read"], dialog_url=box.dialog_url)
        echo(f"2. Login dialog: {request.url.split('?')[0]} asking for {', '.join(request.scopes)}")
        redirected = box.approve(request.url, user="alice")
        code = parse_redirect(redirected, request.state, redirect_uri=REDIRECT_URI)
        echo("3. alice pressed Allow; the redirect's state matched and carried a code")

        short = exchange_code(code, redirect_uri=REDIRECT_URI, **app, **where)
        echo(f"4. Code exchanged for {short} (expires {describe_delta(short.expires_in())})")
        long = extend_token(short, **app, **where)
        before, after = describe_delta(short.expires_in()), describe_delta(long.expires_in())
        echo(f"5. Extended: {short} ({before}) -> {long} ({after})")

        info = inspect_token(long, **app, **where)
        echo("6. debug_token says:")
        echo(
            frames.token_info_frame(info, token=long, profile="demo")
            .drop(columns=["backend", "checked_at"])
            .T.to_string()
        )
        perms = permissions(long, **where)
        echo("\n7. Scopes and granular targets:")
        echo(frames.scopes_frame_from(info, perms).to_string(index=False))

        with GraphSession(long, app_secret=box.app_secret, base_url=box.graph_url) as meta:
            account = next(iter(meta.pages("me/adaccounts")))["id"]
            campaigns = meta.frame(f"{account}/campaigns")
            insights = meta.frame(f"{account}/insights", limit=500)
            echo(f"\n8. {len(campaigns)} campaigns of {account}:")
            echo(campaigns.to_string(index=False))
            echo(f"\n9. {len(insights)} insights rows, paged 500 at a time; the first five:")
            echo(insights.head().to_string(index=False))
            if meta.usage is not None:
                echo(f"\nApp usage after the pull: {meta.usage.app}")
    echo("\nDone: every call went to the local sandbox; no token was printed in full.")
    return 0


# --- JupyterLab ---------------------------------------------------------------------------------
def lab_command(
    notebook: Path = NOTEBOOK,
    *,
    config_dir: Path | None = None,
    port: int | None = None,
    token: str | None = None,
    open_browser: bool = True,
) -> tuple[list[str], Path, dict[str, str]]:
    """The command, working folder and environment that start JupyterLab on ``notebook``.

    The server root is the repository (so the other notebooks are a click
    away), it listens on 127.0.0.1 only, and runs as root only where the
    user is root (containers), which JupyterLab refuses without ``--allow-root``.
    Its kernels get :func:`demo_environment` with ``config_dir`` (default: a
    new temporary folder), so the demo leaves the user's store alone.

    Raises
    ------
    FileNotFoundError
        JupyterLab is not installed next to this Python (nor on PATH).
    """
    here = str(Path(sys.executable).parent)
    lab = shutil.which("jupyter-lab", path=here) or shutil.which("jupyter-lab")
    if lab is None:
        raise FileNotFoundError("jupyter-lab is not installed here (pip install jupyterlab)")
    root = notebook.parent.parent
    command = [lab, notebook.relative_to(root).as_posix(), "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}"]
    if port is not None:
        command += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if token is not None:
        command.append(f"--ServerApp.token={token}")
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    env = demo_environment(config_dir or Path(tempfile.mkdtemp(prefix="meta-auth-demo-")))
    return command, root, env


def copy_notebooks(into: Path, source: Path = NOTEBOOK) -> Path:
    """Copies of the repository's notebooks in ``into/notebooks``; the copy of ``source``.

    JupyterLab opens and autosaves these: the repository's notebooks stay as
    they are, and what the notebooks write (checkpoint files) stays here too.
    """
    folder = into / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(source.parent.glob("*.ipynb")):
        shutil.copy2(notebook, folder / notebook.name)
    return folder / source.name


def free_port(preferred: int = 8888, tries: int = 20) -> int:
    """The first port from ``preferred`` on that nothing listens on at 127.0.0.1."""
    for port in range(preferred, preferred + tries):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_lab(echo: Callable[[str], None] = print, *, port: int | None = None, open_browser: bool = True) -> int:
    """JupyterLab on copies of the notebooks in a temporary folder (blocks until Ctrl-C); its address printed last.

    Headless where JupyterLab cannot run.
    """
    if not NOTEBOOK.exists():
        echo("The quickstart notebook is not part of an installed package; running the flow headless instead.\n")
        return run_headless(echo)
    with tempfile.TemporaryDirectory(prefix="meta-auth-demo-") as tmp:
        work = Path(tmp)
        notebook = copy_notebooks(work)
        chosen = port or free_port()
        token = secrets.token_urlsafe(16)
        try:
            command, root, env = lab_command(
                notebook, config_dir=work / "config", port=chosen, token=token, open_browser=False
            )
        except FileNotFoundError as error:
            echo(f"{error}; running the quickstart headless instead.\n")
            return run_demo(execute=True)
        echo(
            f"Starting JupyterLab on copies of the notebooks in {work} (the repository's stay as they are; nothing "
            "is saved outside that temporary folder, which goes when JupyterLab stops)..."
        )
        log = work / "jupyterlab.log"
        with open(log, "wb") as sink:
            # No terminal for JupyterLab: Ctrl-C stops it at once instead of asking for a confirmation.
            process = subprocess.Popen(
                command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT
            )
        stop_on_term = _on_sigterm_stop()
        try:
            if not _wait_until_up(process, chosen, token):
                tail = log.read_text(errors="replace").strip()[-2000:]
                echo(f"JupyterLab did not start:\n{tail}")
                if f"{chosen}" in tail and "in use" in tail:
                    echo(f"Port {chosen} is taken: run `meta-auth demo --port {free_port(chosen + 1)}`.")
                return 1
            url = f"http://127.0.0.1:{chosen}/lab/tree/notebooks/{notebook.name}?token={token}"
            opened = open_browser and _open(url)
            echo("")
            echo("Run the quickstart's cells: its login cell starts the built-in sandbox (no Meta app needed).")
            echo("Ctrl-C here stops JupyterLab.")
            echo(f"JupyterLab is ready{' in your browser' if opened else ''}. Its address:")
            echo(f"  {url}")
            return process.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            stop_on_term()
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def _on_sigterm_stop() -> Callable[[], None]:
    """Until the returned function is called, SIGTERM stops the demo as Ctrl-C does (JupyterLab and its folder go).

    Only where signals can be set (the main thread); elsewhere nothing changes.
    """

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        return lambda: None

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _wait_until_up(process: subprocess.Popen[bytes], port: int, token: str, limit: float = 120.0) -> bool:
    """Wait for the server to answer (False when it exits or takes longer than ``limit`` seconds)."""
    import httpx

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            answer = httpx.get(f"http://127.0.0.1:{port}/api/status", params={"token": token}, timeout=2)
            if answer.status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    return False


def _open(url: str) -> bool:
    """Open ``url`` in the person's browser, if there is one here."""
    import webbrowser

    try:
        return bool(webbrowser.open(url))
    except webbrowser.Error:
        return False


def run_demo(*, execute: bool = False, port: int | None = None) -> int:
    """``meta-auth demo``: JupyterLab on the quickstart, or run it headless with ``execute``."""
    if not execute:
        return run_lab(port=port)
    if not NOTEBOOK.exists():
        return run_headless()
    try:
        import ipykernel  # noqa: F401
        import nbclient  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as error:
        print(f"Running a notebook needs nbclient and ipykernel ({error}); running the flow as a script instead.\n")
        return run_headless()
    return run_notebook(NOTEBOOK)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``meta-auth demo`` options."""
    parser.add_argument(
        "--execute", action="store_true", help="run the quickstart headless against the sandbox and print the results"
    )
    parser.add_argument(
        "--port",
        type=port_arg,
        default=None,
        metavar="N",
        help="JupyterLab's port (default: 8888, or the next free one)",
    )


def run(args: argparse.Namespace, context: CommandContext) -> int:
    """``meta-auth demo``."""
    return run_demo(execute=args.execute, port=args.port or None)


COMMAND: Command = ("try the whole flow against the sandbox", add_arguments, run)
