"""A one-shot local server that catches the login dialog's redirect.

Auth layer, stdlib only. Used by ``meta-auth login --oauth`` and by the
notebook panel when the kernel runs on the user's own machine.

What it promises
----------------
* It binds ``127.0.0.1`` only, never another interface.
* It answers requests whose ``Host`` header is the advertised
  ``127.0.0.1:PORT`` or ``localhost:PORT``; anything else gets 421 (a DNS
  rebinding page cannot talk to it).
* The first ``GET <path>`` carrying ``code`` or ``error`` wins: its full URL
  is handed to :meth:`RedirectCatcher.wait` and the browser gets a small
  "you can close this tab" page. Later ones get 410 Gone. A request with
  neither (a favicon, a probe) gets 400/404 and does not count.
* Whatever it echoes (the dialog's ``error_description``) is HTML-escaped;
  the pages send ``Referrer-Policy: no-referrer`` and a CSP that forbids
  every script, style source and sub-resource.
* It never logs a request line or a query string (the code travels there).
* It stops by itself ``timeout`` seconds after :meth:`RedirectCatcher.start`.

It does not check ``state``: the caller does, with
:func:`meta_auth_nb.auth.oauth.parse_redirect`, and says what went wrong.

Example
-------
>>> with RedirectCatcher(port=8765) as catcher:            # doctest: +SKIP
...     request = login_url(app_id, catcher.redirect_uri, ["ads_read"])
...     print("Open", request.url)
...     code = parse_redirect(catcher.wait(), request.state)
"""

from __future__ import annotations

import html
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .._base.errors import CatcherTimeout

__all__ = ["LOOPBACK", "CatcherTimeout", "RedirectCatcher"]

