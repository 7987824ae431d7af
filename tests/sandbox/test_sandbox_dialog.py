"""The login dialog: the page, its escaping, and the Allow / Cancel redirects."""

from __future__ import annotations

import httpx
from sandbox_helpers import REDIRECT, OAuth, parse_form, query_of

from meta_auth_nb.sandbox import Sandbox


def test_page_lists_app_permissions_users_and_buttons(oauth: OAuth) -> None:
    page = oauth.dialog(scope="ads_read,business_management", auth_type="rerequest")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Sandbox Marketing App" in page.text
    for scope in ("ads_read", "business_management", "public_profile"):
        assert scope in page.text
    assert "ads_management" not in page.text
    form = parse_form(page.text)
    assert form.method == "post"
    assert form.action == "/v25.0/dialog/oauth/decide"
    assert form.buttons["allow"]["text"].strip() == "Allow"
    assert form.buttons["cancel"]["text"].strip() == "Cancel"
    assert ("alice", True) in form.options and ("bob", False) in form.options
    assert "dana (no role on the app)" in page.text
    assert form.fields["state"] == "st-123"
    assert form.fields["redirect_uri"] == REDIRECT
    assert form.fields["auth_type"] == "rerequest"


def test_hostile_state_and_redirect_are_escaped_and_echoed_exactly(oauth: OAuth) -> None:
    state = '"><script>alert(1)</script>&x=1'
    redirect = 'https://example.com/cb?next="><img/src=x/onerror=alert(2)>'
    oauth.sb.register_redirect_uri(redirect)
    page = oauth.dialog(state=state, redirect_uri=redirect, scope="ads_read")
    assert page.status_code == 200
    assert "<script>" not in page.text and "<img" not in page.text
    assert "&lt;script&gt;" in page.text
    form = parse_form(page.text)
    assert form.fields["state"] == state  # the parser unescapes: the value survives intact
    resp = oauth.decide(page)
    loc = resp.headers["location"]
    assert loc.endswith("#_=_")
    q = query_of(loc)
    assert q["state"] == state
    assert q["next"] == '"><img/src=x/onerror=alert(2)>'  # redirect_uri's own query kept
    # An invalid redirect_uri is echoed on the error page, escaped too.
    err = oauth.dialog(state=state, redirect_uri='javascript:"><img src=x onerror=alert(3)>')
    assert err.status_code == 400 and "<img" not in err.text and "&lt;img" in err.text
    assert q["code"].startswith("AQ")


def test_allow_redirects_with_code_state_and_fragment(oauth: OAuth) -> None:
    page = oauth.dialog(scope="ads_read", redirect_uri=REDIRECT + "?keep=1")
    resp = oauth.decide(page, "allow")
    assert resp.status_code == 302
    loc = resp.headers["location"]
    assert loc.startswith(REDIRECT + "?keep=1&code=")
    assert loc.endswith("#_=_")
    q = query_of(loc)
    assert q["state"] == "st-123" and q["keep"] == "1"
    assert resp.headers["cache-control"] == "no-store"


def test_cancel_redirects_with_access_denied(oauth: OAuth) -> None:
    resp = oauth.decide(oauth.dialog(scope="ads_read"), "cancel")
    assert resp.status_code == 302
    assert resp.headers["location"] == (
        REDIRECT + "?error=access_denied&error_code=200&error_description=Permissions+error"
        "&error_reason=user_denied&state=st-123#_=_"
    )


def test_unversioned_dialog_path_works(sb: Sandbox) -> None:
    r = httpx.get(
        f"{sb.dialog_url}/dialog/oauth", params={"client_id": sb.app_id, "redirect_uri": REDIRECT, "state": "s"}
    )
    assert r.status_code == 200
    assert parse_form(r.text).action == "/dialog/oauth/decide"


def _assert_error_page(resp: httpx.Response, text: str) -> None:
    assert resp.status_code == 400
    assert "location" not in resp.headers
    assert resp.headers["content-type"].startswith("text/html")
    assert text in resp.text
    assert 'id="allow"' not in resp.text


def test_bad_requests_get_an_error_page_and_no_redirect(oauth: OAuth) -> None:
    _assert_error_page(oauth.dialog(client_id="1234567890123456"), "Invalid App ID")
    _assert_error_page(oauth.dialog(redirect_uri=""), "Missing redirect_uri")
    _assert_error_page(oauth.dialog(redirect_uri="javascript:alert(1)"), "URL Blocked")
    _assert_error_page(oauth.dialog(redirect_uri="/relative/cb"), "URL Blocked")
    _assert_error_page(oauth.dialog(redirect_uri=REDIRECT + "#frag"), "URL Blocked")
    _assert_error_page(oauth.dialog(state=""), "Missing state")
    bad = oauth.dialog(scope="ads_read,<b>x</b>")
    _assert_error_page(bad, "Invalid Scopes")
    assert "<b>" not in bad.text and "&lt;b&gt;" in bad.text


def test_decide_revalidates_and_refuses_get(oauth: OAuth, http: httpx.Client) -> None:
    page = oauth.dialog(scope="ads_read")
    evil = oauth.decide(page, "allow", redirect_uri="javascript:alert(1)")
    _assert_error_page(evil, "URL Blocked")
    no_state = oauth.decide(page, "cancel", state="")
    _assert_error_page(no_state, "Missing state")
    assert oauth.decide(page, "allow", user="mallory").status_code == 400
    assert http.get("/dialog/oauth/decide").status_code == 405


def test_unticked_permission_is_declined(oauth: OAuth) -> None:
    page = oauth.dialog(scope="ads_read,business_management")
    form = parse_form(page.text)
    fields = {k: v for k, v in form.fields.items() if k != "grant_business_management"}
    resp = oauth.http.post(oauth.sb.dialog_url + (form.action or ""), data={**fields, "decision": "allow"})
    token = oauth.exchange(query_of(resp.headers["location"])["code"]).json()["access_token"]
    data = oauth.debug(token)
    assert "ads_read" in data["scopes"] and "business_management" not in data["scopes"]
    perms = oauth.http.get("/me/permissions", headers={"Authorization": f"Bearer {token}"}).json()["data"]
    assert {"permission": "business_management", "status": "declined"} in perms
