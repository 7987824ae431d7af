"""debug_token shapes, /me, /me/permissions and the ways a token dies."""

from __future__ import annotations

import httpx
import pytest
from sandbox_helpers import OAuth, bearer, graph_error

from meta_auth_nb.sandbox import Sandbox

DAY = 86400


def test_debug_token_valid_user_shape(oauth: OAuth, sb: Sandbox) -> None:
    token = sb.issue_token("alice", lifetime_s=3600)
    data = oauth.debug(token)
    assert data["app_id"] == sb.app_id
    assert data["type"] == "USER"
    assert data["application"] == "Sandbox Marketing App"
    assert data["is_valid"] is True and "error" not in data
    assert data["user_id"] == sb.user_id("alice")
    assert data["expires_at"] == data["issued_at"] + 3600
    assert data["data_access_expires_at"] == data["issued_at"] + 90 * DAY
    assert data["scopes"] == ["ads_management", "ads_read", "business_management", "public_profile"]
    gran = {g["scope"]: g.get("target_ids") for g in data["granular_scopes"]}
    accounts = [a[4:] for a in sb.ad_account_ids("alice")]
    assert gran["ads_read"] == accounts  # strings here ...
    assert gran["ads_management"] == [int(a) for a in accounts]  # ... ints there, as real Graph mixes
    assert len(gran["business_management"]) == 1
    assert gran["public_profile"] is None
    assert data["metadata"]["sso"] == "web"


def test_never_expiring_page_and_system_user_tokens(oauth: OAuth, sb: Sandbox, http: httpx.Client) -> None:
    assert oauth.debug(sb.issue_token(lifetime_s=0))["expires_at"] == 0
    page = oauth.debug(sb.issue_token("carol", kind="page"))
    assert page["type"] == "PAGE" and page["profile_id"] and page["user_id"] == sb.user_id("carol")
    system = oauth.debug(sb.issue_token(kind="system_user", lifetime_s=0))
    assert system["type"] == "SYSTEM_USER" and system["expires_at"] == 0
    assert system["user_id"] == sb.system_user_id
    me = http.get("/me", headers=bearer(sb.issue_token("carol", kind="page"))).json()
    assert me["id"] == page["profile_id"]


