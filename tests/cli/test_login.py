"""``meta-auth login``: paste a token, or run the OAuth flow through the catcher or a pasted URL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from meta_auth_nb import cli
from tests.cli.conftest import URL_RE, make_context, open_printed
from tests.cli.helpers import DAY, LineTap, free_port, run_in_thread
from tests.conftest import APP_ID_RULE as RULE
from tests.conftest import NOT_APP_IDS


def _follow(redirected: str) -> httpx.Response:
    """What the browser does with the dialog's 302: GET the redirect URI (the #fragment stays local)."""
    with httpx.Client(trust_env=False, timeout=10) as browser:
        return browser.get(redirected)


def _with_state(url: str, state: str) -> str:
    parts = urlsplit(url)
    query = [(k, state if k == "state" else v) for k, v in parse_qsl(parts.query)]
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture
def threaded(monkeypatch, cli_context):
    """Run main() in a thread with stdout/stderr tapped, as a terminal would show them."""

    def start(*argv: str):
        # Set here, in the test's call phase: pytest swaps sys.stdout between phases.
        out, err = LineTap(), LineTap()
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        thread, box = run_in_thread(lambda: cli.main(list(argv), context=make_context(cli_context)))
        return thread, box, out, err

    return start


# --- paste mode ---------------------------------------------------------------------------------


def test_paste_from_stdin_extends_and_saves(store, env, cli_run):
    short = env.issue_token(lifetime_s=3600)
    result = cli_run("login", "--profile", "work", "--token-stdin", "--extend", stdin=short + "\n")
    assert result.code == 0, result.text
    assert result.out.startswith("Saved profile work (system keyring): work \u00b7 EAA")
    assert "expires in 59 days" in result.out or "expires in 60 days" in result.out
    assert "extended" in result.err
    saved = store.load("work")
    assert saved.token.get_secret_value() != short  # the long-lived one was saved
    assert saved.info is not None and saved.info.type == "USER"
    assert saved.app_id == env.app_id
    assert not saved.has_app_secret  # not asked to keep it
    assert short not in result.text and saved.token.get_secret_value() not in result.text


def test_paste_without_extend_keeps_the_short_token_and_says_so(store, env, cli_run):
    short = env.issue_token(lifetime_s=3600)
    # stdin is not a terminal: the token is read from it even without --token-stdin, and nobody is asked
    result = cli_run("login", "--profile", "work", "--save-app-secret", "--require-scopes", "ads_read", stdin=short)
    assert result.code == 0, result.text
    assert "short-lived" in result.err and "meta-auth extend --profile work" in result.err
    saved = store.load("work")
    assert saved.token.get_secret_value() == short
    assert saved.has_app_secret and saved.required_scopes == ("ads_read",)
    # with the secret stored, `extend` works later
    extended = cli_run("extend", "--profile", "work", "--json")
    assert extended.code == 0, extended.text
    import json

    payload = json.loads(extended.out)
    assert set(payload) == {"profile", "before", "after"}
    assert payload["before"]["token"] == short[:4] + "\u2026" + short[-4:]
    assert payload["after"]["token"] != payload["before"]["token"]


def test_paste_of_an_invalid_token_saves_nothing(store, env, cli_run):
    dead = env.issue_token(lifetime_s=60)
    env.advance(120)
    result = cli_run("login", "--profile", "work", "--token-stdin", stdin=dead)
    assert result.code == 2
    assert "not valid" in result.err and "expired" in result.err
    assert store.profiles() == []


def test_paste_without_app_secret_still_works(store, sandbox, monkeypatch, cli_run):
    monkeypatch.setenv("META_GRAPH_URL", sandbox.graph_url)  # no META_APP_ID / META_APP_SECRET
    token = sandbox.issue_token(lifetime_s=60 * DAY)
    result = cli_run("login", "--profile", "plain", "--token-stdin", stdin=token)
    assert result.code == 0, result.text
    assert store.load("plain").info.app_id == sandbox.app_id
    assert cli_run("login", "--profile", "x", "--token-stdin", "--extend", stdin=token).code == 3


def test_empty_paste_and_misused_flags_are_usage_errors(store, env, cli_run):
    assert cli_run("login", "--profile", "w", "--token-stdin", stdin="\n").code == 3
    assert cli_run("login", "--profile", "w", "--paste").code == 3  # --paste goes with --oauth
    assert cli_run("login", "--profile", "w", "--oauth", "--port", "99999").code == 3


@pytest.mark.parametrize("typed", NOT_APP_IDS)
def test_an_app_id_that_is_not_one_is_a_usage_error_with_the_one_rule(store, env, cli_run, typed):
    """The sentence %meta_login --app-id and the panel say too (tests/notebook/test_app_id.py)."""
    done = cli_run("login", "--profile", "w", "--app-id", typed, "--token-stdin", stdin=env.issue_token())
    assert done.code == 3 and f"--app-id {RULE}" in done.err
    assert "Traceback" not in done.err and "ValueError" not in done.err
    assert store.profiles() == []


