"""RedirectCatcher: a one-shot loopback server for the OAuth redirect, over real HTTP."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from meta_auth_nb._base.login_errors import LoginDenied
from meta_auth_nb.auth.catcher import CatcherTimeout, RedirectCatcher, new_state
from meta_auth_nb.auth.oauth import parse_redirect

S = new_state()  # the login attempt's state: the catcher takes only redirects carrying it


def _get(url: str, **headers: str) -> httpx.Response:
    with httpx.Client(trust_env=False, timeout=5) as client:
        return client.get(url, headers=headers)


def _catcher(**kwargs) -> RedirectCatcher:
    return RedirectCatcher(**{"port": 0, "timeout": 10, "state": S, **kwargs})


def test_catches_the_first_valid_redirect_and_answers_a_closing_page():
    with _catcher() as catcher:
        assert catcher.redirect_uri.startswith("http://localhost:") and catcher.redirect_uri.endswith("/callback")
        answer = _get(catcher.redirect_uri + f"?code=AQB-one-time&state={S}")
        assert answer.status_code == 200
        assert "close this tab" in answer.text
        assert "AQB-one-time" not in answer.text  # the code is not echoed
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in answer.headers["content-security-policy"]
        url = catcher.wait(timeout=5)
    assert url == catcher.redirect_uri + f"?code=AQB-one-time&state={S}"
    assert parse_redirect(url, S, redirect_uri=catcher.redirect_uri) == "AQB-one-time"


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")
def test_listens_on_both_loopback_addresses_and_nothing_else():
    with _catcher() as catcher:
        assert catcher.addresses == ["127.0.0.1", "::1"]
        host = {"Host": f"localhost:{catcher.port}"}
        # Whichever address the browser resolves localhost to, the redirect arrives.
        assert _get(f"http://[::1]:{catcher.port}/callback?code=x&state=wrong", **host).status_code == 400
        assert _get(f"http://127.0.0.1:{catcher.port}/callback?code=x&state=wrong", **host).status_code == 400
        assert _get(f"http://[::1]:{catcher.port}/callback?code=v6&state={S}", **host).status_code == 200
        assert "code=v6" in catcher.wait(timeout=5)


def test_a_forged_request_is_refused_and_does_not_use_up_the_catcher():
    # Any web page can make the browser request the callback: without this login's state it is not the login.
    with _catcher() as catcher:
        for forged in ("?error=access_denied&error_description=Call+0800+now", "?code=abc&state=not-mine"):
            answer = _get(catcher.redirect_uri + forged)
            assert answer.status_code == 400 and "0800" not in answer.text
        assert catcher.result is None
        assert _get(catcher.redirect_uri + f"?code=real&state={S}").status_code == 200
        assert "code=real" in catcher.wait(timeout=5)


def test_state_is_required_and_must_be_random_enough():
    with pytest.raises(TypeError):
        RedirectCatcher(port=0)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="state"):
        RedirectCatcher(port=0, state="s")


def test_denial_is_caught_and_reported_escaped():
    evil = "<script>alert(1)</script>&<b>bold</b>"
    with _catcher() as catcher:
        answer = httpx.get(
            catcher.redirect_uri,
            params={"error": "access_denied", "error_reason": "user_denied", "error_description": evil, "state": S},
            trust_env=False,
        )
        assert answer.status_code == 200
        assert "<script>" not in answer.text and "<b>bold" not in answer.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&lt;b&gt;bold&lt;/b&gt;" in answer.text
        url = catcher.wait(timeout=5)
    with pytest.raises(LoginDenied):
        parse_redirect(url, S)


def test_second_request_is_refused_with_410():
    with _catcher() as catcher:
        assert _get(catcher.redirect_uri + f"?code=first&state={S}").status_code == 200
        second = _get(catcher.redirect_uri + f"?code=second&state={S}")
        assert second.status_code == 410
        assert catcher.wait(timeout=1).endswith(f"code=first&state={S}")


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost"])
def test_wrong_host_header_is_rejected(host):
    with _catcher() as catcher:
        answer = _get(catcher.redirect_uri + f"?code=abc&state={S}", Host=host.format(port=catcher.port))
        assert answer.status_code in (400, 421)
        assert catcher.result is None  # not consumed
        ok = _get(f"http://127.0.0.1:{catcher.port}/callback?code=abc&state={S}")  # 127.0.0.1:PORT is fine
        assert ok.status_code == 200


def test_requests_without_code_or_error_do_not_count():
    with _catcher() as catcher:
        assert _get(f"http://127.0.0.1:{catcher.port}/favicon.ico").status_code == 404
        assert _get(catcher.redirect_uri).status_code == 400
        assert _get(catcher.redirect_uri + f"?state={S}").status_code == 400
        with httpx.Client(trust_env=False) as client:
            assert client.post(catcher.redirect_uri + f"?code=x&state={S}").status_code == 405
        assert catcher.result is None
        assert _get(catcher.redirect_uri + f"?code=real&state={S}").status_code == 200


def test_times_out_and_frees_the_port():
    started = time.monotonic()
    catcher = _catcher(timeout=0.5).start()
    port = catcher.port
    with pytest.raises(CatcherTimeout) as caught:
        catcher.wait()
    assert time.monotonic() - started >= 0.5  # it waited its timeout out, then gave up
    assert "No login redirect" in str(caught.value)
    catcher.stop()
    for address in ("127.0.0.1", "::1"):
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=0.5).close()


def test_a_shorter_wait_can_be_retried():
    with _catcher() as catcher:
        with pytest.raises(CatcherTimeout):
            catcher.wait(timeout=0.2)
        _get(catcher.redirect_uri + f"?code=late&state={S}")
        assert "code=late" in catcher.wait(timeout=2)


def test_never_logs_the_query(caplog, capsys):
    import logging

    caplog.set_level(logging.DEBUG)
    with _catcher() as catcher:
        _get(catcher.redirect_uri + f"?code=SECRETCODE123&state={S}")
        catcher.wait(timeout=2)
    captured = capsys.readouterr()
    assert "SECRETCODE123" not in captured.out + captured.err
    # (the test's own httpx client logs the URL it requested; the catcher logs nothing)
    ours = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert not any("SECRETCODE123" in r.getMessage() for r in ours)


def test_port_in_use_raises_oserror_and_bad_arguments_are_refused():
    with _catcher(timeout=5) as first:
        with pytest.raises(OSError):
            _catcher(port=first.port, timeout=5).start()
    with pytest.raises(ValueError):
        _catcher(port=70000)
    with pytest.raises(ValueError):
        _catcher(path="callback")
    with pytest.raises(RuntimeError):
        _ = _catcher().redirect_uri
    with pytest.raises(RuntimeError):
        _catcher().wait(1)


@pytest.mark.parametrize(
    "family",
    [
        socket.AF_INET,
        pytest.param(socket.AF_INET6, marks=pytest.mark.skipif(not _has_ipv6_loopback(), reason="no ::1 here")),
    ],
)
def test_a_port_another_program_holds_on_either_address_is_refused(family):
    # The other program would receive the browser's redirect (and its code) on that address.
    with socket.socket(family) as squatter:
        squatter.bind(("127.0.0.1" if family == socket.AF_INET else "::1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(OSError):
            _catcher(port=port).start()


def test_a_new_catcher_can_follow_one_that_just_answered():
    with _catcher() as first:
        assert _get(first.redirect_uri + f"?code=x&state={S}").status_code == 200
        port = first.port
    with _catcher(port=port) as again:  # the earlier connection's TIME_WAIT does not block the port
        assert again.port == port


# --- the login link: the catcher's own address, which opens the dialog ------------------------------------------
DIALOG = "http://127.0.0.1:9/v27.0/dialog/oauth?client_id=1&state=s"


def test_the_login_link_opens_the_dialog_and_tells_the_catcher_it_was_opened():
    with _catcher(timeout=5, idle_timeout=5) as catcher:
        catcher.send_to(DIALOG)
        assert catcher.login_address.startswith(f"http://localhost:{catcher.port}/login?attempt=")
        assert not catcher.opened and not catcher.wait_opened(timeout=0.2)
        answer = _get(catcher.login_address)
        assert answer.status_code == 302 and answer.headers["location"] == DIALOG
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert catcher.opened and catcher.wait_opened(timeout=1)
        # Opening it twice (a second click) opens the same dialog: one attempt, one state.
        assert _get(catcher.login_address).headers["location"] == DIALOG
        # A link of another attempt, or one without its attempt, opens nothing.
        for stale in (catcher.login_address.split("?")[0] + "?attempt=old", catcher.login_address.split("?")[0]):
            late = _get(stale)
            assert late.status_code == 410 and "out of date" in late.text


def test_the_wait_counts_from_the_opened_login_page_and_says_which_wait_ran_out():
    with _catcher(timeout=0.4, idle_timeout=30) as catcher:
        catcher.send_to(DIALOG)
        time.sleep(0.6)  # unused so far: the short timeout has not started
        assert catcher.running
        _get(catcher.login_address)
        with pytest.raises(CatcherTimeout) as ended:
            catcher.wait()
    assert ended.value.opened and "within 0 seconds of opening the login page" in ended.value.message
    with _catcher(timeout=30, idle_timeout=0.3) as unused:
        unused.send_to(DIALOG)
        with pytest.raises(CatcherTimeout) as idle:
            unused.wait()
    assert not idle.value.opened and "login link was not opened" in idle.value.message


def test_retiring_a_link_nobody_opened_frees_its_port_and_an_opened_one_says_why():
    with _catcher(timeout=30, idle_timeout=30) as unused:
        unused.send_to(DIALOG)
        unused.retire("No longer awaited", "A newer login link was made.")
        assert not unused.running  # no tab can come back to it: the port goes at once
    catcher = _catcher(timeout=30, idle_timeout=30).start()
    try:
        catcher.send_to(DIALOG)
        _get(catcher.login_address)
        catcher.retire("No longer awaited", "A newer login link was made.")
        assert catcher.running and catcher.retired
        late = _get(catcher.redirect_uri + f"?code=late&state={S}")
        assert late.status_code == 410 and "newer login link" in late.text
        # A new catcher on the port takes it over, and tells that tab (and its link) the same.
        other = new_state()
        with RedirectCatcher(port=catcher.port, timeout=30, state=other) as follower:
            again = _get(follower.redirect_uri + f"?code=late&state={S}")
            assert again.status_code == 410 and "newer login link" in again.text
            assert _get(catcher.login_address).status_code == 410
            assert follower.result is None
    finally:
        catcher.stop()
