"""Run every benchmark, print the figures and rewrite them into README.md.

    python benchmarks/run.py                # all four, rewrites benchmarks/README.md
    python benchmarks/run.py --no-readme    # print only
    python benchmarks/run.py --only paging,import --rounds 3
    python benchmarks/run.py --only guard   # rewrites the guard's figures only
    python benchmarks/run.py --only insights   # rewrites the insights figures only
    python benchmarks/run.py --only scale      # rewrites the scale figures only

The figures of ``benchmarks/README.md`` are replaced with this run's: paging,
inspect and import between the ``<!-- results:start -->`` and
``<!-- results:end -->`` markers, the leak guard between
``<!-- guard-results:start -->`` and ``<!-- guard-results:end -->``, insights
at scale between ``<!-- insights-results:start -->`` and
``<!-- insights-results:end -->``; a section
whose benchmarks did not run is left as it was. The raw timings go to
``benchmarks/results/latest.json`` (git-ignored). Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_guard  # noqa: E402
import bench_import  # noqa: E402
import bench_insights  # noqa: E402
import bench_inspect  # noqa: E402
import bench_paging  # noqa: E402
import bench_panel  # noqa: E402
import bench_ratelimit  # noqa: E402
import bench_scale  # noqa: E402

README = HERE / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
GUARD_START, GUARD_END = "<!-- guard-results:start -->", "<!-- guard-results:end -->"
INSIGHTS_START, INSIGHTS_END = "<!-- insights-results:start -->", "<!-- insights-results:end -->"
SCALE_START, SCALE_END = "<!-- scale-results:start -->", "<!-- scale-results:end -->"
PANEL_START, PANEL_END = "<!-- panel-results:start -->", "<!-- panel-results:end -->"
MAIN_BENCHES = ("paging", "ratelimit", "inspect", "import")
BENCHES = (*MAIN_BENCHES, "guard", "insights", "scale", "panel")

# targets (from the issue)
SDK_SPEEDUP_MIN = 3.0
BARE_RATIO_MAX = 1.3
CONCURRENT_RT_MAX = 2.0
IMPORT_MS_MAX = 50.0
GUARD_RATIO_MAX = 1.10
RATELIMIT_RATIO_MAX = bench_ratelimit.TARGET


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def _commit() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=HERE, capture_output=True, text=True
        ).stdout.strip()
        return f"{rev}{' + local changes' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict[str, Any]:
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(terse=True),
        "commit": _commit(),
        "versions": {
            d: _version(d)
            for d in (
                "httpx",
                "pandas",
                "facebook_business",
                "requests",
                "ipykernel",
                "jupyter_client",
                "pyzmq",
                "pyarrow",
            )
        },
    }


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(results: dict[str, Any]) -> tuple[list[list[str]], bool]:
    """Rows of (benchmark, figure, target, result) and whether every target is met."""
    rows: list[list[str]] = []
    ok = True
    paging = results.get("paging")
    if paging:
        n = f"{paging['rows']:,}"
        for name, label in (
            ("ours", "GraphSession.frame"),
            ("sdk", "facebook_business Cursor"),
            ("bare", "bare httpx loop"),
        ):
            rows.append(
                [
                    f"Paging {n} rows: {label}",
                    f"{paging['rows_per_s'][name]:,.0f} rows/s ({paging['best_s'][name]:.3f} s)",
                    "",
                    "",
                ]
            )
        speed_ok = paging["speedup_vs_sdk"] >= SDK_SPEEDUP_MIN
        bare_ok = paging["ratio_vs_bare"] <= BARE_RATIO_MAX
        ok &= speed_ok and bare_ok
        rows.append(
            [
                "Paging: ours vs SDK (rows/s ratio)",
                f"{paging['speedup_vs_sdk']:.2f}x faster",
                f">= {SDK_SPEEDUP_MIN:g}x",
                _verdict(speed_ok),
            ]
        )
        rows.append(
            [
                "Paging: ours vs bare loop (wall-time ratio)",
                f"{paging['ratio_vs_bare']:.2f}x",
                f"<= {BARE_RATIO_MAX:g}x",
                _verdict(bare_ok),
            ]
        )
    limits = results.get("ratelimit")
    if limits:
        rows += ratelimit_rows(limits)
        ok &= limits["ratio_to_minimum"] <= RATELIMIT_RATIO_MAX
    inspect = results.get("inspect")
    if inspect:
        conc_ok = inspect["concurrent_rt"] <= CONCURRENT_RT_MAX
        ok &= conc_ok
        k, lat = inspect["tokens"], inspect["latency_ms"]
        rows.append([f"Inspect: one round trip ({lat} ms latency)", f"{inspect['round_trip_s'] * 1000:.0f} ms", "", ""])
        rows.append(
            [
                f"Inspect {k} tokens: concurrent (inspect_tokens)",
                f"{inspect['concurrent_s'] * 1000:.0f} ms = {inspect['concurrent_rt']:.2f} round trips",
                f"<= {CONCURRENT_RT_MAX:g} round trips",
                _verdict(conc_ok),
            ]
        )
        rows.append(
            [
                f"Inspect {k} tokens: sequential ({k} x inspect_token)",
                f"{inspect['sequential_s'] * 1000:.0f} ms = {inspect['sequential_rt']:.1f} round trips",
                "(reference)",
                "",
            ]
        )
    imp = results.get("import")
    if imp:
        ms = imp["added_s"] * 1000
        time_ok = ms < IMPORT_MS_MAX
        heavy_ok = not imp["heavy_imported"]
        ok &= time_ok and heavy_ok
        rows.append(
            [
                "Cold `import meta_auth_nb` (added to a bare interpreter)",
                f"{ms:.1f} ms (bare {imp['bare_s'] * 1000:.1f} ms, with import {imp['import_s'] * 1000:.1f} ms)",
                f"< {IMPORT_MS_MAX:g} ms",
                _verdict(time_ok),
            ]
        )
        rows.append(
            [
                "Import pulls in pandas / httpx / ipywidgets?",
                ", ".join(imp["heavy_imported"]) or f"none ({imp['modules_added']} modules added)",
                "none",
                _verdict(heavy_ok),
            ]
        )
    return rows, ok


def guard_table(results: dict[str, Any]) -> tuple[list[list[str]], bool]:
    """Rows of (benchmark, figure, target, result) for the leak guard, and whether its target is met."""
    guard = results.get("guard")
    if not guard:
        return [], True
    ratio_ok = guard["ratio"] <= GUARD_RATIO_MAX
    n = f"{guard['lines']:,}"
    rows = [
        [f"Cell printing {n} lines, guard off", f"{guard['off_s'] * 1000:.0f} ms", "", ""],
        [f"Cell printing {n} lines, guard on", f"{guard['on_s'] * 1000:.0f} ms", "", ""],
        [
            "Guard on vs off (wall-time ratio)",
            f"{guard['ratio']:.3f}x",
            f"<= {GUARD_RATIO_MAX:.2f}x",
            _verdict(ratio_ok),
        ],
    ]
    for name, added in guard["per_message_us"].items():
        size = guard["message_chars"][name]
        before = guard["serialize_us"]["off"][name]
        rows.append(
            [
                f"Cost per output message: {name} ({size:,} chars)",
                f"+{added:.0f} µs (serializing it takes {before:.0f} µs without the guard)",
                "(reference)",
                "",
            ]
        )
    return rows, ratio_ok


def guard_markdown(results: dict[str, Any], facts: dict[str, Any], rows: list[list[str]]) -> str:
    guard = results["guard"]
    v = facts["versions"]
    times = "; ".join(
        f"guard {state} " + ", ".join(f"{t * 1000:.0f}" for t in guard["times"][state]) for state in ("off", "on")
    )
    return "\n".join(
        [
            f"Run of {facts['date']} on {facts['nproc']} CPU(s), {facts['implementation']} {facts['python']}, "
            f"{facts['platform']}; commit {facts['commit']}.",
            f"ipykernel {v['ipykernel']}, jupyter_client {v['jupyter_client']}, pyzmq {v['pyzmq']}.",
            "",
            "| Benchmark | Figure | Target | Result |",
            "|---|---|---|---|",
            *[f"| {' | '.join(row)} |" for row in rows],
            "",
            f"Cell: medians of {guard['rounds']} runs each way after 2 warm-ups each, alternated; all times (ms): "
            + times,
            "",
            "Per message: best of 5 rounds of `kernel.session.serialize(msg)` in the kernel (200 kB of messages a "
            "round), each way.",
        ]
    )


def insights_table(results: dict[str, Any]) -> tuple[list[list[str]], bool]:
    """Rows for insights at scale: ours, the SDK, the critical path; and whether its targets are met."""
    got = results.get("insights")
    if not got:
        return [], True
    speed_ok = got["speedup_vs_sdk"] >= got["speedup_min"]
    critical_ok = got["ratio_to_critical"] <= got["critical_max"]
    n, k, lat = f"{got['rows']:,}", got["accounts"], got["latency_ms"]
    rows = [
        [
            f"Insights, {k} ad accounts x 90 days of daily ad rows ({n} rows, {lat} ms a call): meta.insights",
            f"{got['best_s']:.2f} s; {got['runs']} report runs, 0 rate-limit errors",
            "",
            "",
        ],
        [
            "Insights: facebook_business, a loop of async report runs as its docs show",
            f"{got['sdk_s']:.2f} s; the same {n} rows",
            "",
            "",
        ],
        [
            "Insights: ours vs SDK (wall-time ratio)",
            f"{got['speedup_vs_sdk']:.1f}x faster",
            f">= {got['speedup_min']:g}x",
            _verdict(speed_ok),
        ],
        [
            "Insights: ours vs its critical path",
            f"{got['ratio_to_critical']:.2f}x the critical path ({got['critical_s']:.2f} s); every row in at "
            f"{got['rows_in_s']:.2f} s = {got['rows_in_s'] / got['critical_s']:.2f}x, then the tidy frame",
            f"aim <= {got['critical_max']:g}x",
            "met" if critical_ok else "not met",
        ],
    ]
    return rows, speed_ok


def panel_table(results: dict[str, Any]) -> tuple[list[list[str]], bool]:
    """Rows for the time to a usable panel in a fresh kernel, and whether its target is met."""
    panel = results["panel"]
    target = panel["target_s"]
    ok = panel["to_panel_s"] < target
    rows = [
        [
            "Fresh kernel: `%load_ext` + `%meta_login --sandbox` until the panel reaches the client",
            f"{panel['to_panel_s'] * 1000:.0f} ms (worst {panel['worst_to_panel_s'] * 1000:.0f} ms)",
            f"< {target * 1000:.0f} ms",
            _verdict(ok),
        ],
        ["... of which the import (`%load_ext meta_auth_nb`)", f"{panel['import_s'] * 1000:.0f} ms", "", ""],
        [
            "... of which `%meta_login --sandbox`: sandbox, panel built, templates rendered",
            f"{panel['login_s'] * 1000:.0f} ms",
            "",
            "",
        ],
        [
            "The same without any cached bytecode (every module compiled)",
            f"{panel['uncached_to_panel_s'] * 1000:.0f} ms",
            "(reference)",
            "",
        ],
    ]
    return rows, ok


def panel_markdown(results: dict[str, Any], facts: dict[str, Any], rows: list[list[str]]) -> str:
    panel = results["panel"]
    return "\n".join(
        [
            f"Run of {facts['date']} on {facts['nproc']} CPU(s), {facts['implementation']} {facts['python']}; "
            f"commit {facts['commit']}. Medians of {panel['runs']} fresh kernels after two warm-up kernels.",
            "",
            "| Benchmark | Figure | Target | Result |",
            "|---|---|---|---|",
            *[f"| {' | '.join(row)} |" for row in rows],
            "",
            "Samples (ms, to the panel): " + ", ".join(f"{s['to_panel_s'] * 1000:.0f}" for s in panel["samples"]),
        ]
    )


def insights_markdown(results: dict[str, Any], facts: dict[str, Any], rows: list[list[str]]) -> str:
    got = results["insights"]
    v = facts["versions"]
    return "\n".join(
        [
            f"Run of {facts['date']} on {facts['nproc']} CPU(s), {facts['implementation']} {facts['python']}, "
            f"{facts['platform']}; commit {facts['commit']}.",
            f"httpx {v['httpx']}, pandas {v['pandas']}, facebook_business {v['facebook_business']} "
            f"(requests {v['requests']}).",
            "",
            "| Benchmark | Figure | Target | Result |",
            "|---|---|---|---|",
            *[f"| {' | '.join(row)} |" for row in rows],
            "",
            f"Insights: best of {len(got['times'])} rounds of ours, each on a fresh sandbox; all times (s): "
            + ", ".join(f"{t:.2f}" for t in got["times"])
            + "; the SDK ran once. Rows compared: the SDK's, through the same tidy builder, equal ours.",
        ]
    )


def ratelimit_rows(limits: dict[str, Any]) -> list[list[str]]:
    """The rate-limit benchmark's rows: ours against the minimum, what the others ran into."""
    n, speed = f"{limits['rows']:,}", limits["speed"]
    ours = limits["ours"]
    ratio_ok = limits["ratio_to_minimum"] <= RATELIMIT_RATIO_MAX
    rows = [
        [
            f"Rate limits, {n} rows on the development tier (clock {speed:g}x): minimum the budget allows",
            f"{limits['minimum_s']:.2f} s",
            "",
            "",
        ],
        [
            "Rate limits: GraphSession.frame, paced",
            f"{limits['best_s']:.2f} s = {limits['ratio_to_minimum']:.3f}x the minimum; "
            f"{ours['pauses']} pauses, {ours['requests']} requests for {limits['pages']} pages, 0 errors",
            f"<= {RATELIMIT_RATIO_MAX:g}x, no error 17",
            _verdict(ratio_ok),
        ],
    ]
    for name, label in (("sdk", "facebook_business Cursor"), ("bare", "bare httpx loop")):
        other = limits[name]
        outcome = f"error {other['error']} after {other['rows']:,} rows" if other["error"] else "finished"
        rows.append([f"Rate limits: {label}", f"{outcome} ({other['s']:.2f} s)", "(expected: error 17)", ""])
    rows.append(
        ["Rate limits: the same pull unlimited (standard tier, bare loop)", f"{limits['transfer_s']:.2f} s", "", ""]
    )
    return rows


