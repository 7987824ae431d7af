"""login_url and parse_redirect: pure functions, no network."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

import meta_auth_nb as mab
from meta_auth_nb._base.settings import Settings

SETTINGS = Settings(dialog_url="https://www.facebook.com")


def test_login_url_has_every_parameter():
    req = mab.login_url(
        "1234",
        "http://127.0.0.1:8765/cb",
        "ads_read, ads_read,ads_management",
        auth_type="rerequest",
        settings=SETTINGS,
    )
    parts = urlsplit(req.url)
    assert parts.netloc == "www.facebook.com" and parts.path == "/v25.0/dialog/oauth"
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q == {
        "client_id": "1234",
        "redirect_uri": "http://127.0.0.1:8765/cb",
        "state": req.state,
        "response_type": "code",
        "scope": "ads_read,ads_management",
        "auth_type": "rerequest",
    }
    assert len(req.state) >= 24
    assert mab.login_url("1234", "https://x.example/cb", ["ads_read"], settings=SETTINGS).state != req.state


def test_login_url_config_id_without_scopes():
    req = mab.login_url("1234", "https://x.example/cb", None, config_id="987", settings=SETTINGS)
    assert "config_id=987" in req.url and "scope=" not in req.url


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"app_id": "abc"}, "numeric id"),
        ({"redirect_uri": "http://evil.example/cb"}, "HTTPS"),
        ({"redirect_uri": "/relative"}, "absolute"),
        ({"scopes": "ads read"}, "permission name"),
        ({"scopes": ""}, "at least one"),
        ({"auth_type": "sometimes"}, "auth_type"),
    ],
)
def test_login_url_rejects_bad_input(kwargs, match):
    args = {"app_id": "1234", "redirect_uri": "https://x.example/cb", "scopes": "ads_read", **kwargs}
    with pytest.raises(ValueError, match=match):
        mab.login_url(args.pop("app_id"), args.pop("redirect_uri"), args.pop("scopes"), settings=SETTINGS, **args)


def test_parse_redirect_reads_code_and_ignores_fragment():
    assert mab.parse_redirect("http://127.0.0.1:8765/cb?code=AQB-xyz_1&state=s1#_=_", "s1") == "AQB-xyz_1"
    assert mab.parse_redirect("?code=abc&state=s1", "s1") == "abc"
    assert mab.parse_redirect("code=abc&state=s1", "s1") == "abc"
    assert mab.parse_redirect("  https://x.example/cb?foo=1&code=abc&state=s1#_=_ \n", "s1") == "abc"


def test_parse_redirect_denial_is_login_denied():
    url = (
        "http://127.0.0.1/cb?error=access_denied&error_code=200&error_description=Permissions+error"
        "&error_reason=user_denied&state=s1#_=_"
    )
    with pytest.raises(mab.LoginDenied, match="Permissions error") as info:
        mab.parse_redirect(url, "s1")
    assert info.value.code == 200


@pytest.mark.parametrize(
    "url", ["http://x/cb?code=abc&state=other", "http://x/cb?code=abc", "http://x/cb?code=abc&state="]
)
def test_parse_redirect_wrong_or_missing_state(url):
    with pytest.raises(mab.StateMismatch):
        mab.parse_redirect(url, "s1")


@pytest.mark.parametrize("url", ["", "   ", "http://x/cb?state=s1"])
def test_parse_redirect_without_code(url):
    with pytest.raises(mab.OAuthError):
        mab.parse_redirect(url, "s1")
