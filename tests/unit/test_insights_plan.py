"""The insights pull's pure parts: argument checks, presets, slicing, splitting, the tidy frame, the ledger."""

from __future__ import annotations

import datetime as dt
import itertools
import warnings

import pandas as pd
import pytest

from meta_auth_nb import errors as E
from meta_auth_nb._base.errors import ConfigError
from meta_auth_nb.graph.insights.arguments import InsightsArguments
from meta_auth_nb.graph.insights.ledger import Ledger, MemoryStore, PullPlan
from meta_auth_nb.graph.insights.query import resolve_range, today_in
from meta_auth_nb.graph.insights.slices import Slice, buckets, halves, missing, plan_slices
from meta_auth_nb.graph.insights.tidy import columns_of, frame_of, insights_frame

D = dt.date


def query(**given):
    return InsightsArguments.of("all", **given).query


def test_defaults_and_graph_parameters():
    q = query(time_range=("2025-01-01", "2025-01-31"), level="campaign", filtering=[{"field": "campaign.id"}])
    assert q.fields == ("impressions", "clicks", "spend", "actions") and q.time_increment == "all_days"
    params = q.params(D(2025, 1, 1), D(2025, 1, 15))
    assert params["fields"].startswith("account_id,account_name,account_currency,campaign_id,campaign_name,impressions")
    assert params["time_range"] == '{"since": "2025-01-01", "until": "2025-01-15"}' and params["level"] == "campaign"
    assert params["filtering"] == '[{"field":"campaign.id"}]'
    assert query().date_preset == "last_30d"


@pytest.mark.parametrize(
    "given",
    [
        {"level": "creative"},
        {"date_preset": "yesterdayish"},
        {"date_preset": "last_7d", "time_range": ("2025-01-01", "2025-01-02")},
        {"time_range": ("2025-02-01", "2025-01-01")},
        {"time_range": {"since": "2025-01-01"}},
        {"time_increment": 91},
        {"fields": "impressions,spend;drop"},
        {"page_size": 501},
        {"limit": 10},
        {"time_ranges": "[]"},
    ],
)
def test_arguments_that_cannot_work(given):
    with pytest.raises(ConfigError):
        query(**given)


def test_one_value_holds_the_arguments_and_every_other_keyword_goes_to_graph():
    arguments = InsightsArguments.of(
        ["act_1", "1", " act_1 "], level="ad", concurrency=3, use_unified_attribution_setting=True
    )
    # bare digits stay as given: an ad account's number, or a campaign's id, told apart when the pull starts
    assert arguments.account_ids == ["act_1", "1"] and arguments.level == "ad" and arguments.concurrency == 3
    assert dict(arguments.params) == {"use_unified_attribution_setting": True}
    assert arguments.query.extra == (("use_unified_attribution_setting", "true"),)
    # the attribution windows are named and checked, and go to Graph as it takes them
    windows = InsightsArguments.of("all", action_attribution_windows=["7d_click", "1d_view"]).query
    assert windows.extra == (("action_attribution_windows", "7d_click,1d_view"),)
    assert arguments.progress is True and arguments.checkpoint is None and not arguments.raw  # the API's defaults
    # A checkpoint belongs to the accounts and the query asked, not to how the pull is shown or run.
    same = InsightsArguments.of(["act_1", "1", " act_1 "], level="ad", progress=False, **arguments.params)
    assert same.fingerprint() == arguments.fingerprint()
    assert InsightsArguments.of(["act_1"], level="adset").fingerprint() != arguments.fingerprint()


def test_presets_have_metas_meanings_in_the_accounts_time_zone():
    today = D(2025, 3, 12)  # a Wednesday
    assert resolve_range(query(date_preset="last_7d"), today) == (D(2025, 3, 5), D(2025, 3, 11))
    assert resolve_range(query(date_preset="yesterday"), today) == (D(2025, 3, 11), D(2025, 3, 11))
    assert resolve_range(query(date_preset="last_month"), today) == (D(2025, 2, 1), D(2025, 2, 28))
    assert resolve_range(query(date_preset="last_quarter"), today) == (D(2024, 10, 1), D(2024, 12, 31))
    assert resolve_range(query(date_preset="last_week_mon_sun"), today) == (D(2025, 3, 3), D(2025, 3, 9))
    late = dt.datetime(2025, 3, 12, 23, 30, tzinfo=dt.timezone.utc)
    assert today_in("Europe/Berlin", late) == D(2025, 3, 13) and today_in("America/Los_Angeles", late) == today
    assert today_in("Not/AZone", late) == today


