"""The whole token lifecycle over real HTTP against the sandbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

import meta_auth_nb as mab
from meta_auth_nb import errors as E
from meta_auth_nb._base.timefmt import utcnow
from tests.dialog_client import press

REDIRECT = "http://localhost:8765/callback"


def login(sandbox, opts, scopes="ads_read", user=None, **kw):
    req = mab.login_url(sandbox.app_id, REDIRECT, scopes, dialog_url=sandbox.dialog_url, **kw)
    location = press(req.url, "allow", user=user)
    code = mab.parse_redirect(location, req.state)
    return req, code


def test_full_flow_login_exchange_extend_inspect_permissions_insights(sandbox, opts):
    _, code = login(sandbox, opts, "ads_read,ads_management")
    short = mab.exchange_code(code, app_id=sandbox.app_id, app_secret=sandbox.app_secret, redirect_uri=REDIRECT, **opts)
    assert short.expires_in() < timedelta(hours=3)
    long = mab.extend_token(short, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    assert long != short and long.expires_in() > timedelta(days=59)

    info = mab.inspect_token(long, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    assert info.is_valid and info.type == "USER" and info.app_id == sandbox.app_id
    assert {"ads_read", "ads_management"} <= set(info.scopes)
    assert info.expires_at - utcnow() > timedelta(days=59)
    assert info.data_access_expires_at is not None
    ads = [g for g in info.granular_scopes if g.scope == "ads_read"]
    assert ads and all(isinstance(t, str) for t in ads[0].target_ids)

    perms = {p.name: p.status for p in mab.permissions(long, **opts)}
    assert perms["ads_read"] == "granted"

    with mab.GraphSession(long, app_secret=sandbox.app_secret, **opts) as meta:
        accounts = list(meta.pages("me/adaccounts"))
        assert accounts
        account = accounts[0]["id"]
        campaigns = meta.frame(f"{account}/campaigns")
        assert len(campaigns) >= 1
        insights = meta.frame(f"{account}/insights", limit=100)
        assert len(insights) == 1000  # Sandbox default insights_rows
        assert meta.usage is not None and "call_count" in meta.usage.app


def test_used_code_is_refused(sandbox, opts):
    _, code = login(sandbox, opts)
    kw = dict(app_id=sandbox.app_id, app_secret=sandbox.app_secret, redirect_uri=REDIRECT, **opts)
    mab.exchange_code(code, **kw)
    with pytest.raises(E.CodeExchangeFailed) as info:
        mab.exchange_code(code, **kw)
    assert info.value.subcode == 36009 and "works once" in str(info.value)


def test_expired_code_and_redirect_mismatch(sandbox, opts):
    _, code = login(sandbox, opts)
    with pytest.raises(E.CodeExchangeFailed) as mismatch:
        mab.exchange_code(
            code, app_id=sandbox.app_id, app_secret=sandbox.app_secret, redirect_uri=REDIRECT + "x", **opts
        )
    assert mismatch.value.subcode == 36008
    _, code2 = login(sandbox, opts)
    sandbox.advance(11 * 60)
    with pytest.raises(E.CodeExchangeFailed) as expired:
        mab.exchange_code(code2, app_id=sandbox.app_id, app_secret=sandbox.app_secret, redirect_uri=REDIRECT, **opts)
    assert expired.value.subcode == 36007


def test_wrong_secret_and_unknown_app(sandbox, opts):
    _, code = login(sandbox, opts)
    with pytest.raises(E.CodeExchangeFailed, match="client secret"):
        mab.exchange_code(code, app_id=sandbox.app_id, app_secret="0" * 32, redirect_uri=REDIRECT, **opts)
    with pytest.raises(E.CodeExchangeFailed) as bad_app:
        mab.exchange_code(code, app_id="999", app_secret=sandbox.app_secret, redirect_uri=REDIRECT, **opts)
    assert bad_app.value.code == 101


def test_malformed_code(sandbox, opts):
    with pytest.raises(E.CodeExchangeFailed):
        mab.exchange_code(
            "not a code", app_id=sandbox.app_id, app_secret=sandbox.app_secret, redirect_uri=REDIRECT, **opts
        )
    with pytest.raises(E.CodeExchangeFailed):
        mab.exchange_code(
            "garbage!!", app_id=sandbox.app_id, app_secret=sandbox.app_secret, redirect_uri=REDIRECT, **opts
        )


def test_wrong_state_and_denial(sandbox):
    req = mab.login_url(sandbox.app_id, REDIRECT, "ads_read", dialog_url=sandbox.dialog_url)
    location = press(req.url, "allow")
    with pytest.raises(E.StateMismatch):
        mab.parse_redirect(location, "some-other-state")
    denied = press(req.url, "cancel")
    with pytest.raises(E.LoginDenied):
        mab.parse_redirect(denied, req.state)


def test_expired_token_after_clock_moves(sandbox, opts):
    token = sandbox.issue_token(lifetime_s=3600)
    with mab.GraphSession(token, **opts) as meta:
        assert meta.get("me")["id"]
        sandbox.advance(3601)
        with pytest.raises(E.TokenExpired) as info:
            meta.get("me")
    assert info.value.subcode == 463 and "log in again" in str(info.value).lower()
    details = mab.inspect_token(token, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    assert not details.is_valid and details.invalid_reason == "the token has expired"
    with pytest.raises(E.TokenExpired):
        mab.extend_token(token, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)


def test_password_change_invalidates(sandbox, opts):
    token = sandbox.issue_token(user="alice")
    sandbox.change_password("alice")
    with pytest.raises(E.TokenInvalidated) as info:
        mab.GraphSession(token, **opts).get("me")
    assert info.value.subcode == 460 and "password" in info.value.reason
    details = mab.inspect_token(token, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    assert details.error_subcode == 460 and "password" in details.invalid_reason


def test_declined_permission_and_missing_scope(sandbox, opts):
    _, code = login(sandbox, opts, "ads_read,public_profile", user="bob")
    token = mab.exchange_code(code, app_id=sandbox.app_id, app_secret=sandbox.app_secret, redirect_uri=REDIRECT, **opts)
    perms = {p.name: p.status for p in mab.permissions(token, **opts)}
    assert perms["ads_read"] == "declined"
    info = mab.inspect_token(token, **opts)  # a token can inspect itself
    assert "ads_read" not in info.scopes
    with pytest.raises(E.MissingPermission) as missing:
        mab.GraphSession(token, **opts).get("me/adaccounts")
    assert "rerequest" in str(missing.value)


def test_revoke_permission_and_remove_app(sandbox, opts):
    token = sandbox.issue_token(user="carol", scopes=["ads_read", "public_profile"])
    assert mab.revoke_permission(token, "ads_read", **opts)
    assert {p.name: p.status for p in mab.permissions(token, **opts)}["ads_read"] == "declined"
    assert mab.revoke_permission(token, **opts)
    with pytest.raises(E.TokenInvalidated) as info:
        mab.permissions(token, **opts)
    assert info.value.subcode == 458


def test_revoke_token(sandbox, opts):
    token = sandbox.issue_token()
    assert mab.revoke_token(token, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    with pytest.raises(E.TokenError):
        mab.GraphSession(token, **opts).get("me")


def test_app_tokens(sandbox, opts):
    fetched = mab.app_token(sandbox.app_id, sandbox.app_secret, fetch=True, **opts)
    user = sandbox.issue_token()
    assert mab.inspect_token(user, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts).is_valid
    with mab.GraphSession(fetched, **opts) as session:  # the client_credentials token works as caller too
        payload = session.post("debug_token", input_token=user, method="get")
    assert payload["data"]["is_valid"] is True and payload["data"]["type"] == "USER"


def test_system_user_tokens_and_60_day_refresh(sandbox, opts):
    admin = sandbox.issue_token(kind="system_user", lifetime_s=0)
    forever = mab.create_system_user_token(
        admin, sandbox.system_user_id, app_id=sandbox.app_id, app_secret=sandbox.app_secret, scopes="ads_read", **opts
    )
    info = mab.inspect_token(forever, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    assert info.type == "SYSTEM_USER" and info.never_expires
    sixty = mab.create_system_user_token(
        admin,
        sandbox.system_user_id,
        app_id=sandbox.app_id,
        app_secret=sandbox.app_secret,
        scopes="ads_read",
        expires_in_60_days=True,
        **opts,
    )
    sandbox.advance(30 * 86400)
    refreshed = mab.refresh_system_user_token(sixty, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    assert refreshed.expires_in() > timedelta(days=59)
    after = mab.inspect_token(refreshed, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    assert after.is_valid and after.type == "SYSTEM_USER"


def test_inspect_many_tokens_concurrently(sandbox, opts):
    tokens = [sandbox.issue_token() for _ in range(5)] + ["EAA" + "x" * 160]
    infos = mab.inspect_tokens(tokens, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    assert [i.is_valid for i in infos] == [True] * 5 + [False]
