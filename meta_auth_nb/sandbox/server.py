"""The HTTP side: a threaded, keep-alive server on 127.0.0.1 that hands each
request to the control endpoints, the login dialog or the Graph engine."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .control import CONTROL_PREFIX, handle_control
from .dialog import DIALOG_PATHS, handle_dialog
from .engine import Engine
from .errors import GraphError
from .wire import Request, Response, bearer_from, error_response, parse_params, split_version

__all__ = ["SandboxServer"]

_MAX_BODY = 16 * 1024 * 1024
#: What an unversioned call is served as: the oldest version (here, the oldest Marketing API still serves).
_DEFAULT_VERSION = "v25.0"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every answer has a Content-Length
    server_version = "MetaGraphSandbox/1.0"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are closed after a minute
    server: SandboxServer

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request stderr line."""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without NODELAY, Nagle plus the
        # client's delayed ACK would add ~40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header follows the sandbox clock, as a real server's
        # follows real time, so clients judging expiry by it see moved time.
        return super().date_time_string(self.server.engine.clock.now() if timestamp is None else timestamp)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        if n > _MAX_BODY:
            self.close_connection = True  # the unread body would poison the next request
            raise GraphError("(#100) Request body too large", 100, status=413)
        return self.rfile.read(n) if n > 0 else b""

    def _handle(self, method: str) -> None:
        engine = self.server.engine
        try:
            body = self._read_body()
            url = urlsplit(self.path)
            version, path = split_version(url.path)
            params, query_keys = parse_params(url.query, body, self.headers.get("Content-Type", ""))
            bearer = bearer_from(self.headers)
            req = Request(method, path, version, params, query_keys, bearer)
            if (path + "/").startswith(CONTROL_PREFIX):
                resp = handle_control(engine, req)
            else:
                engine.log(method, url.path, bearer is not None, query_keys)
                if path in DIALOG_PATHS:
                    resp = handle_dialog(engine, req)
                else:
                    # Graph lets GET/POST stand in for other verbs with ?method=.
                    override = params.get("method", "").upper()
                    if method in ("GET", "POST") and override in ("GET", "POST", "DELETE"):
                        req.method = override
                    resp = engine.handle_graph(req)
                    resp.headers.append(("facebook-api-version", version or _DEFAULT_VERSION))
                    resp.headers.append(("Access-Control-Allow-Origin", "*"))
        except GraphError as err:
            resp = error_response(err)
        except ValueError as err:  # e.g. a malformed Content-Length
            resp = error_response(GraphError(f"(#100) Malformed request: {err}", 100))
            self.close_connection = True
        except Exception:  # a sandbox bug: answer 500 and keep it for the tests
            resp = engine.internal_error()
        self._send(resp)

    def _send(self, resp: Response) -> None:
        if resp.drop:
            # A "connection reset" fault: close without a byte of answer.
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        payload = resp.payload()
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in resp.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class SandboxServer(ThreadingHTTPServer):
    """ThreadingHTTPServer bound to loopback, tracking open connections so
    :meth:`close_all` can cut keep-alive clients off on stop."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, port: int, engine: Engine) -> None:
        self.engine = engine
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls getfqdn(), a reverse DNS look-up that can stall offline.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet when a client hangs up; keep anything else for the tests."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # broken pipe, reset, timeout: the client went away
            return
        self.engine.internal_errors.append(traceback.format_exc())

    def track(self, conn: socket.socket) -> None:
        """Remember an open connection."""
        with self._conns_lock:
            self._conns.add(conn)

    def untrack(self, conn: socket.socket) -> None:
        """Forget a closed connection."""
        with self._conns_lock:
            self._conns.discard(conn)

    def close_all(self) -> None:
        """Shut every open connection (idle keep-alive ones included)."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
