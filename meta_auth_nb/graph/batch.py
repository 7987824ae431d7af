"""Batch requests: chunks of 50, one result per request, resending only what is safe to resend.

:func:`batch_steps` plans a whole batch; each round's chunks go out in a
:class:`~.plan.Gather`, which the sync driver sends one after the other and
the async driver at once. A batch made only of reads is a read (repeated
after a dropped connection); an item is resent when it timed out or failed
transiently and only reads, or when a rate limit refused it (it was not run),
after the wait the headers give. Every item's ``relative_url`` goes through
the request builder's URL check: no token in it, whatever the form of the
item. Graph layer, I/O-free.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from .._base.commands import Place
from .._base.errors import GraphError, RateLimited, TransientError
from .classify import classify
from .core import CallPlanner
from .links import query_pairs, scrub_body
from .plan import Gather, Sleep, Steps
from .request import CallFacts, Endpoint, call_facts, encode_params

__all__ = [
    "MAX_BATCH",
    "BatchItem",
    "as_batch_items",
    "batch_steps",
    "body_fields",
    "decode_batch_item",
    "retryable_item",
]

#: Most requests Graph takes in one batch call.
MAX_BATCH = 50

T = TypeVar("T")


def body_fields(body: Mapping[str, Any] | str | None) -> dict[str, str]:
    """A batch item's body as Graph reads it: a mapping's values encoded, or a form string's fields.

    Parameters
    ----------
    body : mapping, str or None
        ``{"message": "hello"}``, or the form string Graph's documentation
        shows (``"message=hello&published=false"``).

    Raises
    ------
    ConfigError
        For an ``access_token`` field, however spelt, in either form.
    ValueError
        For a body of another type.
    """
    if body is None or isinstance(body, Mapping):
        return encode_params(body)
    if not isinstance(body, str):
        raise ValueError(f"a batch request's body is a mapping or a form string such as 'message=hello', not {body!r}")
    fields: dict[str, str] = {}
    for key, value in query_pairs(body.lstrip("?")):
        fields.update(encode_params({key: value}))  # each field checked, a repeated one too
    return fields


@dataclass(frozen=True)
class BatchItem:
    """One request of a batch; ``body`` is a mapping or a form string (``"message=hello"``)."""

    method: str
    relative_url: str
    body: Mapping[str, Any] | str | None = None
    name: str | None = None

    @property
    def facts(self) -> CallFacts:
        """What the item is: a read or a write, its ad account and cost."""
        return call_facts(self.method, self.relative_url, body_fields(self.body))

    def as_json(self) -> dict[str, Any]:
        """The item as Graph's ``batch`` parameter lists it."""
        item: dict[str, Any] = {"method": self.method.upper(), "relative_url": self.relative_url.lstrip("/")}
        if isinstance(self.body, str):
            if self.body.lstrip("?"):
                item["body"] = self.body.lstrip("?")
        elif self.body:
            item["body"] = urlencode(encode_params(self.body))
        if self.name:
            item["name"] = self.name
        return item


def as_batch_items(requests: Iterable[Any], endpoint: Endpoint | None = None) -> list[BatchItem]:
    """Accept ``"me"``, ``("GET", "me")``, ``("POST", "me/feed", body)``, ``{"relative_url", ...}`` or BatchItem.

    A body is a mapping or Graph's form string (``"message=hello"``); both are
    checked the same way.

    Parameters
    ----------
    endpoint : Endpoint, optional
        Checks each ``relative_url`` (and its body encodes) like any request.

    Raises
    ------
    ValueError
        For a request of another shape, or (:class:`~meta_auth_nb.errors.ConfigError`)
        one carrying ``access_token`` or another token, in any form.
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
    for item in items:
        body_fields(item.body)  # refuses an access_token field, in a mapping or a form string
        if endpoint is not None:
            endpoint.check_url(item.relative_url)
    return items


def chunks(items: Sequence[T], size: int = MAX_BATCH) -> list[Sequence[T]]:
    """``items`` cut into runs of at most ``size``."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def decode_batch_item(item: Any, secrets: Sequence[str | None] = (), place: Place | None = None) -> Any:
    """Decode one batch answer: its body (links scrubbed), or the classified error (hint for ``place``), or None."""
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
        body = json.loads(scrub_body(raw.encode("utf-8"), secrets)) if isinstance(raw, str) else raw
    except ValueError:
        body = raw
    if code >= 400 or (isinstance(body, Mapping) and isinstance(body.get("error"), Mapping)):
        return classify(body if isinstance(body, Mapping) else None, status=code, headers=headers, place=place)
    return body


def retryable_item(result: Any, read: bool = True) -> bool:
    """True for a batch item worth sending again.

    A rate-limit refusal always (the item was not run); a timed-out
    (``null``) or transiently failed item only when it reads, since a write
    may have taken effect.
    """
    if isinstance(result, RateLimited):
        return True
    return read and (result is None or isinstance(result, TransientError))


def batch_facts(items: Sequence[BatchItem]) -> CallFacts:
    """A batch call's facts: a read only when every item reads; the items' costs added up."""
    facts = [item.facts for item in items]
    accounts = {f.account for f in facts}
    return CallFacts(
        read=all(f.read for f in facts),
        account=accounts.pop() if len(accounts) == 1 else None,
        cost=sum(f.cost for f in facts),
    )


def chunk_steps(planner: CallPlanner, items: Sequence[BatchItem]) -> Steps[list[Any]]:
    """The plan of one batch call: one decoded result per item."""
    params = {"batch": json.dumps([item.as_json() for item in items]), "include_headers": False}
    answers = yield from planner.call("POST", "", params, facts=batch_facts(items))
    if not isinstance(answers, list) or len(answers) != len(items):
        raise GraphError("The batch answer did not have one item per request")
    secrets = planner.endpoint.secrets
    return [decode_batch_item(answer, secrets, planner.endpoint.place) for answer in answers]


def batch_steps(planner: CallPlanner, requests: Iterable[Any], *, raise_errors: bool) -> Steps[list[Any]]:
    """The plan of a whole batch: every request's decoded body, in order.

    Items that time out (``null``) or fail transiently or by a rate limit are
    sent again, after a backoff, up to the retry policy's ``max_retries``
    rounds. A failed item is returned as its :class:`GraphError`, or raised
    when ``raise_errors`` is true.
    """
    items = as_batch_items(requests, planner.endpoint)
    reads = [item.facts.read for item in items]
    results: list[Any] = [None] * len(items)
    pending = list(range(len(items)))
    attempt = 0
    while pending:
        groups = chunks(pending)
        answers = yield Gather([chunk_steps(planner, [items[i] for i in group]) for group in groups])
        for group, answer in zip(groups, answers, strict=True):
            for index, result in zip(group, answer, strict=True):
                results[index] = result
        pending = [i for i in pending if retryable_item(results[i], reads[i])]
        if not pending or attempt >= planner.retry.max_retries:
            break
        waits = [r.retry_after for i in pending if isinstance(r := results[i], RateLimited) and r.retry_after]
        if waits and max(waits) > planner.max_wait:
            break  # longer than this session waits: the refusals are returned as they are
        if waits:
            yield Sleep(
                max(waits), f"{len(pending)} batch requests refused by a rate limit: waiting {max(waits):.0f} s"
            )
        else:
            delay = planner.retry.backoff(attempt, planner.rng)
            yield Sleep(delay, f"{len(pending)} batch requests timed out or failed: retrying in {delay:.1f} s")
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
