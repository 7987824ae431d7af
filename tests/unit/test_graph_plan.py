"""The Graph core's plans driven by hand: no network, no sleeping, no httpx."""

from __future__ import annotations

import json
from typing import Any

import pytest

from meta_auth_nb import errors as E
from meta_auth_nb._base.settings import Settings
from meta_auth_nb.graph.batch import batch_steps
from meta_auth_nb.graph.core import CallPlanner
from meta_auth_nb.graph.paging import PageWalk
from meta_auth_nb.graph.plan import Emit, Gather, Send, Sleep, Steps
from meta_auth_nb.graph.policy import RetryPolicy
from meta_auth_nb.graph.reply import Reply
from meta_auth_nb.graph.request import Endpoint

TOKEN = "EAA" + "b" * 60
ROOT = "http://127.0.0.1:9"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def planner(clock: Clock | None = None, **retry: Any) -> CallPlanner:
    policy = RetryPolicy(**{"backoff_base": 0.01, "backoff_max": 0.02, **retry})
    return CallPlanner(Endpoint(TOKEN, base_url=ROOT, settings=Settings()), policy, clock=clock or Clock())


def reply(body: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, headers, json.dumps(body).encode())


def finish(steps: Steps[Any], outcome: Any) -> Any:
    with pytest.raises(StopIteration) as done:
        steps.send(outcome)
    return done.value.value


def test_a_call_sends_one_request_with_the_token_in_a_header_and_returns_the_body():
    plans = planner()
    steps = plans.call("get", "me", {"fields": ["id", "name"]})
    send = next(steps)
    assert isinstance(send, Send) and send.method == "GET"
    assert send.url == f"{ROOT}/{plans.endpoint.version}/me"
    assert send.headers["Authorization"] == f"Bearer {TOKEN}"
    assert send.params == {"fields": "id,name"}
    assert TOKEN not in repr(send)
    assert finish(steps, reply({"id": "1"})) == {"id": "1"}


def test_a_transient_error_asks_for_a_sleep_then_the_same_request():
    steps = planner().call("GET", "me")
    first = next(steps)
    wait = steps.send(reply({"error": {"code": 2, "message": "Service temporarily unavailable"}}, 500))
    assert isinstance(wait, Sleep) and 0 < wait.seconds <= 0.02
    assert steps.send(None) is first
    assert finish(steps, reply({"id": "1"})) == {"id": "1"}


def test_a_dropped_post_is_repeated_only_when_it_never_left():
    steps = planner().call("POST", "me/feed", {"message": "hi"})
    next(steps)
    with pytest.raises(E.GraphConnectionError):
        steps.send(E.GraphConnectionError("ReadError", before_send=False))

    steps = planner().call("POST", "me/feed", {"message": "hi"})
    next(steps)
    assert isinstance(steps.send(E.GraphConnectionError("ConnectError", before_send=True)), Sleep)


def account_usage(percent: float, reset: float, tier: str = "development_access", regain: float = 0) -> dict:
    return {
        "x-ad-account-usage": json.dumps(
            {"acc_id_util_pct": percent, "reset_time_duration": reset, "ads_api_access_tier": tier}
        ),
        "x-business-use-case-usage": json.dumps(
            {"9": [{"type": "ads_insights", "call_count": 5, "estimated_time_to_regain_access": regain}]}
        ),
    }


def test_near_a_limit_the_next_call_waits_for_the_score_to_decay():
    clock = Clock()
    plans = planner(clock)
    steps = plans.call("GET", "act_1/insights")
    next(steps)
    # 100% of a 60-point score that decays to zero in 300 s: one read fits again after 5 s.
    finish(steps, reply({"data": []}, **account_usage(100.0, 300)))
    assert plans.usage is not None and plans.usage.near_limit and plans.usage.tier == "development_access"
    pause = next(plans.call("GET", "act_1/insights"))
    assert isinstance(pause, Sleep) and 5.0 <= pause.seconds <= 5.1
    assert "act_1" in pause.reason and "decay" in pause.reason
    assert isinstance(next(plans.call("GET", "act_2/insights")), Send)  # another account: no wait
    clock.now += 5.1
    assert isinstance(next(plans.call("GET", "act_1/insights")), Send)


def test_a_write_costs_three_reads():
    clock = Clock()
    plans = planner(clock)
    steps = plans.call("GET", "act_1/campaigns")
    next(steps)
    finish(steps, reply({"data": []}, **account_usage(96.0, 288)))  # 57.6 of 60 points, 0.2 decay a second
    write = next(plans.call("POST", "act_1/campaigns", {"name": "x"}))  # a write: 60.6 does not fit
    assert isinstance(write, Sleep) and write.seconds == pytest.approx(0.6 / 0.2, abs=0.1)
    assert isinstance(next(plans.call("GET", "act_1/campaigns")), Send)  # a read: 58.6 fits


