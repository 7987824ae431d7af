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
        "http://localhost:8765/cb",
        "ads_read, ads_read,ads_management",
        auth_type="rerequest",
        settings=SETTINGS,
    )
    parts = urlsplit(req.url)
    assert parts.netloc == "www.facebook.com" and parts.path == "/v27.0/dialog/oauth"
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q == {
        "client_id": "1234",
        "redirect_uri": "http://localhost:8765/cb",
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


def test_login_url_with_config_id_sends_no_scope_and_no_rerequest():
    # The dialog ignores scope with a configuration: sending one would only mislead whoever reads the URL.
    req = mab.login_url("1234", "https://x.example/cb", "ads_management", config_id="987", settings=SETTINGS)
    assert "scope=" not in req.url and req.scopes == ()
    with pytest.raises(ValueError, match="classic Facebook Login"):
        mab.login_url("1234", "https://x.example/cb", None, config_id="987", auth_type="rerequest", settings=SETTINGS)
    with pytest.raises(ValueError, match="numeric ID"):
        mab.login_url("1234", "https://x.example/cb", None, config_id="abc-1", settings=SETTINGS)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"app_id": "abc"}, "App ID of your Meta app"),
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
    assert mab.parse_redirect("http://localhost:8765/cb?code=AQB-xyz_1&state=s1#_=_", "s1") == "AQB-xyz_1"
    assert mab.parse_redirect("?code=abc&state=s1", "s1") == "abc"
    assert mab.parse_redirect("code=abc&state=s1", "s1") == "abc"
    assert mab.parse_redirect("  https://x.example/cb?foo=1&code=abc&state=s1#_=_ \n", "s1") == "abc"


def test_parse_redirect_denial_is_login_denied():
    url = (
        "http://localhost/cb?error=access_denied&error_code=200&error_description=Permissions+error"
        "&error_reason=user_denied&state=s1#_=_"
    )
    with pytest.raises(mab.LoginDenied, match="cancelled in the login dialog") as info:
        mab.parse_redirect(url, "s1")
    assert info.value.code == 200
    assert "user_denied" not in str(info.value) and "Permissions error" not in str(info.value)


def test_parse_redirect_quotes_another_reason_meta_gave():
    url = "http://localhost/cb?error=server_error&error_description=Try+later&error_reason=unavailable&state=s1"
    with pytest.raises(mab.LoginDenied, match=r"without granting anything \(Try later; unavailable\)"):
        mab.parse_redirect(url, "s1")


@pytest.mark.parametrize(
    "url", ["http://x/cb?code=abc&state=other", "http://x/cb?code=abc", "http://x/cb?code=abc&state="]
)
def test_parse_redirect_wrong_or_missing_state(url):
    with pytest.raises(mab.StateMismatch):
        mab.parse_redirect(url, "s1")


@pytest.mark.parametrize("url", ["", "   ", "http://x/cb?state=s1"])
def test_parse_redirect_without_code(url):
    with pytest.raises(mab.errors.NotARedirect):
        mab.parse_redirect(url, "s1")


def test_state_is_checked_before_an_error_is_read():
    # Any page can make a browser open the callback with words of its choosing: without this
    # login's state, it is not this login's answer, and its text is not shown as the dialog's.
    forged = "http://localhost:8765/callback?error=access_denied&error_description=Call+0800+now"
    for url in (forged, forged + "&state=guess"):
        with pytest.raises(mab.StateMismatch) as caught:
            mab.parse_redirect(url, "s1")
        assert "0800" not in str(caught.value)


REDIRECT = "http://localhost:8765/callback"


@pytest.mark.parametrize(
    ("pasted", "words", "not_shown"),
    [
        ("EAAB" + "x" * 60, "an access token", "EAAB"),
        ("just some words", "not an address", "words"),
        (
            f"https://www.facebook.com/v27.0/dialog/oauth?client_id=1&redirect_uri={REDIRECT}&state=s1",
            "dialog's own",
            "",
        ),
        ("https://other-app.example/oauth?code=AQsecret&state=s1", "not where this login sends", "AQsecret"),
        ("http://localhost:9999/callback?code=AQsecret&state=s1", "not where this login sends", "AQsecret"),
        (REDIRECT, "holds no login code", ""),
        (REDIRECT + "?foo=bar", "holds no login code", ""),
        ("http://[abc/callback?code=AQsecret&state=s1", "not an address the login could have ended on", "AQsecret"),
    ],
)
def test_each_wrong_paste_gets_a_sentence(pasted, words, not_shown):
    with pytest.raises(mab.errors.NotARedirect) as caught:
        mab.parse_redirect(pasted, "s1", redirect_uri=REDIRECT)
    message = str(caught.value)
    assert words in message
    assert "Continue/Allow" in message or "starts with" in message
    assert not not_shown or not_shown not in message


def test_the_right_redirect_passes_with_its_redirect_uri():
    url = REDIRECT + "?code=AQok&state=s1#_=_"
    assert mab.parse_redirect(url, "s1", redirect_uri=REDIRECT) == "AQok"
    success = "https://www.facebook.com/connect/login_success.html"
    assert mab.parse_redirect(success + "?code=AQok&state=s1#_=_", "s1", redirect_uri=success) == "AQok"
