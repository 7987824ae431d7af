"""Pacing as a caller meets it: how long a call waits, and why, from the headers Meta sends.

Each test feeds the pacer replies as Graph writes their usage headers (``x-ad-account-usage``,
``x-business-use-case-usage``, ``x-fb-ads-insights-throttle``, ``x-app-usage``) on a clock the test
moves, and checks the wait a session would sleep before its next call and the words a progress
line or a ``RateLimited`` message would show.
"""

from __future__ import annotations

import json

import pytest

from meta_auth_nb._base.usage_headers import parse_usage
from meta_auth_nb.graph.pacing import IN_FLIGHT_LOOK_S, Pacer
from meta_auth_nb.graph.request import CallFacts

ACT = "act_1234567890"
READ = CallFacts(read=True, account=ACT)
WRITE = CallFacts(read=False, account=ACT, cost=3)
INSIGHTS = CallFacts(read=True, account=ACT, insights=True)
OTHER = CallFacts(read=True)  # a call outside the Marketing API: the app's hourly budget


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def account_headers(pct: float, *, tier: str = "development_access", reset: float = 300.0) -> dict[str, str]:
    return {
        "x-ad-account-usage": json.dumps(
            {"acc_id_util_pct": pct, "reset_time_duration": reset, "ads_api_access_tier": tier}
        )
    }


def business_headers(regain_minutes: int, *, tier: str = "development_access") -> dict[str, str]:
    entry = {
        "type": "ads_management",
        "call_count": 100,
        "total_cputime": 30,
        "total_time": 40,
        "estimated_time_to_regain_access": regain_minutes,
        "ads_api_access_tier": tier,
    }
    return {"x-business-use-case-usage": json.dumps({"987654321": [entry]})}


def told(pacer: Pacer, facts: CallFacts, headers: dict[str, str], ticket: int | None = None) -> None:
    pacer.note(facts, parse_usage(headers), ticket)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pacer(clock: Clock) -> Pacer:
    return Pacer(clock)


# --- the tiers ---------------------------------------------------------------------------------------------------
def test_an_account_nobody_has_reported_on_is_not_held(pacer):
    assert pacer.wait(READ) is None and pacer.wait(OTHER) is None and pacer.tier(ACT) is None


def test_on_the_standard_tier_a_read_at_the_limit_waits_for_one_point_of_9000_to_decay(pacer):
    told(pacer, READ, account_headers(100.0, tier="standard_access"))
    pace = pacer.wait(READ)
    # One point of 9000 is 0.0111% of the score, which decays at 100% per 300 s: well under a second
    # (on the development tier one point is 1.67%, about 5 s).
    assert pace is not None and not pace.blocked
    assert pace.seconds == pytest.approx((100.0 + 100.0 / 9000 - 99.99) / (100.0 / 300))
    assert pace.what == f"ad account {ACT} is at 100% of its rate-limit score (standard_access)"
    assert pacer.tier(ACT) == "standard_access"


def test_on_the_standard_tier_a_reading_that_stops_a_development_call_lets_it_through(pacer):
    told(pacer, READ, account_headers(98.5, tier="standard_access"))
    assert pacer.wait(READ) is None and pacer.wait(WRITE) is None
    told(pacer, READ, account_headers(98.5, tier="development_access"))
    pace = pacer.wait(READ)
    assert pace is not None and pace.seconds == pytest.approx((98.5 + 100.0 / 60 - 99.99) / (98.5 / 300))


def test_a_write_costs_three_points_so_it_waits_where_a_read_goes(pacer):
    told(pacer, READ, account_headers(97.0))
    assert pacer.wait(READ) is None  # 97 + 1.67 fits under 100
    pace = pacer.wait(WRITE)  # 97 + 5 does not
    assert pace is not None and pace.seconds == pytest.approx((97.0 + 3 * 100.0 / 60 - 99.99) / (97.0 / 300))