def test_expired_token(oauth: OAuth, sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token(lifetime_s=60)
    sb.advance(61)
    data = oauth.debug(token)
    assert data["is_valid"] is False
    assert data["error"]["code"] == 190 and data["error"]["subcode"] == 463
    assert "error_subcode" not in data["error"]
    assert data["scopes"] and data["user_id"] == sb.user_id("alice")  # the rest is still there
    resp = http.get("/me", headers=bearer(token))
    assert resp.status_code == 400
    err = graph_error(resp)
    assert (err["code"], err["error_subcode"], err["type"]) == (190, 463, "OAuthException")
    assert err["message"].startswith("Error validating access token: Session has expired on ")
    assert "The current time is" in err["message"]
    assert resp.headers["www-authenticate"].startswith('OAuth "Facebook Platform" "invalid_token" "Error')


def test_password_changed(oauth: OAuth, sb: Sandbox, http: httpx.Client) -> None:
    old = sb.issue_token("alice")
    bobs = sb.issue_token("bob")
    assert sb.change_password("alice") == 1
    assert oauth.debug(old)["error"]["subcode"] == 460
    assert graph_error(http.get("/me", headers=bearer(old)))["error_subcode"] == 460
    assert http.get("/me", headers=bearer(bobs)).status_code == 200
    assert http.get("/me", headers=bearer(sb.issue_token("alice"))).status_code == 200


def test_app_removed(oauth: OAuth, sb: Sandbox, http: httpx.Client) -> None:
    token, other = sb.issue_token("alice"), sb.issue_token("alice")
    resp = http.delete("/me/permissions", headers=bearer(token))
    assert resp.json() == {"success": True}
    for t in (token, other):
        data = oauth.debug(t)
        assert data["is_valid"] is False and data["error"]["subcode"] == 458
        err = graph_error(http.get("/me", headers=bearer(t)))
        assert (err["code"], err["error_subcode"]) == (190, 458)
    assert http.get("/me", headers=bearer(oauth.login())).status_code == 200  # logging in again works


def test_unknown_and_garbage_tokens(oauth: OAuth, http: httpx.Client) -> None:
    data = oauth.debug("not a token")
    assert data == {
        "is_valid": False,
        "scopes": [],
        "error": {"code": 190, "message": "Invalid OAuth access token - Cannot parse access token."},
    }
    data = oauth.debug("EAA" + "x" * 170)
    assert data["is_valid"] is False and data["error"]["subcode"] == 467
    err = graph_error(http.get("/me", headers=bearer("garbage")))
    assert err["code"] == 190 and "error_subcode" not in err
    err = graph_error(http.get("/me"))
    assert (err["code"], err["message"]) == (104, "An access token is required to request this resource.")
    err = graph_error(http.get("/debug_token", params={"input_token": "x"}))
    assert err["code"] == 104


def test_token_in_query_or_header(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    assert http.get("/me", params={"access_token": token}).status_code == 200
    assert http.get("/me", headers={"Authorization": f"OAuth {token}"}).status_code == 200
    me = http.get("/me", params={"fields": "id,name,email,first_name,nonsense"}, headers=bearer(token)).json()
    assert me == {
        "id": sb.user_id("alice"),
        "name": "Alice Analyst",
        "email": "alice@example.com",
        "first_name": "Alice",
    }
    assert http.get(f"/{sb.user_id('alice')}", headers=bearer(token)).json()["name"] == "Alice Analyst"
    err = graph_error(http.get(f"/{sb.user_id('bob')}", headers=bearer(token)))
    assert (err["code"], err["error_subcode"], err["type"]) == (100, 33, "GraphMethodException")


def test_permissions_list_and_bob_declines_ads_read(oauth: OAuth, sb: Sandbox, http: httpx.Client) -> None:
    alice = http.get("/me/permissions", headers=bearer(sb.issue_token())).json()["data"]
    assert {"permission": "ads_read", "status": "granted"} in alice
    bob = oauth.login("bob", scope="ads_read,ads_management")
    perms = http.get("/me/permissions", headers=bearer(bob)).json()["data"]
    assert {"permission": "ads_read", "status": "declined"} in perms
    assert {"permission": "ads_management", "status": "granted"} in perms
    assert {"permission": "public_profile", "status": "granted"} in perms
    data = oauth.debug(bob)
    assert "ads_read" not in data["scopes"] and "ads_management" in data["scopes"]
    one = http.get("/me/permissions/ads_read", headers=bearer(bob)).json()["data"]
    assert one == [{"permission": "ads_read", "status": "declined"}]


def test_delete_one_permission(oauth: OAuth, sb: Sandbox, http: httpx.Client) -> None:
    t1, t2 = sb.issue_token(), sb.issue_token()
    resp = http.delete("/me/permissions/ads_read", headers=bearer(t1))
    assert resp.json() == {"success": True}
    perms = http.get("/me/permissions", headers=bearer(t2)).json()["data"]
    assert {"permission": "ads_read", "status": "declined"} in perms
    for t in (t1, t2):
        data = oauth.debug(t)
        assert data["is_valid"] and "ads_read" not in data["scopes"]
    # DELETE via ?method=delete, like Graph allows.
    resp = http.post("/me/permissions/business_management", params={"method": "delete"}, headers=bearer(t1))
    assert resp.json() == {"success": True}
    assert "business_management" not in oauth.debug(t2)["scopes"]


def test_debug_token_needs_a_caller_of_this_app(sb: Sandbox, http: httpx.Client) -> None:
    user = sb.issue_token()
    ok = http.get("/debug_token", params={"input_token": user}, headers=bearer(user))
    assert ok.json()["data"]["is_valid"] is True  # a token may inspect itself
    err = graph_error(http.get("/debug_token", headers=bearer(user)))
    assert err["code"] == 100


@pytest.mark.parametrize("kind", ["user", "system_user", "page", "app"])
def test_issue_token_kinds(sb: Sandbox, kind: str) -> None:
    token = sb.issue_token(kind=kind)
    assert token.startswith(sb.app_id + "|") if kind == "app" else token.startswith("EAA")
