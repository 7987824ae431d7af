"""A one-shot local server that catches the login dialog's redirect.

Auth layer, stdlib only. Used by ``meta-auth login --oauth`` and by the
notebook panel when the kernel runs on the user's own machine.

What it promises
----------------
* It listens on the loopback addresses only: ``127.0.0.1`` and ``::1`` on
  the same port, so ``http://localhost:PORT/callback`` reaches it whichever
  of the two the browser resolves ``localhost`` to. A port another program
  holds on either address is refused (:meth:`RedirectCatcher.start` raises),
  since that program would get the redirect.
* It answers requests whose ``Host`` header is its own ``localhost:PORT``,
  ``127.0.0.1:PORT`` or ``[::1]:PORT``; anything else gets 421 (a DNS
  rebinding page cannot talk to it).
* It knows the ``state`` of its login attempt. Only a ``GET <path>`` that
  carries that state (and a ``code`` or an ``error``) counts: its full URL is
  handed to :meth:`RedirectCatcher.wait` and the browser gets a small
  "you can close this tab" page; later ones get 410 Gone. A request with a
  missing or wrong state (any web page can make a browser request the
  callback), or with neither code nor error, gets 400 and does not count.
* Whatever it echoes (the dialog's ``error_description``) is HTML-escaped;
  the pages send ``Referrer-Policy: no-referrer`` and a CSP that forbids
  every script, style source and sub-resource.
* It never logs a request line or a query string (the code travels there).
* It stops by itself ``timeout`` seconds after :meth:`RedirectCatcher.start`.
* A login that is no longer awaited (its panel closed, a newer login
  started) is retired (:meth:`~RedirectCatcher.retire`) rather than stopped: until
  its timeout, a login tab still open gets a page saying so (410) instead of
  a connection error, and nothing is taken. A new catcher on the same port
  takes the port over.

The caller still reads the URL with :func:`meta_auth_nb.auth.oauth.parse_redirect`,
which checks the state again and says what went wrong.

Example
-------
>>> state = new_state()                                              # doctest: +SKIP
>>> with RedirectCatcher(port=8765, state=state) as catcher:       # doctest: +SKIP
...     request = login_url(app_id, catcher.redirect_uri, ["ads_read"], state=state)
...     print("Open", request.url)
...     code = parse_redirect(catcher.wait(), state)
"""

from __future__ import annotations

import errno
import hmac
import html
import os
import secrets
import socket
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .._base.login_errors import CatcherTimeout

__all__ = ["LOOPBACK", "LOOPBACK6", "CatcherTimeout", "RedirectCatcher", "loopback_port_free", "new_state"]

LOOPBACK = "127.0.0.1"
LOOPBACK6 = "::1"
#: Errors that mean "this machine has no IPv6 loopback", not "the port is taken".
_NO_IPV6 = frozenset({errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT, errno.EPROTONOSUPPORT})

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


#: Retired catchers of this process by port, so a new catcher can take its port over.
_RETIRED: dict[int, RedirectCatcher] = {}
_RETIRED_LOCK = threading.Lock()


def new_state() -> str:
    """A fresh random ``state`` for one login attempt."""
    return secrets.token_urlsafe(24)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # SO_REUSEADDR lets a new catcher bind past the TIME_WAIT connections of an earlier login; on POSIX a
    # port with a listening socket stays refused, so two catchers never share one. Windows' SO_REUSEADDR
    # would let a second program take a port in use, so it is not set there.
    allow_reuse_address = os.name != "nt"
    catcher: RedirectCatcher

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn), which can stall offline.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "localhost", int(self.server_address[1])


class _Server6(_Server):
    address_family = socket.AF_INET6


def _bind_pair(port: int) -> tuple[_Server, _Server | None]:
    """Bind 127.0.0.1 and ::1 on ``port`` (0: a free port on both); ::1 is skipped where there is none.

    Raises
    ------
    OSError
        The port is taken on either address (``EADDRINUSE``).
    """
    for _ in range(20 if port == 0 else 1):
        v4 = _Server((LOOPBACK, port), _Handler)
        chosen = int(v4.server_address[1])
        if not socket.has_ipv6:
            return v4, None
        try:
            return v4, _Server6((LOOPBACK6, chosen, 0, 0), _Handler)
        except OSError as error:
            if error.errno in _NO_IPV6:
                return v4, None
            v4.server_close()
            if port != 0:
                raise OSError(errno.EADDRINUSE, f"port {chosen} is taken on {LOOPBACK6}") from None
    raise OSError(errno.EADDRINUSE, "no port was free on both loopback addresses")


