"""Injected faults (500, 503, dropped connection, rate limit) and throttle()."""

from __future__ import annotations

import json
import time

import httpx
from sandbox_helpers import OAuth, bearer

from meta_auth_nb.sandbox import Sandbox


def _kind(http: httpx.Client, url: str, token: str) -> str:
    try:
        resp = http.get(url, headers=bearer(token))
    except httpx.TransportError:  # closed without an answer
        return "drop"
    body = resp.json()
    err = body["error"]
    if resp.status_code == 500:
        assert err == {
            **err,
            "code": 2,
            "is_transient": True,
            "type": "OAuthException",
            "message": "An unexpected error has occurred. Please retry your request later.",
        }
        return "500"
    if resp.status_code == 503:
        assert (err["code"], err["is_transient"], err["message"]) == (1, True, "An unknown error occurred")
        return "503"
    assert resp.status_code == 400
    usage = json.loads(resp.headers["x-app-usage"])
    if "/act_" in url:
        assert usage["call_count"] == 100
        assert err["code"] == 80000
        buc = next(iter(json.loads(resp.headers["x-business-use-case-usage"]).values()))[0]
        assert buc["estimated_time_to_regain_access"] == 0
    else:
        # a hiccup, not the app's hourly budget spent: x-app-usage says how much of it is really used
        assert (err["code"], err["message"]) == (4, "(#4) Application request limit reached")
        assert usage["call_count"] < 100
    return "ratelimit"


def test_fault_rate_one_produces_every_kind() -> None:
    with Sandbox(seed=11, fault_rate=1.0) as sb, httpx.Client(base_url=sb.graph_url + "/v25.0") as http:
        token = sb.issue_token()
        act = sb.ad_account_ids()[0]
        kinds = [_kind(http, url, token) for url in ["/me", f"/{act}/insights"] * 20]
        assert set(kinds) == {"500", "503", "drop", "ratelimit"}
        assert sb.internal_errors == []
    # Same seed, same sequence.
    with Sandbox(seed=11, fault_rate=1.0) as sb, httpx.Client(base_url=sb.graph_url + "/v25.0") as http:
        token = sb.issue_token()
        act = sb.ad_account_ids()[0]
        assert [_kind(http, url, token) for url in ["/me", f"/{act}/insights"] * 20] == kinds


def test_dialog_and_control_are_never_faulted() -> None:
    with Sandbox(fault_rate=1.0) as sb, httpx.Client(base_url=sb.graph_url) as http:
        oauth = OAuth(sb, http)
        for _ in range(5):
            page = oauth.dialog(scope="ads_read")
            assert page.status_code == 200
            assert oauth.decide(page).status_code == 302
            assert http.get("/__sandbox__/info").status_code == 200


def test_faulted_requests_have_no_side_effects() -> None:
    with Sandbox(seed=5) as sb, httpx.Client(base_url=sb.graph_url + "/v25.0") as http:
        oauth = OAuth(sb, http)
        code = oauth.code()
        short = sb.issue_token()
        tokens_before = len(sb._engine.state.tokens)  # white-box: nothing may be issued
        sb.set_faults(fault_rate=1.0)
        for _ in range(12):
            try:
                r = oauth.exchange(code)
                assert r.status_code != 200
                r = http.get(
                    "/oauth/access_token",
                    params={
                        "grant_type": "fb_exchange_token",
                        "client_id": sb.app_id,
                        "client_secret": sb.app_secret,
                        "fb_exchange_token": short,
                    },
                )
                assert r.status_code != 200
                r = http.delete("/me/permissions", headers=bearer(short))
                assert r.status_code != 200
            except httpx.TransportError:
                pass
        assert len(sb._engine.state.tokens) == tokens_before
        sb.set_faults(fault_rate=0.0)
        resp = oauth.exchange(code)  # the code was never consumed
        assert resp.status_code == 200
        assert http.get("/me", headers=bearer(short)).status_code == 200  # the app was never removed


def test_throttle_answers_rate_limits_until_it_passes(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    act = sb.ad_account_ids()[0]
    started = time.monotonic()
    sb.throttle(2.0)
    for path in ("/me", f"/{act}/insights"):
        resp = http.get(path, headers=bearer(token))
        # What is left of the block, in minutes: at most 2 s, and no less than what was left when the reply came.
        left = (2.0 - (time.monotonic() - started)) / 60
        assert resp.status_code == 400
        err = resp.json()["error"]
        assert err["code"] == 80000 and err["error_subcode"] == 2446079
        assert json.loads(resp.headers["x-app-usage"])["call_count"] == 100
        buc = next(iter(json.loads(resp.headers["x-business-use-case-usage"]).values()))[0]
        wait = buc["estimated_time_to_regain_access"]
        assert isinstance(wait, float) and left - 1e-4 < wait <= 2.0 / 60 + 1e-6
    time.sleep(wait * 60 + 0.05)
    assert http.get("/me", headers=bearer(token)).status_code == 200
    sb.throttle(0.5, code=4)
    err = http.get("/me", headers=bearer(token)).json()["error"]
    assert (err["code"], err["message"]) == (4, "(#4) Application request limit reached")


def test_throttle_does_not_touch_the_dialog(sb: Sandbox, oauth: OAuth) -> None:
    sb.throttle(5)
    assert oauth.dialog().status_code == 200
    code = oauth.code()
    assert oauth.exchange(code).status_code == 400  # a Graph call: throttled
    sb.throttle(0)
    assert oauth.exchange(code).status_code == 200
