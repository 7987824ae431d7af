"""The leak guard's cost in a real kernel: a cell printing 10,000 lines, guard off and on.

``cell``
    Wall time of one cell, ``for i in range(10000): print(f"row {i}:
    value={i * 3.5} ok")``, measured by the client as a frontend sees it:
    from sending the execute request until the kernel is idle again and every
    line has arrived (each run checks that all 10,000 did). The guard is
    switched with ``meta_auth_nb.leak_guard.install()`` / ``uninstall()`` in
    a cell of its own, so the workload cell is the same code both ways. With
    the guard on, the kernel's outgoing messages are redacted
    (``Session.serialize`` wrapped): what the cell prints is sent in a few
    stream messages, each of which the guard reads in full.
``per message``
    Inside the kernel, ``kernel.session.serialize(msg)`` timed with the guard
    off and on for typical messages: a one-line stream message, a 100-line
    stream chunk (2.4 kB), the workload cell's whole output in one message
    (10,000 lines, 266 kB), a ``display_data`` with a DataFrame's HTML
    (200 rows) and a widget state update. The difference is what the guard
    adds to each such message. The 10,000-line figure is the guard's whole
    work for the cell however ipykernel batches it, so it also gives the
    cell's overhead without the timing noise of the cell figure.

The kernel is this interpreter's ipykernel (a private kernelspec), so the
installed meta_auth_nb is measured. After two warm-up runs each way, the
cell runs alternately off and on (the order flips every round, so both share
the machine's noise); medians are reported. Target: guard on at most 1.10x
the time with the guard off. Before timing, a printed token is checked to
come out masked with the guard on and whole with it off, so the benchmark
measures a working guard.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LINES = 10_000
ROUNDS = 25
CELL = f"for i in range({LINES}):\n    print(f'row {{i}}: value={{i * 3.5}} ok')"
CANARY = "EAA" + "Bench0Guard1Canary2" * 8

#: Runs in the kernel: times serialize() for typical messages; prints microseconds per call as JSON.
PER_MESSAGE = """
import json as _json, time as _time
import pandas as _pd
_session = get_ipython().kernel.session
_lines = "".join(f"row {i}: value={i * 3.5} ok\\n" for i in range(100))
_cell = "".join(f"row {i}: value={i * 3.5} ok\\n" for i in range(10000))
_frame = _pd.DataFrame({f"col{c}": [f"campaign {r}-{c}" for r in range(200)] for c in range(8)})
_html = {"text/html": _frame.to_html(), "text/plain": repr(_frame)}
_state = {f"key{k}": f"value {k}" for k in range(30)}
_messages = {
    "stream, one line": _session.msg("stream", {"name": "stdout", "text": "row 1: value=3.5 ok\\n"}),
    "stream, 100 lines": _session.msg("stream", {"name": "stdout", "text": _lines}),
    "stream, the cell's 10,000 lines": _session.msg("stream", {"name": "stdout", "text": _cell}),
    "DataFrame HTML": _session.msg("display_data", {"data": _html, "metadata": {}}),
    "widget update": _session.msg(
        "comm_msg", {"comm_id": "c" * 32, "data": {"method": "update", "state": _state, "buffer_paths": []}}
    ),
}
def _per_call(msg):
    n = max(5, 200000 // len(_json.dumps(msg["content"])))
    best = float("inf")
    for _ in range(5):
        started = _time.perf_counter()
        for _ in range(n):
            _session.serialize(msg)
        best = min(best, (_time.perf_counter() - started) / n)
    return best * 1e6
_sizes = {name: len(_json.dumps(m["content"])) for name, m in _messages.items()}
_costs = {}
for _on in (False, True):
    (guard.install if _on else guard.uninstall)()
    _costs["on" if _on else "off"] = {name: _per_call(m) for name, m in _messages.items()}
guard.uninstall()
print("PER_MESSAGE " + _json.dumps({"sizes": _sizes, **_costs}))
"""


def _kernel(folder: Path) -> tuple[Any, Any]:
    """Start this interpreter's ipykernel from a private kernelspec; return (manager, client)."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec = folder / "kernels" / "meta-auth-bench"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "bench", "language": "python"}))
    manager = KernelManager(
        kernel_name="meta-auth-bench", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec.parent)])
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("META_") and k != "PYTEST_CURRENT_TEST"}
    manager.start_kernel(env=env, cwd=str(folder))
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=120)
    return manager, client


def _execute(client: Any, code: str) -> tuple[float, str]:
    """Run ``code``; return the wall time until idle and everything printed."""
    printed: list[str] = []

    def hook(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))

    started = time.perf_counter()
    reply = client.execute_interactive(code, output_hook=hook, timeout=300)
    elapsed = time.perf_counter() - started
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"benchmark cell failed: {reply['content'].get('evalue')}")
    return elapsed, "".join(printed)


def run(rounds: int = ROUNDS, log: Callable[[str], None] = print) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="meta-auth-bench-guard-") as tmp:
        manager, client = _kernel(Path(tmp))
        try:
            _execute(client, "import meta_auth_nb.notebook.leak_guard as guard")
            switch = {"on": "guard.install()", "off": "guard.uninstall()"}
            for state in ("on", "off"):  # the guard works, or the figure means nothing
                _execute(client, switch[state])
                _, printed = _execute(client, f"print({CANARY!r})")
                if (CANARY in printed) != (state == "off"):
                    raise AssertionError(f"guard {state}: the token came out {printed.strip()[:12]}...")

            def timed(state: str) -> float:
                _execute(client, switch[state])
                elapsed, printed = _execute(client, CELL)
                if printed.count("\n") != LINES:
                    raise AssertionError(f"guard {state}: {printed.count(chr(10))} lines arrived, not {LINES}")
                return elapsed

            for _ in range(2):
                timed("off")
                timed("on")
            times: dict[str, list[float]] = {"off": [], "on": []}
            for index in range(rounds):
                for state in ("off", "on") if index % 2 == 0 else ("on", "off"):
                    times[state].append(timed(state))
            _, printed = _execute(client, PER_MESSAGE)
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    per_message = json.loads(printed.split("PER_MESSAGE ", 1)[1])
    off, on = statistics.median(times["off"]), statistics.median(times["on"])
    result = {
        "lines": LINES,
        "rounds": rounds,
        "times": times,
        "off_s": off,
        "on_s": on,
        "ratio": on / off,
        "per_message_us": {name: per_message["on"][name] - per_message["off"][name] for name in per_message["on"]},
        "serialize_us": {"off": per_message["off"], "on": per_message["on"]},
        "message_chars": per_message["sizes"],
    }
    costs = ", ".join(f"{name} +{us:.0f} µs" for name, us in result["per_message_us"].items())
    log(
        f"  guard: {LINES:,} printed lines {off * 1000:.0f} ms off, {on * 1000:.0f} ms on "
        f"(ratio {result['ratio']:.3f}); per message: {costs}"
    )
    return result


if __name__ == "__main__":
    run()
