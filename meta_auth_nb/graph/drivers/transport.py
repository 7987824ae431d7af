"""What both drivers need from httpx: client options, the request for a ``Send``, its ``Reply``.

One verifying SSL context shared by every session of the process, the
default timeout, and the translation both ways between the core's
:class:`~meta_auth_nb.graph.plan.Send` / :class:`~meta_auth_nb.graph.reply.Reply`
and httpx; transport failures become :class:`~meta_auth_nb.errors.GraphConnectionError`. Graph layer.
"""

from __future__ import annotations

import logging
import ssl
import threading
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..._base.errors import GraphConnectionError
from ..._base.redact import get_logger
from ..plan import Send
from ..reply import Reply

__all__ = ["DEFAULT_TIMEOUT", "build_request", "client_options", "connection_error", "reply_of", "shared_ssl_context"]

log = get_logger(__name__)
# httpx logs each request line at INFO; make sure nothing there can leak.
get_logger("httpx")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

_ssl_context: ssl.SSLContext | None = None
_ssl_lock = threading.Lock()


def shared_ssl_context() -> ssl.SSLContext:
    """The verifying SSL context every session of this process shares.

    It is exactly what httpx builds for ``verify=True, trust_env=False`` (the
    certifi bundle), made once: building one reads the whole CA bundle
    (20-40 ms), which httpx would otherwise repeat for every client, and the
    lifecycle calls open a short-lived session per call.
    """
    global _ssl_context
    if _ssl_context is None:
        with _ssl_lock:
            if _ssl_context is None:
                _ssl_context = httpx.create_ssl_context(verify=True, trust_env=False)
    return _ssl_context


def client_options(
    timeout: float | httpx.Timeout | None, transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None
) -> dict[str, Any]:
    """Keyword arguments for ``httpx.Client`` / ``httpx.AsyncClient``.

    Parameters
    ----------
    timeout : float or httpx.Timeout, optional
        Default :data:`DEFAULT_TIMEOUT`.
    transport : httpx.BaseTransport or httpx.AsyncBaseTransport, optional
        The seam to the network (tests, proxies).
    """
    return {
        "timeout": timeout if timeout is not None else DEFAULT_TIMEOUT,
        "transport": transport,
        # with a transport given, httpx builds no TLS context of its own
        "verify": shared_ssl_context() if transport is None else True,
        "follow_redirects": False,
        "trust_env": False,
    }


def build_request(client: httpx.Client | httpx.AsyncClient, send: Send) -> httpx.Request:
    """The httpx request for a :class:`~meta_auth_nb.graph.plan.Send`: a form body for POST, the query otherwise."""
    if send.method == "POST":
        return client.build_request("POST", send.url, data=send.params, headers=send.headers)
    # merge, not replace: a paging URL already carries its cursor in the query
    # (httpx's params= would replace it). Without params the URL goes as is,
    # which spares re-parsing it for every page of a pull.
    target = httpx.URL(send.url).copy_merge_params(send.params) if send.params else send.url
    return client.build_request(send.method, target, headers=send.headers)


def reply_of(send: Send, response: httpx.Response) -> Reply:
    """The core's view of a read response."""
    if log.isEnabledFor(logging.DEBUG):  # the arguments cost a URL parse per call
        log.debug(
            "%s %s -> %s in %.0f ms",
            send.method,
            urlsplit(send.url).path,
            response.status_code,
            response.elapsed.total_seconds() * 1000,
        )
    # A plain dict with lower-case names: the core looks several headers up per reply.
    return Reply(response.status_code, dict(response.headers.items()), response.content)


def connection_error(exc: httpx.TransportError, send: Send) -> GraphConnectionError:
    """Say what an httpx transport error was, in words, naming the host only (never the URL's query).

    A connection that never opened (:class:`httpx.ConnectError`) surely did
    not deliver the request, so it is marked ``before_send``.
    """
    host = urlsplit(send.url).hostname or ""
    return GraphConnectionError.failed(_kind(exc), host, before_send=isinstance(exc, httpx.ConnectError))


def _kind(exc: httpx.TransportError) -> str:
    """Which way a connection failed (see :class:`~meta_auth_nb.errors.GraphConnectionError`)."""
    said = str(exc).lower()
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        if any(w in said for w in ("name or service", "nodename", "name resolution", "getaddrinfo", "no address")):
            return "lookup"
        if "refused" in said:
            return "refused"
        if "ssl" in said or "certificate" in said:
            return "secure"
        return "other"
    return "dropped" if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)) else "other"
