"""When one time bucket is still too much for a report run: split by campaign, then ad set, then fields.

A slice is first cut at time bucket boundaries (:func:`~.slices.halves`);
a single bucket (one day, with ``time_increment=1``) that Graph still finds
too large is split the way the Marketing API connectors do:

1. by campaign: the account's campaigns (``act_<id>/campaigns``) in two
   halves, each asked with ``filtering`` on ``campaign.id``, halved again
   while still too large;
2. a single campaign still too large: by its ad sets (``<campaign>/adsets``),
   the same way;
3. a single ad set (or an ad, or a campaign without ad sets) still too
   large: by fields, halving the metrics asked for; the parts' rows are
   joined on the row's identity (the level's ids, the dates, the breakdowns).

Each split is told to the progress display, saying what was split and why.
The parts' rows make the slice's rows, in the order one report would have
given them; the slice enters the ledger only when every part arrived.
Graph layer, I/O-free.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from ..._base.errors import TooMuchData
from ..paging import PageWalk
from ..plan import Gather, Steps, collect
from .query import ID_FIELDS
from .slices import Slice
from .state import PullState

__all__ = ["split_steps"]

#: Fetches the rows of the slice with these parameters (a report run), or raises TooMuchData.
Fetch = Callable[[dict[str, Any]], Steps[list[Any]]]
_NEXT = {"campaign": "adset"}
_CHILDREN = {"campaign": "campaigns", "adset": "adsets"}
_DATES = ("date_start", "date_stop")


def _with_filter(params: dict[str, Any], level: str, ids: Sequence[str]) -> dict[str, Any]:
    given = json.loads(params["filtering"]) if params.get("filtering") else []
    entry = {"field": f"{level}.id", "operator": "IN", "value": list(ids)}
    return {**params, "filtering": json.dumps([*given, entry], separators=(",", ":"))}


def _children(state: PullState, piece: Slice, parent: str, level: str) -> Steps[list[str]]:
    """The ids of ``parent``'s campaigns or ad sets."""
    rows: list[Any] = []
    path = f"{parent}/{_CHILDREN[level]}"
    walk = PageWalk(state.planner, path, {"fields": "id", "limit": 500}, facts=state.facts_for(piece))
    yield from state.watch(collect(walk.steps(by_row=False), rows.extend))
    return [str(row["id"]) for row in rows if isinstance(row, dict) and row.get("id")]


def split_steps(state: PullState, piece: Slice, fetch: Fetch) -> Steps[list[Any]]:
    """The rows of a one-bucket slice too large for one report run, fetched in parts (see the module).

    Raises
    ------
    TooMuchData
        When even one ad set and one field is too much.
    """
    kind = state.kinds.get(piece.account, "account")
    params = state.query.params(piece.since, piece.until)
    if kind in ("account", "campaign"):
        level = "campaign" if kind == "account" else "adset"
        ids = yield from _children(state, piece, piece.account, level)
        if ids:
            return (yield from _split(state, piece, fetch, params, level, ids))
    return (yield from _by_fields(state, piece, fetch, params))


def _split(
    state: PullState, piece: Slice, fetch: Fetch, params: dict[str, Any], level: str, ids: list[str]
) -> Steps[list[Any]]:
    """``ids`` (known to be too many at once) in two halves, or a single one split one level down."""
    if len(ids) > 1:
        middle = len(ids) // 2
        state.tell(reason=f"{piece.label}: too much for one report run; split by {level} in 2 ({len(ids)} {level}s)")
        halves = [ids[:middle], ids[middle:]]
        parts = yield Gather([_fetch(state, piece, fetch, params, level, half) for half in halves], limit=2)
        return [row for part in parts for row in part]
    narrowed = _with_filter(params, level, ids)
    below = _NEXT.get(level)
    if below is not None:
        children = yield from _children(state, piece, ids[0], below)
        if children:
            state.tell(reason=f"{piece.label}: {level} {ids[0]} is too much for one report run; split by {below}")
            return (yield from _split(state, piece, fetch, narrowed, below, children))
    return (yield from _by_fields(state, piece, fetch, narrowed))


def _fetch(
    state: PullState, piece: Slice, fetch: Fetch, params: dict[str, Any], level: str, ids: list[str]
) -> Steps[list[Any]]:
    try:
        return (yield from fetch(_with_filter(params, level, ids)))
    except TooMuchData:
        return (yield from _split(state, piece, fetch, params, level, ids))


def _by_fields(state: PullState, piece: Slice, fetch: Fetch, params: dict[str, Any]) -> Steps[list[Any]]:
    """The metrics asked for in two halves, their rows joined on each row's identity."""
    head = [*ID_FIELDS[state.query.level], *_DATES]
    fields = [f for f in str(params.get("fields") or "").split(",") if f and f not in head]
    if len(fields) < 2:
        raise TooMuchData(f"{piece.label}: too much data for one report run, even one ad set and one field at a time")
    middle = len(fields) // 2
    state.tell(reason=f"{piece.label}: too much for one report run; split by fields in 2 ({len(fields)} fields)")
    halves = [fields[:middle], fields[middle:]]
    parts = yield Gather([_fields_part(state, piece, fetch, params, head, half) for half in halves], limit=2)
    key_names = [*head, *state.query.breakdowns]
    joined: dict[tuple[Any, ...], dict[str, Any]] = {}
    for part in parts:
        for row in part:
            key = tuple(row.get(name) for name in key_names)
            joined.setdefault(key, {}).update(row)
    return list(joined.values())


def _fields_part(
    state: PullState, piece: Slice, fetch: Fetch, params: dict[str, Any], head: list[str], fields: list[str]
) -> Steps[list[Any]]:
    asked = {**params, "fields": ",".join([*dict.fromkeys(head), *fields])}
    try:
        return (yield from fetch(asked))
    except TooMuchData:
        return (yield from _by_fields(state, piece, fetch, asked))
