"""People without a role on the app: debug_token refuses their token, and everything still says something true."""

from __future__ import annotations

import logging

import keyring.backends.fail
import pytest

import meta_auth_nb as mab
from meta_auth_nb.auth.health import validate
from meta_auth_nb.auth.profiles import check_profile
from meta_auth_nb.auth.verdict import Status
from meta_auth_nb.store import TokenStore
from tests.conftest import FAST_RETRY


@pytest.fixture
def store(tmp_path):
    return TokenStore(config_dir=tmp_path / "cfg", keyring_backend=keyring.backends.fail.Keyring(), environ={})


def _batches(sandbox, since):
    return [e for e in sandbox.request_log[since:] if e.method == "POST" and e.path.rstrip("/").endswith("v27.0")]


def test_refused_debug_token_falls_back_to_one_batch_of_me_and_permissions(sandbox, opts):
    token = sandbox.issue_token("dana", lifetime_s=3600)
    before = len(sandbox.request_log)
    report = validate(token, required_scopes="ads_read", **opts)
    assert report.status == Status.EXPIRY_UNKNOWN and report.status.usable and report.severity == 1
    info = report.info
    assert info.is_valid and not info.expiry_known and not info.never_expires
    assert info.user_id == sandbox.user_id("dana") and "ads_read" in info.scopes
    assert {p.name for p in report.permissions} == {"ads_read", "public_profile"}
    assert "expiry unknown" in report.reason and "role on the app" in report.reason
    assert "META_APP_ID and META_APP_SECRET" in report.advice and "meta-auth check" in report.advice
    assert "expiry unknown" in report.summary() and token not in report.summary()
    assert len(_batches(sandbox, before)) == 2  # the first batch, then me + me/permissions
    assert report.to_dict()["expiry_known"] is False


def test_with_the_app_secret_the_expiry_is_known(sandbox, opts):
    token = sandbox.issue_token("dana", lifetime_s=3600)
    report = validate(token, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    assert report.status == Status.EXPIRING and report.info.expiry_known
    assert report.info.expires_at is not None and report.info.type == "USER"
    assert {p.name for p in report.permissions} >= {"ads_read"}


def test_an_expired_roleless_token_is_still_called_expired(sandbox, opts):
    token = sandbox.issue_token("dana", lifetime_s=60)
    sandbox.advance(120)
    report = validate(token, **opts)
    assert report.status == Status.EXPIRED and "%meta_login" in report.advice


def test_a_missing_scope_beats_the_unknown_expiry(sandbox, opts):
    token = sandbox.issue_token("dana", scopes=["ads_read"])
    report = validate(token, required_scopes=["ads_management"], **opts)
    assert report.status == Status.MISSING_SCOPES and report.missing_scopes == ("ads_management",)


def test_check_profile_caches_the_unknown_expiry(sandbox, opts, store):
    store.save("agency", sandbox.issue_token("dana"))
    report = check_profile(store, "agency", **opts)
    assert report.status == Status.EXPIRY_UNKNOWN
    cached = store.load("agency").info
    assert cached is not None and cached.is_valid and not cached.expiry_known
    assert mab.tokens_frame(store).loc[0, "status"] == "expiry_unknown"


def test_session_from_the_environment_warns_and_works(sandbox, monkeypatch, caplog):
    token = sandbox.issue_token("dana")
    monkeypatch.setenv("META_ACCESS_TOKEN", token)
    monkeypatch.setenv("META_GRAPH_URL", sandbox.graph_url)
    with caplog.at_level(logging.WARNING, logger="meta_auth_nb"):
        meta = mab.session(retry=FAST_RETRY)
    assert meta.get("me")["name"] == "Dana Agency"
    assert "expiry unknown" in caplog.text and "META_APP_SECRET" in caplog.text
    assert token not in caplog.text


def test_session_warns_once_about_a_pinned_version_whose_marketing_api_ended(sandbox, monkeypatch, caplog):
    from meta_auth_nb.auth import headless

    monkeypatch.setattr(headless, "_warned", set())  # once per process: start this test from a clean slate
    monkeypatch.setenv("META_ACCESS_TOKEN", sandbox.issue_token(lifetime_s=60 * 86400))
    monkeypatch.setenv("META_GRAPH_URL", sandbox.graph_url)
    monkeypatch.setenv("META_GRAPH_VERSION", "v24.0")
    with caplog.at_level(logging.WARNING, logger="meta_auth_nb"):
        first = mab.session(retry=FAST_RETRY)
        mab.session(retry=FAST_RETRY)
    assert first.get("me")["name"] == "Alice Analyst"  # Graph v24.0 itself still answers
    assert caplog.text.count("ended on 2026-11-10") == 1 and "META_GRAPH_VERSION=v27.0" in caplog.text
    caplog.clear()
    monkeypatch.setenv("META_GRAPH_VERSION", "v27.0")
    with caplog.at_level(logging.WARNING, logger="meta_auth_nb"):
        mab.session(retry=FAST_RETRY)
    assert "META_GRAPH_VERSION" not in caplog.text