def markdown(results: dict[str, Any], facts: dict[str, Any], rows: list[list[str]]) -> str:
    v = facts["versions"]
    lines = [
        f"Run of {facts['date']} on {facts['nproc']} CPU(s), {facts['implementation']} {facts['python']}, "
        f"{facts['platform']}; commit {facts['commit']}.",
        f"httpx {v['httpx']}, pandas {v['pandas']}, facebook_business {v['facebook_business']} "
        f"(requests {v['requests']}). Whole run {results['elapsed_s']:.0f} s.",
        "",
        "| Benchmark | Figure | Target | Result |",
        "|---|---|---|---|",
        *[f"| {' | '.join(row)} |" for row in rows],
    ]
    paging = results.get("paging")
    if paging:
        lines += [
            "",
            f"Paging: best of {paging['rounds']} rounds after a warm-up, {paging['limit']} rows a page; "
            "all times (s): "
            + "; ".join(f"{name} " + ", ".join(f"{t:.3f}" for t in times) for name, times in paging["times"].items()),
        ]
    limits = results.get("ratelimit")
    if limits:
        lines += [
            "",
            f"Rate limits: best of {limits['rounds']} rounds of ours, each on a fresh sandbox; all times (s): "
            + ", ".join(f"{t:.2f}" for t in limits["times"])
            + f"; paused {limits['ours']['paused_s']:.2f} s in the best round.",
        ]
    inspect = results.get("inspect")
    if inspect:
        s = inspect["samples"]
        lines += [
            "",
            "Inspect: medians; samples (ms): "
            + "; ".join(
                f"{name} " + ", ".join(f"{t * 1000:.0f}" for t in s[name])
                for name in ("round_trip", "concurrent", "sequential")
            ),
        ]
    imp = results.get("import")
    if imp:
        lines += ["", f"Import: medians of {imp['runs']} fresh interpreters each."]
    return "\n".join(lines)


