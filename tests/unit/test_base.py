"""Base layer: settings, the token model, masking, usage headers, appsecret_proof."""

from __future__ import annotations

import copy
import json
import logging
import pickle
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

import meta_auth_nb as mab
from meta_auth_nb._base.redact import get_logger, mask, redact
from meta_auth_nb._base.settings import ConfigError, Settings
from meta_auth_nb._base.timefmt import describe_delta
from meta_auth_nb._base.tokens import AccessToken, TokenInfo
from meta_auth_nb._base.usage_headers import parse_usage
from meta_auth_nb.graph.proof import appsecret_proof
from tests.conftest import APP_ID_RULE, NOT_APP_IDS

CANARY = "EAA" + "k7Qm2" * 32


def test_appsecret_proof_matches_published_vector():
    assert appsecret_proof("abc123", "xyz789") == "4dad02ff1693df832f9c183fe400fc4f601360be06514acb4a73edb783eec345"
    assert appsecret_proof(AccessToken("abc123"), "xyz789").startswith("4dad02ff")
    assert appsecret_proof("abc123", "xyz789", timestamp=1) != appsecret_proof("abc123", "xyz789")


def test_access_token_never_shows_its_value():
    token = AccessToken(CANARY, expires_at=datetime(2030, 1, 1, tzinfo=timezone.utc))
    for text in (str(token), repr(token), f"{token}", f"{token:>200}", "%s" % token, str([token]), str({"t": token})):  # noqa: UP031 - %-formatting is tested
        assert CANARY not in text
    assert str(token) == "EAAk\u2026Qm2" or str(token).startswith("EAAk")
    assert token.get_secret_value() == CANARY
    assert token == AccessToken(CANARY) and token != AccessToken(CANARY + "x")
    assert copy.deepcopy(token) is token
    with pytest.raises(TypeError):
        pickle.dumps(token)


@pytest.mark.parametrize("bad", ["", "   ", "EAA abc", "EAA\nabc"])
def test_access_token_rejects_malformed_values(bad):
    with pytest.raises(ValueError):
        AccessToken(bad)


def test_oauth_response_expiry_and_old_expires_key():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    token = AccessToken.from_oauth_response({"access_token": CANARY, "expires_in": 5183944}, now=now)
    assert token.expires_at == now + timedelta(seconds=5183944)
    old = AccessToken.from_oauth_response({"access_token": CANARY, "expires": "3600"}, now=now)
    assert old.expires_in(now) == timedelta(hours=1)
    assert AccessToken.from_oauth_response({"access_token": CANARY}, now=now).expires_at is None


def test_mask_shapes():
    assert mask(CANARY) == CANARY[:4] + "\u2026" + CANARY[-4:]
    assert mask("") == "<none>" and mask("short") == "\u2026\u2026\u2026"


def test_redact_masks_tokens_app_tokens_and_url_params():
    text = f"t={CANARY} app=1234567|{'f' * 32} url=https://x/?access_token=abcdefgh12345678&client_secret=s3cr3tvalue99"
    out = redact(text)
    assert CANARY not in out and "f" * 32 not in out and "abcdefgh12345678" not in out and "s3cr3tvalue99" not in out


def test_logger_redacts_args(caplog):
    log = get_logger("meta_auth_nb.test")
    with caplog.at_level(logging.DEBUG, logger="meta_auth_nb.test"):
        log.warning("token is %s", CANARY)
    assert CANARY not in caplog.text and "EAAk" in caplog.text


def test_settings_from_env_and_https_rule():
    s = Settings.from_env({"META_GRAPH_URL": "http://127.0.0.1:9999/", "META_APP_SECRET": "topsecretvalue"})
    assert s.graph_url == "http://127.0.0.1:9999" and s.graph_version == "v27.0" and s.profile == "default"
    assert "topsecretvalue" not in repr(s)
    with pytest.raises(ConfigError, match="HTTPS"):
        Settings.from_env({"META_GRAPH_URL": "http://graph.example.com"})
    with pytest.raises(ConfigError, match=r"v27\.0"):
        Settings.from_env({"META_GRAPH_VERSION": "25"})


def test_settings_for_the_registered_redirect_and_login_for_business():
    s = Settings.from_env(
        {"META_AUTH_REDIRECT_URI": " https://example.com/meta-login ", "META_AUTH_CONFIG_ID": "1234567890"}
    )
    assert s.redirect_uri == "https://example.com/meta-login" and s.config_id == "1234567890"
    assert Settings().login_success_url == "https://www.facebook.com/connect/login_success.html"
    with pytest.raises(ConfigError, match="META_AUTH_REDIRECT_URI must use HTTPS"):
        Settings.from_env({"META_AUTH_REDIRECT_URI": "http://example.com/cb"})
    with pytest.raises(ConfigError, match="fragment"):
        Settings.from_env({"META_AUTH_REDIRECT_URI": "https://example.com/cb#x"})
    with pytest.raises(ConfigError, match="META_AUTH_CONFIG_ID must be the numeric ID"):
        Settings.from_env({"META_AUTH_CONFIG_ID": "my-config"})


