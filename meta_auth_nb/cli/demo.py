"""``meta-auth demo``: the quickstart notebook, in JupyterLab or run headless.

``meta-auth demo`` opens ``notebooks/01_quickstart.ipynb`` in JupyterLab
(its login cell starts the built-in sandbox). ``meta-auth demo --execute``
runs the same notebook top to bottom in a real kernel with nbclient, the
sandbox autopilot playing the person at the login panel, and prints each
result (text and DataFrames) to the terminal. Nothing is sent to Meta and
nothing is stored outside a temporary folder.

An installed package has no ``notebooks/`` folder: there, ``--execute``
falls back to :func:`run_headless`, the same flow as a plain script.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .._base.settings import ENV_AUTOPILOT, LOOPBACK_REDIRECT_URI
from .common import Command, CommandContext

__all__ = [
    "COMMAND",
    "NOTEBOOK",
    "kernel_env",
    "lab_command",
    "notebook_client",
    "run_demo",
    "run_headless",
    "run_lab",
    "run_notebook",
]

REDIRECT_URI = LOOPBACK_REDIRECT_URI  # accepted unregistered: the sandbox app is in development mode
REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO_ROOT / "notebooks" / "01_quickstart.ipynb"
CELL_TIMEOUT = 120
#: Shown instead of a widget's text form (a progress bar or the panel says nothing useful as text).
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# Wider frames in a terminal than a notebook's default 80 columns; run before the notebook, never saved.
_TERMINAL_SETUP = 'import pandas as pd\npd.set_option("display.width", 160)\npd.set_option("display.max_columns", 20)'
_HEADING = re.compile(r"^#{1,3}\s+(.*)$", re.MULTILINE)


# --- the demo's own world -----------------------------------------------------------------------
def demo_environment(config_dir: Path) -> dict[str, str]:
    """This process's environment minus every ``META_*`` setting, with a private config folder and no keyring.

    A developer's own app or token never reaches a demo kernel, and the demo
    never writes the user's real profile index or keyring: saved tokens go
    to the kernel's memory (keyring's "fail" backend) and the index to
    ``config_dir``.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("META_")}
    env["XDG_CONFIG_HOME"] = str(config_dir)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env


