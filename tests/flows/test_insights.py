"""meta.insights() against the sandbox over real HTTP: the rows, their shapes, and every way a pull can go.

An oracle sandbox with the same seed (so the same data) and no limit on
synchronous reports gives the rows Graph has; a pull must return exactly
those, however it was cut, split, retried, interrupted or resumed. Report
runs here take a tenth of a second; nothing asserts how long anything took.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pandas as pd
import pytest

import meta_auth_nb as mab
from meta_auth_nb import errors as E
from meta_auth_nb.graph.insights.report import RUN_ATTEMPTS
from meta_auth_nb.graph.insights.slices import Slice
from meta_auth_nb.graph.insights.state import InsightsProgress
from meta_auth_nb.sandbox import Sandbox
from tests.conftest import FAST_RETRY

QUARTER = {"since": "2025-01-01", "until": "2025-03-31"}
FAST_RUNS = {"insights_job_s": 0.1, "insights_job_rows_per_s": 1e6, "insights_ready_s": 0.05}
FIELDS = ["impressions", "clicks", "spend", "ctr", "actions", "action_values"]


@pytest.fixture
def box() -> Iterator[Sandbox]:
    with Sandbox(seed=7, ad_accounts=4, insights_sync_limit=300, **FAST_RUNS) as sb:
        yield sb
        assert sb.internal_errors == []


def oracle_rows(accounts: list[str], **params: object) -> list[dict]:
    """Every row Graph has for these accounts, one synchronous report each, from a sandbox with the same data."""
    rows: list[dict] = []
    with Sandbox(seed=7, ad_accounts=4, insights_sync_limit=10**9) as oracle:
        headers = {"Authorization": f"Bearer {oracle.issue_token()}"}
        with httpx.Client(base_url=f"{oracle.graph_url}/v25.0", headers=headers) as http:
            for account in accounts:
                query = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
                after: str | None = None
                while True:
                    page = http.get(f"{account}/insights", params={**query, "limit": 500, "after": after or ""})
                    assert page.status_code == 200, page.text
                    rows += page.json()["data"]
                    if "next" not in page.json()["paging"]:
                        break
                    after = page.json()["paging"]["cursors"]["after"]
    return rows


def graph_params(level: str, fields: list[str], **more: object) -> dict[str, object]:
    ids = {"account": [], "campaign": ["campaign_id", "campaign_name"], "ad": ["campaign_id", "campaign_name"]}
    ids["ad"] += ["adset_id", "adset_name", "ad_id", "ad_name"]
    account = ["account_id", "account_name", "account_currency"]
    return {"level": level, "fields": ",".join([*account, *ids[level], *fields]), **more}


def saved(checkpoint: Path) -> dict:
    """What a checkpoint file holds, read with sqlite3 as anyone could."""
    with closing(sqlite3.connect(checkpoint, timeout=30)) as db:
        meta = dict(db.execute("SELECT name, value FROM pull"))
        slices = {key: json.loads(rows) for key, rows in db.execute("SELECT key, rows FROM slices")}
        ranges = {target: [a, b] for target, a, b in db.execute("SELECT target, since, until FROM ranges")}
    return {"schema": meta.get("schema"), "version": int(meta["version"]), "slices": slices, "ranges": ranges}


def session(box: Sandbox, **options: object) -> mab.GraphSession:
    return mab.GraphSession(box.issue_token(), base_url=box.graph_url, retry=FAST_RETRY, **options)


def test_a_pull_over_every_account_is_tidy_typed_and_exactly_graphs_rows(box):
    with session(box) as meta:
        frame = meta.insights(
            "all", level="campaign", time_range=QUARTER, time_increment=1, fields=FIELDS, progress=False
        )
        raw = meta.insights(
            box.ad_account_ids(),
            level="campaign",
            time_range=QUARTER,
            time_increment=1,
            fields=FIELDS,
            raw=True,
            progress=False,
        )
    truth = oracle_rows(box.ad_account_ids(), **graph_params("campaign", FIELDS, time_range=QUARTER, time_increment=1))
    records = raw.astype(object).where(raw.notna(), None).to_dict("records")
    assert records == [{k: r.get(k) for k in raw.columns} for r in truth]  # Graph's shapes, the same rows
    assert isinstance(raw["actions"].dropna().iloc[0], list) and isinstance(raw["impressions"].iloc[0], str)
    assert len(frame) == len(truth) == 4 * 90 * 5
    assert list(frame.columns[:7]) == [
        "account_id",
        "account_name",
        "account_currency",  # money is in each account's currency: every row says which
        "campaign_id",
        "campaign_name",
        "date_start",
        "date_stop",
    ]
    assert list(frame.columns[7:11]) == ["impressions", "clicks", "spend", "ctr"]
    currencies = {a["id"]: a["currency"] for a in meta_accounts(box)}
    assert (frame["account_currency"] == frame["account_id"].map(currencies)).all()
    assert frame["account_currency"].nunique() > 1  # alice's accounts are in more than one currency
    spread = list(frame.columns[11:])
    assert spread[0].startswith("actions:") and spread[-1].startswith("action_values:")
    assert spread == sorted(c for c in spread if c.startswith("actions:")) + sorted(
        c for c in spread if c.startswith("action_values:")
    )
    assert set(frame["account_id"]) == set(box.ad_account_ids()) and frame["account_name"].notna().all()
    assert frame["date_start"].dtype.kind == "M" and frame["impressions"].dtype == "Int64"
    assert frame["spend"].dtype == "float64" and frame["actions:link_click"].dtype == "Int64"
    assert frame["impressions"].sum() == sum(int(r["impressions"]) for r in truth)
    links = sum(int(a["value"]) for r in truth for a in r.get("actions", []) if a["action_type"] == "link_click")
    assert frame["actions:link_click"].sum() == links and frame["clicks"].sum() == links
    purchases = [a for r in truth for a in r.get("action_values", []) if a["action_type"] == "purchase"]
    assert frame["action_values:purchase"].sum() == pytest.approx(sum(float(a["value"]) for a in purchases))
    # Rows in a stable order: account by account, then day.
    assert frame["account_id"].tolist() == sorted(frame["account_id"], key=box.ad_account_ids().index)


def test_the_async_session_gives_the_same_frame(box):
    async def pull() -> pd.DataFrame:
        async with mab.AsyncGraphSession(box.issue_token(), base_url=box.graph_url, retry=FAST_RETRY) as meta:
            return await meta.insights(
                box.ad_account_ids()[:2], level="ad", time_range=QUARTER, time_increment=7, progress=False
            )

    with session(box) as meta:
        expected = meta.insights(
            box.ad_account_ids()[:2], level="ad", time_range=QUARTER, time_increment=7, progress=False
        )
    pd.testing.assert_frame_equal(asyncio.run(pull()), expected)


def test_large_slices_go_as_report_runs_and_come_back_whole(box):
    seen: list[InsightsProgress] = []
    with session(box) as meta:
        frame = meta.insights(
            box.ad_account_ids(), level="ad", time_range=QUARTER, time_increment=1, concurrency=4, progress=seen.append
        )
    assert box.report_run_count() >= 4 and box.request_count(method="POST") == box.report_run_count()
    assert len(frame) == 4 * 90 * 20 and not frame.duplicated(["ad_id", "date_start"]).any()
    looks = [p.reason for p in seen if "report run" in p.reason]
    assert looks and all("next look in" in r for r in looks)
    assert seen[-1].slices_done == seen[-1].slices_total and seen[-1].rows == len(frame)
    truth = oracle_rows(
        box.ad_account_ids()[:1], **graph_params("ad", ["impressions"], time_range=QUARTER, time_increment=1)
    )
    mine = frame[frame["account_id"] == box.ad_account_ids()[0]]
    assert mine["impressions"].tolist() == [int(r["impressions"]) for r in truth]


def test_too_much_data_is_split_until_it_fits(box):
    act = box.ad_account_ids()[0]
    seen: list[InsightsProgress] = []
    # 90 daily account rows, synchronous reports of at most 25 rows: 90 -> 45 -> 23 (fits), split twice.
    with Sandbox(seed=7, ad_accounts=4, insights_sync_limit=25, **FAST_RUNS) as tight, session(tight) as meta:
        frame = meta.insights(act, time_range=QUARTER, time_increment=1, fields=["spend"], progress=seen.append)
        gets = tight.request_count(f"{act}/insights", "GET")
    assert (
        len(frame) == 90 and frame["date_start"].is_monotonic_increasing and not frame["date_start"].duplicated().any()
    )
    assert gets == 1 + 2 + 4  # the whole range, its halves, their halves
    splits = [p.reason for p in seen if "split" in p.reason]
    assert len(splits) == 3 and all("too much data for one call" in r for r in splits)
    assert seen[-1].slices_total == 4


def test_a_report_run_too_large_is_split_twice(box):
    act = box.ad_account_ids()[0]
    # Ad level: 20 rows a day; a report run may hold 500: 90 days -> 45 -> 23 days (460 rows) fit.
    with Sandbox(seed=7, ad_accounts=4, insights_async_limit=500, **FAST_RUNS) as tight, session(tight) as meta:
        frame = meta.insights(act, level="ad", time_range=QUARTER, time_increment=1, concurrency=1, progress=False)
        posts = tight.request_count(f"{act}/insights", "POST")
        runs = tight.report_run_count()
    assert len(frame) == 90 * 20 and not frame.duplicated(["ad_id", "date_start"]).any()
    assert (posts, runs) == (1 + 2 + 4, 4)  # refused whole and halved, then four runs


def test_a_run_that_fails_once_is_started_again(box):
    act = box.ad_account_ids()[0]
    box.fail_next_job("failed")
    seen: list[InsightsProgress] = []
    with session(box) as meta:
        frame = meta.insights(
            act, level="ad", time_range=QUARTER, time_increment=1, concurrency=1, progress=seen.append
        )
    assert len(frame) == 90 * 20
    assert box.report_run_count() == 2
    # Meta's reason (the run's v25 error_* fields) is in what the progress says
    retried = [p.reason for p in seen if "report run ended 'Job Failed'" in p.reason]
    assert retried and "Meta says code -2/2490547" in retried[0] and retried[0].endswith("starting another")


def test_a_slice_that_keeps_failing_is_named_and_the_rest_arrives_then_resumes(box, tmp_path):
    accounts = box.ad_account_ids()[:2]
    checkpoint = tmp_path / "pull.checkpoint"
    box.fail_next_job("skipped", times=RUN_ATTEMPTS)

    def pull():
        with session(box) as meta:
            return meta.insights(
                accounts,
                level="ad",
                time_range=QUARTER,
                time_increment=1,
                concurrency=1,
                checkpoint=checkpoint,
                progress=False,
            )

    with pytest.raises(E.InsightsIncomplete) as info:
        pull()
    err = info.value
    (failure,) = err.failures
    assert isinstance(failure, E.InsightsSliceFailed) and failure.ending == "Job Skipped"
    assert failure.account == accounts[0] and (failure.since, failure.until) == ("2025-01-01", "2025-03-31")
    assert f"{accounts[0]} 2025-01-01..2025-03-31" in str(err) and "checkpoint=" in str(err)
    assert set(err.partial["account_id"]) == {accounts[1]} and len(err.partial) == 90 * 20
    assert err.checkpoint == str(checkpoint)
    before = box.report_run_count()
    frame = pull()
    assert box.report_run_count() == before + 1  # only the missing slice was fetched
    assert len(frame) == 2 * 90 * 20 and list(frame["account_id"].unique()) == accounts


def test_a_pull_cut_by_a_lost_network_resumes_with_exactly_the_right_rows(box, tmp_path):
    accounts = box.ad_account_ids()
    checkpoint = tmp_path / "pull.checkpoint"
    params = {"level": "campaign", "time_range": QUARTER, "time_increment": 1, "fields": FIELDS, "progress": False}
    with session(box) as meta:
        expected = meta.insights(accounts, **params)
    # Every call on the third account's insights drops its connection, through all the retries: the network is gone.
    box.fail_next("drop", path=f"{accounts[2]}/insights", times=FAST_RETRY.max_retries + 1)
    with session(box) as meta, pytest.raises(E.GraphConnectionError):
        meta.insights(accounts, checkpoint=checkpoint, concurrency=1, **params)
    held = saved(checkpoint)
    assert held["schema"] == "meta_auth_nb.insights.checkpoint" and held["version"] == 2
    kept = set(held["slices"])
    assert {key.split(":")[0] for key in kept} == set(accounts[:2])  # whole slices of the first two accounts
    sent_first = box.request_count(f"{accounts[0]}/insights")
    with session(box) as meta:  # the network is back
        resumed = meta.insights(accounts, checkpoint=checkpoint, concurrency=1, **params)
    pd.testing.assert_frame_equal(resumed, expected)
    assert box.request_count(f"{accounts[0]}/insights") == sent_first  # nothing fetched twice
    fetched = set(saved(checkpoint)["slices"]) - kept
    assert {key.split(":")[0] for key in fetched} == set(accounts[2:])


def test_the_checkpoint_holds_no_token_or_secret_and_belongs_to_one_query(box, tmp_path):
    checkpoint = tmp_path / "pull.checkpoint"
    token = box.issue_token()
    with mab.GraphSession(token, base_url=box.graph_url, app_secret=box.app_secret, retry=FAST_RETRY) as meta:
        meta.insights("all", level="ad", time_range=QUARTER, time_increment=30, checkpoint=checkpoint, progress=False)
        text = checkpoint.read_bytes().decode("latin-1")
        assert token not in text and box.app_secret not in text and "appsecret_proof" not in text
        assert "EAA" not in text and "access_token" not in text
        assert (checkpoint.stat().st_mode & 0o777) == 0o600
        with pytest.raises(E.ConfigError, match="belongs to another query"):
            meta.insights("all", level="campaign", time_range=QUARTER, checkpoint=checkpoint, progress=False)
        Path(tmp_path / "other.json").write_text('{"hello": 1}')
        with pytest.raises(E.ConfigError, match="not an insights checkpoint"):
            meta.insights("all", checkpoint=tmp_path / "other.json", progress=False)


def test_presets_are_days_in_each_accounts_time_zone_and_fixed_for_a_resumed_pull(box, tmp_path):
    checkpoint = tmp_path / "week.checkpoint"
    with session(box) as meta:
        week = meta.insights("all", date_preset="last_7d", time_increment=1, checkpoint=checkpoint, progress=False)
    days = sorted(set(week["date_start"].dt.date))
    assert len(days) == 7 and week.groupby("account_id").size().eq(7).all()
    assert saved(checkpoint)["ranges"][box.ad_account_ids()[0]] == [str(days[0]), str(days[-1])]
    box.advance(3 * 86400)  # three days later, the same checkpoint still means the same week
    with session(box) as meta:
        again = meta.insights("all", date_preset="last_7d", time_increment=1, checkpoint=checkpoint, progress=False)
    pd.testing.assert_frame_equal(again, week)


def test_the_development_tier_pull_paces_itself_and_is_never_refused():
    seen: list[InsightsProgress] = []
    with Sandbox(
        seed=7, ad_accounts=2, tier="development", rate_limit_speed=50, insights_sync_limit=100, **FAST_RUNS
    ) as dev:
        act = dev.ad_account_ids()[0]
        token = dev.issue_token()
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as http:
            for _ in range(50):  # 50 of the account's 60 points already used
                assert http.get(f"{dev.graph_url}/v25.0/{act}/campaigns").status_code == 200
        with mab.GraphSession(token, base_url=dev.graph_url, retry=FAST_RETRY) as meta:
            frame = meta.insights(act, time_range=QUARTER, time_increment=1, level="campaign", progress=seen.append)
            usage = meta.usage
        sent = dev.request_count(f"{act}/insights")
    assert len(frame) == 90 * 5 and usage is not None and usage.tier == "development_access"
    waits = [p.reason for p in seen if p.waiting and "rate-limit score" in p.reason]
    assert waits and all("decay" in r for r in waits)
    assert not any("refused" in p.reason or "blocked" in p.reason for p in seen)
    # 100 rows per call at most: the quarter halved until it fits. One call per slice and per split,
    # none sent twice (a refused call would have been sent again).
    assert sent == 2 * seen[-1].slices_total - 1 and sent + 1 > 10  # more than the 10 points left


def test_a_progress_bar_counts_slices_and_rows_in_a_terminal(box, capsys):
    with session(box) as meta:
        meta.insights(box.ad_account_ids()[:2], time_range=QUARTER, time_increment=1)
    shown = capsys.readouterr().err
    assert "insights" in shown and "slice" in shown and "rows" in shown


BAD_ARGUMENTS = [
    {"date_preset": "last_2d"},
    {"date_preset": "last_7d", "time_range": QUARTER},
    {"time_range": {"since": "2025-03-01", "until": "2025-01-01"}},
    {"level": "creative"},
    {"time_increment": "weekly"},
    {"limit": 10},
    {"access_token": "x"},
    {"concurrency": 0},
    {"fields": ["impressions", "impresions"]},
    {"breakdowns": "agee"},
    {"action_breakdowns": ["action_typ"]},
    {"action_attribution_windows": ["7d_click", "7d_view"]},
    {"time_range": {"since": "2020-01-01", "until": "2020-01-31"}},
    {"time_range": {"since": "2099-01-01", "until": "2099-01-31"}},
    {"to": "pull", "checkpoint": "pull.checkpoint"},
    {"progress": "loud"},
]


def test_arguments_that_cannot_work_are_refused_before_any_call_the_same_by_every_insights(box):
    """The sync, async and notebook ``insights`` check one value: the same words, and no call made."""
    from meta_auth_nb.notebook.session import NotebookSession

    def refusals(pull) -> list[str]:
        said = []
        for bad in BAD_ARGUMENTS:
            with pytest.raises(E.ConfigError) as caught:
                pull("all", **{"progress": False, **bad})
            said.append(str(caught.value))
        with pytest.raises(E.ConfigError, match="is not an ad account or ad object id"):
            pull(["act_1", "campaign_2"], progress=False)
        with pytest.raises(E.ConfigError, match="ids that long lose digits"):
            pull(7.903e14, progress=False)
        return said

    def awaited(insights):
        return lambda *args, **kwargs: asyncio.run(insights(*args, **kwargs))

    options = {"base_url": box.graph_url, "retry": FAST_RETRY}
    with session(box) as meta:
        plain = refusals(meta.insights)
    async_session = mab.AsyncGraphSession(box.issue_token(), **options)
    from_async = refusals(awaited(async_session.insights))
    asyncio.run(async_session.aclose())
    with NotebookSession(box.issue_token(), **options) as notebook:
        from_notebook = refusals(awaited(notebook.ainsights))
    assert plain == from_async == from_notebook and len(set(plain)) == len(BAD_ARGUMENTS)
    assert box.request_count() == 0


def test_a_token_that_dies_stops_the_pull(box):
    with session(box) as meta:
        box.change_password("alice")
        with pytest.raises(E.TokenInvalidated):
            meta.insights("all", time_range=QUARTER, progress=False)


def test_an_account_out_of_reach_is_named_after_one_look_up_with_those_the_token_reaches(box):
    mine = box.ad_account_ids()
    someone_elses = box.ad_account_ids("carol")[0]
    with session(box) as meta, pytest.raises(E.ConfigError) as info:
        meta.insights([mine[0], someone_elses, mine[1]], time_range=QUARTER, progress=False)
    said = str(info.value)
    assert f"{someone_elses} is not one of the ad accounts this token reaches" in said
    assert f"it reaches {len(mine)}: {mine[0]} (" in said and all(act in said for act in mine)
    assert box.request_count() == 1 and box.request_count("me/adaccounts") == 1


def test_a_mistyped_id_in_a_list_costs_one_request_as_a_batch_with_the_look_up(box):
    mine = box.ad_account_ids()
    typo = mine[1][4:-1] + "7"  # a bare number, one digit off
    with session(box) as meta, pytest.raises(E.ConfigError) as info:
        meta.insights([*mine[:1], typo, *mine[2:]], time_range=QUARTER, progress=False)
    assert f"{typo} is not one of the ad accounts this token reaches, nor a campaign, ad set or ad" in str(info.value)
    assert box.request_count() == 1  # me/adaccounts and the id's look-up, in one batch


KILLED_PULL = """
import os, sys
import meta_auth_nb as mab
meta = mab.GraphSession(os.environ["TOKEN"], base_url=os.environ["GRAPH"])
meta.insights(sys.argv[2:], level="campaign", time_range={"since": "2025-01-01", "until": "2025-03-31"},
              time_increment=1, concurrency=1, checkpoint=sys.argv[1], progress=False)