def rewrite_readme(section: str, start: str = START, end: str = END) -> None:
    """Put ``section`` between the ``start`` and ``end`` markers of README.md (appended if they are missing)."""
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    if start in text and end in text and text.index(start) < text.index(end):
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n{section}\n{end}{tail}"
    else:
        text = f"{text.rstrip()}\n\n{start}\n{section}\n{end}\n"
    README.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(BENCHES), help=f"comma list of {', '.join(BENCHES)}")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="timed paging rounds (best of N), default 5; the guard cell runs 5 x max(N, 5) times each way",
    )
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite benchmarks/README.md")
    args = parser.parse_args(argv)
    chosen = [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = set(chosen) - set(BENCHES)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    facts = machine()
    print(f"meta_auth_nb benchmarks: {facts['nproc']} CPU(s), Python {facts['python']}, commit {facts['commit']}")
    results: dict[str, Any] = {}
    if "paging" in chosen:
        results["paging"] = bench_paging.run(rounds=args.rounds)
    if "ratelimit" in chosen:
        results["ratelimit"] = bench_ratelimit.run()
    if "inspect" in chosen:
        results["inspect"] = bench_inspect.run()
    if "import" in chosen:
        results["import"] = bench_import.run()
    if "guard" in chosen:
        results["guard"] = bench_guard.run(rounds=max(args.rounds, 5) * 5)
    if "insights" in chosen:
        results["insights"] = bench_insights.run()
    if "scale" in chosen:
        results["scale"] = bench_scale.run()
    if "panel" in chosen:
        results["panel"] = bench_panel.run()
    results["elapsed_s"] = time.perf_counter() - started

    sections: list[tuple[str, str, str]] = []
    ok = True
    if any(name in chosen for name in MAIN_BENCHES):
        rows, main_ok = table(results)
        ok &= main_ok
        sections.append((markdown(results, facts, rows), START, END))
    if "guard" in chosen:
        rows, guard_ok = guard_table(results)
        ok &= guard_ok
        sections.append((guard_markdown(results, facts, rows), GUARD_START, GUARD_END))
    if "insights" in chosen:
        rows, insights_ok = insights_table(results)
        ok &= insights_ok
        sections.append((insights_markdown(results, facts, rows), INSIGHTS_START, INSIGHTS_END))
    if "scale" in chosen:
        rows, scale_ok = bench_scale.table(results["scale"])
        ok &= scale_ok
        sections.append((bench_scale.markdown(results["scale"], facts, rows), SCALE_START, SCALE_END))
    if "panel" in chosen:
        rows, panel_ok = panel_table(results)
        ok &= panel_ok
        sections.append((panel_markdown(results, facts, rows), PANEL_START, PANEL_END))
    for section, _, _ in sections:
        print()
        print(section)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"machine": facts, **results}, indent=2), encoding="utf-8")
    if not args.no_readme:
        for section, start, end in sections:
            rewrite_readme(section, start, end)
        print(f"\nwrote {README.relative_to(HERE.parent)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
