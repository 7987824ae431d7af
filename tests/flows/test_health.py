"""Token health over time: validation, classification, auto-extend, headless session()."""

from __future__ import annotations

import keyring.backends.fail
import pytest

import meta_auth_nb as mab
from meta_auth_nb import errors as E
from meta_auth_nb.auth.health import validate
from meta_auth_nb.auth.profiles import check_profile, extend_profile
from meta_auth_nb.store import ProfileNotFound, TokenStore
from tests.conftest import FAST_RETRY


@pytest.fixture
def store(tmp_path):
    # Memory-backed store: the keyring itself is covered by tests/store.
    return TokenStore(config_dir=tmp_path / "cfg", keyring_backend=keyring.backends.fail.Keyring(), environ={})


def test_healthy_token_one_round_trip(sandbox, opts):
    token = sandbox.issue_token(scopes=["ads_read"], lifetime_s=60 * 86400)
    before = len(sandbox.request_log)
    report = validate(token, required_scopes="ads_read", **opts)
    assert report.status == "ok" and report.severity == 0
    assert len(sandbox.request_log) - before == 1  # debug_token + permissions in one batch
    assert {p.name for p in report.permissions} >= {"ads_read"}
    assert token not in report.summary() and token not in str(report.to_dict())


def test_expiring_soon_and_data_access(sandbox, opts):
    token = sandbox.issue_token(lifetime_s=60 * 86400)
    sandbox.advance(55 * 86400)
    report = validate(token, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    assert report.status == "expiring" and report.severity == 1
    assert "meta-auth extend" in report.advice
    never = sandbox.issue_token(lifetime_s=0)
    sandbox.advance(30 * 86400)  # data access lasts 90 days from issue: 60 days left
    later = validate(never, warn_days=7, **opts)
    assert later.status == "ok" and later.reason is None
    sandbox.advance(55 * 86400)  # 5 days left
    lapsing = validate(never, **opts)
    assert lapsing.status == "data_access_expiring" and lapsing.reason == "data access expires in 5 days"
    assert "logs in again" in lapsing.advice


def test_expired_invalidated_and_missing_scope(sandbox, opts):
    expired = sandbox.issue_token(lifetime_s=60)
    sandbox.advance(120)
    report = validate(expired, **opts)
    assert report.status == "expired" and report.severity == 2 and "%meta_login" in report.advice
    with_app = validate(expired, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    assert with_app.status == "expired"

    changed = sandbox.issue_token(user="alice")
    sandbox.change_password("alice")
    report = validate(changed, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    assert report.status == "invalid" and "password" in report.reason

    narrow = sandbox.issue_token(user="carol", scopes=["ads_read"])
    report = validate(narrow, required_scopes=["ads_management"], **opts)
    assert report.status == "missing_scopes" and report.missing_scopes == ("ads_management",)
    # Never declined, so nothing to ask again: the login asks for it, in a notebook and in a terminal.
    assert "`%meta_login --scopes ads_management`" in report.advice
    assert "`meta-auth login --oauth --scopes ads_management`" in report.advice
    assert "rerequest" not in report.advice


def test_check_profile_caches_facts_and_auto_extends(sandbox, opts, store):
    token = mab.AccessToken(sandbox.issue_token(lifetime_s=3 * 86400))
    store.save("work", token, app_id=sandbox.app_id, app_secret=sandbox.app_secret)
    report = check_profile(store, "work", **opts)
    assert report.status == "expiring"
    assert store.load("work").info is not None and store.load("work").checked_at is not None
    assert store.load("work").token == token  # nothing extended without asking
    extended = check_profile(store, "work", auto_extend=True, **opts)
    assert extended.status == "ok" and store.load("work").token != token


def test_extend_needs_secret(sandbox, opts, store):
    store.save("nosecret", sandbox.issue_token(), app_id=sandbox.app_id)
    with pytest.raises(E.ConfigError, match="app secret") as caught:
        extend_profile(store, "nosecret", **opts)
    assert "META_APP_SECRET" in str(caught.value) and "--save-app-secret" in str(caught.value)


def test_system_user_60_day_refresh(sandbox, opts, store):
    admin = sandbox.issue_token(kind="system_user", lifetime_s=0)
    sixty = mab.create_system_user_token(
        admin,
        sandbox.system_user_id,
        app_id=sandbox.app_id,
        app_secret=sandbox.app_secret,
        scopes="ads_read",
        expires_in_60_days=True,
        **opts,
    )
    store.save("sys", sixty, app_id=sandbox.app_id, app_secret=sandbox.app_secret)
    sandbox.advance(57 * 86400)
    assert check_profile(store, "sys", **opts).status == "expiring"
    before, after = extend_profile(store, "sys", **opts)
    assert before != after and check_profile(store, "sys", **opts).status == "ok"


def test_headless_session_fails_fast(sandbox, opts, store, monkeypatch):
    good = sandbox.issue_token(user="carol", lifetime_s=30 * 86400)
    store.save("job", good, app_id=sandbox.app_id)
    meta = mab.session("job", store=store, **opts)
    assert meta.get("me")["id"] and good not in repr(meta)

    store.save("gone", sandbox.issue_token(user="bob"), app_id=sandbox.app_id)
    sandbox.change_password("bob")
    with pytest.raises(E.TokenInvalidated, match="meta_login --profile gone"):
        mab.session("gone", store=store, **opts)
    with pytest.raises(E.MissingPermission):
        mab.session("job", store=store, required_scopes="ads_read,ads_management", **opts)
    with pytest.raises(ProfileNotFound):
        mab.session("nothing-here", store=store, **opts)


def test_headless_session_from_environment_only(sandbox, tmp_path, monkeypatch):
    token = sandbox.issue_token(lifetime_s=30 * 86400)
    env = {**sandbox.env(), "META_ACCESS_TOKEN": token}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    store = TokenStore(config_dir=tmp_path / "c", keyring_backend=keyring.backends.fail.Keyring())
    meta = mab.session(store=store, retry=FAST_RETRY)
    assert meta.get("me")["id"]


def test_environment_app_secret_is_used_for_its_own_app_only(sandbox, opts, store, monkeypatch):
    token = mab.AccessToken(sandbox.issue_token(lifetime_s=3 * 86400))
    store.save("envsecret", token, app_id=sandbox.app_id)  # no secret stored
    monkeypatch.setenv("META_APP_SECRET", sandbox.app_secret)
    monkeypatch.setenv("META_APP_ID", "999")  # another app: its secret must not be used
    with pytest.raises(E.ConfigError, match="META_APP_ID="):
        extend_profile(store, "envsecret", **opts)
    monkeypatch.setenv("META_APP_ID", sandbox.app_id)
    assert "meta-auth extend" in check_profile(store, "envsecret", **opts).advice
    before, after = extend_profile(store, "envsecret", **opts)
    assert before == token and store.load("envsecret").token == after
    assert store.load("envsecret").app_secret is None  # used, never stored
