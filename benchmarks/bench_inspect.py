"""Inspecting 20 stored tokens against a sandbox that takes 100 ms per answer.

``round trip``
    Wall time of one ``meta_auth_nb.inspect_token(token, app_id=...,
    app_secret=..., base_url=...)``: session set-up, connect, one
    ``debug_token`` call with the sandbox's 100 ms latency, decoding.
``concurrent``
    ``meta_auth_nb.inspect_tokens(20 tokens, ...)``: one AsyncGraphSession,
    the 20 ``debug_token`` calls in flight together.
``sequential``
    The same 20 tokens through 20 ``inspect_token`` calls, one after another
    (what a plain loop does; the reference the concurrent figure beats).

Both batch figures are reported as multiples of the median round trip; the
target for ``concurrent`` is at most 2 round trips (sequential is about 20).
Timings are medians: 5 round trips and 5 concurrent runs, alternated, and 3
sequential runs, after one warm-up of each. Every answer is checked: one
valid TokenInfo per token, for the right user.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from _sandbox import RemoteSandbox

TOKENS = 20
LATENCY_MS = 100


def run(repeats: int = 5, sequential_repeats: int = 3, log: Callable[[str], None] = print) -> dict[str, Any]:
    import meta_auth_nb as mab

    with RemoteSandbox(latency_ms=LATENCY_MS, seed=0) as box:
        tokens = [box.issue_token() for _ in range(TOKENS)]
        options = {"app_id": box.app_id, "app_secret": box.app_secret, "base_url": box.graph_url}

        def one() -> Any:
            return mab.inspect_token(tokens[0], **options)

        def concurrent() -> list[Any]:
            return mab.inspect_tokens(tokens, **options)

        def sequential() -> list[Any]:
            return [mab.inspect_token(t, **options) for t in tokens]

        def check(infos: list[Any], expected: int = TOKENS) -> None:
            if len(infos) != expected:
                raise AssertionError(f"{len(infos)} answers for {expected} tokens")
            for info in infos:
                if isinstance(info, Exception) or not info.is_valid:
                    raise AssertionError(f"an inspection failed: {info!r}")
            if len({info.user_id for info in infos}) != 1:
                raise AssertionError("the answers are not all for the token's user")

        def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
            started = time.perf_counter()
            value = fn()
            return time.perf_counter() - started, value

        # warm-up: imports, asyncio, first connections
        check([one()], 1)
        check(concurrent())

        rtt: list[float] = []
        conc: list[float] = []
        for _ in range(repeats):
            elapsed, info = timed(one)
            check([info], 1)
            rtt.append(elapsed)
            elapsed, infos = timed(concurrent)
            check(infos)
            conc.append(elapsed)
        seq: list[float] = []
        for _ in range(sequential_repeats):
            elapsed, infos = timed(sequential)
            check(infos)
            seq.append(elapsed)
    round_trip = statistics.median(rtt)
    result = {
        "tokens": TOKENS,
        "latency_ms": LATENCY_MS,
        "round_trip_s": round_trip,
        "concurrent_s": statistics.median(conc),
        "sequential_s": statistics.median(seq),
        "samples": {"round_trip": rtt, "concurrent": conc, "sequential": seq},
    }
    result["concurrent_rt"] = result["concurrent_s"] / round_trip
    result["sequential_rt"] = result["sequential_s"] / round_trip
    log(
        f"  inspect: round trip {round_trip * 1000:.0f} ms, concurrent {result['concurrent_s'] * 1000:.0f} ms "
        f"({result['concurrent_rt']:.2f} RT), "
        f"sequential {result['sequential_s'] * 1000:.0f} ms ({result['sequential_rt']:.1f} RT)"
    )
    return result


if __name__ == "__main__":
    run()
