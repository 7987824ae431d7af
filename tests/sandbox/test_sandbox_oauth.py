"""oauth/access_token (code exchange, extension, app token) and oauth/revoke."""

from __future__ import annotations

import re

import httpx
import pytest
from sandbox_helpers import REDIRECT, OAuth, bearer, graph_error

from meta_auth_nb.sandbox import Sandbox

TOKEN = re.compile(r"^EAA[A-Za-z0-9]{160,}$")
SIXTY_DAYS = 5184000


def test_code_exchange_gives_a_short_lived_token(oauth: OAuth, http: httpx.Client) -> None:
    resp = oauth.exchange(oauth.code())
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 7200
    assert TOKEN.match(body["access_token"])
    me = http.get("/me", headers=bearer(body["access_token"]))
    assert me.json()["name"] == "Alice Analyst"
    data = oauth.debug(body["access_token"])
    assert "issued_at" not in data  # like real short-lived tokens
    assert data["expires_at"] - data["data_access_expires_at"] < 0


def test_exchange_accepts_post(oauth: OAuth, sb: Sandbox, http: httpx.Client) -> None:
    resp = http.post(
        "/oauth/access_token",
        data={"client_id": sb.app_id, "client_secret": sb.app_secret, "redirect_uri": REDIRECT, "code": oauth.code()},
    )
    assert resp.status_code == 200 and TOKEN.match(resp.json()["access_token"])


def test_used_code_is_36009(oauth: OAuth) -> None:
    code = oauth.code()
    assert oauth.exchange(code).status_code == 200
    err = graph_error(oauth.exchange(code))
    assert (err["code"], err["error_subcode"], err["type"]) == (100, 36009, "OAuthException")
    assert err["message"] == "This authorization code has been used."


def test_expired_code_is_36007(oauth: OAuth, sb: Sandbox) -> None:
    code = oauth.code()
    sb.advance(601)
    err = graph_error(oauth.exchange(code))
    assert (err["code"], err["error_subcode"]) == (100, 36007)


def test_redirect_mismatch_is_36008_and_keeps_the_code(oauth: OAuth) -> None:
    code = oauth.code()
    resp = oauth.exchange(code, redirect_uri=REDIRECT + "/other")
    assert resp.status_code == 400
    assert (graph_error(resp)["code"], graph_error(resp)["error_subcode"]) == (100, 36008)
    assert oauth.exchange(code).status_code == 200  # the failed attempt did not consume it


def test_client_and_code_errors(oauth: OAuth) -> None:
    code = oauth.code()
    err = graph_error(oauth.exchange(code, client_secret="0" * 32))
    assert (err["code"], err["message"], err["type"]) == (1, "Error validating client secret.", "OAuthException")
    err = graph_error(oauth.exchange(code, client_id="1111111111111111"))
    assert (err["code"], err["message"]) == (101, "Error validating application. Invalid application ID.")
    err = graph_error(oauth.exchange("not-a-code"))
    assert (err["code"], err["message"]) == (100, "Invalid verification code format.")
    assert "error_subcode" not in err
    err = graph_error(oauth.exchange(code, redirect_uri=None))  # type: ignore[arg-type]
    assert err["code"] == 1 and "redirect_uri" in err["message"]
    assert oauth.exchange(code).status_code == 200


def _extend(http: httpx.Client, sb: Sandbox, token: str | None, **extra: str) -> httpx.Response:
    q = {"grant_type": "fb_exchange_token", "client_id": sb.app_id, "client_secret": sb.app_secret, **extra}
    if token is not None:
        q["fb_exchange_token"] = token
    return http.get("/oauth/access_token", params=q)


def test_fb_exchange_token_gives_a_new_60_day_token(oauth: OAuth, sb: Sandbox, http: httpx.Client) -> None:
    short = oauth.login(scope="ads_read")
    resp = _extend(http, sb, short)
    assert resp.status_code == 200
    body = resp.json()
    assert body["expires_in"] == SIXTY_DAYS and body["token_type"] == "bearer"
    assert body["access_token"] != short and TOKEN.match(body["access_token"])
    old, new = oauth.debug(short), oauth.debug(body["access_token"])
    assert new["scopes"] == old["scopes"]
    assert abs(new["expires_at"] - (sb.now() + SIXTY_DAYS)) < 5
    assert new["issued_at"] > 0 and new["is_valid"]


def test_fb_exchange_token_errors(sb: Sandbox, http: httpx.Client) -> None:
    err = graph_error(_extend(http, sb, None))
    assert err["code"] == 1 and err["message"] == "Missing fb_exchange_token parameter."
    expired = sb.issue_token("alice", lifetime_s=60)
    sb.advance(61)
    resp = _extend(http, sb, expired)
    assert resp.status_code == 400
    err = graph_error(resp)
    assert (err["code"], err["error_subcode"]) == (190, 463)
    assert resp.headers["www-authenticate"].startswith('OAuth "Facebook Platform" "invalid_token"')
    err = graph_error(_extend(http, sb, "garbage"))
    assert err["code"] == 190
    err = graph_error(_extend(http, sb, sb.issue_token(), client_secret="f" * 32))
    assert err["code"] == 1


def test_client_credentials_and_app_tokens(oauth: OAuth, sb: Sandbox, http: httpx.Client) -> None:
    resp = http.get(
        "/oauth/access_token",
        params={"grant_type": "client_credentials", "client_id": sb.app_id, "client_secret": sb.app_secret},
    )
    body = resp.json()
    assert set(body) == {"access_token", "token_type"} and body["token_type"] == "bearer"
    app_token = body["access_token"]
    assert app_token.startswith(sb.app_id + "|")
    user = sb.issue_token()
    for caller in (app_token, f"{sb.app_id}|{sb.app_secret}"):
        r = http.get("/debug_token", params={"input_token": user, "access_token": caller})
        assert r.status_code == 200 and r.json()["data"]["is_valid"] is True
    data = oauth.debug(app_token)
    assert data["type"] == "APP" and data["is_valid"] and data["scopes"] == []
    err = graph_error(http.get("/me", headers=bearer(app_token)))
    assert err["code"] == 2500


def test_revoke_invalidates_the_token(sb: Sandbox, http: httpx.Client, oauth: OAuth) -> None:
    token = sb.issue_token()
    other = sb.issue_token()
    resp = http.post(
        "/oauth/revoke",
        data={"client_id": sb.app_id, "client_secret": sb.app_secret, "revoke_token": token, "access_token": token},
    )
    assert resp.status_code == 200 and resp.json() == {"success": True}
    r = http.get("/me", headers=bearer(token))
    err = graph_error(r)
    assert err["code"] == 190 and "error_subcode" not in err
    assert "www-authenticate" in r.headers
    assert oauth.debug(token)["is_valid"] is False
    assert http.get("/me", headers=bearer(other)).status_code == 200
    # GET works too; a wrong secret is refused.
    r = http.get("/oauth/revoke", params={"client_id": sb.app_id, "client_secret": "0" * 32, "revoke_token": other})
    assert graph_error(r)["code"] == 1
    r = http.get(
        "/oauth/revoke", params={"client_id": sb.app_id, "client_secret": sb.app_secret, "revoke_token": other}
    )
    assert r.json() == {"success": True}


@pytest.mark.parametrize("path", ["/oauth/access_token", "/me"])
def test_unversioned_paths_work(sb: Sandbox, path: str) -> None:
    r = httpx.get(sb.graph_url + path, params={"access_token": sb.issue_token()})
    assert r.headers["content-type"] == "application/json; charset=UTF-8"
    assert "content-length" in r.headers