def test_buckets_and_halves_keep_to_the_increment():
    weekly = query(time_increment=7)
    spans = buckets(weekly, D(2025, 1, 1), D(2025, 1, 20))
    assert spans == [(D(2025, 1, 1), D(2025, 1, 7)), (D(2025, 1, 8), D(2025, 1, 14)), (D(2025, 1, 15), D(2025, 1, 20))]
    first, second = halves(weekly, Slice("act_1", D(2025, 1, 1), D(2025, 1, 20)))
    assert (first.until, second.since) == (D(2025, 1, 7), D(2025, 1, 8))
    monthly = query(time_increment="monthly")
    assert [s[0].day for s in buckets(monthly, D(2025, 1, 15), D(2025, 3, 2))] == [15, 1, 1]
    assert halves(query(), Slice("act_1", D(2025, 1, 1), D(2025, 1, 31))) is None  # all_days: one bucket


def test_planning_fills_the_concurrency_skips_what_is_done_and_is_careful_on_the_development_tier():
    daily_ads = query(time_increment=1, level="ad")
    ranges = [("act_1", D(2025, 1, 1), D(2025, 3, 31)), ("act_2", D(2025, 1, 1), D(2025, 3, 31))]
    planned = plan_slices(daily_ads, ranges, [], concurrency=20)
    assert len([s for s in planned if s.account == "act_1"]) == 10  # 20 at once, two accounts
    for account in ("act_1", "act_2"):
        mine = sorted(s for s in planned if s.account == account)
        assert mine[0].since == D(2025, 1, 1) and mine[-1].until == D(2025, 3, 31)
        assert all(a.until + dt.timedelta(days=1) == b.since for a, b in itertools.pairwise(mine))
    careful = plan_slices(daily_ads, ranges, [], concurrency=20, careful=["act_2"])
    assert [s for s in careful if s.account == "act_2"] == [Slice("act_2", D(2025, 1, 1), D(2025, 3, 31))]
    done = [Slice("act_1", D(2025, 1, 1), D(2025, 3, 31)), Slice("act_2", D(2025, 2, 1), D(2025, 2, 28))]
    rest = plan_slices(daily_ads, ranges, done, concurrency=2)
    assert rest == [Slice("act_2", D(2025, 1, 1), D(2025, 1, 31)), Slice("act_2", D(2025, 3, 1), D(2025, 3, 31))]
    small = plan_slices(query(level="campaign", time_increment=1), ranges[:1], [], concurrency=20)
    assert len(small) == 2  # 90 days x ~10 campaigns: two pages' worth, not twenty tiny calls
    spans = buckets(daily_ads, D(2025, 1, 1), D(2025, 1, 5))
    assert missing(spans, [(D(2025, 1, 2), D(2025, 1, 3))]) == [spans[:1], spans[3:]]


def test_the_tidy_frame_types_spreads_and_orders():
    q = query(level="campaign", fields=["spend", "impressions", "actions", "cost_per_action_type"], breakdowns="age")
    rows = [
        {
            "account_id": "1",
            "account_name": "A",
            "account_currency": "GBP",
            "campaign_id": "10",
            "campaign_name": "C",
            "spend": "1.50",
            "impressions": "100",
            "actions": [{"action_type": "link_click", "value": "3"}],
            "cost_per_action_type": [{"action_type": "link_click", "value": "0.5"}],
            "age": "18-24",
            "date_start": "2025-01-01",
            "date_stop": "2025-01-01",
        },
        {
            "account_id": "1",
            "account_name": "A",
            "account_currency": "GBP",
            "campaign_id": "10",
            "campaign_name": "C",
            "spend": "2",
            "impressions": "7",
            "actions": [{"action_type": "purchase", "value": "1", "7d_click": "1", "1d_view": "0"}],
            "age": "25-34",
            "date_start": "2025-01-02",
            "date_stop": "2025-01-02",
            "quality_ranking": "ABOVE_AVERAGE",
        },
    ]
    frame = insights_frame(rows, q)
    assert list(frame.columns) == [
        "account_id",
        "account_name",
        "account_currency",
        "campaign_id",
        "campaign_name",
        "date_start",
        "date_stop",
        "age",
        "spend",
        "impressions",
        "quality_ranking",
        "actions:link_click",
        "actions:purchase",
        "actions:purchase:1d_view",
        "actions:purchase:7d_click",
        "cost_per_action_type:link_click",
    ]
    assert frame["account_id"].tolist() == ["act_1", "act_1"] and frame["campaign_id"].tolist() == ["10", "10"]
    assert frame["account_currency"].tolist() == ["GBP", "GBP"]
    assert frame["impressions"].dtype == "Int64" and frame["spend"].tolist() == [1.5, 2.0]
    assert frame["actions:link_click"].tolist() == [3, 0] and frame["actions:purchase"].dtype == "Int64"
    assert frame["cost_per_action_type:link_click"].isna().tolist() == [False, True]
    assert frame["date_start"].tolist() == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-02")]
    assert frame["quality_ranking"].tolist()[1] == "ABOVE_AVERAGE"
    empty = insights_frame([], q)
    assert list(empty.columns[:7]) == list(frame.columns[:7]) and len(empty) == 0
    raw = insights_frame(rows, q, raw=True)
    assert raw["actions"].iloc[0] == rows[0]["actions"] and raw["account_id"].iloc[0] == "1"


