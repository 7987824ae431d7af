"""The Graph core's plans driven by hand: no network, no sleeping, no httpx."""

from __future__ import annotations

import json
from typing import Any

import pytest

from meta_auth_nb._base import errors as E
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
    return CallPlanner(Endpoint(TOKEN, base_url=ROOT), policy, clock=clock or Clock())


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


def test_usage_near_a_limit_pauses_the_next_call_and_is_kept():
    clock = Clock()
    plans = planner(clock, near_limit_pause=2.0)
    steps = plans.call("GET", "me")
    next(steps)
    finish(steps, reply({"id": "1"}, **{"x-app-usage": '{"call_count": 96}'}))
    assert plans.usage is not None and plans.usage.near_limit
    clock.now += 0.5
    pause = next(plans.call("GET", "me"))
    assert isinstance(pause, Sleep) and pause.seconds == pytest.approx(1.5)


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