"""


def test_a_pull_killed_mid_way_like_a_kernel_restart_resumes_with_exactly_the_right_rows(tmp_path):
    checkpoint = tmp_path / "pull.checkpoint"
    # 50 ms a call: slow enough to kill the pull between two slices.
    with Sandbox(seed=7, ad_accounts=4, latency_ms=50, insights_sync_limit=100, **FAST_RUNS) as box:
        accounts = box.ad_account_ids()
        token = box.issue_token()
        env = {**os.environ, "TOKEN": token, "GRAPH": box.graph_url}
        child = subprocess.Popen([sys.executable, "-c", KILLED_PULL, str(checkpoint), *accounts], env=env)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and child.poll() is None:
                if checkpoint.exists() and checkpoint.stat().st_size and len(saved(checkpoint)["slices"]) >= 3:
                    break
                time.sleep(0.02)
            assert child.poll() is None, "the pull ended before it could be killed"
            child.send_signal(signal.SIGKILL)
        finally:
            child.wait(timeout=10)
        kept = saved(checkpoint)["slices"]
        assert len(kept) >= 3 and token not in checkpoint.read_bytes().decode("latin-1")
        with mab.GraphSession(token, base_url=box.graph_url, retry=FAST_RETRY) as meta:
            params = {"level": "campaign", "time_range": QUARTER, "time_increment": 1, "progress": False}
            resumed = meta.insights(accounts, checkpoint=checkpoint, **params)
            uninterrupted = meta.insights(accounts, **params)
    pd.testing.assert_frame_equal(resumed, uninterrupted)
    assert len(resumed) == 4 * 90 * 5 and not resumed.duplicated(["campaign_id", "date_start"]).any()
    # What the killed pull had saved was kept as it was, and nothing fetched since overlaps it.
    final = saved(checkpoint)["slices"]
    assert all(final[key] == rows for key, rows in kept.items())
    old = [Slice.from_key(key) for key in kept]
    new = [Slice.from_key(key) for key in final if key not in kept]
    assert new and not any(
        a.account == b.account and a.since <= b.until and b.since <= a.until for a in new for b in old
    )


def test_insights_calls_wait_while_the_insights_throttle_is_full(box):
    act = box.ad_account_ids()[0]
    # Graph says the account's insights budget is used up, and comes back in 0.6 s.
    full = {
        "x-fb-ads-insights-throttle": json.dumps({"app_id_util_pct": 40, "acc_id_util_pct": 100}),
        "x-business-use-case-usage": json.dumps(
            {box.business_id: [{"type": "ads_insights", "call_count": 100, "estimated_time_to_regain_access": 0.01}]}
        ),
    }
    box.fail_next({"headers": full}, path=f"{act}/insights")
    seen: list[InsightsProgress] = []
    with session(box) as meta:
        # 450 campaign rows, 300 at most per call: the first call is split, its halves wait for the budget.
        started = time.monotonic()
        frame = meta.insights(
            act, level="campaign", time_range=QUARTER, time_increment=1, concurrency=1, progress=seen.append
        )
        took = time.monotonic() - started
    assert len(frame) == 450
    held = next(p for p in seen if p.waiting and "insights budget" in p.reason)
    # Never longer than the headers say, and really waited (on the monotonic clock the pacer reads).
    assert "is at 100% (x-fb-ads-insights-throttle)" in held.reason and 0 < held.waiting_s <= 0.6
    assert took >= held.waiting_s


def meta_accounts(box: Sandbox) -> list[dict[str, str]]:
    """The ad accounts a token of alice reads, with their currency (as Graph says it)."""
    with session(box) as meta:
        return list(meta.pages("me/adaccounts", fields="id,currency"))


def test_a_retry_is_told_in_words_with_graphs_codes_only_in_a_details_line(box):
    """A passing 2601/1815107 right after a report run: the progress says what happened, not a class name."""
    told: list[str] = []
    transient = {
        "status": 500,
        "error": {"message": "Service temporarily unavailable", "code": 2601, "error_subcode": 1815107},
    }
    box.fail_next(transient, path=f"{box.ad_account_ids()[0]}/insights")
    with session(box) as meta:
        meta.insights(
            box.ad_account_ids()[:1], time_range=QUARTER, progress=lambda p: told.append(p.reason), concurrency=1
        )
    retries = [reason for reason in told if "trying again in" in reason]
    assert retries, told
    assert retries[0].startswith("Meta's side had a passing problem: trying again in")
    assert retries[0].endswith("(code 2601/1815107)")
    assert not any("Error" in reason for reason in told)
