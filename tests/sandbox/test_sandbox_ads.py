"""The ads corner: scope enforcement, cursor paging, usage headers, speed."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx
from sandbox_helpers import OAuth, bearer, graph_error

from meta_auth_nb.sandbox import Sandbox


def test_ads_need_ads_read_or_ads_management(oauth: OAuth, sb: Sandbox, http: httpx.Client) -> None:
    bob = sb.issue_token("bob")  # bob's defaults: public_profile only, ads_read declined
    for path in ("/me/adaccounts", f"/{sb.ad_account_ids('bob')[0]}/insights"):
        resp = http.get(path, headers=bearer(bob))
        assert resp.status_code == 400
        err = graph_error(resp)
        assert (err["code"], err["type"]) == (200, "OAuthException")
        assert err["message"] == "(#200) Ad account owner has NOT grant ads_management or ads_read permission"
    bob_mgmt = oauth.login("bob", scope="ads_read,ads_management")  # ads_management alone is enough
    assert http.get("/me/adaccounts", headers=bearer(bob_mgmt)).status_code == 200


def test_other_users_or_unknown_accounts_are_unsupported(sb: Sandbox, http: httpx.Client) -> None:
    carol = sb.issue_token("carol")
    for act in (sb.ad_account_ids("alice")[0], "act_123"):
        err = graph_error(http.get(f"/{act}/campaigns", headers=bearer(carol)))
        assert (err["code"], err["type"]) == (100, "GraphMethodException")
        assert err["message"].startswith("Unsupported get request.")
    own = sb.ad_account_ids("carol")[0]
    assert http.get(f"/{own}", headers=bearer(carol)).json()["id"] == own


def test_adaccounts_and_campaigns(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    accounts = http.get("/me/adaccounts", headers=bearer(token)).json()
    assert [a["id"] for a in accounts["data"]] == sb.ad_account_ids()
    assert accounts["data"][0] == {"id": sb.ad_account_ids()[0], "account_id": sb.ad_account_ids()[0][4:]}
    assert "next" not in accounts["paging"]
    named = http.get("/me/adaccounts", params={"fields": "name,currency"}, headers=bearer(token)).json()
    assert set(named["data"][0]) == {"id", "name", "currency"}
    act = sb.ad_account_ids()[0]
    camps = http.get(f"/{act}/campaigns", headers=bearer(token)).json()["data"]
    assert len(camps) == 5
    for c in camps:
        assert set(c) == {"id", "name", "status", "objective", "daily_budget"}
        assert c["status"] in ("ACTIVE", "PAUSED") and c["daily_budget"].isdigit()
    some = http.get(f"/{act}/campaigns", params={"fields": "name"}, headers=bearer(token)).json()["data"]
    assert set(some[0]) == {"id", "name"}
    sysu = sb.issue_token(kind="system_user")
    assert [a["id"] for a in http.get("/me/adaccounts", headers=bearer(sysu)).json()["data"]] == sb.ad_account_ids()


def test_insights_paging_returns_every_row_once(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    act = sb.ad_account_ids()[0]
    url: str | None = f"/{act}/insights"
    # No time range or preset: the sandbox's plain daily listing (reports: test_sandbox_reports.py).
    params = {"limit": "100", "level": "campaign", "fields": "spend,clicks"}
    seen: list[tuple[str, str]] = []
    pages = 0
    while url:
        resp = http.get(url, params=params, headers=bearer(token))
        assert resp.status_code == 200, resp.text
        body = resp.json()
        pages += 1
        assert len(body["data"]) <= 100
        seen += [(r["date_start"], r["campaign_id"]) for r in body["data"]]
        nxt = body["paging"].get("next")
        assert set(body["paging"]["cursors"]) == {"before", "after"}
        if nxt is None:
            break
        parts = urlsplit(nxt)
        assert f"{parts.scheme}://{parts.netloc}" == sb.graph_url
        q = parse_qs(parts.query)
        assert q["access_token"] == [token]  # real Graph leaks it; the client must strip it
        assert q["limit"] == ["100"] and "after" in q
        # Follow it the safe way: token in the header, not the query.
        url = sb.graph_url + parts.path
        params = {k: v[0] for k, v in q.items() if k != "access_token"}
    assert pages == 10
    assert len(seen) == 1000 and len(set(seen)) == 1000
    row = http.get(f"/{act}/insights", params={"limit": "1"}, headers=bearer(token)).json()["data"][0]
    assert set(row) >= {
        "date_start",
        "date_stop",
        "campaign_id",
        "campaign_name",
        "impressions",
        "clicks",
        "spend",
        "ctr",
    }
    assert re.fullmatch(r"\d+\.\d{2}", row["spend"])


def test_limit_is_clamped_at_500_and_bad_limits_fail(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    act = sb.ad_account_ids()[0]
    body = http.get(f"/{act}/insights", params={"limit": "5000"}, headers=bearer(token)).json()
    assert len(body["data"]) == 500
    assert parse_qs(urlsplit(body["paging"]["next"]).query)["limit"] == ["500"]
    assert len(http.get(f"/{act}/insights", headers=bearer(token)).json()["data"]) == 25  # default
    assert graph_error(http.get(f"/{act}/insights", params={"limit": "x"}, headers=bearer(token)))["code"] == 100
    err = graph_error(http.get(f"/{act}/insights", params={"after": "bogus!"}, headers=bearer(token)))
    assert err["code"] == 100


def test_before_cursor_goes_back(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    act = sb.ad_account_ids()[0]
    first = http.get(f"/{act}/insights", params={"limit": "10"}, headers=bearer(token)).json()
    second = http.get(
        f"/{act}/insights", params={"limit": "10", "after": first["paging"]["cursors"]["after"]}, headers=bearer(token)
    ).json()
    assert "previous" in second["paging"]
    back = http.get(
        f"/{act}/insights",
        params={"limit": "10", "before": second["paging"]["cursors"]["before"]},
        headers=bearer(token),
    ).json()
    assert back["data"] == first["data"]


def test_rows_are_deterministic_from_the_seed() -> None:
    rows = []
    for _ in range(2):
        with Sandbox(seed=7, insights_rows=50) as sb, httpx.Client() as c:
            act = sb.ad_account_ids()[0]
            r = c.get(f"{sb.graph_url}/v25.0/{act}/insights", params={"limit": "50"}, headers=bearer(sb.issue_token()))
            rows.append(r.json()["data"])
    assert rows[0] == rows[1] and len(rows[0]) == 50


def test_usage_headers(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    me = http.get("/me", headers=bearer(token))
    app = json.loads(me.headers["x-app-usage"])
    assert set(app) == {"call_count", "total_time", "total_cputime"}
    assert "x-ad-account-usage" not in me.headers
    act = sb.ad_account_ids()[0]
    for _ in range(30):
        resp = http.get(f"/{act}/insights", headers=bearer(token))
    acc = json.loads(resp.headers["x-ad-account-usage"])
    assert set(acc) >= {"acc_id_util_pct", "reset_time_duration", "ads_api_access_tier"}
    assert acc["acc_id_util_pct"] > 0
    buc = json.loads(resp.headers["x-business-use-case-usage"])
    (entries,) = buc.values()
    assert entries[0]["type"] == "ads_insights" and entries[0]["estimated_time_to_regain_access"] == 0
    assert set(entries[0]) >= {"call_count", "total_cputime", "total_time", "ads_api_access_tier"}
    # Marketing API calls are counted per ad account, not in the app's Graph budget.
    assert json.loads(resp.headers["x-app-usage"]) == app
    for _ in range(12):
        later = json.loads(http.get("/me", headers=bearer(token)).headers["x-app-usage"])
    assert later["call_count"] > app["call_count"]  # it rises with Graph calls
    camps = http.get(f"/{act}/campaigns", headers=bearer(token))
    assert next(iter(json.loads(camps.headers["x-business-use-case-usage"]).values()))[0]["type"] == "ads_management"


def test_paging_50000_rows() -> None:
    # How fast is measured in benchmarks/ (bench_paging.py), never asserted here.
    with Sandbox(insights_rows=50_000) as sb, httpx.Client(timeout=10) as c:
        token = sb.issue_token()
        url: str | None = f"{sb.graph_url}/v25.0/{sb.ad_account_ids()[0]}/insights?limit=500"
        n = 0
        while url:
            body = c.get(url, headers=bearer(token)).json()
            n += len(body["data"])
            url = body["paging"].get("next")
    assert n == 50_000
