"""Paging 50,000 insights rows from the sandbox into a pandas DataFrame.

Three contenders pull the same ad account's insights, 500 rows a page
(100 pages), and build a DataFrame:

``ours``
    ``meta_auth_nb.GraphSession(token, base_url=...).frame(path, limit=500)``.
``sdk``
    The official ``facebook_business`` SDK: ``AdAccount(...).get_insights``
    and its ``Cursor`` iterated to the end, ``pd.DataFrame([dict(x) ...])``
    (``dict(x)`` is the SDK's faster way out; ``export_all_data()`` is ~5%
    slower). The SDK is pointed at the sandbox with ``FacebookSession.GRAPH``,
    which ``FacebookAdsApi.call`` reads on every call.
``bare``
    The floor: one ``httpx.Client`` with a Bearer header, follow
    ``paging.next``, extend a list, ``pd.DataFrame(rows)``. No retries, no
    error handling, no usage tracking.

Each timing runs from "have a token" to "have the DataFrame" (client set-up
included). Every result is checked outside the timing: 50,000 rows and the
same set of ``(campaign_id, date_start)`` pairs for all three.

Rounds: round 0 is a warm-up (discarded); then ``rounds`` timed rounds, the
contenders' order rotating each round so they share the machine's noise.
Each round gets a fresh sandbox process (same seed, so the same rows) on the
standard rate-limit tier: the ad account's score holds 9000 points and a
round's 300 reads use 3% of it, so no contender is paced or refused and the
figure is paging speed (checked for ``ours``: its usage stays far from any
limit). Pacing against the development tier is ``bench_ratelimit.py``'s
subject. The best (smallest) time of each contender is reported.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from _sandbox import RemoteSandbox

ROWS = 50_000
LIMIT = 500
VERSION = "v25.0"


def ours(graph_url: str, token: str, account: str) -> Any:
    import meta_auth_nb as mab

    with mab.GraphSession(token, base_url=graph_url) as session:
        frame = session.frame(f"{account}/insights", limit=LIMIT)
        usage = session.usage
    if usage is not None and usage.near_limit:  # would have been paced: not a paging figure
        raise RuntimeError(f"usage reached {usage.max_percent}% during the run; the timing includes back-off")
    return frame


def sdk(graph_url: str, token: str, account: str) -> Any:
    import pandas as pd
    from facebook_business.adobjects.adaccount import AdAccount
    from facebook_business.api import FacebookAdsApi, FacebookSession

    FacebookSession.GRAPH = graph_url  # read by FacebookAdsApi.call for every request
    api = FacebookAdsApi.init(access_token=token, api_version=VERSION, crash_log=False)
    cursor = AdAccount(account, api=api).get_insights(params={"limit": LIMIT})
    return pd.DataFrame([dict(row) for row in cursor])


def bare(graph_url: str, token: str, account: str) -> Any:
    import httpx
    import pandas as pd

    rows: list[Any] = []
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
        url: str | None = f"{graph_url}/{VERSION}/{account}/insights"
        params: dict[str, Any] | None = {"limit": LIMIT}
        while url:
            response = client.get(url, params=params)
            response.raise_for_status()
            payload = response.json()
            rows.extend(payload["data"])
            url = (payload.get("paging") or {}).get("next")
            params = None
    return pd.DataFrame(rows)


CONTENDERS: dict[str, Callable[[str, str, str], Any]] = {"ours": ours, "sdk": sdk, "bare": bare}


def _check(name: str, frame: Any, reference: set[tuple[str, str]] | None) -> set[tuple[str, str]]:
    if len(frame) != ROWS:
        raise AssertionError(f"{name}: {len(frame)} rows, expected {ROWS}")
    keys = set(zip(frame["campaign_id"], frame["date_start"], strict=True))
    if len(keys) != ROWS:
        raise AssertionError(f"{name}: {len(keys)} distinct (campaign_id, date_start), expected {ROWS}")
    if reference is not None and keys != reference:
        raise AssertionError(f"{name}: rows differ from the other contenders'")
    return keys


def run(rounds: int = 5, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Warm up once, then ``rounds`` timed rounds; returns best times and ratios."""
    import facebook_business.adobjects.adaccount  # noqa: F401  (imports out of the timing)
    import httpx  # noqa: F401
    import pandas  # noqa: F401
    from facebook_business.api import FacebookSession

    saved_graph = FacebookSession.GRAPH
    names = list(CONTENDERS)
    times: dict[str, list[float]] = {name: [] for name in names}
    reference: set[tuple[str, str]] | None = None
    try:
        for round_no in range(rounds + 1):
            order = names[round_no % len(names) :] + names[: round_no % len(names)]
            with RemoteSandbox(insights_rows=ROWS, latency_ms=0, seed=0) as box:
                token = box.issue_token()
                account = box.ad_account_ids()[0]
                line = []
                for name in order:
                    gc.collect()
                    started = time.perf_counter()
                    frame = CONTENDERS[name](box.graph_url, token, account)
                    elapsed = time.perf_counter() - started
                    reference = _check(name, frame, reference)
                    del frame
                    if round_no:
                        times[name].append(elapsed)
                    line.append(f"{name} {elapsed:.3f}s")
                log(f"  paging {'warm-up' if not round_no else f'round {round_no}'}: " + ", ".join(line))
    finally:
        FacebookSession.GRAPH = saved_graph
    best = {name: min(values) for name, values in times.items()}
    return {
        "rows": ROWS,
        "limit": LIMIT,
        "rounds": rounds,
        "times": times,
        "best_s": best,
        "rows_per_s": {name: ROWS / t for name, t in best.items()},
        # ours vs the SDK: how many times the SDK's rows/s we reach (> 1 is faster)
        "speedup_vs_sdk": best["sdk"] / best["ours"],
        # ours vs the bare loop: how many times the bare loop's wall time we take (1.0 = no overhead)
        "ratio_vs_bare": best["ours"] / best["bare"],
    }


if __name__ == "__main__":
    result = run()
    for name in CONTENDERS:
        print(f"{name:5} best {result['best_s'][name]:.3f}s  {result['rows_per_s'][name]:,.0f} rows/s")
    print(f"ours vs sdk speedup {result['speedup_vs_sdk']:.2f}x, ours / bare {result['ratio_vs_bare']:.2f}x")