def test_the_score_decays_at_the_pace_the_headers_give(pacer, clock):
    told(pacer, READ, account_headers(100.0, reset=30.0))  # 100% back to 0 in 30 s
    first = pacer.wait(READ)
    assert first is not None and first.seconds == pytest.approx((100.0 / 60 + 0.01) / (100.0 / 30))
    clock.t += first.seconds
    assert pacer.wait(READ) is None  # after that wait the call fits
    assert (
        first.reason
        == f"ad account {ACT} is at 100% of its rate-limit score (development_access): waiting 0.5 s for it to decay"
    )


# --- blocks ------------------------------------------------------------------------------------------------------
def test_a_reply_that_only_says_the_account_is_blocked_holds_every_call_for_that_long(pacer, clock):
    told(pacer, READ, business_headers(5))  # no x-ad-account-usage at all
    pace = pacer.wait(READ)
    assert pace is not None and pace.blocked and pace.seconds == pytest.approx(300.0)
    assert pace.reason == f"ad account {ACT} is blocked by a rate limit: waiting 300 s as the headers say"
    clock.t += 299.0
    assert pacer.wait(WRITE).seconds == pytest.approx(1.0)
    clock.t += 1.0
    assert pacer.wait(READ) is None
    assert pacer.wait(CallFacts(read=True, account="act_999")) is None  # another account is not held


def test_a_refusal_holds_the_account_and_a_shorter_later_block_does_not_shorten_it(pacer, clock):
    pacer.refused(READ, 60.0, "code 17")
    told(pacer, READ, business_headers(0))  # no regain time: no new block
    pacer.refused(READ, 10.0, "code 4")
    pace = pacer.wait(READ)
    assert pace is not None and pace.blocked and pace.seconds == pytest.approx(60.0)
    assert pace.what == f"ad account {ACT} was refused (code 17)"


def test_a_full_insights_throttle_holds_insights_calls_only_for_the_time_given(pacer):
    headers = {"x-fb-ads-insights-throttle": json.dumps({"app_id_util_pct": 100, "acc_id_util_pct": 40})}
    told(pacer, INSIGHTS, headers)  # with no regain time the next call goes, and a refusal would say
    assert pacer.wait(INSIGHTS) is None
    told(pacer, INSIGHTS, {**headers, **business_headers(2)})
    pace = pacer.wait(INSIGHTS)
    assert pace is not None and pace.blocked and pace.seconds == pytest.approx(120.0)
    assert pace.what == "this app's insights budget is at 100% (x-fb-ads-insights-throttle)"


def test_an_accounts_full_insights_throttle_names_the_account(pacer):
    headers = {"x-fb-ads-insights-throttle": json.dumps({"app_id_util_pct": 3, "acc_id_util_pct": 100})}
    told(pacer, INSIGHTS, {**headers, **business_headers(1)})
    pace = pacer.wait(INSIGHTS)
    assert (
        pace is not None and pace.what == f"ad account {ACT}'s insights budget is at 100% (x-fb-ads-insights-throttle)"
    )


# --- concurrent calls --------------------------------------------------------------------------------------------
def test_an_older_answer_arriving_late_leaves_the_newer_score(pacer):
    # As the session does: a call is settled, then its answer's headers are read.
    told(pacer, READ, account_headers(0.0))
    first, second = pacer.reserve(READ), pacer.reserve(READ)
    assert isinstance(first, int) and isinstance(second, int) and second > first
    pacer.settled(READ, second)
    told(pacer, READ, account_headers(97.0), ticket=second)  # 97%, and the first call still in flight: 98.7%
    pacer.settled(READ, first)
    told(pacer, READ, account_headers(10.0), ticket=first)  # sent earlier, read later: older news
    pace = pacer.wait(READ)
    assert pace is not None and pace.what.startswith(f"ad account {ACT} is at 99%")


def test_a_newer_answer_replaces_the_score(pacer):
    told(pacer, READ, account_headers(90.0))
    ticket = pacer.reserve(WRITE)  # 90% + 5 points fits: the score is 95% until an answer says otherwise
    assert isinstance(ticket, int) and pacer.wait(WRITE) is not None
    pacer.settled(WRITE, ticket)
    told(pacer, READ, account_headers(20.0), ticket=ticket)
    assert pacer.wait(WRITE) is None


