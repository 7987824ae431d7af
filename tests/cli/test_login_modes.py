"""``meta-auth login --oauth`` in every redirect mode, with Login for Business, and the ways a paste goes wrong.

Against the sandbox over real HTTP; the "browser" is Sandbox.approve (the
dialog's form posted as a browser would), and the person at the terminal
writes into the command's stdin.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.cli.conftest import URL_RE, open_printed
from tests.cli.conftest import finish_terminal as _finish
from tests.cli.helpers import free_port

LIVE_PAGE = "https://example.com/meta-login"


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# --- a registered HTTPS redirect (live apps) ------------------------------------------------------------
def test_live_app_with_a_registered_https_redirect_pasted_back_and_remembered(store, env, terminal):
    env.register_redirect_uri(LIVE_PAGE)
    env.set_app_mode("live")  # localhost redirects are refused from now on
    thread, box, out, err, type_line = terminal(
        "login", "--profile", "live", "--oauth", "--no-browser", "--redirect-uri", LIVE_PAGE
    )
    login_url = open_printed(out.wait_for(URL_RE).group(1))
    assert _query(login_url)["redirect_uri"] == LIVE_PAGE
    err.wait_for("paste it here")
    assert "registered redirect" in err.getvalue() and "live app" in err.getvalue()
    landed = env.approve(login_url)  # the browser lands on the registered page
    assert landed.startswith(LIVE_PAGE + "?code=")
    type_line(landed)
    assert _finish(thread, box, err) == 0, err.getvalue()
    saved = store.load("live")
    assert saved.redirect_uri == LIVE_PAGE and saved.info.is_valid

    # The next login of this profile uses the remembered redirect without being told.
    thread, box, out, err, type_line = terminal("login", "--profile", "live", "--oauth", "--no-browser")
    again = open_printed(out.wait_for(URL_RE).group(1))
    assert _query(again)["redirect_uri"] == LIVE_PAGE
    err.wait_for("paste it here")
    type_line(env.approve(again, decision="cancel"))
    assert _finish(thread, box, err) == 2
    assert "cancelled" in err.getvalue() and "Traceback" not in err.getvalue()


def test_login_success_page_address_pasted_back(store, env, terminal):
    env.register_redirect_uri(env.login_success_url)
    thread, box, out, err, type_line = terminal(
        "login", "--profile", "desk", "--oauth", "--no-browser", "--redirect-uri", env.login_success_url
    )
    login_url = open_printed(out.wait_for(URL_RE).group(1))
    err.wait_for("paste it here")
    assert "login_success.html" in err.getvalue()
    page = httpx.get(env.approve(login_url).split("#")[0])  # the browser shows Meta's page...
    shown = page.text.split('<code id="final-url">')[1].split("</code>")[0].replace("&amp;", "&")
    type_line(shown)  # ...and the person copies the address it shows
    assert _finish(thread, box, err) == 0, err.getvalue()
    assert store.load("desk").redirect_uri == env.login_success_url


def test_an_unregistered_redirect_is_refused_by_the_dialog(store, env, terminal):
    thread, box, out, err, type_line = terminal(
        "login", "--profile", "x", "--oauth", "--no-browser", "--redirect-uri", LIVE_PAGE
    )
    login_url = open_printed(out.wait_for(URL_RE).group(1))
    page = httpx.get(login_url)
    assert page.status_code == 400 and "URL Blocked" in page.text  # Meta's error 191: register it first
    type_line("")
    assert _finish(thread, box, err) == 2 and "Nothing was pasted" in err.getvalue()


# --- every wrong paste gets a sentence, never a traceback ------------------------------------------------
@pytest.mark.parametrize(
    ("make_paste", "words"),
    [
        (lambda url, env: url, "login dialog's own address"),
        (lambda url, env: "http://localhost:{port}/callback", "holds no login code"),
        (lambda url, env: "https://other-app.example/oauth?code=AQx&state=y", "not where this login sends"),
        (lambda url, env: env.approve(url, decision="cancel"), "cancelled"),
        (lambda url, env: env.approve(url).replace("state=", "state=x"), "comes from another login attempt"),
        (lambda url, env: env.issue_token(), "an access token, not the address"),
    ],
    ids=["dialog-url", "no-code", "other-app", "denied", "wrong-state", "a-token"],
)
def test_each_wrong_paste_says_what_to_paste(store, env, terminal, make_paste, words):
    port = free_port()
    thread, box, out, err, type_line = terminal(
        "login", "--profile", "p", "--oauth", "--paste", "--no-browser", "--port", str(port)
    )
    login_url = open_printed(out.wait_for(URL_RE).group(1))
    err.wait_for("paste it here")
    pasted = make_paste(login_url, env).format(port=port)
    type_line(pasted)
    assert _finish(thread, box, err) == 2
    message = err.getvalue()
    assert words in message and "Traceback" not in message
    assert store.profiles() == []
    if pasted.startswith("EAA"):
        assert pasted not in message


# --- Login for Business ---------------------------------------------------------------------------------------
def test_login_for_business_through_the_catcher_is_remembered(store, env, terminal, cli_context):
    config = env.config_id("user")
    thread, box, out, err, _ = terminal(
        "login", "--profile", "biz", "--oauth", "--no-browser", "--port", "0", "--config-id", config
    )
    login_url = open_printed(out.wait_for(URL_RE).group(1))
    query = _query(login_url)
    assert query["config_id"] == config and "scope" not in query  # the configuration decides
    assert httpx.get(env.approve(login_url).split("#")[0]).status_code == 200
    assert _finish(thread, box, err) == 0, err.getvalue()
    saved = store.load("biz")
    assert saved.config_id == config and saved.info.scopes == ("ads_read", "public_profile")

    # Re-login without the flag: the profile's configuration is used again.
    thread, box, out, err, _ = terminal(
        "login", "--profile", "biz", "--oauth", "--no-browser", "--port", "0", "--timeout", "0.5"
    )
    assert _query(open_printed(out.wait_for(URL_RE).group(1)))["config_id"] == config
    assert _finish(thread, box, err) == 2  # nobody logged in: it timed out


def test_system_user_configuration_leads_to_the_system_user_path(store, env, terminal, cli_run):
    thread, box, out, err, _ = terminal(
        "login",
        "--profile",
        "integration",
        "--oauth",
        "--no-browser",
        "--port",
        "0",
        "--config-id",
        env.config_id("system_user"),
    )
    assert httpx.get(env.approve(open_printed(out.wait_for(URL_RE).group(1))).split("#")[0]).status_code == 200
    assert _finish(thread, box, err) == 0, err.getvalue()
    saved = store.load("integration")
    assert saved.info.type == "SYSTEM_USER" and saved.info.expires_in().days >= 59
    assert "meta-auth extend --profile integration" in err.getvalue()
    refreshed = cli_run("extend", "--profile", "integration")
    assert refreshed.code == 0, refreshed.text  # the 60-day refresh of a system user token


def test_all_or_nothing_refusal_and_no_rerequest(store, env, terminal, cli_run):
    result = cli_run("login", "--oauth", "--config-id", env.config_id("user"), "--auth-type", "rerequest")
    assert result.code == 3 and "classic Facebook Login" in result.err
    port = free_port()
    thread, box, out, err, type_line = terminal(
        "login", "--oauth", "--paste", "--no-browser", "--port", str(port), "--config-id", env.config_id("user")
    )
    login_url = open_printed(out.wait_for(URL_RE).group(1))
    err.wait_for("paste it here")
    type_line(env.approve(login_url, user="bob"))  # bob refuses ads_read: so the app gets nothing
    assert _finish(thread, box, err) == 2 and "cancelled" in err.getvalue()


# --- shared hosts and a port that is not ours ------------------------------------------------------------------
def test_shared_host_is_detected_and_the_cli_does_not_catch(store, env, terminal, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "someone")
    thread, box, out, err, type_line = terminal("login", "--oauth", "--no-browser")
    login_url = open_printed(out.wait_for(URL_RE).group(1))
    err.wait_for("paste it here")
    assert "JupyterHub" in err.getvalue() and "waiting for the login" not in err.getvalue()
    assert _query(login_url)["redirect_uri"] == "http://localhost:8765/callback"
    type_line(env.approve(login_url))
    assert _finish(thread, box, err) == 0, err.getvalue()


# --- people without a role on the app, and versions ---------------------------------------------------------
def test_a_roleless_token_is_saved_and_checked_with_its_own_exit_code(store, env, cli_run, monkeypatch):
    monkeypatch.delenv("META_APP_SECRET")
    raw = env.issue_token("dana", scopes=["ads_read"])
    saved = cli_run("login", "--profile", "agency", "--token-stdin", stdin=raw + "\n")
    assert saved.code == 0, saved.text
    assert "expiry unknown" in saved.err and "META_APP_SECRET" in saved.err
    checked = cli_run("check", "--profile", "agency", "--json")
    payload = json.loads(checked.out)
    (row,) = payload["reports"]
    assert checked.code == payload["exit_code"] == 4
    assert row["status"] == "expiry_unknown" and row["valid"] is True and row["expiry_known"] is False
    assert "ads_read" in row["scopes"] and row["expires_at"] is None
    human = cli_run("check", "--profile", "agency")
    assert human.code == 4 and "unknown" in human.out and raw not in human.text
    inspected = cli_run("inspect", "--profile", "agency", "--json")
    assert inspected.code == 0 and json.loads(inspected.out)["expiry_known"] is False
    # With the app secret back, the expiry is known again and the status is an ordinary one.
    monkeypatch.setenv("META_APP_SECRET", env.app_secret)
    assert cli_run("check", "--profile", "agency").code == 1  # a one-hour token: expiring


def test_check_warns_about_an_ended_version(store, env, cli_run, monkeypatch):
    store.save("work", env.issue_token(lifetime_s=60 * 86400))
    monkeypatch.setenv("META_GRAPH_VERSION", "v24.0")
    result = cli_run("check", "--profile", "work")
    assert result.code == 0
    assert "ended on 2026-11-10" in result.err and "META_GRAPH_VERSION=v27.0" in result.err
    payload = json.loads(cli_run("check", "--profile", "work", "--json").out)
    assert payload["graph_version"] == "v24.0" and "2635" in payload["version_notice"]
