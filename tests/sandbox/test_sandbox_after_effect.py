"""Faults that strike after a request took effect, scripted replies, and the request count."""

from __future__ import annotations

import json

import httpx
import pytest
from sandbox_helpers import OAuth, bearer

from meta_auth_nb.sandbox import Sandbox


def test_a_code_spent_then_http_500(sb: Sandbox, oauth: OAuth) -> None:
    code = oauth.code()
    sb.fail_next("http500", path="oauth/access_token", after_effect=True)
    failed = oauth.exchange(code)
    assert failed.status_code == 500 and failed.json()["error"]["is_transient"] is True
    again = oauth.exchange(code)  # the first exchange did take effect
    assert again.json()["error"]["error_subcode"] == 36009
    assert sb.request_count("oauth/access_token") == 2
    assert sb.request_count("/v25.0/oauth/access_token", method="GET") == 2
    assert sb.request_count("me") == 0


def test_a_fault_before_the_effect_leaves_the_code_unspent(sb: Sandbox, oauth: OAuth) -> None:
    code = oauth.code()
    sb.fail_next("http503", path="oauth/access_token")
    assert oauth.exchange(code).status_code == 503
    assert oauth.exchange(code).status_code == 200


def test_a_dropped_connection_after_the_effect(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token(user="carol")
    sb.fail_next("drop", path="me/permissions", after_effect=True)
    with pytest.raises(httpx.TransportError):
        http.delete("/me/permissions", headers=bearer(token))
    # The app was removed all the same: the token no longer works.
    assert http.get("/me", headers=bearer(token)).json()["error"]["code"] == 190


def test_random_faults_after_the_effect() -> None:
    with Sandbox(seed=2) as sb, httpx.Client(base_url=sb.graph_url + "/v25.0") as http:
        tokens = [sb.issue_token(user="carol") for _ in range(3)]
        sb.set_faults(fault_rate=1.0, after_effect=1.0)
        for token in tokens[:1]:
            try:
                assert http.delete("/me/permissions", headers=bearer(token)).status_code >= 400
            except httpx.TransportError:
                pass
        sb.set_faults(fault_rate=0.0)
        assert all(http.get("/me", headers=bearer(t)).status_code == 400 for t in tokens)


def test_a_recorded_reply_is_answered_as_is(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    error = {
        "message": "Invalid parameter",
        "type": "OAuthException",
        "code": 1,
        "error_subcode": 2853001,
        "is_transient": False,
        "error_user_title": "Time range too long",
        "error_user_msg": "Choose a shorter time range.",
    }
    sb.fail_next({"status": 400, "error": error, "headers": {"X-Extra": "1"}}, path="me")
    resp = http.get("/me", headers=bearer(token))
    body = resp.json()["error"]
    assert resp.status_code == 400 and body == {**error, "fbtrace_id": body["fbtrace_id"]}
    assert resp.headers["x-extra"] == "1" and "x-app-usage" in resp.headers
    assert http.get("/me", headers=bearer(token)).status_code == 200  # once


def test_headers_added_to_a_real_answer(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    sb.fail_next({"headers": {"X-Ad-Api-Version-Warning": "v24.0 ended; upgraded to v25.0"}}, times=2)
    first = http.get("/me", headers=bearer(token))
    assert first.status_code == 200 and first.json()["id"] and "v24.0" in first.headers["x-ad-api-version-warning"]
    assert "x-ad-api-version-warning" in http.get("/me", headers=bearer(token)).headers
    assert "x-ad-api-version-warning" not in http.get("/me", headers=bearer(token)).headers


def test_a_batch_item_meets_a_scripted_reply(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    aborted = {"status": 400, "error": {"message": "Request aborted", "type": "OAuthException", "code": 960}}
    sb.fail_next(aborted, path="me/permissions")
    batch = json.dumps([{"method": "GET", "relative_url": "me"}, {"method": "GET", "relative_url": "me/permissions"}])
    items = http.post("/", data={"batch": batch}, headers=bearer(token)).json()
    assert [item["code"] for item in items] == [200, 400]
    assert json.loads(items[1]["body"])["error"]["code"] == 960


def test_unknown_scripted_faults_are_refused(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="http500"):
        sb.fail_next("explode")
    with pytest.raises(ValueError, match="times"):
        sb.fail_next("http500", times=0)


def test_fail_next_over_the_control_endpoint(sb: Sandbox, oauth: OAuth) -> None:
    code = oauth.code()
    control = sb.graph_url + "/__sandbox__/fail_next"
    assert httpx.post(control, json={"path": "oauth/access_token", "after_effect": "true"}).status_code == 200
    assert oauth.exchange(code).status_code == 500
    assert oauth.exchange(code).json()["error"]["error_subcode"] == 36009