def test_calls_still_in_flight_count_on_top_of_an_answer_that_may_not_know_them(pacer):
    told(pacer, READ, account_headers(0.0))
    answered, flying = pacer.reserve(READ), pacer.reserve(READ)
    pacer.settled(READ, answered)
    told(pacer, READ, account_headers(96.0), ticket=answered)
    # 96% + the call in flight (1.67) + the next call (1.67), with the one in flight once more as a margin:
    # the next call waits, and looks again soon, as the flying call's answer tells more than the decay.
    pace = pacer.wait(READ)
    assert pace is not None and pace.seconds == pytest.approx(IN_FLIGHT_LOOK_S)
    assert pace.what.startswith(f"ad account {ACT} is at 98%")
    pacer.settled(READ, flying)
    assert pacer.wait(READ) is None  # landed: no margin for it any more


def test_reserving_counts_the_call_at_once_so_the_next_caller_sees_it(pacer):
    told(pacer, READ, account_headers(90.0))
    for _ in range(3):  # each fits, counting the ones before it (and them once more, in flight)
        assert isinstance(pacer.reserve(READ), int)
    pace = pacer.reserve(READ)  # 95% + this call + three in flight does not
    assert not isinstance(pace, int) and pace.what.startswith(f"ad account {ACT} is at 95%")
    assert pace.seconds == pytest.approx(IN_FLIGHT_LOOK_S)


# --- the app's hourly budget ---------------------------------------------------------------------------------------
def test_calls_outside_the_marketing_api_wait_when_the_apps_hour_is_used_up(pacer):
    told(pacer, OTHER, {"x-app-usage": json.dumps({"call_count": 100, "total_cputime": 20, "total_time": 30})})
    pace = pacer.wait(OTHER)
    assert (
        pace is not None
        and pace.what == "this app's hourly call budget is at 100% of its rate-limit score (x-app-usage)"
    )
    assert pace.seconds == pytest.approx((100.0 + 0.1 - 99.99) / (100.0 / 3600))
    assert pacer.wait(READ) is None  # an ad account's calls count elsewhere


def test_a_page_tokens_budget_is_read_from_x_page_usage(pacer):
    headers = {
        "x-page-usage": json.dumps({"call_count": 100, "total_cputime": 1, "total_time": 1}),
        "x-app-usage": json.dumps({"call_count": 1, "total_cputime": 1, "total_time": 1}),
    }
    told(pacer, OTHER, headers)
    pace = pacer.wait(OTHER)
    assert pace is not None and pace.what.endswith("(x-page-usage)")


# --- what the headers leave out ----------------------------------------------------------------------------------
def test_without_a_tier_or_a_reset_time_the_development_tiers_points_and_a_300_s_decay_are_assumed(pacer):
    told(pacer, READ, {"x-ad-account-usage": json.dumps({"acc_id_util_pct": 100})})
    pace = pacer.wait(READ)
    assert pace is not None and pace.what == f"ad account {ACT} is at 100% of its rate-limit score"
    assert pace.seconds == pytest.approx((100.0 / 60 + 0.01) / (100.0 / 300))


def test_a_score_read_at_zero_still_decays_what_is_sent_after_it(pacer, clock):
    told(pacer, READ, account_headers(0.0))  # nothing used: no decay rate to learn from it
    for _ in range(59):
        ticket = pacer.reserve(READ)
        assert isinstance(ticket, int)
        pacer.settled(READ, ticket)
    pace = pacer.wait(READ)  # 59 points of 60 counted here, decaying as a full score does in 300 s
    assert pace is not None and pace.seconds == pytest.approx((59 * 100.0 / 60 + 100.0 / 60 - 99.99) / (100.0 / 300))
    clock.t += 0.015
    assert pacer.wait(READ).seconds == pytest.approx(0.015)
    clock.t += 300.0
    assert pacer.wait(READ) is None


def test_a_score_that_resets_in_a_second_holds_a_call_for_a_fraction_of_it(pacer):
    told(pacer, READ, account_headers(100.0, reset=1.0))
    assert pacer.wait(READ).seconds == pytest.approx((100.0 / 60 + 0.01) / 100.0)


