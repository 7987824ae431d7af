"""Fault soak: long pulls and batches against a sandbox that fails 30% of calls.

Every row must arrive exactly once, however the calls fail, and a pull cut
off by a server restart must resume from its cursor without a gap or a
duplicate.
"""

from __future__ import annotations

import pytest

from meta_auth_nb._base.errors import GraphConnectionError, GraphError
from meta_auth_nb.graph.drivers.sync import GraphSession
from meta_auth_nb.graph.policy import RetryPolicy
from meta_auth_nb.sandbox import Sandbox

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

ROWS = 50_000
SEED = 7
SOAK_RETRY = RetryPolicy(max_retries=10, backoff_base=0.01, backoff_max=0.2)


def faulty_sandbox(port: int = 0) -> Sandbox:
    return Sandbox(port=port, fault_rate=0.3, latency_ms=20, insights_rows=ROWS, seed=SEED)


def assert_every_row_once(rows: list[dict]) -> None:
    keys = [(row["campaign_id"], row["date_start"]) for row in rows]
    assert len(rows) == ROWS
    assert len(set(keys)) == ROWS


def test_full_pull_under_faults():
    with faulty_sandbox() as box:
        token = box.issue_token()
        path = f"{box.ad_account_ids()[0]}/insights"
        with GraphSession(token, base_url=box.graph_url, retry=SOAK_RETRY) as meta:
            frame = meta.frame(path, limit=500)
        assert box.internal_errors == []
    assert len(frame) == ROWS
    assert frame[["campaign_id", "date_start"]].drop_duplicates().shape[0] == ROWS


def test_batch_of_500_under_faults():
    with faulty_sandbox() as box:
        token = box.issue_token()
        with GraphSession(token, base_url=box.graph_url, retry=SOAK_RETRY) as meta:
            results = meta.batch([f"me?i={i}" for i in range(500)])
        assert box.internal_errors == []
    bad = [(i, r) for i, r in enumerate(results) if not isinstance(r, dict) or isinstance(r, GraphError)]
    assert len(results) == 500
    assert bad == []
    assert all(r.get("id") for r in results)


def test_pull_resumes_after_a_restart():
    box = faulty_sandbox().start()
    port = box.port
    path = f"{box.ad_account_ids()[0]}/insights"
    rows: list[dict] = []
    try:
        meta = GraphSession(box.issue_token(), base_url=box.graph_url, retry=SOAK_RETRY)
        pager = meta.pages(path, limit=500)
        pages = pager.iter_pages()
        while len(rows) < ROWS // 2:
            rows.extend(next(pages))
        box.stop()
        with pytest.raises(GraphConnectionError):
            next(pages)
        meta.close()
    finally:
        box.stop()
    cursor = pager.cursor
    assert cursor

    # A new server on the same port: tokens do not survive a restart, so log in again.
    with Sandbox(port=port, fault_rate=0.3, latency_ms=20, insights_rows=ROWS, seed=SEED) as again:
        with GraphSession(again.issue_token(), base_url=again.graph_url, retry=SOAK_RETRY) as meta:
            for page in meta.pages(path, limit=500, after=cursor).iter_pages():
                rows.extend(page)
        assert again.internal_errors == []
    assert_every_row_once(rows)
