"""Batch requests: chunks of 50, one result per request, resending what timed out or failed transiently.

:func:`batch_steps` plans a whole batch; each round's chunks go out in a
:class:`~.plan.Gather`, which the sync driver sends one after the other and
the async driver at once. Graph layer, I/O-free.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from .._base.errors import GraphError, RateLimited, TransientError
from .classify import classify
from .core import CallPlanner
from .plan import Gather, Sleep, Steps
from .request import encode_params

__all__ = [
    "MAX_BATCH",
    "BatchItem",
    "as_batch_items",
    "batch_steps",
    "decode_batch_item",
    "retryable_item",
]

#: Most requests Graph takes in one batch call.
MAX_BATCH = 50

T = TypeVar("T")


@dataclass(frozen=True)
class BatchItem:
    """One request of a batch."""

    method: str
    relative_url: str
    body: Mapping[str, Any] | None = None
    name: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The item as Graph's ``batch`` parameter lists it."""
        item: dict[str, Any] = {"method": self.method.upper(), "relative_url": self.relative_url.lstrip("/")}
        if self.body:
            item["body"] = urlencode(encode_params(self.body))
        if self.name:
            item["name"] = self.name
        return item


def as_batch_items(requests: Iterable[Any]) -> list[BatchItem]:
    """Accept ``"me"``, ``("GET", "me")``, ``{"method", "relative_url", ...}`` or BatchItem.

    Raises
    ------
    ValueError
        For a request of another shape, or one carrying ``access_token``.
    """
    items: list[BatchItem] = []
    for request in requests:
        if isinstance(request, BatchItem):
            items.append(request)
        elif isinstance(request, str):
            items.append(BatchItem("GET", request))
        elif isinstance(request, Mapping):
            if "relative_url" not in request:
                raise ValueError("a batch request needs a 'relative_url'")
            if "access_token=" in str(request["relative_url"]):
                raise ValueError("do not put access_token in a batch relative_url; the session sends it")
            items.append(
                BatchItem(
                    str(request.get("method", "GET")),
                    str(request["relative_url"]),
                    request.get("body"),
                    request.get("name"),
                )
            )
        elif isinstance(request, Sequence) and len(request) in (2, 3):
            items.append(BatchItem(str(request[0]), str(request[1]), request[2] if len(request) == 3 else None))
        else:
            raise ValueError(f"cannot make a batch request from {type(request).__name__}")
    return items


def chunks(items: Sequence[T], size: int = MAX_BATCH) -> list[Sequence[T]]:
    """``items`` cut into runs of at most ``size``."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def decode_batch_item(item: Any) -> Any:
    """Decode one batch answer: its body, or the classified error, or None if timed out."""
    if item is None:
        return None
    if not isinstance(item, Mapping):
        return GraphError("The batch answer had an item of an unexpected shape")
    code = int(item.get("code") or 0)
    headers = {
        str(h.get("name", "")).lower(): str(h.get("value", ""))
        for h in item.get("headers") or ()
        if isinstance(h, Mapping)
    }
    raw = item.get("body")
    try:
        body = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        body = raw
    if code >= 400 or (isinstance(body, Mapping) and isinstance(body.get("error"), Mapping)):
        return classify(body if isinstance(body, Mapping) else None, status=code, headers=headers)
    return body


def retryable_item(result: Any) -> bool:
    """True for a batch item worth sending again (timed out, transient, rate limited)."""
    return result is None or isinstance(result, (TransientError, RateLimited))


def chunk_steps(planner: CallPlanner, items: Sequence[BatchItem]) -> Steps[list[Any]]:
    """The plan of one batch call: one decoded result per item."""
    params = {"batch": json.dumps([item.as_json() for item in items]), "include_headers": False}
    # Repeating a batch after a dropped connection is safe only when it only reads.
    idempotent = all(item.method.upper() == "GET" for item in items)
    answers = yield from planner.call("POST", "", params, idempotent=idempotent)
    if not isinstance(answers, list) or len(answers) != len(items):
        raise GraphError("The batch answer did not have one item per request")
    return [decode_batch_item(answer) for answer in answers]


def batch_steps(planner: CallPlanner, requests: Iterable[Any], *, raise_errors: bool) -> Steps[list[Any]]:
    """The plan of a whole batch: every request's decoded body, in order.

    Items that time out (``null``) or fail transiently or by a rate limit are
    sent again, after a backoff, up to the retry policy's ``max_retries``
    rounds. A failed item is returned as its :class:`GraphError`, or raised
    when ``raise_errors`` is true.
    """
    items = as_batch_items(requests)
    results: list[Any] = [None] * len(items)
    pending = list(range(len(items)))
    attempt = 0
    while pending:
        groups = chunks(pending)
        answers = yield Gather([chunk_steps(planner, [items[i] for i in group]) for group in groups])
        for group, answer in zip(groups, answers, strict=True):
            for index, result in zip(group, answer, strict=True):
                results[index] = result
        pending = [i for i in pending if retryable_item(results[i])]
        if not pending or attempt >= planner.retry.max_retries:
            break
        yield Sleep(planner.retry.backoff(attempt, planner.rng))
        attempt += 1
    return finish_batch(results, raise_errors)


def finish_batch(results: list[Any], raise_errors: bool) -> list[Any]:
    """Turn items still timed out into errors; raise the first error if asked."""
    for index, result in enumerate(results):
        if result is None:
            results[index] = GraphError(
                "A batch request timed out repeatedly", hint="Retry it alone, or send smaller batches."
            )
    if raise_errors:
        for result in results:
            if isinstance(result, GraphError):
                raise result
    return results