def test_an_app_id_with_spaces_around_is_trimmed(store, env, cli_run):
    done = cli_run("login", "--profile", "w", "--app-id", f" {env.app_id} ", "--token-stdin", stdin=env.issue_token())
    assert done.code == 0, done.err
    assert store.load("w").app_id == env.app_id


def test_login_without_a_keyring_stops_before_asking(env, cli_run, cli_context):
    from keyring.backends import fail

    from meta_auth_nb.store import TokenStore

    cli_context["open_store"] = lambda: TokenStore(keyring_backend=fail.Keyring())
    result = cli_run("login", "--profile", "w", "--token-stdin", stdin=env.issue_token())
    assert result.code == 3
    assert "No usable system keyring" in result.err and "META_ACCESS_TOKEN" in result.err


# --- OAuth through the redirect catcher ------------------------------------------------------------


def test_oauth_through_the_catcher(store, env, threaded):
    thread, box, out, err = threaded(
        "login",
        "--profile",
        "fb",
        "--oauth",
        "--no-browser",
        "--port",
        "0",
        "--scopes",
        "ads_read,ads_management",
        "--timeout",
        "20",
    )
    login_url = open_printed(out.wait_for(URL_RE).group(1))
    assert "scope=ads_read%2Cads_management" in login_url
    assert "redirect_uri=http%3A%2F%2Flocalhost%3A" in login_url
    redirected = env.approve(login_url, user="alice")
    assert "code=" in redirected
    page = _follow(redirected)
    assert page.status_code == 200 and "close this tab" in page.text
    thread.join(20)
    assert box.get("value") == 0, err.getvalue()
    assert "Saved profile fb (system keyring)" in out.getvalue()
    saved = store.load("fb")
    assert saved.info.type == "USER" and set(saved.info.scopes) >= {"ads_read", "ads_management"}
    assert saved.info.expires_in().days >= 58  # extended after the code exchange
    assert not saved.has_app_secret
    assert saved.token.get_secret_value() not in out.getvalue() + err.getvalue()
    with pytest.raises(httpx.ConnectError):  # one shot: the catcher stopped with the command
        _follow(redirected)


def test_oauth_forged_redirect_is_refused_and_the_real_one_still_counts(store, env, threaded):
    thread, box, out, err = threaded(
        "login", "--profile", "fb", "--oauth", "--no-browser", "--port", "0", "--timeout", "20"
    )
    login_url = open_printed(out.wait_for(URL_RE).group(1))
    redirected = env.approve(login_url)
    forged = _with_state(redirected, "someone-elses-state")
    refused = _follow(forged)
    assert refused.status_code == 400 and "Not this login" in refused.text
    assert thread.is_alive()  # still waiting: the forged request did not use the catcher up
    assert _follow(redirected).status_code == 200
    thread.join(20)
    assert box.get("value") == 0, err.getvalue()
    assert store.load("fb").info.is_valid


def test_oauth_cancel_exits_2(store, env, threaded):
    thread, box, out, err = threaded("login", "--profile", "fb", "--oauth", "--no-browser", "--port", "0")
    login_url = open_printed(out.wait_for(URL_RE).group(1))
    page = _follow(env.approve(login_url, decision="cancel"))
    assert page.status_code == 200 and "Login not completed" in page.text
    thread.join(20)
    assert box.get("value") == 2
    assert "meta-auth:" in err.getvalue()
    assert store.profiles() == []


def test_oauth_timeout_exits_2(store, env, cli_run):
    result = cli_run("login", "--profile", "fb", "--oauth", "--no-browser", "--port", "0", "--timeout", "0.3")
    assert result.code == 2
    assert "The login link was not opened within" in result.err and "`meta-auth login" in result.err


def test_oauth_needs_the_app_id_and_secret(store, sandbox, monkeypatch, cli_run):
    monkeypatch.setenv("META_GRAPH_URL", sandbox.graph_url)
    monkeypatch.setenv("META_APP_ID", sandbox.app_id)
    result = cli_run("login", "--profile", "fb", "--oauth", "--no-browser")
    assert result.code == 3
    assert "META_APP_ID and META_APP_SECRET" in result.err


def test_oauth_busy_port_is_a_setup_error(store, env, cli_run):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli_run("login", "--profile", "fb", "--oauth", "--no-browser", "--port", str(port))
    # Never a fallback to pasting the same localhost address: the program holding the port would get the code.
    assert result.code == 3 and "held by another program" in result.err
    assert "--redirect-uri" in result.err and "paste it here" not in result.err
    # The hint names a command that works in a terminal: another port.
    other = f"meta-auth login --oauth --port {port + 1}"
    assert f"`{other}`" in result.err and "%meta_login" not in result.err


# --- OAuth with a pasted redirect URL ------------------------------------------------------------------