@pytest.mark.parametrize("typed", NOT_APP_IDS)
def test_one_app_id_rule_for_login_url_and_the_environment(typed):
    with pytest.raises(ConfigError) as refused:
        mab.login_url(typed, "https://example.com/cb", ["ads_read"])
    assert str(refused.value).startswith(f"app_id {APP_ID_RULE}")
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"META_APP_ID": typed})
    assert str(refused.value).startswith(f"META_APP_ID {APP_ID_RULE}")
    with pytest.raises(ConfigError, match="META_AUTH_CONFIG_ID must be the numeric ID"):
        Settings.from_env({"META_AUTH_CONFIG_ID": typed})  # a configuration id: the same digits


def test_an_app_id_with_spaces_around_is_trimmed_everywhere():
    assert "client_id=123&" in mab.login_url(" 123 ", "https://example.com/cb", ["ads_read"]).url
    assert Settings.from_env({"META_APP_ID": " 123 "}).app_id == "123"


def test_token_info_parsing_is_lenient():
    info = TokenInfo.from_debug_token(
        {
            "data": {
                "app_id": 138483919580948,
                "type": "USER",
                "application": "Test",
                "expires_at": 0,
                "data_access_expires_at": 1800000000,
                "is_valid": True,
                "scopes": ["ads_read", "public_profile"],
                "granular_scopes": [{"scope": "ads_read", "target_ids": [123, "456"]}, {"scope": "public_profile"}],
                "user_id": "10",
                "new_field": {"x": 1},
            }
        }
    )
    assert info.app_id == "138483919580948" and info.expires_at is None and info.never_expires
    assert info.issued_at is None
    assert info.granular_scopes[0].target_ids == ("123", "456")
    assert info.data_access_expires_at == datetime.fromtimestamp(1800000000, tz=timezone.utc)
    assert TokenInfo.from_dict(info.to_dict()) == info
    assert TokenInfo.from_debug_token({"data": "garbage"}).is_valid is False


def test_describe_delta():
    assert describe_delta(timedelta(days=58, hours=3)) == "in 58 days"
    assert describe_delta(timedelta(days=60) - timedelta(seconds=2)) == "in 60 days"
    assert describe_delta(timedelta(hours=2) - timedelta(seconds=5)) == "in 2 hours"
    assert describe_delta(timedelta(hours=23, minutes=50)) == "in 1 day"
    assert describe_delta(timedelta(minutes=5)) == "in 5 minutes"
    assert describe_delta(timedelta(seconds=3)) == "now"
    assert describe_delta(timedelta(hours=-3)) == "3 hours ago"
    assert describe_delta(None) == "never"


def test_usage_headers_parse_leniently():
    usage = parse_usage(
        {
            "x-app-usage": '{"call_count": 28, "total_time": 25, "total_cputime": 25}',
            "x-ad-account-usage": json.dumps(
                {"acc_id_util_pct": 9.67, "reset_time_duration": 100, "ads_api_access_tier": "standard_access"}
            ),
            "x-business-use-case-usage": json.dumps(
                {"1": [{"type": "ads_management", "call_count": 96, "estimated_time_to_regain_access": 0, "new": "x"}]}
            ),
        }
    )
    assert usage.app["call_count"] == 28 and usage.ad_account_tier == "standard_access"
    assert usage.near_limit and usage.retry_after is None
    assert parse_usage({"x-app-usage": "not json"}).app == {}
    assert parse_usage({}) is None


def test_import_is_light():
    code = (
        "import sys, meta_auth_nb; meta_auth_nb.AccessToken; "
        "print([m for m in ('pandas','httpx','ipywidgets') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_token_info_reads_odd_shapes_leniently():
    info = TokenInfo.from_debug_token(
        {
            "data": {
                "is_valid": "false",
                "scopes": "ads_read,ads_management",
                "granular_scopes": [{"scope": "ads_read", "target_ids": 7}],
            }
        }
    )
    assert info.is_valid is False
    assert info.scopes == ("ads_read", "ads_management")
    assert info.granular_scopes[0].target_ids == ("7",)
    assert TokenInfo.from_debug_token({"data": {"scopes": 1, "granular_scopes": True}}).scopes == ("1",)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:9999", True),
        ("http://127.8.9.10", True),
        ("http://[::1]:8080", True),
        ("http://localhost:1", True),
        ("http://LOCALHOST.:1", True),
        ("http://graph.localhost", False),  # whatever DNS answers: not this machine for sure
        ("http://localhost.example.com", False),
        ("http://0.0.0.0:80", False),
        ("https://graph.localhost", True),  # TLS protects it wherever it goes
    ],
)
def test_plain_http_only_to_literal_loopback(url, allowed):
    if allowed:
        assert Settings.from_env({"META_GRAPH_URL": url}).graph_url == url.rstrip("/")
    else:
        with pytest.raises(ConfigError, match="HTTPS"):
            Settings.from_env({"META_GRAPH_URL": url})
