"""The redirect catcher against hostile or broken clients: oversized and slow requests."""

from __future__ import annotations

import socket
import time

import httpx

from meta_auth_nb.auth.catcher import RedirectCatcher


def test_oversized_request_is_refused_and_does_not_complete_the_login():
    with RedirectCatcher(timeout=30) as catcher:
        huge = b"x" * 70_000  # longer than any request line the catcher reads
        with socket.create_connection(("127.0.0.1", catcher.port), timeout=10) as raw:
            raw.sendall(b"GET /callback?state=s&code=" + huge + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            status_line = raw.recv(200).split(b"\r\n", 1)[0]
        assert status_line.split()[1] in (b"400", b"414", b"431"), status_line
        assert catcher.result is None
        many_headers = {f"X-Filler-{i}": "y" * 100 for i in range(150)}
        answer = httpx.get(f"{catcher.redirect_uri}?code=c&state=s", headers=many_headers, timeout=10)
        assert answer.status_code in (400, 431)
        assert catcher.result is None
        # the real redirect still gets through afterwards
        ok = httpx.get(f"{catcher.redirect_uri}?code=good&state=s", timeout=10)
        assert ok.status_code == 200 and "code=good" in catcher.wait(timeout=5)


def test_slow_client_does_not_block_the_real_redirect():
    with RedirectCatcher(timeout=30) as catcher:
        slow = socket.create_connection(("127.0.0.1", catcher.port))
        slow.sendall(b"GET /callback?code=slow")  # never finishes the request line
        try:
            started = time.monotonic()
            ok = httpx.get(f"{catcher.redirect_uri}?code=fast&state=s", timeout=10)
            assert ok.status_code == 200
            assert time.monotonic() - started < 5
            assert "code=fast" in catcher.wait(timeout=5)
        finally:
            slow.close()