def test_oauth_with_a_pasted_redirect_url(store, env, threaded, monkeypatch):
    read_fd, write_fd = os.pipe()
    monkeypatch.setattr(sys, "stdin", os.fdopen(read_fd, "r"))
    writer = os.fdopen(write_fd, "w")
    port = free_port()
    try:
        thread, box, out, err = threaded(
            "login", "--profile", "remote", "--oauth", "--paste", "--no-browser", "--port", str(port)
        )
        login_url = open_printed(out.wait_for(URL_RE).group(1))
        assert f"redirect_uri=http%3A%2F%2Flocalhost%3A{port}%2Fcallback" in login_url  # nothing listens there
        err.wait_for("paste it here")
        writer.write(env.approve(login_url) + "\n")  # the whole address, #_=_ and all
        writer.flush()
        thread.join(20)
    finally:
        writer.close()
    assert box.get("value") == 0, err.getvalue()
    assert store.load("remote").info.is_valid


# --- a real process with the real keyring -----------------------------------------------------------


@pytest.mark.keyring
def test_oauth_in_a_real_process(env, cli_proc, secret_service):
    environ = dict(os.environ, **secret_service.env(), PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "meta_auth_nb.cli",
            "login",
            "--profile",
            "proc",
            "--oauth",
            "--no-browser",
            "--port",
            "0",
            "--timeout",
            "20",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=environ,
    )
    try:
        login_url = None
        for line in proc.stdout:
            found = re.search(URL_RE, line)
            if found:
                login_url = open_printed(found.group(1))
                break
        assert login_url, proc.stderr.read()
        assert _follow(env.approve(login_url)).status_code == 200
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Saved profile proc (system keyring)" in out
    checked = cli_proc("check", "--profile", "proc", "--json")
    assert checked.code == 0, checked.text


@pytest.mark.keyring
def test_interactive_paste_is_not_echoed_and_offers_to_extend(env, cli_proc, secret_service):
    """In a terminal the token is read with getpass (no echo) and extending is offered."""
    import pty
    import select
    import time

    raw = env.issue_token(lifetime_s=3600)
    master, slave = pty.openpty()
    environ = dict(os.environ, **secret_service.env(), PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring")
    proc = subprocess.Popen(
        [sys.executable, "-m", "meta_auth_nb.cli", "login", "--profile", "tty"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=environ,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""

    def read_until(marker: bytes, timeout: float = 15) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while marker not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk

    try:
        read_until(b"not shown")
        assert b"Graph API Explorer" in seen
        os.write(master, raw.encode() + b"\n")
        read_until(b"[Y/n]")
        os.write(master, b"y\n")
        read_until(b"Saved profile tty")
        assert proc.wait(15) == 0
        read_until(b"\n", timeout=1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    text = seen.decode("utf-8", "replace")
    assert raw not in text and raw[4:-4] not in text  # the terminal never echoed it
    assert "extended" in text
    checked = cli_proc("inspect", "--profile", "tty", "--json")
    assert checked.code == 0 and '"expires_at"' in checked.out


def test_a_wrong_app_secret_is_not_used_or_saved(store, env, monkeypatch, cli_run):
    monkeypatch.setenv("META_APP_SECRET", "0" * 32)
    token = env.issue_token(lifetime_s=60 * DAY)
    result = cli_run("login", "--profile", "w", "--token-stdin", stdin=token)
    assert result.code == 0, result.text
    assert "the app secret is not used" in result.err
    assert not store.load("w").has_app_secret
    again = cli_run("login", "--profile", "w", "--token-stdin", "--save-app-secret", stdin=token)
    assert again.code == 3, again.text


# --- every way the login ends --------------------------------------------------------------------------------


def test_an_unknown_configuration_stops_before_the_login_page(store, env, cli_run):
    result = cli_run("login", "--profile", "fb", "--oauth", "--no-browser", "--port", "0", "--config-id", "999")
    assert result.code == 3 and "Configuration 999 is not one of" in result.err
    assert "http://" not in result.out  # no login page that could only end on an error
    assert "`meta-auth login --oauth --config-id ID`" in result.err


def test_while_waiting_the_error_pages_are_named_and_the_timeout_says_what_to_do(store, env, threaded):
    thread, box, out, err = threaded(
        "login", "--profile", "fb", "--oauth", "--no-browser", "--port", "0", "--timeout", "1"
    )
    dialog = open_printed(out.wait_for(URL_RE).group(1))  # the person opens the printed link...
    err.wait_for("nothing can come back here")
    said = err.getvalue()
    assert "\u201cApp not active\u201d" in said and "\u201cURL Blocked\u201d" in said
    with pytest.raises(RuntimeError, match="App not active"):
        env.approve(dialog, user="dana")  # ...and the login page shows an error: nothing comes back
    thread.join(20)
    assert box.get("value") == 2
    ended = err.getvalue()
    assert "No login came back within 1 second of opening the login page" in ended
    assert "If the login page showed an error: The login page said \u201cApp not active\u201d." in ended
    assert "Then run `meta-auth login --profile fb --oauth` again." in ended and store.profiles() == []
