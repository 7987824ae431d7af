"""Batch requests and appsecret_proof."""

from __future__ import annotations

import json
import time

import httpx
from sandbox_helpers import bearer, graph_error

from meta_auth_nb.sandbox import Sandbox, appsecret_proof

VECTOR = "4dad02ff1693df832f9c183fe400fc4f601360be06514acb4a73edb783eec345"


def test_proof_helper_matches_the_published_vector() -> None:
    assert appsecret_proof("abc123", "xyz789") == VECTOR


def test_correct_and_incorrect_proofs(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    good = appsecret_proof(token, sb.app_secret)
    assert http.get("/me", params={"appsecret_proof": good}, headers=bearer(token)).status_code == 200
    for bad in (VECTOR, appsecret_proof(token, "0" * 32), ""):
        resp = http.get("/me", params={"appsecret_proof": bad}, headers=bearer(token))
        assert resp.status_code == 400
        err = graph_error(resp)
        assert (err["code"], err["type"]) == (100, "GraphMethodException")
        assert err["message"] == "Invalid appsecret_proof provided in the API argument"


def test_timed_proof(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    now = int(sb.now())
    ok = {"appsecret_proof": appsecret_proof(token, sb.app_secret, now), "appsecret_time": str(now)}
    assert http.get("/me", params=ok, headers=bearer(token)).status_code == 200
    untimed = {"appsecret_proof": appsecret_proof(token, sb.app_secret), "appsecret_time": str(now)}
    assert graph_error(http.get("/me", params=untimed, headers=bearer(token)))["code"] == 100
    stale = now - 301
    old = {"appsecret_proof": appsecret_proof(token, sb.app_secret, stale), "appsecret_time": str(stale)}
    assert graph_error(http.get("/me", params=old, headers=bearer(token)))["code"] == 100


def test_batch(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    act = sb.ad_account_ids()[0]
    batch = [
        {"method": "GET", "relative_url": "me"},
        {"method": "GET", "relative_url": f"v25.0/{act}/campaigns?fields=name&limit=2", "name": "camps"},
        {"method": "GET", "relative_url": "/me/permissions"},
        {"method": "GET", "relative_url": "me", "body": "access_token=garbage"},
        {"method": "DELETE", "relative_url": "me/permissions/business_management"},
    ]
    resp = http.post("/", data={"batch": json.dumps(batch)}, headers=bearer(token))
    assert resp.status_code == 200
    items = resp.json()
    assert [i["code"] for i in items] == [200, 200, 200, 400, 200]
    assert json.loads(items[0]["body"])["id"] == sb.user_id("alice")
    camps = json.loads(items[1]["body"])
    assert len(camps["data"]) == 2 and "next" in camps["paging"]
    assert {"name": "Content-Type", "value": "text/javascript; charset=UTF-8"} in items[0]["headers"]
    assert json.loads(items[3]["body"])["error"]["code"] == 190
    assert any(h["name"] == "WWW-Authenticate" for h in items[3]["headers"])
    assert json.loads(items[4]["body"]) == {"success": True}
    # The same through the query-string token, without headers.
    resp = http.post("/", data={"batch": json.dumps(batch[:1]), "access_token": token, "include_headers": "false"})
    assert resp.json() == [
        {"code": 200, "body": json.dumps({"id": sb.user_id("alice"), "name": "Alice Analyst"}, separators=(",", ":"))}
    ]


def test_a_batchs_proof_is_checked_for_the_items_that_use_its_token(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    batch = [
        {"method": "GET", "relative_url": "me"},
        {"method": "GET", "relative_url": "me", "body": f"access_token={sb.issue_token(user='carol')}"},
    ]
    wrong = appsecret_proof(token, "0" * 32)  # another app's secret
    items = http.post("/", data={"batch": json.dumps(batch), "appsecret_proof": wrong}, headers=bearer(token)).json()
    assert [i["code"] for i in items] == [400, 200]  # the item with its own token is not the batch token's
    err = json.loads(items[0]["body"])["error"]
    assert (err["code"], err["message"]) == (100, "Invalid appsecret_proof provided in the API argument")
    right = appsecret_proof(token, sb.app_secret)
    items = http.post("/", data={"batch": json.dumps(batch), "appsecret_proof": right}, headers=bearer(token)).json()
    assert [i["code"] for i in items] == [200, 200]


def test_batch_limits_and_bad_input(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    too_many = [{"method": "GET", "relative_url": "me"}] * 51
    resp = http.post("/", data={"batch": json.dumps(too_many)}, headers=bearer(token))
    assert resp.status_code == 400
    err = graph_error(resp)
    assert (err["code"], err["message"]) == (1, "(#1) Too many requests in batch message. Maximum batch size is 50")
    fifty = http.post("/", data={"batch": json.dumps(too_many[:50])}, headers=bearer(token))
    assert len(fifty.json()) == 50
    assert graph_error(http.post("/", data={"batch": "{nope"}, headers=bearer(token)))["code"] == 100
    items = http.post("/", data={"batch": json.dumps([{"method": "GET"}])}, headers=bearer(token)).json()
    assert items[0]["code"] == 400


def test_batch_items_time_out_as_null_without_side_effects() -> None:
    with Sandbox(seed=3) as sb, httpx.Client(base_url=sb.graph_url + "/v25.0") as http:
        token = sb.issue_token()
        batch = [{"method": "DELETE", "relative_url": "me/permissions/ads_read"}] + [
            {"method": "GET", "relative_url": "me"}
        ] * 20
        sb.set_faults(fault_rate=0.3)
        items = None
        for _ in range(30):  # the batch call itself may be faulted too; retry like a client would
            try:
                resp = http.post("/", data={"batch": json.dumps(batch)}, headers=bearer(token))
            except httpx.TransportError:
                continue
            if resp.status_code == 200:
                items = resp.json()
                break
        sb.set_faults(fault_rate=0.0)
        assert items is not None and len(items) == 21
        assert None in items and any(i is not None for i in items)
        perms = http.get("/me/permissions", headers=bearer(token)).json()["data"]
        status = {p["permission"]: p["status"] for p in perms}["ads_read"]
        assert status == ("granted" if items[0] is None else "declined")


def test_latency(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    sb.set_faults(latency_ms=150)
    started = time.perf_counter()
    assert http.get("/me", headers=bearer(token)).status_code == 200
    assert time.perf_counter() - started >= 0.15
    sb.set_faults(latency_ms=0)