def test_a_score_that_decays_slowly_holds_a_call_for_as_long_as_it_takes(pacer):
    told(pacer, READ, account_headers(1.0))  # 1% that takes 300 s to clear: 1/300 % a second
    for _ in range(59):
        ticket = pacer.reserve(READ)
        assert isinstance(ticket, int)
        pacer.settled(READ, ticket)
    pace = pacer.wait(READ)
    assert pace is not None and pace.seconds == pytest.approx((1.0 + 60 * 100.0 / 60 - 99.99) / (1.0 / 300))


def test_replies_without_usage_headers_change_nothing(pacer):
    pacer.note(READ, None)
    pacer.note(OTHER, None)
    told(pacer, OTHER, {"x-app-usage": json.dumps({"something_new": 100})})  # no percentages in it
    assert pacer.wait(READ) is None and pacer.wait(OTHER) is None


def test_a_refusal_with_no_time_holds_nothing(pacer):
    pacer.refused(READ, 0.0, "code 4")
    assert pacer.wait(READ) is None


def test_before_any_header_reports_a_score_calls_are_not_held_by_a_guess(pacer):
    pacer.refused(READ, 0.0, "code 4")  # the account is known to the pacer, its score is not
    assert all(isinstance(pacer.reserve(READ), int) for _ in range(100))


def test_an_insights_hold_ends_exactly_when_the_headers_said(pacer, clock):
    headers = {"x-fb-ads-insights-throttle": json.dumps({"app_id_util_pct": 100, "acc_id_util_pct": 1})}
    told(pacer, INSIGHTS, {**headers, **business_headers(2)})
    clock.t += 120.0
    assert pacer.wait(INSIGHTS) is None


# --- the app's hourly budget, learned from its readings -----------------------------------------------------------
def app_usage(percent: float) -> dict[str, str]:
    return {"x-app-usage": json.dumps({"call_count": percent, "total_cputime": 0, "total_time": 0})}


def calls(pacer: Pacer, facts: CallFacts, count: int) -> int:
    last = 0
    for _ in range(count):
        ticket = pacer.reserve(facts)
        assert isinstance(ticket, int)
        pacer.settled(facts, ticket)
        last = ticket
    return last


def test_after_ten_calls_the_readings_tell_one_calls_share_of_the_apps_hour(pacer):
    told(pacer, OTHER, app_usage(10))
    last = calls(pacer, OTHER, 10)
    told(pacer, OTHER, app_usage(95), ticket=last)  # 10 calls took 85%: 8.5% each, not the 0.1% first assumed
    pace = pacer.wait(OTHER)
    assert pace is not None and pace.seconds == pytest.approx((95 + 8.5 - 99.99) / (100.0 / 3600))


def test_fewer_than_ten_calls_teach_nothing_yet(pacer):
    told(pacer, OTHER, app_usage(0))
    last = calls(pacer, OTHER, 9)
    told(pacer, OTHER, app_usage(90), ticket=last)
    assert pacer.wait(OTHER) is None  # 90% + 0.1% fits


def test_readings_that_do_not_rise_keep_the_assumed_share(pacer):
    told(pacer, OTHER, app_usage(50))
    last = calls(pacer, OTHER, 10)
    told(pacer, OTHER, app_usage(50), ticket=last)  # rounded readings: no rise seen, so 0.1% a call still
    sent = 0
    while isinstance(ticket := pacer.reserve(OTHER), int) and sent < 1000:
        pacer.settled(OTHER, ticket)
        sent += 1
    assert sent == 499  # 50% + 499 x 0.1% = 99.9%: the next one would not fit


def test_an_older_reading_of_the_apps_hour_arriving_late_is_ignored(pacer):
    told(pacer, OTHER, app_usage(0))
    first, second = pacer.reserve(OTHER), pacer.reserve(OTHER)
    pacer.settled(OTHER, second)
    told(pacer, OTHER, app_usage(100), ticket=second)
    pacer.settled(OTHER, first)
    told(pacer, OTHER, app_usage(5), ticket=first)  # sent first, read last
    assert pacer.wait(OTHER) is not None