def test_a_frame_built_slice_by_slice_is_the_frame_built_at_once():
    """Slices are turned into columns as they arrive; joined, they give exactly the frame of all rows."""
    q = query(level="ad", fields=["spend", "impressions", "actions", "video_play_actions"])
    rows = []
    for day in range(12):
        row = {"account_id": str(1 + day // 6), "ad_id": str(day % 3), "spend": f"{day}.25", "impressions": str(day)}
        row |= {"date_start": f"2025-01-{day + 1:02}", "date_stop": f"2025-01-{day + 1:02}"}
        if day % 4:  # some slices have no actions at all, others types the rest lack
            row["actions"] = [{"action_type": f"kind{day % 3}", "value": str(day)}]
        if day == 7:
            row["video_play_actions"] = [{"action_type": "video_view", "value": "2"}]
            row["quality_ranking"] = "AVERAGE"  # a field only one slice has
        rows.append(row)
    whole = insights_frame(rows, q)
    assert "actions:kind1" in whole and "video_play_actions:video_view" in whole and "quality_ranking" in whole
    for cuts in ([4, 8], [1, 2, 3, 11], [6]):
        edges = [0, *cuts, len(rows)]
        parts = [columns_of(rows[a:b]) for a, b in itertools.pairwise(edges)]
        pd.testing.assert_frame_equal(frame_of(parts, q), whole, check_exact=True)
    assert frame_of([columns_of(rows[:4]), columns_of([])], q)["actions:kind0"].tolist() == [0, 0, 0, 3]
    pd.testing.assert_frame_equal(frame_of([columns_of([])], q), insights_frame([], q))


class TellingStore(MemoryStore):
    """A memory store that notes each call it is given: one per change, each about one slice or run."""

    def __init__(self) -> None:
        super().__init__()
        self.told: list[str] = []

    def planned(self, plan: PullPlan) -> None:
        self.told.append(f"plan {','.join(plan.targets)}")

    def put(self, key, rows):
        super().put(key, rows)
        self.told.append(f"put {key}")

    def run(self, key, run_id):
        self.told.append(f"run {key} {run_id}")


def test_the_ledger_holds_whole_slices_in_order_and_tells_its_store_each_change_alone():
    store = TellingStore()
    ledger = Ledger({"q": 1}, store)
    ledger.plan(PullPlan(["act_2", "act_1"], {}, {"act_1": (D(2025, 1, 1), D(2025, 1, 31))}))
    ledger.record(Slice("act_1", D(2025, 1, 16), D(2025, 1, 31)), [{"n": 2}])
    ledger.run_started(Slice("act_1", D(2025, 1, 1), D(2025, 1, 15)), "99")
    ledger.record(Slice("act_1", D(2025, 1, 1), D(2025, 1, 15)), [{"n": 1}])
    ledger.record(Slice("act_2", D(2025, 1, 1), D(2025, 1, 31)), [{"n": 0}])
    assert ledger.rows(ledger.targets or []) == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert ledger.runs == {} and ledger.row_count == 3
    assert store.told == [
        "plan act_2,act_1",
        "put act_1:2025-01-16:2025-01-31",
        "run act_1:2025-01-01:2025-01-15 99",
        "put act_1:2025-01-01:2025-01-15",
        "put act_2:2025-01-01:2025-01-31",
    ]


def test_reach_with_breakdowns_further_back_than_13_months_is_warned_at_the_callers_line():
    today = dt.datetime.now(dt.timezone.utc).date()
    old = (today - dt.timedelta(days=500)).isoformat(), (today - dt.timedelta(days=400)).isoformat()
    with pytest.warns(
        E.InsightsWarning, match=r"reach, frequency with breakdowns \(age\): Meta leaves them out"
    ) as seen:
        InsightsArguments.of("all", fields=["reach", "frequency", "spend"], breakdowns=["age"], time_range=old)
    assert seen[0].filename == __file__  # it points at the call, not inside the package
    recent = (today - dt.timedelta(days=30)).isoformat(), today.isoformat()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        InsightsArguments.of("all", fields=["reach"], breakdowns=["age"], time_range=recent)  # no warning
        InsightsArguments.of("all", fields=["reach"], time_range=old)  # no breakdowns: nothing dropped
