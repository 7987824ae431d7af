"""Reading a Graph reply: decode the body, raise its classified error, parse usage and the clock.

The exception chosen for an error reply is decided in :mod:`.classify`.
Graph layer, I/O-free.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._base.commands import Place
from .._base.timefmt import from_http_date
from .._base.usage import Usage
from .._base.usage_headers import parse_usage
from .classify import classify

__all__ = ["Reply", "read_reply", "server_time"]


@dataclass(frozen=True)
class Reply:
    """What came back for one request, as a driver hands it to the core.

    Attributes
    ----------
    status : int
        HTTP status.
    headers : mapping of str to str
        Response headers; lookups by lower-case name must work.
    body : bytes
        The raw body.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes


def read_reply(
    status: int, headers: Mapping[str, str], body: bytes, place: Place | None = None, version: str | None = None
) -> tuple[Any, Usage | None]:
    """Decode one reply; raise the classified error when it is one (its hint for ``place``, the call on ``version``).

    Returns
    -------
    (payload, usage)
        The decoded JSON (or text when not JSON) and the parsed usage headers.

    Raises
    ------
    GraphError
        The subclass :func:`~.classify.classify` picks for an error reply.
    """
    usage = parse_usage(headers)
    try:
        payload = json.loads(body) if body else None
    except ValueError:
        payload = body.decode("utf-8", "replace")
    if status >= 400 or (isinstance(payload, Mapping) and "error" in payload and status != 200):
        envelope = payload if isinstance(payload, Mapping) else None
        raise classify(envelope, status=status, headers=headers, place=place, version=version)
    # An error envelope without data is an error even under HTTP 200.
    if isinstance(payload, Mapping) and isinstance(payload.get("error"), Mapping) and "data" not in payload:
        raise classify(payload, status=status, headers=headers, place=place, version=version)
    return payload, usage


def server_time(headers: Mapping[str, str]) -> datetime | None:
    """The time in a response's ``Date`` header, as an aware UTC datetime."""
    return from_http_date(headers.get("date"))
