"""Workshop scenarios."""

from __future__ import annotations

import httpx
import pytest
from sandbox_helpers import OAuth, bearer, graph_error

from meta_auth_nb.sandbox import Sandbox


def _client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.graph_url + "/v25.0", timeout=10)


def test_descriptions_are_one_sentence() -> None:
    for name, text in Sandbox.scenarios.items():
        assert text.count(". ") == 0 and text.endswith("."), name


def test_unknown_scenario() -> None:
    with pytest.raises(ValueError, match="expiring-token"):
        Sandbox(scenario="nope")


def test_expiring_token() -> None:
    with Sandbox(scenario="expiring-token") as sb, _client(sb) as http:
        oauth = OAuth(sb, http)
        resp = oauth.exchange(oauth.code())
        assert resp.json()["expires_in"] == 300
        token = resp.json()["access_token"]
        extended = http.get(
            "/oauth/access_token",
            params={
                "grant_type": "fb_exchange_token",
                "client_id": sb.app_id,
                "client_secret": sb.app_secret,
                "fb_exchange_token": token,
            },
        ).json()
        assert extended["expires_in"] == 300
        sb.advance(301)
        for t in (token, extended["access_token"]):
            assert graph_error(http.get("/me", headers=bearer(t)))["error_subcode"] == 463


def test_declined_ads_read_until_rerequest() -> None:
    with Sandbox(scenario="declined-ads-read") as sb, _client(sb) as http:
        oauth = OAuth(sb, http)
        token = oauth.login(scope="ads_read")
        assert "ads_read" not in oauth.debug(token)["scopes"]
        assert graph_error(http.get("/me/adaccounts", headers=bearer(token)))["code"] == 200
        perms = http.get("/me/permissions", headers=bearer(token)).json()["data"]
        assert {"permission": "ads_read", "status": "declined"} in perms
        again = oauth.login(scope="ads_read", auth_type="rerequest")
        assert "ads_read" in oauth.debug(again)["scopes"]
        assert http.get("/me/adaccounts", headers=bearer(again)).status_code == 200


def test_password_changed_a_minute_after_first_token() -> None:
    with Sandbox(scenario="password-changed") as sb, _client(sb) as http:
        first = sb.issue_token("alice")
        bob = sb.issue_token("bob")
        sb.advance(30)
        assert http.get("/me", headers=bearer(first)).status_code == 200
        sb.advance(31)
        err = graph_error(http.get("/me", headers=bearer(first)))
        assert (err["code"], err["error_subcode"]) == (190, 460)
        assert http.get("/me", headers=bearer(bob)).status_code == 200
        fresh = sb.issue_token("alice")
        sb.advance(120)
        assert http.get("/me", headers=bearer(fresh)).status_code == 200  # it happens once


def test_rate_limited() -> None:
    with Sandbox(scenario="rate-limited") as sb, _client(sb) as http:
        assert (sb.tier, sb.rate_limit_speed) == ("development", 10.0)
        token, act = sb.issue_token(), sb.ad_account_ids()[0]
        first = http.get(f"/{act}/insights", params={"limit": 500}, headers=bearer(token)).json()
        assert len(first["data"]) == 500 and sb.info()["insights_rows"] == 40_000
        codes = [http.get(f"/{act}/insights", headers=bearer(token)).status_code for _ in range(80)]
        assert 400 in codes  # an unpaced pull of one account runs into the development tier's block
        error = http.get(f"/{act}/insights", headers=bearer(token)).json()["error"]
        assert (error["code"], error["error_subcode"]) == (17, 2446079)
