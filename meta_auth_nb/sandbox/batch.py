"""Batch requests: ``POST /`` with ``batch=[{method, relative_url, body?, name?}, ...]``.

Each item goes through the dispatcher it is given (the gate's
:meth:`~.gate.Gate.item`: rate limits, scripted faults, then
:func:`routes.dispatch`) like a call of its own. With random faults switched
on an item may come back ``null`` (timed out), and such an item is never run,
so retrying it is safe; a fault scripted to strike after the fact runs the
item first, as a real server may.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from .errors import GraphError
from .wire import Request, Response, split_relative, split_version

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["MAX_BATCH", "run_batch"]

MAX_BATCH = 50


#: What an item without a token of its own inherits from the batch, with its token: the proof of that token.
_INHERITED = ("appsecret_proof", "appsecret_time")


def _item_request(item: Any, fallback_token: str | None, batch_params: dict[str, Any] | None = None) -> Request:
    if not isinstance(item, dict) or not isinstance(item.get("relative_url"), str):
        raise GraphError("(#100) Each batch item must be an object with a relative_url", 100)
    method = str(item.get("method") or "GET").upper()
    if method not in ("GET", "POST", "DELETE"):
        raise GraphError(f"(#100) Unsupported method in batch: {method}", 100)
    raw_path, query = split_relative(item["relative_url"])
    version, path = split_version(raw_path)
    params = dict(parse_qsl(query, keep_blank_values=True))
    body = item.get("body")
    if isinstance(body, str):
        params.update(parse_qsl(body, keep_blank_values=True))
    elif isinstance(body, dict):
        params.update({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
    if path == "/":
        raise GraphError("(#100) A batch item cannot be a batch", 100)
    # The same ?method= override as a top-level call.
    override = str(params.get("method", "")).upper()
    if method in ("GET", "POST") and override in ("GET", "POST", "DELETE"):
        method = override
    # An item may carry its own token; otherwise the batch's applies, checked with the batch's proof (as Graph
    # does: a wrong appsecret_proof at the top level fails every item that uses the batch's token).
    bearer = None if params.get("access_token") else fallback_token
    if bearer is not None:
        params.update({k: v for k, v in (batch_params or {}).items() if k in _INHERITED})
    return Request(method, path, version, params, [], bearer)


def run_batch(engine: Engine, req: Request, dispatch: Callable[[Engine, Request], Response | None]) -> Response:
    """Answer a batch request (at most :data:`MAX_BATCH` items), each item through ``dispatch``.

    ``dispatch`` answers an item with its response, usage headers included,
    or None when it timed out (``null``).
    """
    try:
        items = json.loads(req.params["batch"])
    except ValueError:
        raise GraphError("(#100) The parameter batch must be a JSON array", 100) from None
    if not isinstance(items, list):
        raise GraphError("(#100) The parameter batch must be a JSON array", 100)
    if len(items) > MAX_BATCH:
        raise GraphError("(#1) Too many requests in batch message. Maximum batch size is 50", 1)
    with_headers = req.params.get("include_headers", "true").lower() != "false"
    out: list[dict[str, Any] | None] = []
    for item in items:
        if engine.plan.item_times_out():
            out.append(None)
            continue
        try:
            sub = _item_request(item, req.token, req.params)
        except GraphError as err:
            out.append(_encode(Response(400, err.envelope(), err.headers()), with_headers))
            continue
        resp = dispatch(engine, sub)
        out.append(None if resp is None else _encode(resp, with_headers))
    return Response(body=out)


def _encode(resp: Response, with_headers: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"code": resp.status}
    headers = resp.headers
    if with_headers:
        base = [
            ("Content-Type", "text/javascript; charset=UTF-8"),
            ("Cache-Control", "private, no-cache, no-store, must-revalidate"),
        ]
        item["headers"] = [{"name": n, "value": v} for n, v in base + headers]
    item["body"] = resp.payload().decode("utf-8")
    return item
