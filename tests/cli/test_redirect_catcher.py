"""RedirectCatcher: a one-shot loopback server for the OAuth redirect, over real HTTP."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from meta_auth_nb._base.errors import LoginDenied, StateMismatch
from meta_auth_nb.auth.catcher import CatcherTimeout, RedirectCatcher
from meta_auth_nb.auth.oauth import parse_redirect


def _get(url: str, **headers: str) -> httpx.Response:
    with httpx.Client(trust_env=False, timeout=5) as client:
        return client.get(url, headers=headers)


def test_catches_the_first_valid_redirect_and_answers_a_closing_page():
    with RedirectCatcher(port=0, timeout=10) as catcher:
        assert catcher.redirect_uri.startswith("http://127.0.0.1:") and catcher.redirect_uri.endswith("/callback")
        answer = _get(catcher.redirect_uri + "?code=AQB-one-time&state=s1")
        assert answer.status_code == 200
        assert "close this tab" in answer.text
        assert "AQB-one-time" not in answer.text  # the code is not echoed
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in answer.headers["content-security-policy"]
        url = catcher.wait(timeout=5)
    assert url == catcher.redirect_uri + "?code=AQB-one-time&state=s1"
    assert parse_redirect(url, "s1") == "AQB-one-time"


def test_binds_loopback_only():
    with RedirectCatcher(port=0, timeout=10) as catcher:
        assert catcher._server.server_address[0] == "127.0.0.1"


def test_wrong_state_is_left_to_the_caller():
    with RedirectCatcher(port=0, timeout=10) as catcher:
        assert _get(catcher.redirect_uri + "?code=abc&state=not-mine").status_code == 200
        url = catcher.wait(timeout=5)
    with pytest.raises(StateMismatch):
        parse_redirect(url, "expected-state")


def test_denial_is_caught_and_reported_escaped():
    evil = "<script>alert(1)</script>&<b>bold</b>"
    with RedirectCatcher(port=0, timeout=10) as catcher:
        answer = httpx.get(
            catcher.redirect_uri,
            params={"error": "access_denied", "error_reason": "user_denied", "error_description": evil, "state": "s"},
            trust_env=False,
        )
        assert answer.status_code == 200
        assert "<script>" not in answer.text and "<b>bold" not in answer.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&lt;b&gt;bold&lt;/b&gt;" in answer.text
        url = catcher.wait(timeout=5)
    with pytest.raises(LoginDenied):
        parse_redirect(url, "s")


def test_second_request_is_refused_with_410():
    with RedirectCatcher(port=0, timeout=10) as catcher:
        assert _get(catcher.redirect_uri + "?code=first&state=s").status_code == 200
        second = _get(catcher.redirect_uri + "?code=second&state=s")
        assert second.status_code == 410
        assert catcher.wait(timeout=1).endswith("code=first&state=s")


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost"])
def test_wrong_host_header_is_rejected(host):
    with RedirectCatcher(port=0, timeout=10) as catcher:
        answer = _get(catcher.redirect_uri + "?code=abc&state=s", Host=host.format(port=catcher.port))
        assert answer.status_code in (400, 421)
        assert catcher.result is None  # not consumed
        ok = _get(f"http://localhost:{catcher.port}/callback?code=abc&state=s")  # localhost:PORT is fine
        assert ok.status_code == 200


def test_requests_without_code_or_error_do_not_count():
    with RedirectCatcher(port=0, timeout=10) as catcher:
        assert _get(f"http://127.0.0.1:{catcher.port}/favicon.ico").status_code == 404
        assert _get(catcher.redirect_uri).status_code == 400
        assert _get(catcher.redirect_uri + "?state=s").status_code == 400
        with httpx.Client(trust_env=False) as client:
            assert client.post(catcher.redirect_uri + "?code=x&state=s").status_code == 405
        assert catcher.result is None
        assert _get(catcher.redirect_uri + "?code=real&state=s").status_code == 200


def test_times_out_and_frees_the_port():
    catcher = RedirectCatcher(port=0, timeout=0.5).start()
    port = catcher.port
    started = time.monotonic()
    with pytest.raises(CatcherTimeout) as caught:
        catcher.wait()
    assert 0.3 < time.monotonic() - started < 3
    assert "No login redirect" in str(caught.value)
    catcher.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()


def test_a_shorter_wait_can_be_retried():
    with RedirectCatcher(port=0, timeout=10) as catcher:
        with pytest.raises(CatcherTimeout):
            catcher.wait(timeout=0.2)
        _get(catcher.redirect_uri + "?code=late&state=s")
        assert "code=late" in catcher.wait(timeout=2)


def test_never_logs_the_query(caplog, capsys):
    import logging

    caplog.set_level(logging.DEBUG)
    with RedirectCatcher(port=0, timeout=10) as catcher:
        _get(catcher.redirect_uri + "?code=SECRETCODE123&state=s")
        catcher.wait(timeout=2)
    captured = capsys.readouterr()
    assert "SECRETCODE123" not in captured.out + captured.err
    # (the test's own httpx client logs the URL it requested; the catcher logs nothing)
    ours = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert not any("SECRETCODE123" in r.getMessage() for r in ours)


def test_port_in_use_raises_oserror_and_bad_arguments_are_refused():
    with RedirectCatcher(port=0, timeout=5) as first:
        with pytest.raises(OSError):
            RedirectCatcher(port=first.port, timeout=5).start()
    with pytest.raises(ValueError):
        RedirectCatcher(port=70000)
    with pytest.raises(ValueError):
        RedirectCatcher(path="callback")
    with pytest.raises(RuntimeError):
        _ = RedirectCatcher(port=0).redirect_uri
    with pytest.raises(RuntimeError):
        RedirectCatcher(port=0).wait(1)
