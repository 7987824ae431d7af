"""Whose insights, and how much at once: ids of every kind, a refused query's cost, splits past one day, to= folders.

Requests are counted with the sandbox's request log; rows are compared with
the same pull made the plain way, so a split or a folder changes nothing a
user gets. Report runs take a tenth of a second; nothing is timed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pytest

import meta_auth_nb as mab
from meta_auth_nb import errors as E
from meta_auth_nb.graph.insights.state import InsightsProgress
from meta_auth_nb.sandbox import Sandbox
from tests.conftest import FAST_RETRY

QUARTER = {"since": "2025-01-01", "until": "2025-03-31"}
DAY = {"since": "2025-02-03", "until": "2025-02-03"}
FAST_RUNS = {"insights_job_s": 0.1, "insights_job_rows_per_s": 1e6, "insights_ready_s": 0.05}


@pytest.fixture
def box() -> Iterator[Sandbox]:
    with Sandbox(seed=7, ad_accounts=3, insights_sync_limit=300, **FAST_RUNS) as sb:
        yield sb
        assert sb.internal_errors == []


def session(box: Sandbox, **options: object) -> mab.GraphSession:
    return mab.GraphSession(box.issue_token(), base_url=box.graph_url, retry=FAST_RETRY, **options)


def campaigns_of(box: Sandbox, act: str) -> list[dict]:
    with session(box) as meta:
        return list(meta.pages(f"{act}/campaigns", fields="id,name"))


def test_ints_numpy_ints_and_series_are_ids_like_any_other(box):
    accounts = box.ad_account_ids()
    numbers = [int(act[4:]) for act in accounts]
    with session(box) as meta:
        expected = meta.insights(accounts, time_range=QUARTER, progress=False)
        assert meta.insights(numbers, time_range=QUARTER, progress=False).equals(expected)
        assert meta.insights(pd.Series(numbers, dtype="int64"), time_range=QUARTER, progress=False).equals(expected)
        one = meta.insights(np.int64(numbers[0]), time_range=QUARTER, progress=False)
    assert one["account_id"].tolist() == [accounts[0]]


def test_a_campaign_id_works_like_an_account_id(box):
    act = box.ad_account_ids()[0]
    campaign = campaigns_of(box, act)[1]
    before = box.request_count()
    with session(box) as meta:
        mine = meta.insights(campaign["id"], level="ad", time_range=QUARTER, time_increment=1, progress=False)
        whole = meta.insights(act, level="ad", time_range=QUARTER, time_increment=1, progress=False)
    expected = whole[whole["campaign_id"] == campaign["id"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine[expected.columns].reset_index(drop=True), expected)
    assert len(mine) == 90 * 4 and set(mine["campaign_name"]) == {campaign["name"]}
    log = box.request_log[before:]
    assert log[0].method == "POST" and log[0].path == "/v27.0/"  # me/adaccounts and the id's type: one batch
    assert any(entry.path == f"/v27.0/{campaign['id']}/insights" for entry in log)


def test_a_query_graph_refuses_costs_one_request_not_one_per_slice(box):
    accounts = box.ad_account_ids()
    with session(box) as meta, pytest.raises(mab.GraphError) as info:
        # a breakdown combination Meta refuses: one request says so for every slice
        meta.insights(accounts, breakdowns=["age", "country"], time_range=QUARTER, time_increment=1, progress=False)
    assert info.value.code == 100 and "combination" in str(info.value)
    assert sum(box.request_count(f"{act}/insights") for act in accounts) == 1


def test_one_day_still_too_much_is_split_by_campaign_then_ad_set_then_fields():
    # A report run may hold 3 rows and 6 cells (rows x metrics): one day of ad rows (20) is split by campaign
    # down to one campaign (4 ads), then by its two ad sets (2 ads each: 8 cells), then by fields (2 + 2).
    fields = ["impressions", "clicks", "spend", "actions"]
    with Sandbox(seed=7, ad_accounts=1, insights_sync_limit=1, insights_async_limit=3, insights_async_cells=6,
                 **FAST_RUNS) as tight, mab.GraphSession(tight.issue_token(), base_url=tight.graph_url,
                                                          retry=FAST_RETRY) as meta:  # fmt: skip
        act = tight.ad_account_ids()[0]
        seen: list[InsightsProgress] = []
        frame = meta.insights(act, level="ad", time_range=DAY, time_increment=1, fields=fields, progress=seen.append)
    with (
        Sandbox(seed=7, ad_accounts=1, **FAST_RUNS) as roomy,
        mab.GraphSession(roomy.issue_token(), base_url=roomy.graph_url, retry=FAST_RETRY) as meta,
    ):
        expected = meta.insights(act, level="ad", time_range=DAY, time_increment=1, fields=fields, progress=False)
    pd.testing.assert_frame_equal(frame, expected)
    said = [p.reason for p in seen]
    assert any("split by campaign in 2 (5 campaigns)" in r for r in said)
    assert any("is too much for one report run; split by adset" in r for r in said)
    assert any("split by fields in 2 (4 fields)" in r for r in said)


def test_a_to_folder_gets_the_same_rows_as_the_frame_and_resumes(box, tmp_path):
    accounts = box.ad_account_ids()
    folder = tmp_path / "pull"
    params = {"level": "campaign", "time_range": QUARTER, "time_increment": 1, "progress": False}
    with session(box) as meta:
        expected = meta.insights(accounts, **params)
    box.fail_next("drop", path=f"{accounts[2]}/insights", times=FAST_RETRY.max_retries + 1)
    with session(box) as meta, pytest.raises(E.GraphConnectionError):
        meta.insights(accounts, to=folder, concurrency=1, **params)
    kept = sorted(p.name for p in folder.glob("*.parquet"))
    assert kept and all(name.startswith((accounts[0], accounts[1])) for name in kept)
    first = box.request_count(f"{accounts[0]}/insights")
    with session(box) as meta:
        dataset = meta.insights(accounts, to=folder, concurrency=1, **params)
    assert isinstance(dataset, ds.Dataset)
    assert box.request_count(f"{accounts[0]}/insights") == first  # what the folder held was not fetched again
    got = dataset.to_table().to_pandas()
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)
    spend = dataset.to_table(columns=["account_id", "spend"]).to_pandas().groupby("account_id")["spend"].sum()
    assert spend.round(2).to_dict() == expected.groupby("account_id")["spend"].sum().round(2).to_dict()
    manifest = [json.loads(line) for line in (folder / "_pull.jsonl").read_text().splitlines()]
    assert manifest[0]["schema"] == "meta_auth_nb.insights.folder"
    assert all(m["rows"] for m in manifest if "slice" in m)


def test_a_to_folder_holds_no_token_or_secret(box, tmp_path):
    token = box.issue_token()
    folder = tmp_path / "pull"
    with mab.GraphSession(token, base_url=box.graph_url, app_secret=box.app_secret, retry=FAST_RETRY) as meta:
        meta.insights("all", level="ad", time_range=QUARTER, time_increment=30, to=folder, progress=False)
    written = b"".join(path.read_bytes() for path in folder.iterdir()).decode("latin-1")
    assert token not in written and box.app_secret not in written
    manifest = (folder / "_pull.jsonl").read_text()
    assert not re.search(r"EAA[A-Za-z0-9]{100,}", manifest)  # no token at all
    assert "appsecret_proof" not in written and "access_token" not in written
    assert (folder.stat().st_mode & 0o777) == 0o700


def test_a_to_folder_refuses_a_folder_that_holds_other_things(box, tmp_path):
    (tmp_path / "mine.txt").write_text("notes")
    with session(box) as meta, pytest.raises(E.ConfigError, match="holds other files"):
        meta.insights("all", to=tmp_path, progress=False)
    assert box.request_count() == 0
