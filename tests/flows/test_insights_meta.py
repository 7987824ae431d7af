"""meta.insights() when Meta is not kind: each insights error subcode, sent by the sandbox, ends as it should.

Timeouts ask for less (the slice is split), refused breakdowns or metrics stop
the pull after one request and say which, the insights throttles and the call
limit are waited out, a report run that fails says Meta's reason, and version
advice never names the version already in use. Every request is counted.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

import meta_auth_nb as mab
from meta_auth_nb import errors as E
from meta_auth_nb._base.versions import DEFAULT_GRAPH_VERSION
from meta_auth_nb.graph.insights.report import RUN_ATTEMPTS
from meta_auth_nb.graph.insights.state import InsightsProgress
from meta_auth_nb.sandbox import Sandbox
from tests.conftest import FAST_RETRY

QUARTER = {"since": "2025-01-01", "until": "2025-03-31"}
FAST_RUNS = {"insights_job_s": 0.1, "insights_job_rows_per_s": 1e6, "insights_ready_s": 0.05}


@pytest.fixture
def box() -> Iterator[Sandbox]:
    with Sandbox(seed=7, ad_accounts=2, insights_sync_limit=300, **FAST_RUNS) as sb:
        yield sb
        assert sb.internal_errors == []


def session(box: Sandbox, **options: object) -> mab.GraphSession:
    return mab.GraphSession(box.issue_token(), base_url=box.graph_url, retry=FAST_RETRY, **options)


def insights_requests(box: Sandbox) -> int:
    return sum(box.request_count(f"{act}/insights") for act in box.ad_account_ids())


def test_a_timeout_1504018_asks_for_less_instead_of_stopping_the_pull(box):
    act = box.ad_account_ids()[0]
    box.fail_next("insights_timeout", path=f"{act}/insights")
    seen: list[InsightsProgress] = []
    with session(box) as meta:
        frame = meta.insights(act, time_range=QUARTER, time_increment=1, progress=seen.append)
    assert len(frame) == 90 and not frame["date_start"].duplicated().any()
    splits = [p.reason for p in seen if "split" in p.reason]
    assert splits and "Meta timed out; split in 2" in splits[0]
    assert box.request_count(f"{act}/insights") == 1 + 2  # the whole range timed out, its halves arrived


@pytest.mark.parametrize(
    ("fault", "part", "asked"),
    [("invalid_breakdowns", "breakdowns", {"breakdowns": ["age"]}),
     ("invalid_custom_metric", "custom metrics", {"fields": ["impressions", "my_metric"], "unchecked": ["my_metric"]})],
)  # fmt: skip
def test_refused_breakdowns_or_metrics_stop_the_pull_after_one_request_naming_them(box, fault, part, asked):
    accounts = box.ad_account_ids()
    for act in accounts:
        box.fail_next(fault, path=f"{act}/insights", times=10)
    with session(box) as meta, pytest.raises(E.InsightsQueryRefused) as info:
        meta.insights(accounts, time_range=QUARTER, time_increment=1, progress=False, **asked)
    err = info.value
    named = "age" if part == "breakdowns" else "my_metric"
    assert err.part == part and err.code == 2 and not err.is_transient
    assert f"Meta refused the {part} of this query ({named})" in str(err) and "InsightsQueryRefused" not in str(err)
    assert insights_requests(box) == 1  # never retried, and the other slices were never sent


@pytest.mark.parametrize("fault", ["insights_throttled", "insights_app_throttled"])
def test_too_many_insights_requests_is_waited_out_not_failed(box, fault):
    act = box.ad_account_ids()[0]
    box.fail_next(fault, path=f"{act}/insights")
    seen: list[InsightsProgress] = []
    with session(box) as meta:
        frame = meta.insights(act, time_range=QUARTER, time_increment=1, progress=seen.append)
    assert len(frame) == 90
    waits = [p for p in seen if p.waiting and "insights budget is at 100%" in p.reason]
    assert waits and all(0 < p.waiting_s <= 1 for p in waits)  # the regain time the headers gave
    assert box.request_count(f"{act}/insights") == 2  # refused once, then sent again once


def test_the_call_limit_613_1487742_is_a_rate_limit_waited_out(box, opts=None):
    box.fail_next("call_limit", path="me")
    with session(box) as meta:
        assert meta.get("me")["id"]
    assert box.request_count("me") == 2
    box.fail_next("call_limit", path="me", times=FAST_RETRY.max_retries + 1)
    with session(box) as meta, pytest.raises(E.RateLimited) as info:
        meta.get("me")
    assert (info.value.code, info.value.subcode) == (613, 1487742)


def test_a_failed_runs_reason_reaches_the_message_a_user_reads(box):
    act = box.ad_account_ids()[0]
    why = {"error_code": 2, "error_subcode": 2490547, "error_message": "Job failed: the report is too complex",
           "error_user_title": "Report Failed", "error_user_msg": "Try fewer breakdowns."}  # fmt: skip
    box.fail_next_job("failed", times=RUN_ATTEMPTS, failure=why)
    with session(box) as meta, pytest.raises(E.InsightsIncomplete) as info:
        meta.insights(act, level="ad", time_range=QUARTER, time_increment=1, concurrency=1, progress=False)
    (failure,) = info.value.failures
    assert (failure.code, failure.subcode, failure.ending) == (2, 2490547, "Job Failed")
    said = str(info.value)
    ended = "its report run ended 'Job Failed' 3 times"
    assert f"{ended} (Meta says code 2/2490547: Job failed: the report is too complex" in said
    assert "Report Failed: Try fewer breakdowns" in said and failure.reason in said
    assert "pull.checkpoint" in said


def test_on_a_version_before_v25_the_poll_asks_no_reason_fields(box):
    act = box.ad_account_ids()[0]
    box.fail_next_job("failed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", E.GraphVersionWarning)
        with session(box, version="v24.0") as meta:
            frame = meta.insights(act, level="ad", time_range=QUARTER, time_increment=1, concurrency=1, progress=False)
    assert len(frame) == 90 * 20 and box.report_run_count() == 2


def test_a_run_that_failed_for_its_size_is_split_not_run_again(box):
    act = box.ad_account_ids()[0]
    too_big = {"error_code": 100, "error_subcode": 1487534, "error_message": "The report is too large"}
    box.fail_next_job("failed", failure=too_big)
    seen: list[InsightsProgress] = []
    with session(box) as meta:
        frame = meta.insights(
            act, level="ad", time_range=QUARTER, time_increment=1, concurrency=1, progress=seen.append
        )
    assert len(frame) == 90 * 20 and not frame.duplicated(["ad_id", "date_start"]).any()
    assert any("too much data for one call; split in 2" in p.reason for p in seen)


VERSION_ENDED_NAMING_AN_OLDER_ONE = {
    "message": "(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: "
    "v26.0.",
    "type": "OAuthException",
    "code": 2635,
}


def test_version_advice_never_names_the_version_already_in_use(box):
    box.fail_next({"status": 400, "error": VERSION_ENDED_NAMING_AN_OLDER_ONE}, path="me")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        with session(box, version=DEFAULT_GRAPH_VERSION) as meta, pytest.raises(mab.GraphError) as info:
            meta.get("me")
    said = str(info.value)
    assert f"META_GRAPH_VERSION={DEFAULT_GRAPH_VERSION}" not in said and "META_GRAPH_VERSION=v26.0" not in said
    assert f"Graph version {DEFAULT_GRAPH_VERSION} has ended" in said and "to a newer version" in said
