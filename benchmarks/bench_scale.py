"""Pulls bigger than memory: 200 ad accounts x 365 days of daily ad rows, written slice by slice.

The sandbox (in its own process, see ``_sandbox.py``) has 200 ad accounts of
20 ads each; the pull is ``level="ad"``, ``time_increment=1`` over 2025,
impressions, clicks, spend and ``actions``: 7,300 rows an account, 1,460,000
in all, each account one report run. Each contender runs in a **fresh
process** of its own, so its peak memory (``ru_maxrss``) is its own:

``folder`` (200 accounts, and 50)
    ``meta.insights(accounts, ..., to=folder)``: each slice written as a
    Parquet file as it arrives; the pull returns a pyarrow dataset.
``checkpoint`` (50 accounts)
    ``meta.insights(accounts, ..., checkpoint=file)``: the SQLite
    checkpoint, a row per slice appended, and the DataFrame in memory.
``old JSON checkpoint``
    What the first checkpoint format wrote for the same slices: it rewrote
    one JSON file holding every row after each slice, so slice *k* cost the
    whole file so far. Computed exactly from the slices' JSON (the same
    encoding it used), not run: at this size it would write tens of
    gigabytes.

Figures: bytes written per slice (the Parquet file and its manifest line;
the SQLite file's growth; the old file's size after each slice) for the
first, middle and last tenth of the slices, so a cost that grows with the
pull shows; peak memory; and time against the **critical path**: the
sandbox makes every run's rows in one worker, one run after another, so the
pull cannot end before that work (measured by the sandbox) is done; the
figure is our wall time over it.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from _sandbox import RemoteSandbox

HERE = Path(__file__).resolve().parent
ACCOUNTS = 200
SMALL = 50
LATENCY_MS = 50
SINCE, UNTIL = "2025-01-01", "2025-12-31"
FIELDS = ["impressions", "clicks", "spend", "actions"]
#: Report runs as fast as the sandbox can make their rows: the work, not a simulated wait, is the bound.
FAST_RUNS = {"insights_job_s": 0.2, "insights_job_rows_per_s": 1e6, "insights_ready_s": 0.05}
CRITICAL_MAX = 1.5


def _pull(graph_url: str, token: str, accounts: list[str], how: str, where: str) -> dict[str, Any]:
    """One contender in this (fresh) process; what it wrote and its peak memory."""
    import meta_auth_nb as mab

    arrived: list[int] = []
    path = Path(where)

    def progress(seen: Any) -> None:
        if seen.reason.endswith(" rows"):
            arrived.append(seen.rows)

    started = time.perf_counter()
    with mab.GraphSession(token, base_url=graph_url) as meta:
        result = meta.insights(
            accounts,
            level="ad",
            time_range={"since": SINCE, "until": UNTIL},
            time_increment=1,
            fields=FIELDS,
            progress=progress,
            **({"to": path} if how == "folder" else {"checkpoint": path}),
        )
    elapsed = time.perf_counter() - started
    rows = result.count_rows() if how == "folder" else len(result)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if how == "folder":
        manifest = [json.loads(line) for line in (path / "_pull.jsonl").read_text().splitlines()]
        written = [(path / m["file"]).stat().st_size + len(json.dumps(m)) + 1 for m in manifest if "slice" in m]
    else:
        written = _slice_payloads(path)
    return {"s": elapsed, "rows": rows, "peak_mb": peak_mb, "written": written, "slices": len(arrived)}


def _slice_payloads(checkpoint: Path) -> list[int]:
    """What each slice adds to the SQLite checkpoint, in the order they arrived: its key and rows (JSON)."""
    with closing(sqlite3.connect(checkpoint)) as db:
        found = db.execute("SELECT key, rows FROM slices ORDER BY rowid").fetchall()
    return [len(key) + len(rows.encode()) + 8 for key, rows in found]


def _old_json_writes(checkpoint: Path) -> list[int]:
    """Bytes the first format wrote after each slice: the whole file so far (header, then every slice's JSON)."""
    total, out = 1_000, []  # the head (query, accounts, ranges): about a kilobyte
    for size in _slice_payloads(checkpoint):
        total += size
        out.append(total)
    return out


def _tenths(values: list[int]) -> dict[str, float]:
    """Mean bytes per slice over the first, middle and last tenth of the slices."""
    n = max(1, len(values) // 10)
    middle = len(values) // 2
    pick = {"first": values[:n], "middle": values[middle - n // 2 : middle - n // 2 + n], "last": values[-n:]}
    return {k: sum(v) / len(v) for k, v in pick.items() if v}


def _contender(box: RemoteSandbox, how: str, accounts: list[str], where: Path) -> dict[str, Any]:
    token = box.issue_token()
    before = box.report_run_seconds()
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_scale as b; "
        "print(json.dumps(b._pull(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5], sys.argv[6])))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(HERE), box.graph_url, token, json.dumps(accounts), how, str(where)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["server_s"] = box.report_run_seconds() - before
    return result


def run(log: Any = print) -> dict[str, Any]:
    """Every contender once (see the module); the figures."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp,
        RemoteSandbox(seed=0, ad_accounts=ACCOUNTS, latency_ms=LATENCY_MS, tier="standard", **FAST_RUNS) as box,
    ):
        accounts = box.ad_account_ids()
        folder = _contender(box, "folder", accounts, Path(tmp) / "pull")
        log(f"  scale: to= folder, {folder['rows']:,} rows in {folder['s']:.1f}s, peak {folder['peak_mb']:.0f} MB")
        small = _contender(box, "folder", accounts[:SMALL], Path(tmp) / "small")
        log(f"  scale: to= folder, {small['rows']:,} rows, peak {small['peak_mb']:.0f} MB")
        checkpoint_path = Path(tmp) / "pull.checkpoint"
        checkpoint = _contender(box, "checkpoint", accounts[:SMALL], checkpoint_path)
        log(f"  scale: checkpoint + frame, {checkpoint['rows']:,} rows, peak {checkpoint['peak_mb']:.0f} MB")
        old = _old_json_writes(checkpoint_path)
        checkpoint_bytes = os.path.getsize(checkpoint_path)
    for result in (folder, small, checkpoint):
        result["per_slice"] = _tenths(result.pop("written"))
        result["ratio_to_critical"] = result["s"] / result["server_s"]
    return {
        "accounts": ACCOUNTS,
        "small": SMALL,
        "latency_ms": LATENCY_MS,
        "folder": folder,
        "folder_small": small,
        "checkpoint": checkpoint,
        "checkpoint_file_bytes": checkpoint_bytes,
        "old_json": {"per_slice": _tenths(old), "total_bytes": sum(old), "slices": len(old)},
        "critical_max": CRITICAL_MAX,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))


def _mb(value: float) -> str:
    return f"{value / 1e6:,.2f} MB"


def table(got: dict[str, Any]) -> tuple[list[list[str]], bool]:
    """Rows for the scale benchmark; whether its targets are met (flat per-slice cost, bounded memory)."""
    folder, small, checkpoint, old = got["folder"], got["folder_small"], got["checkpoint"], got["old_json"]
    k, s = got["accounts"], got["small"]

    def tenths(per: dict[str, float]) -> str:
        return f"{_mb(per['first'])} / {_mb(per['middle'])} / {_mb(per['last'])}"

    flat = folder["per_slice"]["last"] <= 1.5 * folder["per_slice"]["first"]
    bounded = folder["peak_mb"] <= 1.25 * small["peak_mb"]
    critical_ok = folder["ratio_to_critical"] <= got["critical_max"]
    rows = [
        [
            f"Scale, {k} ad accounts x 365 days of daily ad rows: to= folder (Parquet)",
            f"{folder['rows']:,} rows, {folder['slices']} slices in {folder['s']:.1f} s; peak memory "
            f"{folder['peak_mb']:.0f} MB",
            "",
            "",
        ],
        [
            f"Scale: to= folder, bytes written per slice (first / middle / last tenth of {folder['slices']})",
            tenths(folder["per_slice"]),
            "flat",
            _verdict(flat),
        ],
        [
            f"Scale: to= folder, peak memory at {k} accounts vs {s}",
            f"{folder['peak_mb']:.0f} MB vs {small['peak_mb']:.0f} MB",
            "bounded (<= 1.25x)",
            _verdict(bounded),
        ],
        [
            f"Scale: checkpoint= (SQLite) and the DataFrame, {s} accounts",
            f"{checkpoint['rows']:,} rows in {checkpoint['s']:.1f} s; peak memory {checkpoint['peak_mb']:.0f} MB; "
            f"per slice {tenths(checkpoint['per_slice'])}; file {_mb(got['checkpoint_file_bytes'])}",
            "",
            "",
        ],
        [
            f"Scale: the old JSON checkpoint, the same {old['slices']} slices",
            f"per slice {tenths(old['per_slice'])}; {_mb(old['total_bytes'])} written in all",
            "",
            "",
        ],
        [
            "Scale: to= folder vs its critical path (the sandbox's own work making the rows)",
            f"{folder['ratio_to_critical']:.2f}x ({folder['server_s']:.1f} s of row-making)",
            f"aim <= {got['critical_max']:g}x",
            "met" if critical_ok else "not met",
        ],
    ]
    return rows, flat and bounded


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def markdown(got: dict[str, Any], facts: dict[str, Any], rows: list[list[str]]) -> str:
    """The README section of the scale benchmark."""
    v = facts["versions"]
    return "\n".join(
        [
            f"Run of {facts['date']} on {facts['nproc']} CPU(s), {facts['implementation']} {facts['python']}, "
            f"{facts['platform']}; commit {facts['commit']}; pyarrow {v.get('pyarrow', '?')}. Each contender in a "
            "fresh process beside the sandbox's, one after the other, on a shared machine.",
            "",
            "| Benchmark | Figure | Target | Result |",
            "|---|---|---|---|",
            *[f"| {' | '.join(row)} |" for row in rows],
        ]
    )
