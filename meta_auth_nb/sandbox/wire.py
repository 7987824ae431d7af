"""Requests and responses as the routes see them, free of ``http.server``.

Keeping routes on these small objects lets the batch endpoint run each
item through exactly the same code as a normal call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .errors import GraphError

__all__ = [
    "HTML_TYPE",
    "JSON_TYPE",
    "Request",
    "Response",
    "bearer_from",
    "error_response",
    "parse_params",
    "split_version",
]

JSON_TYPE = "application/json; charset=UTF-8"
HTML_TYPE = "text/html; charset=utf-8"
_VERSION = re.compile(r"^/(v\d+\.\d+)(?=/|$)")


@dataclass
class Request:
    """One Graph (or dialog, or control) request.

    Attributes
    ----------
    method : str
        ``GET``, ``POST`` or ``DELETE`` (after a ``method=`` override).
    path : str
        Without the version prefix and without a trailing slash; ``/`` for the root.
    version : str or None
        ``v25.0`` style prefix, if the URL had one.
    params : dict
        Query parameters merged with form/JSON body fields (body wins).
    query_keys : list of str
        Names that came in the query string, in order (for the request log).
    bearer : str or None
        Token from ``Authorization: Bearer`` (or ``OAuth``).
    """

    method: str
    path: str
    version: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    query_keys: list[str] = field(default_factory=list)
    bearer: str | None = None

    @property
    def token(self) -> str | None:
        """The access token: the header first, else the ``access_token`` field."""
        return self.bearer or self.params.get("access_token") or None


@dataclass
class Response:
    """What a route answers; the server adds Content-Length and usage headers.

    ``account`` / ``business_id`` / ``buc_type`` tell the server which
    ad-account usage headers to add; ``drop`` closes the connection unanswered.
    """

    status: int = 200
    body: Any = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = JSON_TYPE
    raw: bytes | None = None
    drop: bool = False
    account: str | None = None
    business_id: str | None = None
    buc_type: str = "ads_management"

    def payload(self) -> bytes:
        """The body as bytes (JSON encoded once, compactly, like Graph)."""
        if self.raw is not None:
            return self.raw
        return json.dumps(self.body, separators=(",", ":")).encode("utf-8")


def encoded_page(page: dict[str, Any]) -> bytes:
    """A page whose ``data`` items are already JSON text, as the bytes :meth:`Response.payload` would give."""
    rest = {key: value for key, value in page.items() if key != "data"}
    tail = json.dumps(rest, separators=(",", ":"))[1:]  # the other keys, after the data
    return ('{"data":[' + ",".join(page["data"]) + "]" + ("," + tail if rest else "}")).encode("utf-8")


def error_response(err: GraphError) -> Response:
    """The envelope response for ``err``."""
    return Response(err.status, err.envelope(), err.headers())


def split_version(path: str) -> tuple[str | None, str]:
    """``/v25.0/me/`` -> ``("v25.0", "/me")``; ``/me`` -> ``(None, "/me")``."""
    m = _VERSION.match(path)
    version = None
    if m:
        version = m.group(1)
        path = path[m.end() :]
    path = "/" + path.strip("/")
    return version, path


def parse_params(query: str, body: bytes, content_type: str) -> tuple[dict[str, str], list[str]]:
    """Merge query and body parameters.

    Returns
    -------
    (dict, list)
        The merged parameters and the query's own key names.
    """
    params: dict[str, str] = {}
    keys: list[str] = []
    for k, v in parse_qsl(query, keep_blank_values=True):
        params[k] = v
        if k not in keys:
            keys.append(k)
    ctype = content_type.split(";")[0].strip().lower()
    if body and ctype == "application/json":
        try:
            obj = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise GraphError("(#100) The request body is not valid JSON", 100) from None
        if isinstance(obj, dict):
            for k, v in obj.items():
                params[str(k)] = v if isinstance(v, str) else json.dumps(v)
    elif body:
        # Graph takes form fields whatever the declared type; so do we.
        for k, v in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            params[k] = v
    return params, keys


def bearer_from(headers: Mapping[str, str] | Message) -> str | None:
    """The token of an ``Authorization: Bearer|OAuth <token>`` header, if any."""
    raw = headers.get("Authorization") or headers.get("authorization")
    if not raw:
        return None
    scheme, _, value = raw.strip().partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return None


def split_relative(url: str) -> tuple[str, str]:
    """``me/adaccounts?limit=5`` -> ``("/me/adaccounts", "limit=5")`` (batch items)."""
    parts = urlsplit(url if url.startswith("/") else "/" + url)
    return parts.path, parts.query
