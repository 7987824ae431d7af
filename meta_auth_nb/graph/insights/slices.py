"""Cutting a pull into slices: an ad account and a run of whole time buckets, sized for the budget.

A slice always starts and ends on the boundaries of ``time_increment``'s
buckets (days, N-day spans from the range's first day, calendar months),
so the rows of several slices are exactly the rows of one call over their
union; with ``all_days`` a slice is the whole range. :func:`plan_slices`
covers what is still missing of each account's range (a resumed pull skips
what its ledger holds), in as many windows as fill the concurrency without
making calls smaller than a page of rows, and one window per account on the
development tier, where every call counts; :func:`halves` cuts a slice Graph
found too large in two. :func:`estimate_rows` is a rough guess from the
level and breakdowns, used only for those choices and for sync-or-async.
Graph layer, I/O-free.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .query import InsightsQuery

__all__ = ["SYNC_ROWS", "Slice", "buckets", "estimate_rows", "halves", "missing", "plan_slices"]

#: Rows a slice is sized for (one page); a slice planned larger than SYNC_ROWS goes as a report run.
TARGET_ROWS = 500
SYNC_ROWS = 2000
#: A guess of objects per ad account at each level, and of values per breakdown.
_OBJECTS = {"account": 1, "campaign": 10, "adset": 30, "ad": 100}
_VALUES = {"age": 6, "gender": 3, "publisher_platform": 4, "device_platform": 3, "impression_device": 8}
_DAY = _dt.timedelta(days=1)

Span = tuple[_dt.date, _dt.date]


@dataclass(frozen=True, order=True)
class Slice:
    """One ad account over ``since``..``until`` (whole buckets, both days included)."""

    account: str
    since: _dt.date
    until: _dt.date

    @property
    def key(self) -> str:
        """``act_1:2025-01-01:2025-01-31``: how the ledger names it."""
        return f"{self.account}:{self.since.isoformat()}:{self.until.isoformat()}"

    @property
    def label(self) -> str:
        """``act_1 2025-01-01..2025-01-31``, for people."""
        return f"{self.account} {self.since.isoformat()}..{self.until.isoformat()}"

    @classmethod
    def from_key(cls, key: str) -> Slice:
        """The slice a ledger key names."""
        account, since, until = key.rsplit(":", 2)
        return cls(account, _dt.date.fromisoformat(since), _dt.date.fromisoformat(until))


def buckets(query: InsightsQuery, since: _dt.date, until: _dt.date) -> list[Span]:
    """The time buckets of ``since``..``until``, as Graph makes the rows (one for ``all_days``)."""
    if query.time_increment == "all_days":
        return [(since, until)]
    spans: list[Span] = []
    start = since
    while start <= until:
        if query.time_increment == "monthly":
            nxt = (start.replace(day=28) + 4 * _DAY).replace(day=1)
        else:
            nxt = start + int(query.time_increment) * _DAY
        spans.append((start, min(until, nxt - _DAY)))
        start = nxt
    return spans


def estimate_rows(query: InsightsQuery, spans: int) -> int:
    """A rough guess of a slice's rows: ``spans`` buckets of the level's objects and the breakdowns' values."""
    per_bucket = _OBJECTS[query.level] * math.prod(_VALUES.get(b, 20) for b in query.breakdowns)
    return spans * per_bucket


def missing(spans: Sequence[Span], done: Iterable[Span]) -> list[list[Span]]:
    """The runs of consecutive buckets of ``spans`` that no ``done`` range covers."""
    covered = sorted(done)
    runs: list[list[Span]] = []
    current: list[Span] = []
    for span in spans:
        if any(a <= span[0] and span[1] <= b for a, b in covered):
            if current:
                runs.append(current)
                current = []
        else:
            current.append(span)
    if current:
        runs.append(current)
    return runs


def _cut(run: list[Span], pieces: int) -> list[list[Span]]:
    pieces = max(1, min(pieces, len(run)))
    size, extra = divmod(len(run), pieces)
    out, start = [], 0
    for index in range(pieces):
        stop = start + size + (1 if index < extra else 0)
        out.append(run[start:stop])
        start = stop
    return out


def plan_slices(
    query: InsightsQuery,
    ranges: Sequence[tuple[str, _dt.date, _dt.date]],
    done: Iterable[Slice],
    *,
    concurrency: int,
    careful: Iterable[str] = (),
) -> list[Slice]:
    """The slices still to fetch, account by account, oldest first.

    Parameters
    ----------
    ranges : sequence of (account, since, until)
        Each ad account's days.
    done : iterable of Slice
        What the ledger already holds.
    concurrency : int
        Slices that may run at once.
    careful : iterable of str
        Accounts on the development tier: one window each, the fewest calls.
    """
    done_by_account: dict[str, list[Span]] = {}
    for piece in done:
        done_by_account.setdefault(piece.account, []).append((piece.since, piece.until))
    todo = [
        (account, runs)
        for account, since, until in ranges
        if (runs := missing(buckets(query, since, until), done_by_account.get(account, ())))
    ]
    careful = set(careful)
    share = max(1, concurrency // max(1, len(todo)))
    slices: list[Slice] = []
    for account, runs in todo:
        total = sum(len(run) for run in runs)
        wanted = 1 if account in careful else min(share, math.ceil(estimate_rows(query, total) / TARGET_ROWS))
        for run in runs:
            for part in _cut(run, max(1, round(wanted * len(run) / total))):
                slices.append(Slice(account, part[0][0], part[-1][1]))
    return slices


def halves(query: InsightsQuery, piece: Slice) -> tuple[Slice, Slice] | None:
    """``piece`` cut in two at a bucket boundary; None when it is a single bucket."""
    spans = buckets(query, piece.since, piece.until)
    if len(spans) < 2:
        return None
    middle = len(spans) // 2
    return (
        Slice(piece.account, spans[0][0], spans[middle - 1][1]),
        Slice(piece.account, spans[middle][0], spans[-1][1]),
    )
