"""Time to a usable panel: ``%load_ext meta_auth_nb`` and ``%meta_login --sandbox`` in a fresh kernel.

Each sample is a fresh IPython kernel (``sys.executable``'s ipykernel, started
with jupyter_client, as JupyterLab starts one), already up: the clock starts
when the cell is sent and stops when the panel's widget reaches the client
(its ``display_data``), which is when a front end can draw it. The cell also
times its own phases: the import (``%load_ext``, the package and its magics),
and ``%meta_login --sandbox`` up to the panel shown (the kernel's sandbox
started, the panel's widgets built and their templates rendered).

Bytecode: as in ``bench_import.py``, a private ``PYTHONPYCACHEPREFIX`` with
writing enabled and two unmeasured warm-up kernels, so the figures are those
of an installed package with its ``.pyc`` files. The kernels get the demo's
environment (a private config folder, no system keyring, no ``META_*``).
"""

from __future__ import annotations

import ast
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RUNS = 7
WARMUPS = 2
#: What "usable" means here: the panel reaches the client within this many seconds of the cell being sent.
TARGET_S = 1.0
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

_CELL = """import time as _bench_time
_bench_started = _bench_time.perf_counter()
%load_ext meta_auth_nb
_bench_loaded = _bench_time.perf_counter()
%meta_login --sandbox
_bench_shown = _bench_time.perf_counter()"""
_PHASES = "print({'import_s': _bench_loaded - _bench_started, 'login_s': _bench_shown - _bench_loaded})"


def _kernel_env(folder: Path, cache: str) -> dict[str, str]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from meta_auth_nb.cli.demo_kernel import kernel_env

    env = kernel_env(folder / "config", autopilot=None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def _one(env: dict[str, str], cwd: Path) -> dict[str, float]:
    """One fresh kernel: the time to the panel as the client sees it, and the kernel's own phases."""
    from meta_auth_nb.cli.demo_kernel import _kernel_manager_class

    # This interpreter's ipykernel, whatever the machine's default kernelspec is.
    manager = _kernel_manager_class(cwd / "kernels")(kernel_name="python3")
    manager.start_kernel(env=env, cwd=str(cwd), stderr=subprocess.DEVNULL)  # its start-up warnings
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        started = time.perf_counter()
        msg_id = client.execute(_CELL)
        shown = None
        while True:
            msg = client.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "display_data" and WIDGET_VIEW in msg["content"].get("data", {}) and shown is None:
                shown = time.perf_counter() - started
            elif kind == "error":
                raise RuntimeError("the benchmark cell failed: " + " ".join(msg["content"]["traceback"])[-2000:])
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                break
        done = time.perf_counter() - started
        reply = client.execute_interactive(_PHASES, timeout=60, output_hook=_collect(phases := []))
        assert reply["content"]["status"] == "ok"
        inside = ast.literal_eval(phases[0].strip())  # the dict the kernel printed
        if shown is None:
            raise RuntimeError("the panel never reached the client")
        return {"to_panel_s": shown, "cell_s": done, **inside}
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _collect(into: list[str]) -> Callable[[dict[str, Any]], None]:
    def hook(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            into.append(msg["content"]["text"])

    return hook


def run(runs: int = RUNS, log: Callable[[str], None] = print) -> dict[str, Any]:
    samples: list[dict[str, float]] = []
    uncached: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="meta-auth-bench-panel-") as tmp:
        folder = Path(tmp)
        env = _kernel_env(folder, str(folder / "pyc"))
        for _ in range(WARMUPS):  # fill the bytecode cache; not measured
            _one(env, folder)
        for _ in range(runs):
            samples.append(_one(env, folder))
        # The coldest case: no bytecode cache at all, so the package's modules are compiled as they load.
        bare = {k: v for k, v in env.items() if k != "PYTHONPYCACHEPREFIX"}
        bare["PYTHONDONTWRITEBYTECODE"] = "1"
        for _ in range(max(3, runs // 2)):
            uncached.append(_one(bare, folder))
    result: dict[str, Any] = {"runs": runs, "target_s": TARGET_S, "samples": samples, "uncached_samples": uncached}
    for key in ("to_panel_s", "import_s", "login_s", "cell_s"):
        result[key] = statistics.median(s[key] for s in samples)
    result["worst_to_panel_s"] = max(s["to_panel_s"] for s in samples)
    result["uncached_to_panel_s"] = statistics.median(s["to_panel_s"] for s in uncached)
    log(
        f"  panel: {result['to_panel_s'] * 1000:.0f} ms to the panel in a fresh kernel (median of {runs}; "
        f"import {result['import_s'] * 1000:.0f} ms, %meta_login --sandbox {result['login_s'] * 1000:.0f} ms; "
        f"worst {result['worst_to_panel_s'] * 1000:.0f} ms); without cached bytecode "
        f"{result['uncached_to_panel_s'] * 1000:.0f} ms"
    )
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