def loopback_port_free(port: int) -> bool:
    """True when no program holds ``port`` on 127.0.0.1 or ::1 (checked by binding them for a moment)."""
    try:
        servers = _bind_pair(port)
    except OSError:
        return False
    for server in servers:
        if server is not None:
            server.server_close()
    return True


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
    """Catch one OAuth redirect on ``http://localhost:PORT/callback`` (127.0.0.1 and ::1).

    Parameters
    ----------
    port : int
        TCP port on the loopback addresses; 0 picks a free one. A real Meta
        app in development mode accepts ``http://localhost`` redirects, so
        use the fixed port 8765 there.
    path : str
        The callback path.
    timeout : float
        Seconds, counted from :meth:`start`, after which the catcher stops
        and :meth:`wait` raises :class:`CatcherTimeout`.
    state : str
        The ``state`` of the login attempt (:func:`new_state`); only a
        redirect carrying it is taken.

    Attributes
    ----------
    redirect_uri : str
        ``http://localhost:PORT/callback``; pass it to ``login_url`` and
        ``exchange_code`` unchanged.
    """

    def __init__(self, port: int = 0, path: str = "/callback", timeout: float = 300, *, state: str) -> None:
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError("port must be 0 (any free port) or 1-65535")
        if not path.startswith("/") or "?" in path or "#" in path:
            raise ValueError("path must start with '/' and hold no query or fragment")
        if timeout is None or timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        if not isinstance(state, str) or len(state) < 16:
            raise ValueError("state must be the login attempt's random state (new_state()), 16+ characters")
        self._port = port
        self.path = path
        self.timeout = float(timeout)
        self._state = state
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self._deadline: float | None = None
        self._done = threading.Event()
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._url: str | None = None
        self._retired: tuple[str, str] | None = None

    # --- lifecycle ---------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port (the one asked for until :meth:`start` binds a free one)."""
        if self._servers:
            return int(self._servers[0].server_address[1])
        if self._port == 0:
            raise RuntimeError("the port is chosen when the catcher starts; call start() first")
        return self._port

    @property
    def redirect_uri(self) -> str:
        """``http://localhost:PORT<path>``."""
        return f"http://localhost:{self.port}{self.path}"

    @property
    def state(self) -> str:
        """The login attempt's ``state``, the only one taken."""
        return self._state

    @property
    def addresses(self) -> list[str]:
        """The addresses listened on (``127.0.0.1``, and ``::1`` where the machine has it)."""
        return [str(server.server_address[0]) for server in self._servers]

    @property
    def running(self) -> bool:
        return bool(self._servers) and not self._stopped.is_set()

    def start(self) -> RedirectCatcher:
        """Bind 127.0.0.1 and ::1 and serve in daemon threads until a redirect, :meth:`stop` or the timeout.

        Raises
        ------
        OSError
            When another program holds the port on either address (that
            program would get the redirect; pick another port, or another
            redirect).
        """
        if self._servers:
            return self
        if self._port:
            with _RETIRED_LOCK:
                retired = _RETIRED.pop(self._port, None)
            if retired is not None:  # our own retired catcher: it lets go of the port
                retired.stop()
        servers = [server for server in _bind_pair(self._port) if server is not None]
        self._deadline = time.monotonic() + self.timeout
        for server in servers:
            server.catcher = self
            server.timeout = 0.1  # handle_request polls, so the deadline is honoured
        self._servers = servers
        for server in servers:
            name = f"meta-auth-catcher:{self.port}:{len(self._threads) + 1}"
            thread = threading.Thread(target=self._serve, args=(server,), name=name, daemon=True)
            self._threads.append(thread)
            thread.start()
        return self

    def _serve(self, server: _Server) -> None:
        try:
            while not self._stopped.is_set() and self._deadline is not None and time.monotonic() < self._deadline:
                server.handle_request()
        finally:
            self._stopped.set()
            server.server_close()
            with _RETIRED_LOCK:
                if self._servers and _RETIRED.get(self.port) is self:
                    _RETIRED.pop(self.port, None)

    def retire(self, title: str, message: str) -> None:
        """Stop taking the login, and tell a login tab still open why (``title``, ``message``) until the timeout.

        A catcher that already caught its redirect, or is not running, just stops.
        """
        if not self.running or self._done.is_set():
            self.stop()
            return
        self._retired = (title, message)
        with _RETIRED_LOCK:
            _RETIRED[self.port] = self

    def stop(self) -> None:
        """Stop serving and free the port (safe to call twice)."""
        self._stopped.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=5)

    def __enter__(self) -> RedirectCatcher:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "caught" if self._done.is_set() else ("waiting" if self.running else "stopped")
        where = self.redirect_uri if (self._servers or self._port) else f"http://localhost:?{self.path}"
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
        if not self._servers:
            raise RuntimeError("start() the catcher before waiting for the redirect")
        if timeout is None:
            assert self._deadline is not None
            timeout = max(0.0, self._deadline - time.monotonic())
        deadline = time.monotonic() + timeout
        while not self._done.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or self._retired or (self._stopped.is_set() and not self._done.is_set()):
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
        return host in (f"localhost:{self.port}", f"{LOOPBACK}:{self.port}", f"[{LOOPBACK6}]:{self.port}")

    def _state_ok(self, state: str | None) -> bool:
        return bool(state) and hmac.compare_digest(str(state).encode(), self._state.encode())

    def _handle(self, request: _Handler) -> None:
        if not self._host_ok(request.headers.get("Host")):
            request._page(421, "Wrong address", "This login helper only answers on its own local address.")
            return
        parts = urlsplit(request.path)
        if parts.path != self.path:
            request._page(404, "Not found", "This address only answers the login redirect.")
            return
        if self._retired:
            request._page(410, *self._retired)
            return
        params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if "code" not in params and "error" not in params:
            request._page(400, "Nothing to do", "This address expects the login dialog's redirect.")
            return
        if not self._state_ok(params.get("state")):
            # Not this login's redirect (forged, or an older attempt's): refused, and the real one still counts.
            request._page(
                400,
                "Not this login",
                "This address only takes the redirect of the login it is waiting for. "
                "If you were logging in, start the login again from the notebook or terminal.",
            )
            return
        with self._lock:
            first = self._url is None
            if first:
                self._url = f"{self.redirect_uri}?{parts.query}"
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
