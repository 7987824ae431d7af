"""Pulling 50,000 insights rows from one ad account on the development tier, against enforced rate limits.

The sandbox runs Meta's Marketing API model on the development tier: the ad
account's score holds at most 60 points, a read costs 1, the score decays
linearly to zero over 300 s, and the call that would go over is refused
with error 17 (subcode 2446079) and blocks the account for 300 s. Its
rate-limit clock runs ``SPEED`` times faster than real time, and every
duration in the headers is in real seconds, so a client that waits what the
headers say is never early and never waits longer than it must.

100 pages of 500 rows are 100 reads: 60 go at once, then each further one
must wait for a point to decay (5 model seconds). The **minimum** wall time
the budget allows is the send time of the last call for a client that paces
perfectly and whose calls take no time,
:func:`meta_auth_nb.sandbox.ratelimit.minimum_seconds`, divided by ``SPEED``.

``ours``
    ``GraphSession(token, base_url=...).frame(path, limit=500, progress=...)``:
    must finish with every row, zero rate-limit errors (exactly one request
    per page, checked on the sandbox's request count) and a wall time within
    1.2x of the minimum.
``sdk``
    ``facebook_business``: ``AdAccount(...).get_insights`` and its Cursor, as
    in the paging benchmark. It does not read the usage headers.
``bare``
    One ``httpx.Client`` following ``paging.next``. Neither does it.

Each contender gets a fresh sandbox process (same seed, so the same rows and
a fresh score). The SDK and the bare loop are expected to run into error 17
at about the 61st call; what they got before it is reported. ``transfer``
is the bare loop on a standard-tier sandbox in the same run: what the 100
pages cost with no rate limit at all, for reference. Rounds: ``rounds``
timed rounds; the best time of ours is kept, and its ratio to the minimum is
the figure.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from _sandbox import RemoteSandbox

ROWS = 50_000
LIMIT = 500
PAGES = ROWS // LIMIT
VERSION = "v25.0"
#: The rate-limit clock's speed: 200 model seconds of pacing take 10 real seconds.
SPEED = 20.0
TARGET = 1.2


def minimum_s() -> float:
    """The least wall time (real seconds) 100 reads can take on a fresh development-tier account."""
    from meta_auth_nb.sandbox.ratelimit import TIERS, minimum_seconds

    return minimum_seconds(PAGES, TIERS["development"]) / SPEED


def ours(graph_url: str, token: str, account: str) -> dict[str, Any]:
    import meta_auth_nb as mab

    waits: list[Any] = []

    def progress(p: Any) -> None:
        if p.waiting:
            waits.append(p)

    with mab.GraphSession(token, base_url=graph_url) as session:
        frame = session.frame(f"{account}/insights", limit=LIMIT, progress=progress)
    refused = [w for w in waits if "refused" in w.reason or "blocked" in w.reason]
    return {
        "rows": len(frame),
        "frame": frame,
        "pauses": len(waits),
        "paused_s": sum(w.waiting_s for w in waits),
        "refusals_seen": len(refused),
        "error": None,
    }


def sdk(graph_url: str, token: str, account: str) -> dict[str, Any]:
    from facebook_business.adobjects.adaccount import AdAccount
    from facebook_business.api import FacebookAdsApi, FacebookSession
    from facebook_business.exceptions import FacebookRequestError

    FacebookSession.GRAPH = graph_url
    api = FacebookAdsApi.init(access_token=token, api_version=VERSION, crash_log=False)
    rows: list[Any] = []
    try:
        for row in AdAccount(account, api=api).get_insights(params={"limit": LIMIT}):
            rows.append(dict(row))
    except FacebookRequestError as exc:
        return {"rows": len(rows), "error": f"{exc.api_error_code()}/{exc.api_error_subcode()}"}
    return {"rows": len(rows), "error": None}


def bare(graph_url: str, token: str, account: str) -> dict[str, Any]:
    import httpx

    rows: list[Any] = []
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
        url: str | None = f"{graph_url}/{VERSION}/{account}/insights"
        params: dict[str, Any] | None = {"limit": LIMIT}
        while url:
            response = client.get(url, params=params)
            payload = response.json()
            if response.status_code != 200:
                error = payload.get("error", {})
                return {"rows": len(rows), "error": f"{error.get('code')}/{error.get('error_subcode')}"}
            rows.extend(payload["data"])
            url = (payload.get("paging") or {}).get("next")
            params = None
    return {"rows": len(rows), "error": None}


CONTENDERS: dict[str, Callable[[str, str, str], dict[str, Any]]] = {"ours": ours, "sdk": sdk, "bare": bare}


def _one(name: str, tier: str) -> tuple[float, dict[str, Any], int]:
    """One contender on a fresh sandbox: (wall time, its result, requests the sandbox saw for the pull)."""
    with RemoteSandbox(insights_rows=ROWS, seed=0, tier=tier, rate_limit_speed=SPEED) as box:
        token = box.issue_token()
        account = box.ad_account_ids()[0]
        gc.collect()
        started = time.perf_counter()
        result = CONTENDERS[name](box.graph_url, token, account)
        elapsed = time.perf_counter() - started
        sent = box.request_count(f"{account}/insights")
    return elapsed, result, sent


def _check_ours(result: dict[str, Any], sent: int) -> None:
    frame = result.pop("frame")
    if result["rows"] != ROWS or frame[["campaign_id", "date_start"]].drop_duplicates().shape[0] != ROWS:
        raise AssertionError(f"ours: {result['rows']} rows, expected {ROWS} distinct")
    if sent != PAGES or result["refusals_seen"]:
        raise AssertionError(f"ours: {sent} requests for {PAGES} pages, {result['refusals_seen']} refusals")


def run(rounds: int = 3, log: Callable[[str], None] = print) -> dict[str, Any]:
    """``rounds`` rounds of ours, one run each of the SDK, the bare loop and the transfer reference."""
    import facebook_business.adobjects.adaccount  # noqa: F401  (imports out of the timing)
    import httpx  # noqa: F401
    import pandas  # noqa: F401
    from facebook_business.api import FacebookSession

    saved_graph = FacebookSession.GRAPH
    times: list[float] = []
    ours_runs: list[dict[str, Any]] = []
    try:
        for round_no in range(1, rounds + 1):
            elapsed, result, sent = _one("ours", "development")
            _check_ours(result, sent)
            times.append(elapsed)
            ours_runs.append({**result, "requests": sent, "s": elapsed})
            log(f"  rate limits round {round_no}: ours {elapsed:.2f}s, {result['pauses']} pauses, {sent} requests")
        others: dict[str, dict[str, Any]] = {}
        for name in ("sdk", "bare"):
            elapsed, result, sent = _one(name, "development")
            others[name] = {**result, "requests": sent, "s": elapsed}
            log(f"  rate limits {name}: {result['rows']} rows, error {result['error']}, {elapsed:.2f}s")
        elapsed, result, sent = _one("bare", "standard")
        if result["error"] or result["rows"] != ROWS:
            raise AssertionError(f"transfer reference: {result}")
        log(f"  rate limits transfer (standard tier, bare loop): {elapsed:.2f}s")
    finally:
        FacebookSession.GRAPH = saved_graph
    best = min(times)
    floor = minimum_s()
    return {
        "rows": ROWS,
        "pages": PAGES,
        "speed": SPEED,
        "rounds": rounds,
        "minimum_s": floor,
        "times": times,
        "best_s": best,
        "ratio_to_minimum": best / floor,
        "target": TARGET,
        "ours": ours_runs[times.index(best)],
        "sdk": others["sdk"],
        "bare": others["bare"],
        "transfer_s": elapsed,
    }


if __name__ == "__main__":
    out = run()
    print(f"minimum the budget allows {out['minimum_s']:.2f}s; ours best {out['best_s']:.2f}s")
    print(f"ours / minimum {out['ratio_to_minimum']:.3f}x (target <= {TARGET}x)")
    for name in ("sdk", "bare"):
        print(f"{name}: {out[name]['rows']} rows, then error {out[name]['error']}")