# --- running a notebook in a real kernel ------------------------------------------------------
def kernel_env(
    config_dir: Path, *, autopilot: str | None = "alice", extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of a headless kernel: sandbox autopilot, private config, no system keyring.

    Parameters
    ----------
    config_dir : Path
        ``XDG_CONFIG_HOME`` for the kernel (the profile index goes there).
    autopilot : str or None
        Sandbox user for ``META_AUTH_SANDBOX_AUTOPILOT``; None leaves it unset.
    extra : mapping, optional
        More variables (e.g. the settings of a sandbox started elsewhere).

    Notes
    -----
    See :func:`demo_environment`: no ``META_*`` setting of the caller, a
    private config folder, no system keyring.
    """
    env = demo_environment(config_dir)
    if autopilot:
        env[ENV_AUTOPILOT] = autopilot
    env.update(extra or {})
    return env


def _kernel_manager_class(kernels_dir: Path) -> type:
    """A KernelManager that starts *this* interpreter's ipykernel.

    The default ``python3`` kernelspec can be a user's own, pointing at a
    Python without meta_auth_nb; a private spec dir removes the doubt.
    """
    import json

    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from traitlets import default

    spec = kernels_dir / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (meta_auth_nb)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )

    class PinnedKernelManager(KernelManager):
        @default("kernel_spec_manager")
        def _pinned_specs(self) -> KernelSpecManager:
            return KernelSpecManager(kernel_dirs=[str(kernels_dir)])

    return PinnedKernelManager


def notebook_client(
    nb: Any,
    workdir: Path,
    *,
    kernels_dir: Path | None = None,
    timeout: int = CELL_TIMEOUT,
    store_widget_state: bool = False,
) -> Any:
    """An nbclient ``NotebookClient`` for ``nb`` on this interpreter's kernel, run in ``workdir``.

    Parameters
    ----------
    kernels_dir : Path, optional
        Where the private kernelspec is written (default ``workdir/.kernels``).

    Start it with ``client.execute(env=...)`` or ``with client.setup_kernel(env=...)``.
    """
    from nbclient import NotebookClient

    return NotebookClient(
        nb,
        kernel_name="python3",
        kernel_manager_class=_kernel_manager_class(kernels_dir or workdir / ".kernels"),
        timeout=timeout,
        store_widget_state=store_widget_state,
        resources={"metadata": {"path": str(workdir)}},
    )


def _show_outputs(cell: Any, echo: Callable[[str], None]) -> None:
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") == "stdout":  # stderr holds log lines (e.g. "kept in memory only")
                echo(output.get("text", "").rstrip("\n"))
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {})
            if WIDGET_MIME not in data and "text/plain" in data:
                echo(data["text/plain"])


def run_notebook(
    path: Path = NOTEBOOK,
    echo: Callable[[str], None] = print,
    *,
    autopilot: str = "alice",
    timeout: int = CELL_TIMEOUT,
) -> int:
    """Run ``path`` top to bottom in a real kernel, printing headings and text results.

    Returns
    -------
    int
        0 when every cell ran; 1 when one failed (its error is printed).
    """
    import nbformat
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(_TERMINAL_SETUP))
    with tempfile.TemporaryDirectory(prefix="meta-auth-demo-") as tmp:
        work = Path(tmp)
        # The kernel runs next to the notebook (as in Jupyter); its kernelspec stays out of the repository.
        client = notebook_client(nb, path.parent, kernels_dir=work / "kernels", timeout=timeout)
        env = kernel_env(work / "config", autopilot=autopilot)
        log = work / "kernel.log"
        echo(f"Running {path.name} in a real kernel against the built-in sandbox (autopilot: {autopilot}).")
        # The kernel process' own log lines (not cell output) go to a file, shown only when something fails.
        with open(log, "wb") as kernel_log, client.setup_kernel(env=env, stderr=kernel_log):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "markdown":
                    for title in _HEADING.findall(cell.source):
                        echo(f"\n== {title.strip()} ==")
                    continue
                try:
                    client.execute_cell(cell, index)
                except Exception as error:  # CellExecutionError, or a kernel that died or timed out
                    kind = "failed" if isinstance(error, CellExecutionError) else f"stopped ({type(error).__name__})"
                    echo(f"\nCell {index} of {path.name} (counting from 1) {kind}:\n{error}")
                    kernel_log.flush()
                    tail = log.read_text(errors="replace").strip()[-2000:]
                    if tail and not isinstance(error, CellExecutionError):
                        echo(f"\nKernel log:\n{tail}")
                    return 1
                if index:  # the terminal setup cell says nothing
                    _show_outputs(cell, echo)
    echo("\nDone: every call went to the local sandbox; no token was printed in full.")
    return 0


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


def run_lab(echo: Callable[[str], None] = print) -> int:
    """JupyterLab on the quickstart notebook (blocks until Ctrl-C); headless where that cannot be."""
    if not NOTEBOOK.exists():
        echo("The quickstart notebook is not part of an installed package; running the flow headless instead.\n")
        return run_headless(echo)
    with tempfile.TemporaryDirectory(prefix="meta-auth-demo-") as config_dir:
        try:
            command, root, env = lab_command(config_dir=Path(config_dir))
        except FileNotFoundError as error:
            echo(f"{error}; running the quickstart headless instead.\n")
            return run_demo(execute=True)
        echo(
            f"Starting JupyterLab on {NOTEBOOK.relative_to(root)}: run its cells; the login cell starts the "
            "built-in sandbox (no Meta app needed). Nothing is saved outside a temporary folder. "
            "Ctrl-C stops JupyterLab."
        )
        try:
            return subprocess.call(command, cwd=root, env=env)
        except KeyboardInterrupt:
            return 0


def run_demo(*, execute: bool = False) -> int:
    """``meta-auth demo``: JupyterLab on the quickstart, or run it headless with ``execute``."""
    if not execute:
        return run_lab()
    if not NOTEBOOK.exists():
        return run_headless()
    try:
        import ipykernel  # noqa: F401
        import nbclient  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as error:
        print(f"Running a notebook needs nbclient and ipykernel ({error}); running the flow as a script instead.\n")
        return run_headless()
    return run_notebook()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``meta-auth demo`` options."""
    parser.add_argument(
        "--execute", action="store_true", help="run the quickstart headless against the sandbox and print the results"
    )


def run(args: argparse.Namespace, context: CommandContext) -> int:
    """``meta-auth demo``."""
    return run_demo(execute=args.execute)


COMMAND: Command = ("try the whole flow against the sandbox", add_arguments, run)
