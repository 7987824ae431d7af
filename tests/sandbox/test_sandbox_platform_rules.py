"""The rules real Meta applies and the sandbox now does too: redirects, app roles, Login for Business, versions."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest
from sandbox_helpers import OAuth, bearer, graph_error, parse_form, query_of

from meta_auth_nb.sandbox import Sandbox


def _error_page(resp: httpx.Response, text: str) -> None:
    assert resp.status_code == 400, resp.text[:300]
    assert "location" not in resp.headers and 'id="allow"' not in resp.text
    assert text in resp.text


# ---- redirect URIs ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "redirect",
    [
        "http://127.0.0.1:8765/callback",  # only localhost is exempt in development mode
        "https://example.com/other-login",  # not registered
        "https://example.com/meta-login/more",  # a prefix of a registered one is not a match
        "http://example.com/meta-login",
    ],
)
def test_unregistered_redirects_get_error_191(sb: Sandbox, oauth: OAuth, redirect: str) -> None:
    sb.register_redirect_uri("https://example.com/meta-login")
    _error_page(oauth.dialog(redirect_uri=redirect, scope="ads_read"), "URL Blocked")
    assert "#191" in oauth.dialog(redirect_uri=redirect, scope="ads_read").text


def test_registered_https_redirect_is_matched_exactly(sb: Sandbox, oauth: OAuth) -> None:
    sb.register_redirect_uri("https://example.com/meta-login")
    page = oauth.dialog(redirect_uri="https://example.com/meta-login", scope="ads_read")
    assert page.status_code == 200
    location = oauth.decide(page).headers["location"]
    assert location.startswith("https://example.com/meta-login?code=") and location.endswith("#_=_")


def test_localhost_only_while_in_development_mode(sb: Sandbox, oauth: OAuth) -> None:
    assert sb.app_mode == "development"
    page = oauth.dialog(scope="ads_read")  # http://localhost:8765/callback, never registered
    assert page.status_code == 200
    sb.set_app_mode("live")
    _error_page(oauth.dialog(scope="ads_read"), "only while the app is in development mode")
    # The form of a page shown earlier is checked again when it is posted.
    _error_page(oauth.decide(page), "URL Blocked")


def test_registering_plain_http_is_refused(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="HTTPS"):
        sb.register_redirect_uri("http://localhost:8765/callback")
    with pytest.raises(ValueError, match="fragment"):
        sb.register_redirect_uri("https://example.com/cb#x")
    sb.register_redirect_uri(sb.login_success_url)  # the sandbox's own page stands for Meta's HTTPS one
    assert sb.redirect_uris == [sb.login_success_url]


def test_login_success_page_shows_the_final_address(sb: Sandbox, oauth: OAuth) -> None:
    sb.register_redirect_uri(sb.login_success_url)
    location = oauth.decide(oauth.dialog(redirect_uri=sb.login_success_url, scope="ads_read")).headers["location"]
    assert location.startswith(sb.login_success_url + "?code=")
    page = httpx.get(location.split("#")[0])
    assert page.status_code == 200 and "Success" in page.text
    shown = page.text.split('<code id="final-url">')[1].split("</code>")[0].replace("&amp;", "&")
    assert shown == location.split("#")[0]
    hostile = httpx.get(sb.login_success_url, params={"code": "<script>x</script>", "state": "s"})
    assert "<script>x" not in hostile.text and "%3Cscript%3E" in hostile.text


# ---- people with and without a role on the app -----------------------------------------------------
def test_users_without_a_role_cannot_log_in_to_a_development_app(sb: Sandbox, oauth: OAuth) -> None:
    assert sb.role("dana") is None and sb.role("alice") == "administrator"
    _error_page(oauth.decide(oauth.dialog(scope="ads_read"), user="dana"), "App not active")


def test_live_app_lets_dana_in_but_not_into_debug_token(sb: Sandbox, oauth: OAuth, http: httpx.Client) -> None:
    sb.register_redirect_uri("https://example.com/meta-login")
    sb.set_app_mode("live")
    page = oauth.dialog(redirect_uri="https://example.com/meta-login", scope="ads_read")
    code = query_of(oauth.decide(page, user="dana").headers["location"])["code"]
    token = oauth.exchange(code, redirect_uri="https://example.com/meta-login").json()["access_token"]
    refused = http.get("/debug_token", params={"input_token": token}, headers=bearer(token))
    error = graph_error(refused)
    assert refused.status_code == 400 and error["code"] == 100 and "owner or developer" in error["message"]
    assert oauth.debug(token)["is_valid"] is True  # the app token may
    assert http.get("/me", headers=bearer(token)).json()["name"] == "Dana Agency"
    granted = {p["permission"] for p in http.get("/me/permissions", headers=bearer(token)).json()["data"]}
    assert granted == {"ads_read", "public_profile"}


def test_taking_a_role_away_closes_debug_token(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token("carol")
    assert http.get("/debug_token", params={"input_token": token}, headers=bearer(token)).status_code == 200
    sb.set_role("carol", None)
    assert graph_error(http.get("/debug_token", params={"input_token": token}, headers=bearer(token)))["code"] == 100
    with pytest.raises(ValueError):
        sb.set_role("carol", "owner")


# ---- Facebook Login for Business ----------------------------------------------------------------
def test_configuration_decides_the_permissions(sb: Sandbox, oauth: OAuth) -> None:
    config = sb.config_id("user")
    page = oauth.dialog(config_id=config, scope="ads_management,business_management")
    assert page.status_code == 200 and "Login for Business" in page.text
    form = parse_form(page.text)
    assert not [k for k in form.fields if k.startswith("grant_")]  # nothing to untick: all or none
    assert "ads_management" not in page.text  # scope is ignored
    token = oauth.exchange(query_of(oauth.decide(page).headers["location"])["code"]).json()["access_token"]
    data = oauth.debug(token)
    assert data["type"] == "USER" and data["scopes"] == ["ads_read", "public_profile"]


def test_one_refused_permission_means_none(oauth: OAuth, sb: Sandbox) -> None:
    resp = oauth.decide(oauth.dialog(config_id=sb.config_id("user")), user="bob")  # bob declines ads_read
    assert resp.status_code == 302
    q = query_of(resp.headers["location"])
    assert q["error"] == "access_denied" and q["state"] == "st-123" and "code" not in q


def test_system_user_configuration_gives_a_60_day_system_user_token(sb: Sandbox, oauth: OAuth) -> None:
    page = oauth.dialog(config_id=sb.config_id("system_user"))
    answer = oauth.exchange(query_of(oauth.decide(page).headers["location"])["code"]).json()
    assert answer["expires_in"] == 60 * 86400
    data = oauth.debug(answer["access_token"])
    assert data["type"] == "SYSTEM_USER" and data["user_id"] == sb.system_user_id
    assert data["scopes"] == ["ads_read", "business_management"]


def test_configuration_errors(oauth: OAuth, sb: Sandbox) -> None:
    _error_page(oauth.dialog(config_id="777"), "Invalid config_id")
    _error_page(oauth.dialog(config_id=sb.config_id("user"), auth_type="rerequest"), "rerequest cannot be used")


# ---- versions and their Marketing API end dates ---------------------------------------------------------
def _campaigns(sb: Sandbox, version: str) -> httpx.Response:
    act = sb.ad_account_ids()[0]
    return httpx.get(f"{sb.graph_url}/{version}/{act}/campaigns", headers=bearer(sb.issue_token()))


def test_ended_version_is_upgraded_with_a_warning_header(sb: Sandbox) -> None:
    old = _campaigns(sb, "v24.0")
    assert old.status_code == 200 and old.json()["data"]
    assert "auto-upgraded to v25.0" in old.headers["x-ad-api-version-warning"]
    assert "x-ad-api-version-warning" not in _campaigns(sb, "v27.0").headers
    me = httpx.get(f"{sb.graph_url}/v24.0/me", headers=bearer(sb.issue_token()))
    assert "x-ad-api-version-warning" not in me.headers  # Graph v24.0 itself still runs


def test_strict_sandbox_refuses_ended_versions_with_2635() -> None:
    with Sandbox(strict_versions=True) as sb:
        answer = _campaigns(sb, "v23.0")
        assert answer.status_code == 400 and graph_error(answer)["code"] == 2635
        assert _campaigns(sb, "v27.0").status_code == 200


def test_v25_ends_by_the_sandbox_clock(sb: Sandbox) -> None:
    if sb.now() < _END_V25:
        assert "x-ad-api-version-warning" not in _campaigns(sb, "v25.0").headers
    sb.advance(max(0.0, _END_V25 - sb.now()) + 3600)
    assert "auto-upgraded to v26.0" in _campaigns(sb, "v25.0").headers["x-ad-api-version-warning"]


_END_V25 = datetime(2027, 2, 23, tzinfo=timezone.utc).timestamp()