LOOPBACK = "127.0.0.1"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#1c1e21}}
h1{{font-size:1.4em}}</style></head>
<body><h1>{title}</h1><p>{message}</p></body></html>
"""

_HEADERS = (
    ("Cache-Control", "no-store"),
    ("Pragma", "no-cache"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"),
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # two catchers must never share a port
    catcher: RedirectCatcher


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "meta-auth-catcher"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 15  # per connection: a silent client cannot hold a thread for long

    # Never log: the request line carries the authorization code.
    def log_message(self, format: str, *args: Any) -> None:
        return

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        return

    def do_GET(self) -> None:
        self.server.catcher._handle(self)

    def _refuse(self) -> None:
        self._page(405, "Not allowed", "This address only answers the login redirect.", extra=(("Allow", "GET"),))

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _refuse

    def _page(self, status: int, title: str, message: str, *, extra: tuple[tuple[str, str], ...] = ()) -> None:
        # title and message are escaped here, so no caller can forget.
        body = _PAGE.format(title=html.escape(title), message=html.escape(message)).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for name, value in (*_HEADERS, *extra):
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True


class RedirectCatcher:
    """Catch one OAuth redirect on ``http://127.0.0.1:PORT/callback``.

    Parameters
    ----------
    port : int
        TCP port on 127.0.0.1; 0 picks a free one. A real Meta app only
        redirects to addresses registered in its "Valid OAuth Redirect URIs",
        so use a fixed port there (e.g. 8765).
    path : str
        The callback path.
    timeout : float
        Seconds, counted from :meth:`start`, after which the catcher stops
        and :meth:`wait` raises :class:`CatcherTimeout`.

    Attributes
    ----------
    redirect_uri : str
        ``http://127.0.0.1:PORT/callback``; pass it to ``login_url`` and
        ``exchange_code`` unchanged.
    """

    def __init__(self, port: int = 0, path: str = "/callback", timeout: float = 300) -> None:
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError("port must be 0 (any free port) or 1-65535")
        if not path.startswith("/") or "?" in path or "#" in path:
            raise ValueError("path must start with '/' and hold no query or fragment")
        if timeout is None or timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        self._port = port
        self.path = path
        self.timeout = float(timeout)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._deadline: float | None = None
        self._done = threading.Event()
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._url: str | None = None

    # --- lifecycle ---------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port (the one asked for until :meth:`start` binds a free one)."""
        if self._server is not None:
            return int(self._server.server_address[1])
        if self._port == 0:
            raise RuntimeError("the port is chosen when the catcher starts; call start() first")
        return self._port

    @property
    def redirect_uri(self) -> str:
        """``http://127.0.0.1:PORT<path>``."""
        return f"http://{LOOPBACK}:{self.port}{self.path}"

    @property
    def running(self) -> bool:
        return self._server is not None and not self._stopped.is_set()

    def start(self) -> RedirectCatcher:
        """Bind 127.0.0.1 and serve in a daemon thread until a redirect, :meth:`stop` or the timeout.

        Raises
        ------
        OSError
            When the port is taken (pick another with ``port=``).
        """
        if self._server is not None:
            return self
        server = _Server((LOOPBACK, self._port), _Handler)
        server.catcher = self
        server.timeout = 0.1  # handle_request polls, so the deadline is honoured
        self._server = server
        self._deadline = time.monotonic() + self.timeout
        self._thread = threading.Thread(target=self._serve, name=f"meta-auth-catcher:{self.port}", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        server = self._server
        assert server is not None
        try:
            while not self._stopped.is_set() and self._deadline is not None and time.monotonic() < self._deadline:
                server.handle_request()
        finally:
            self._stopped.set()
            server.server_close()

    def stop(self) -> None:
        """Stop serving and free the port (safe to call twice)."""
        self._stopped.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def __enter__(self) -> RedirectCatcher:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "caught" if self._done.is_set() else ("waiting" if self.running else "stopped")
        where = self.redirect_uri if (self._server is not None or self._port) else f"http://{LOOPBACK}:?{self.path}"
        return f"<RedirectCatcher {where} {state}>"

    # --- the result -----------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> str:
        """Block until the redirect arrives and return its full URL.

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait; default: what is left of the catcher's own timeout.

        Raises
        ------
        CatcherTimeout
            Nothing came in time (the catcher keeps running when a shorter
            ``timeout`` than its own ran out, so waiting again is possible).
        RuntimeError
            The catcher was never started.
        """
        if self._server is None:
            raise RuntimeError("start() the catcher before waiting for the redirect")
        if timeout is None:
            assert self._deadline is not None
            timeout = max(0.0, self._deadline - time.monotonic())
        deadline = time.monotonic() + timeout
        while not self._done.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or (self._stopped.is_set() and not self._done.is_set()):
                break
            self._done.wait(min(left, 0.1))
        if not self._done.is_set():
            raise CatcherTimeout(f"No login redirect reached {self.redirect_uri} in time")
        assert self._url is not None
        return self._url

    @property
    def result(self) -> str | None:
        """The caught URL, or None while waiting."""
        return self._url

    # --- request handling (called in the server's threads) --------------------------------
    def _host_ok(self, host: str | None) -> bool:
        if not host:
            return False
        host = host.strip().lower()
        return host in (f"{LOOPBACK}:{self.port}", f"localhost:{self.port}")

    def _handle(self, request: _Handler) -> None:
        if not self._host_ok(request.headers.get("Host")):
            request._page(421, "Wrong address", "This login helper only answers on its own local address.")
            return
        parts = urlsplit(request.path)
        if parts.path != self.path:
            request._page(404, "Not found", "This address only answers the login redirect.")
            return
        params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if "code" not in params and "error" not in params:
            request._page(400, "Nothing to do", "This address expects the login dialog's redirect.")
            return
        with self._lock:
            first = self._url is None
            if first:
                self._url = f"http://{LOOPBACK}:{self.port}{parts.path}?{parts.query}"
        if not first:
            request._page(
                410, "Already used", "This login was already completed. Close this tab; start a new login if needed."
            )
            return
        try:
            if "error" in params:
                description = params.get("error_description") or params.get("error_reason") or params["error"]
                request._page(
                    200,
                    "Login not completed",
                    f"Facebook said: {description[:300]}. "
                    "You can close this tab and go back to the terminal or notebook.",
                )
            else:
                request._page(
                    200,
                    "Login received",
                    "You can close this tab and go back to the terminal or notebook; it finishes the login there.",
                )
        finally:
            self._done.set()  # later requests get 410 until stop() or the timeout
