"""The redirect catcher against hostile or broken clients: forged callbacks, oversized and slow requests."""

from __future__ import annotations

import socket

import httpx
import pytest

import meta_auth_nb as mab
from meta_auth_nb.auth.catcher import RedirectCatcher, new_state

S = new_state()


def test_forged_callbacks_are_refused_without_using_up_the_login():
    # Any web page can make the browser GET the callback. Without this login's state such a request
    # is not the login: 400, nothing of it shown as the dialog's words, and the real redirect still counts.
    with RedirectCatcher(timeout=30, state=S) as catcher:
        for query in (
            "error=access_denied&error_description=Your+account+is+locked%2C+call+0800",
            "error=access_denied&error_description=call+0800&state=guessed",
            "code=AQattacker&state=guessed",
            "code=AQattacker",
        ):
            answer = httpx.get(f"{catcher.redirect_uri}?{query}", timeout=10)
            assert answer.status_code == 400 and "0800" not in answer.text
            assert catcher.result is None
        ok = httpx.get(f"{catcher.redirect_uri}?code=AQreal&state={S}", timeout=10)
        assert ok.status_code == 200 and "code=AQreal" in catcher.wait(timeout=5)


@pytest.mark.parametrize("url", ["/cb?error=access_denied&error_description=call+0800", "/cb?error=x&state=guess"])
def test_a_denial_without_this_logins_state_is_not_a_denial(url):
    with pytest.raises(mab.StateMismatch) as caught:
        mab.parse_redirect("http://localhost:8765" + url, S)
    assert "0800" not in str(caught.value)


def test_oversized_request_is_refused_and_does_not_complete_the_login():
    with RedirectCatcher(timeout=30, state=S) as catcher:
        huge = b"x" * 70_000  # longer than any request line the catcher reads
        with socket.create_connection(("127.0.0.1", catcher.port), timeout=10) as raw:
            raw.sendall(b"GET /callback?state=s&code=" + huge + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            status_line = raw.recv(200).split(b"\r\n", 1)[0]
        assert status_line.split()[1] in (b"400", b"414", b"431"), status_line
        assert catcher.result is None
        many_headers = {f"X-Filler-{i}": "y" * 100 for i in range(150)}
        answer = httpx.get(f"{catcher.redirect_uri}?code=c&state={S}", headers=many_headers, timeout=10)
        assert answer.status_code in (400, 431)
        assert catcher.result is None
        # the real redirect still gets through afterwards
        ok = httpx.get(f"{catcher.redirect_uri}?code=good&state={S}", timeout=10)
        assert ok.status_code == 200 and "code=good" in catcher.wait(timeout=5)


def test_slow_client_does_not_block_the_real_redirect():
    with RedirectCatcher(timeout=30, state=S) as catcher:
        slow = socket.create_connection(("127.0.0.1", catcher.port))
        slow.sendall(b"GET /callback?code=slow")  # never finishes the request line
        try:
            ok = httpx.get(f"{catcher.redirect_uri}?code=fast&state={S}", timeout=10)
            assert ok.status_code == 200
            assert "code=fast" in catcher.wait(timeout=5)
        finally:
            slow.close()
