"""Running a notebook in a real kernel for ``meta-auth demo --execute``: the demo's own world, text results.

The kernel gets :func:`demo_environment` (no ``META_*`` of the caller, a
private config folder, no system keyring) and the sandbox autopilot; it runs
a copy of the notebook in a temporary folder, and each result is printed as
text under its section's heading (a heading with nothing under it is left out).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .._base.settings import ENV_AUTOPILOT

__all__ = ["CELL_TIMEOUT", "NOTEBOOK", "REPO_ROOT", "demo_environment", "kernel_env", "notebook_client", "run_notebook"]

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


class _Headed:
    """Echoes text under the latest heading, printing the heading only once something stands under it."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo
        self.heading: str | None = None

    def head(self, title: str) -> None:
        self.heading = title  # a heading with nothing under it before the next one is never printed

    def __call__(self, text: str) -> None:
        if not text.strip():
            return
        if self.heading is not None:
            self.echo(f"\n== {self.heading} ==")
            self.heading = None
        self.echo(text)


def run_notebook(
    path: Path = NOTEBOOK,
    echo: Callable[[str], None] = print,
    *,
    autopilot: str = "alice",
    timeout: int = CELL_TIMEOUT,
) -> int:
    """Run a copy of ``path`` top to bottom in a real kernel in a temporary folder, printing headings and results.

    The kernel runs next to the copy, so whatever the notebook writes (a
    checkpoint file, say) lands in the temporary folder, never beside ``path``.

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
        (work / "notebooks").mkdir()
        client = notebook_client(nb, work / "notebooks", kernels_dir=work / "kernels", timeout=timeout)
        env = kernel_env(work / "config", autopilot=autopilot)
        log = work / "kernel.log"
        echo(f"Running {path.name} in a real kernel against the built-in sandbox (autopilot: {autopilot}).")
        said = _Headed(echo)
        # The kernel process' own log lines (not cell output) go to a file, shown only when something fails.
        with open(log, "wb") as kernel_log, client.setup_kernel(env=env, stderr=kernel_log):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "markdown":
                    for title in _HEADING.findall(cell.source):
                        said.head(title.strip())
                    continue
                try:
                    client.execute_cell(cell, index)
                except Exception as error:  # CellExecutionError, or a kernel that died or timed out
                    kind = "failed" if isinstance(error, CellExecutionError) else "stopped: the kernel did not answer"
                    echo(f"\nCell {index} of {path.name} (counting from 1) {kind}:\n{error}")
                    kernel_log.flush()
                    tail = log.read_text(errors="replace").strip()[-2000:]
                    if tail and not isinstance(error, CellExecutionError):
                        echo(f"\nKernel log:\n{tail}")
                    return 1
                if index:  # the terminal setup cell says nothing
                    _show_outputs(cell, said)
    echo("\nDone: every call went to the local sandbox; no token was printed in full.")
    return 0
