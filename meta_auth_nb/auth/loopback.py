"""The loopback HTTP servers under the redirect catcher: binding 127.0.0.1 and ::1, and the pages they answer.

Auth layer, stdlib only. :mod:`.catcher` decides what each request means;
this module binds the pair of servers on one port and writes the small pages
it answers with. Whatever a page says is HTML-escaped here, so no caller can
forget, and every page forbids scripts, sub-resources and referrers. Request
lines are never logged: the authorization code travels in them.
"""

from __future__ import annotations

import errno
import html
import os
import socket
import socketserver
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

__all__ = [
    "ALREADY_USED",
    "LOOPBACK",
    "LOOPBACK6",
    "NOT_THIS_LOGIN",
    "OUT_OF_DATE",
    "WRONG_HOST",
    "LoopbackHandler",
    "LoopbackServer",
    "bind_pair",
    "loopback_port_free",
]

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


#: (title, message) of the pages the catcher answers with when a request does not count.
WRONG_HOST = ("Wrong address", "This login helper only answers on its own local address.")
NOT_THIS_LOGIN = (
    "Not this login",
    "This address only takes the redirect of the login it is waiting for. "
    "If you were logging in, start the login again from the notebook or terminal.",
)
ALREADY_USED = ("Already used", "This login was already completed. Close this tab; start a new login if needed.")
OUT_OF_DATE = (
    "This login link is out of date",
    "It belongs to an earlier login attempt. Close this tab and use the newest "
    "Log in with Facebook link in the notebook (or the address the terminal shows now).",
)


class RequestTaker(Protocol):
    """What a server hands each GET to (the catcher)."""

    def _handle(self, request: LoopbackHandler) -> None: ...


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    # SO_REUSEADDR lets a new catcher bind past the TIME_WAIT connections of an earlier login; on POSIX a
    # port with a listening socket stays refused, so two catchers never share one. Windows' SO_REUSEADDR
    # would let a second program take a port in use, so it is not set there.
    allow_reuse_address = os.name != "nt"
    catcher: RequestTaker

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn), which can stall offline.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "localhost", int(self.server_address[1])


class _Server6(LoopbackServer):
    address_family = socket.AF_INET6


def bind_pair(port: int) -> tuple[LoopbackServer, LoopbackServer | None]:
    """Bind 127.0.0.1 and ::1 on ``port`` (0: a free port on both); ::1 is skipped where there is none.

    Raises
    ------
    OSError
        The port is taken on either address (``EADDRINUSE``).
    """
    for _ in range(20 if port == 0 else 1):
        v4 = LoopbackServer((LOOPBACK, port), LoopbackHandler)
        chosen = int(v4.server_address[1])
        if not socket.has_ipv6:
            return v4, None
        try:
            return v4, _Server6((LOOPBACK6, chosen, 0, 0), LoopbackHandler)
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
        servers = bind_pair(port)
    except OSError:
        return False
    for server in servers:
        if server is not None:
            server.server_close()
    return True


class LoopbackHandler(BaseHTTPRequestHandler):
    server: LoopbackServer
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
        self.page(405, "Not allowed", "This address only answers the login redirect.", extra=(("Allow", "GET"),))

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _refuse

    def page(self, status: int, title: str, message: str, *, extra: tuple[tuple[str, str], ...] = ()) -> None:
        """Answer with a small page saying ``title`` and ``message`` (both escaped here)."""
        body = _PAGE.format(title=html.escape(title), message=html.escape(message)).encode("utf-8")
        self._send(status, body, extra)

    def send_to(self, location: str) -> None:
        """Send the browser on to ``location`` (the login dialog) with a 302."""
        body = _PAGE.format(title="Opening the login page", message="Opening the login page\u2026").encode("utf-8")
        self._send(302, body, (("Location", location),))

    def _send(self, status: int, body: bytes, extra: tuple[tuple[str, str], ...]) -> None:
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