def test_near_the_limit_calls_go_one_at_a_time():
    clock = Clock()
    plans = planner(clock)
    steps = plans.call("GET", "act_1/campaigns")
    next(steps)
    finish(steps, reply({"data": []}, **account_usage(93.34, 280)))  # 56 of 60 points
    first, second = plans.call("GET", "act_1/campaigns"), plans.call("GET", "act_1/campaigns")
    assert isinstance(next(first), Send) and isinstance(next(second), Send)  # 57, 58, each with a margin
    third = plans.call("GET", "act_1/campaigns")
    look = next(third)  # 59 would fit, but two answers are out: their scores may come back in any order
    assert isinstance(look, Sleep) and look.seconds <= 0.05 and "rate-limit score" in look.reason
    finish(first, reply({"data": []}, **account_usage(95.0, 285)))
    finish(second, reply({"data": []}, **account_usage(96.67, 290)))
    assert isinstance(third.send(None), Send)  # both answered: the latest score says 59 fits


def test_a_refused_write_waits_what_the_headers_say_then_goes_again():
    clock = Clock()
    plans = planner(clock)
    steps = plans.call("POST", "act_1/campaigns", {"name": "x"})
    first = next(steps)
    refusal = {"error": {"code": 17, "error_subcode": 2446079, "message": "(#17) User request limit reached"}}
    wait = steps.send(reply(refusal, 400, **account_usage(99.0, 297, regain=5)))
    assert isinstance(wait, Sleep) and wait.seconds == pytest.approx(300) and "rate limit" in wait.reason
    clock.now += 300
    assert steps.send(None) is first  # refused, so not run: the same write goes again
    assert finish(steps, reply({"id": "1"})) == {"id": "1"}


def test_a_wait_longer_than_the_session_accepts_raises_with_the_numbers():
    plans = planner(max_rate_limit_wait=60)
    steps = plans.call("GET", "act_1/insights")
    next(steps)
    refusal = {"error": {"code": 17, "error_subcode": 2446079, "message": "(#17) User request limit reached"}}
    with pytest.raises(E.RateLimited) as info:
        steps.send(reply(refusal, 400, **account_usage(100.0, 300, regain=5)))
    err = info.value
    assert err.retry_after == pytest.approx(300) and (err.code, err.subcode) == (17, 2446079)
    assert "300 s" in str(err) and "at most 60 s" in str(err) and "META_MAX_RATE_LIMIT_WAIT" in str(err)
    assert "development_access" in str(err)


def test_a_write_that_got_an_answer_is_never_sent_again():
    steps = planner().call("POST", "act_1/campaigns", {"name": "x"})
    next(steps)
    with pytest.raises(E.TransientError):
        steps.send(reply({"error": {"code": 2, "message": "Service temporarily unavailable"}}, 500))
    read = planner().call("POST", "debug_token", {"input_token": "x", "method": "get"})
    next(read)
    assert isinstance(read.send(reply({"error": {"code": 2, "message": "unavailable"}}, 500)), Sleep)


def test_paging_emits_pages_and_moves_the_cursor_only_when_a_page_is_handed_over():
    walk = PageWalk(planner(), "act_1/insights", {"limit": 2})
    steps = walk.steps(by_row=False)
    assert isinstance(next(steps), Send)
    page = {
        "data": [{"n": 1}, {"n": 2}],
        "paging": {"cursors": {"after": "c1"}, "next": f"{ROOT}/v25.0/act_1/insights?after=c1&access_token=x"},
    }
    emitted = steps.send(reply(page))
    assert emitted == Emit(([{"n": 1}, {"n": 2}],)) and walk.cursor == "c1"
    follow = steps.send(None)
    assert isinstance(follow, Send) and "access_token" not in follow.url and "after=c1" in follow.url
    assert steps.send(reply({"data": [{"n": 3}]})) == Emit(([{"n": 3}],))
    finish(steps, None)
    assert (walk.pages_read, walk.rows_read, walk.cursor) == (2, 3, "c1")


def test_a_batch_goes_in_chunks_of_fifty_and_resends_what_timed_out():
    plans = planner()
    steps = batch_steps(plans, ["me"] * 60, raise_errors=False)
    gather = next(steps)
    assert isinstance(gather, Gather) and len(gather.plans) == 2
    ok = {"code": 200, "body": json.dumps({"id": "1"})}
    first = [ok] * 49 + [None]
    answers = []
    for chunk, items in zip(gather.plans, (first, [ok] * 10), strict=True):
        send = next(chunk)
        assert isinstance(send, Send) and send.method == "POST"
        answers.append(finish(chunk, reply(items)))
    assert isinstance(steps.send(answers), Sleep)
    again = steps.send(None)
    assert isinstance(again, Gather) and len(again.plans) == 1
    send = next(again.plans[0])
    assert len(json.loads(send.params["batch"])) == 1
    results = finish(steps, [finish(again.plans[0], reply([ok]))])
    assert results == [{"id": "1"}] * 60
