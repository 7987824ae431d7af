"""System user tokens: POST /{system_user_id}/access_tokens and their refresh."""

from __future__ import annotations

import httpx
from sandbox_helpers import OAuth, bearer, graph_error

from meta_auth_nb.sandbox import Sandbox, appsecret_proof

SIXTY_DAYS = 5184000


def _create(http: httpx.Client, sb: Sandbox, caller: str, **extra: str) -> httpx.Response:
    data = {
        "business_app": sb.app_id,
        "scope": "ads_read,ads_management",
        "appsecret_proof": appsecret_proof(caller, sb.app_secret),
        **extra,
    }
    return http.post(f"/{sb.system_user_id}/access_tokens", data=data, headers=bearer(caller))


def test_never_expiring_and_60_day_system_user_tokens(sb: Sandbox, http: httpx.Client, oauth: OAuth) -> None:
    admin = sb.issue_token(kind="system_user", lifetime_s=0)
    resp = _create(http, sb, admin)
    assert resp.status_code == 200 and set(resp.json()) == {"access_token"}
    data = oauth.debug(resp.json()["access_token"])
    assert data["type"] == "SYSTEM_USER" and data["expires_at"] == 0
    assert data["scopes"] == ["ads_management", "ads_read"]
    assert data["user_id"] == sb.system_user_id
    resp = _create(http, sb, admin, set_token_expires_in_60_days="true")
    sixty = resp.json()["access_token"]
    data = oauth.debug(sixty)
    assert abs(data["expires_at"] - (sb.now() + SIXTY_DAYS)) < 5
    # Refresh a 60-day one with fb_exchange_token + set_token_expires_in_60_days.
    sb.advance(30 * 86400)
    resp = http.get(
        "/oauth/access_token",
        params={
            "grant_type": "fb_exchange_token",
            "client_id": sb.app_id,
            "client_secret": sb.app_secret,
            "fb_exchange_token": sixty,
            "set_token_expires_in_60_days": "true",
        },
    )
    assert resp.json()["expires_in"] == SIXTY_DAYS
    refreshed = oauth.debug(resp.json()["access_token"])
    assert refreshed["type"] == "SYSTEM_USER" and abs(refreshed["expires_at"] - (sb.now() + SIXTY_DAYS)) < 5


def test_system_user_token_errors(sb: Sandbox, http: httpx.Client) -> None:
    admin = sb.issue_token(kind="system_user", lifetime_s=0)
    resp = http.post(
        f"/{sb.system_user_id}/access_tokens",
        data={"business_app": sb.app_id, "scope": "ads_read"},
        headers=bearer(admin),
    )
    err = graph_error(resp)
    assert (err["code"], err["message"]) == (100, "API calls from the server require an appsecret_proof argument")
    err = graph_error(_create(http, sb, admin, appsecret_proof="0" * 64))
    assert err["message"] == "Invalid appsecret_proof provided in the API argument"
    err = graph_error(_create(http, sb, sb.issue_token("alice")))
    assert err["code"] == 200
    assert graph_error(_create(http, sb, admin, business_app="42"))["code"] == 100
    assert graph_error(_create(http, sb, admin, scope=""))["code"] == 100
    resp = http.post(f"/{sb.user_id('alice')}/access_tokens", headers=bearer(admin))
    assert graph_error(resp)["error_subcode"] == 33


def test_system_user_me_and_permissions(sb: Sandbox, http: httpx.Client) -> None:
    admin = sb.issue_token(kind="system_user", scopes=["ads_read"], lifetime_s=0)
    assert http.get("/me", headers=bearer(admin)).json() == {"id": sb.system_user_id, "name": "Sandbox Admin"}
    perms = http.get("/me/permissions", headers=bearer(admin)).json()["data"]
    assert perms == [{"permission": "ads_read", "status": "granted"}]
