"""Insights reports and report runs in the sandbox, over real HTTP, checked against what Meta documents."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import httpx
import pytest
from sandbox_helpers import bearer, graph_error

from meta_auth_nb.sandbox import Sandbox
from meta_auth_nb.sandbox.report_query import ReportQuery
from meta_auth_nb.sandbox.report_runs import JobTiming, ReportRuns
from meta_auth_nb.sandbox.wire import Response, encoded_page

RANGE = json.dumps({"since": "2025-03-01", "until": "2025-03-14"})


@pytest.fixture
def box() -> Iterator[Sandbox]:
    # Runs take 0.4 s of sandbox clock (moved by the tests, not waited for), rows are ready 0.3 s later.
    with Sandbox(ad_accounts=3, insights_job_s=0.4, insights_job_rows_per_s=1e9) as s:
        yield s
        assert s.internal_errors == []


@pytest.fixture
def api(box: Sandbox) -> Iterator[httpx.Client]:
    headers = bearer(box.issue_token())
    with httpx.Client(base_url=box.graph_url + "/v25.0", timeout=10, headers=headers) as client:
        yield client


def all_rows(api: httpx.Client, path: str, **params: object) -> list[dict]:
    rows, after = [], None
    while True:
        page = api.get(path, params={**params, "limit": 500, **({"after": after} if after else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        rows += body["data"]
        if "next" not in body.get("paging", {}):
            return rows
        after = body["paging"]["cursors"]["after"]


def numbers(rows: list[dict], name: str) -> int:
    return sum(int(r[name]) for r in rows)


def test_many_ad_accounts_keep_the_first_two_and_every_other_id(box: Sandbox) -> None:
    with Sandbox() as plain:
        assert box.ad_account_ids()[:2] == plain.ad_account_ids()
        assert box.ad_account_ids("bob") == plain.ad_account_ids("bob") and box.user_id("bob") == plain.user_id("bob")
    assert len(box.ad_account_ids()) == 3 and len(set(box.ad_account_ids())) == 3


def test_a_report_adds_up_across_levels_buckets_and_breakdowns(box: Sandbox, api: httpx.Client) -> None:
    act = box.ad_account_ids()[2]
    fields = "account_id,account_name,campaign_id,adset_id,ad_id,ad_name,impressions,clicks,spend,actions"
    daily_ads = all_rows(api, f"{act}/insights", level="ad", time_range=RANGE, time_increment=1, fields=fields)
    assert len(daily_ads) == 14 * 20  # 14 days x 5 campaigns x 2 ad sets x 2 ads
    first = daily_ads[0]
    assert first["account_id"] == act[4:] and first["account_name"] == "Alice Ads 3"
    assert first["date_start"] == first["date_stop"] == "2025-03-01" and first["ad_name"].endswith("Ad A1")
    assert all(isinstance(r["impressions"], str) and isinstance(r["spend"], str) for r in daily_ads)
    assert all(a.keys() == {"action_type", "value"} for r in daily_ads for a in r.get("actions", []))
    campaigns = all_rows(api, f"{act}/insights", level="campaign", time_range=RANGE, time_increment=7, fields=fields)
    assert len(campaigns) == 2 * 5 and "ad_id" not in campaigns[0] and "adset_id" not in campaigns[0]
    assert [(r["date_start"], r["date_stop"]) for r in campaigns[::5]] == [
        ("2025-03-01", "2025-03-07"),
        ("2025-03-08", "2025-03-14"),
    ]
    total = all_rows(api, f"{act}/insights", time_range=RANGE, fields=fields)  # level account, all_days
    assert len(total) == 1 and (total[0]["date_start"], total[0]["date_stop"]) == ("2025-03-01", "2025-03-14")
    by_age = all_rows(api, f"{act}/insights", time_range=RANGE, breakdowns="age,gender", fields=fields)
    assert len(by_age) == 6 * 3 and {r["age"] for r in by_age} >= {"18-24", "65+"}
    for name in ("impressions", "clicks"):
        assert numbers(daily_ads, name) == numbers(campaigns, name) == numbers(total, name) == numbers(by_age, name)
    clicks = [int(a["value"]) for r in daily_ads for a in r.get("actions", []) if a["action_type"] == "link_click"]
    assert sum(clicks) == numbers(total, "clicks")


def test_presets_months_filters_and_the_sdk_list_format(box: Sandbox, api: httpx.Client) -> None:
    act = box.ad_account_ids()[0]
    week = all_rows(api, f"{act}/insights", date_preset="last_7d", time_increment=1, level="campaign")
    assert len(week) == 7 * 5
    today = dt.date.fromisoformat(week[-1]["date_start"]) + dt.timedelta(days=1)
    assert abs((today - dt.datetime.now(dt.timezone.utc).date()).days) <= 1
    months = all_rows(
        api,
        f"{act}/insights",
        time_range=json.dumps({"since": "2025-01-15", "until": "2025-03-10"}),
        time_increment="monthly",
    )
    assert [(r["date_start"], r["date_stop"]) for r in months] == [
        ("2025-01-15", "2025-01-31"),
        ("2025-02-01", "2025-02-28"),
        ("2025-03-01", "2025-03-10"),
    ]
    some = all_rows(api, f"{act}/insights", level="ad", time_range=RANGE, fields=json.dumps(["ad_id", "campaign_id"]))
    wanted = some[0]["campaign_id"]
    filtering = json.dumps([{"field": "campaign.id", "operator": "IN", "value": [wanted]}])
    only = all_rows(
        api, f"{act}/insights", level="ad", time_range=RANGE, fields="ad_id,campaign_id", filtering=filtering
    )
    assert len(only) == 4 and {r["campaign_id"] for r in only} == {wanted}


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({"fields": "impressions,reach_estimate"}, 100, "reach_estimate is not valid for fields param"),
        ({"level": "creative"}, 100, "param level must be one of {ad, adset, campaign, account}"),
        ({"breakdowns": "country,age"}, 100, "Current combination of data breakdown columns"),
        ({"date_preset": "last_2d"}, 100, "date_preset must be one of"),
        ({"time_range": json.dumps({"since": "2025-03-02", "until": "2025-03-01"})}, 100, "must not be after"),
        ({"time_range": "2025-03-01"}, 100, "time_range must be a JSON object"),
        ({"time_increment": "weekly"}, 100, "time_increment must be"),
        ({"time_range": json.dumps({"since": "2019-01-01", "until": "2019-01-02"})}, 3018, "37 months"),
        ({"filtering": json.dumps([{"field": "spend", "operator": "IN", "value": [1]}])}, 100, "Filtering field"),
    ],
)
def test_bad_report_parameters_get_graphs_errors(box: Sandbox, api: httpx.Client, params, code, words) -> None:
    act = box.ad_account_ids()[0]
    query = {"time_range": RANGE, **params}
    for answer in (api.get(f"{act}/insights", params=query), api.post(f"{act}/insights", data=query)):
        err = graph_error(answer)
        assert err["code"] == code and words in err["message"]


def test_too_much_data_for_one_call(api: httpx.Client, box: Sandbox) -> None:
    act = box.ad_account_ids()[0]
    quarter = json.dumps({"since": "2025-01-01", "until": "2025-03-31"})
    heavy = api.get(f"{act}/insights", params={"level": "ad", "time_range": quarter, "time_increment": 1})
    assert heavy.status_code == 500  # as Meta answers it: HTTP 500, code 1, no is_transient
    err = graph_error(heavy)
    assert err["code"] == 1 and "is_transient" not in err
    assert err["message"] == "Please reduce the amount of data you're asking for, then retry your request"
    # A small enough page does not help: the report itself is too large.
    small_page = {"level": "ad", "time_range": quarter, "time_increment": 1, "limit": 5}
    assert api.get(f"{act}/insights", params=small_page).status_code == 500
    # A report run takes it, up to its own limit.
    assert api.post(f"{act}/insights", data=small_page).status_code == 200
    with Sandbox(insights_async_limit=500) as tight:
        with httpx.Client(base_url=tight.graph_url + "/v25.0", headers=bearer(tight.issue_token())) as other:
            act = tight.ad_account_ids()[0]
            err = graph_error(other.post(f"{act}/insights", data=small_page))
    assert (err["code"], err["error_subcode"]) == (100, 1487534) and "ask for fewer days" in err["message"]


@pytest.fixture
def slow_box() -> Iterator[Sandbox]:
    # Runs take 40 s of sandbox clock, moved by the test in 6 s steps: the real time between two calls
    # (which moves the clock too) is then far shorter than any step of the run's progress.
    with Sandbox(ad_accounts=3, insights_job_s=40, insights_job_rows_per_s=1e9, insights_ready_s=30) as s:
        yield s
        assert s.internal_errors == []


def test_a_report_run_moves_with_the_sandbox_clock(slow_box: Sandbox) -> None:
    box = slow_box
    with httpx.Client(base_url=box.graph_url + "/v25.0", timeout=10, headers=bearer(box.issue_token())) as api:
        _report_run_moves_with_the_clock(box, api)


def _report_run_moves_with_the_clock(box: Sandbox, api: httpx.Client) -> None:
    act = box.ad_account_ids()[0]
    params = {"level": "ad", "time_range": RANGE, "time_increment": 1, "fields": "ad_id,impressions,actions"}
    run = api.post(f"{act}/insights", data=params)
    assert run.status_code == 200 and set(run.json()) == {"report_run_id"}
    run_id = run.json()["report_run_id"]
    seen = []
    for _ in range(9):
        node = api.get(run_id).json()
        seen.append((node["async_status"], node["async_percent_completion"]))
        rows = api.get(f"{run_id}/insights")
        if node["async_status"] != "Job Completed":
            err = graph_error(rows)
            assert (err["code"], err["error_subcode"], err["is_transient"]) == (2601, 1815107, True)
        box.advance(6)
    statuses = [s for s, _ in seen]
    assert statuses[0] == "Job Not Started" and "Job Running" in statuses and statuses[-1] == "Job Completed"
    assert ("Job Running", 100) in seen  # 100% before it is done, as Meta's may read
    percents = [p for _, p in seen]
    assert percents == sorted(percents)
    assert node["account_id"] == act[4:] and (node["date_start"], node["date_stop"]) == ("2025-03-01", "2025-03-14")
    # Right after completion its rows answer 2601 (transient), then they are there.
    assert graph_error(api.get(f"{run_id}/insights"))["code"] == 2601
    box.advance(30)
    got = all_rows(api, f"{run_id}/insights")
    assert len(got) == 280 and got == all_rows(api, f"{act}/insights", **params)
    # Status and rows count against the run's ad account, like any insights call on it.
    usage = api.get(run_id).headers
    assert "x-ad-account-usage" in usage and "x-fb-ads-insights-throttle" in usage
    assert box.report_run_count() == 1
    assert api.get(run_id, params={"fields": "async_status"}).json().keys() == {"id", "async_status"}


@pytest.mark.parametrize(("ending", "status"), [("failed", "Job Failed"), ("skipped", "Job Skipped")])
def test_a_run_can_be_made_to_fail_or_be_skipped(box: Sandbox, api: httpx.Client, ending, status) -> None:
    act = box.ad_account_ids()[0]
    box.fail_next_job(ending)
    failing = api.post(f"{act}/insights", data={"time_range": RANGE}).json()["report_run_id"]
    fine = api.post(f"{act}/insights", data={"time_range": RANGE}).json()["report_run_id"]
    box.advance(1)
    assert api.get(failing).json()["async_status"] == status and api.get(fine).json()["async_status"] == "Job Completed"
    err = graph_error(api.get(f"{failing}/insights"))
    assert (err["code"], err["is_transient"]) == (2601, False)
    assert len(all_rows(api, f"{fine}/insights")) == 1


def test_a_burst_of_runs_is_worked_through_and_a_broken_one_fails_alone(box: Sandbox, api: httpx.Client) -> None:
    accounts = box.ad_account_ids()[:4]
    params = {"level": "ad", "time_range": RANGE, "time_increment": 1, "fields": "ad_id,impressions"}
    runs = {act: api.post(f"{act}/insights", data=params).json()["report_run_id"] for act in accounts * 2}
    box.advance(5)
    for act, run_id in runs.items():
        assert all_rows(api, f"{run_id}/insights") == all_rows(api, f"{act}/insights", **params)

    def broken() -> list:
        raise RuntimeError("no rows")

    query = ReportQuery(("ad_id",), "ad", dt.date(2025, 3, 1), dt.date(2025, 3, 1), 1, (), ())
    jobs = ReportRuns(seed=1, timing=JobTiming(base_s=1.0, rows_per_s=0, ready_s=0))
    bad, good = (jobs.create("act_1", "alice", query, 3, 0.0, make) for make in (broken, lambda: [{"n": 1}]))
    assert good.ready.wait(5) and bad.ready.is_set()
    assert bad.status(2.0)[0] == "Job Failed" and jobs.rows(good, 2.0) == [{"n": 1}]


def test_a_runs_pages_are_the_bytes_graph_would_encode(box: Sandbox, api: httpx.Client) -> None:
    rows = [{"ad_id": "1", "actions": [{"action_type": "link_click", "value": "3"}]}, {"ad_id": "2", "n": "é"}]
    texts = [json.dumps(row, separators=(",", ":")) for row in rows]
    for rest in ({}, {"paging": {"cursors": {"before": "MA", "after": "MQ"}, "next": "https://x/?a=1"}}):
        assert encoded_page({"data": texts, **rest}) == Response(body={"data": rows, **rest}).payload()
    # A run's rows page through a batch too, each item's body the same JSON.
    act = box.ad_account_ids()[0]
    run_id = api.post(f"{act}/insights", data={"time_range": RANGE, "level": "ad"}).json()["report_run_id"]
    box.advance(5)
    batch = json.dumps([{"method": "GET", "relative_url": f"{run_id}/insights?limit=3"}])
    item = api.post("", data={"batch": batch}).json()[0]
    assert item["code"] == 200 and json.loads(item["body"])["data"] == all_rows(api, f"{run_id}/insights")[:3]


def test_report_runs_belong_to_their_user(box: Sandbox, api: httpx.Client) -> None:
    act = box.ad_account_ids()[0]
    run_id = api.post(f"{act}/insights", data={"time_range": RANGE}).json()["report_run_id"]
    carol = bearer(box.issue_token("carol"))
    err = graph_error(httpx.get(f"{box.graph_url}/v25.0/{run_id}", headers=carol))
    assert (err["code"], err["error_subcode"]) == (100, 33)


def test_the_listing_without_report_parameters_is_unchanged(box: Sandbox, api: httpx.Client) -> None:
    act = box.ad_account_ids()[0]
    rows = all_rows(api, f"{act}/insights", level="campaign")
    assert len(rows) == 1000 and rows[0]["date_start"] == "2024-01-01" and rows[-1]["date_start"] == "2024-07-18"
    day = json.dumps({"since": "2024-01-01", "until": "2024-01-01"})
    report = all_rows(
        api, f"{act}/insights", level="campaign", time_range=day, time_increment=1, fields="campaign_id,clicks"
    )
    assert [(r["campaign_id"], r["clicks"]) for r in report] == [(r["campaign_id"], r["clicks"]) for r in rows[:5]]
