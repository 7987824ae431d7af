"""A pull in progress: what its slices share (planner, query, ledger), its counters, what it tells of itself.

Every slice plan reports here: a slice arrived (into the ledger, and as
columns for the frame, made while other slices are still on their way), gave up
(kept for :class:`~meta_auth_nb.errors.InsightsIncomplete`), was split in
two (one more to do), waits (and why). :meth:`PullState.watch` passes a
call's plan through, telling of each wait before it starts. The sync driver
may run slices in threads, so the counters take a lock. Graph layer, I/O-free.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..._base.errors import GraphError
from ..core import CallPlanner
from ..plan import Steps, telling_waits
from ..request import READ_COST, WRITE_COST, CallFacts
from .ledger import Ledger
from .query import InsightsQuery
from .slices import Slice
from .tidy import SliceColumns, columns_of, frame_of, insights_frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["InsightsProgress", "ProgressCallback", "PullState"]


@dataclass(frozen=True)
class InsightsProgress:
    """One look at a pull.

    Attributes
    ----------
    slices_done, slices_total : int
        Slices finished (arrived, those a checkpoint held included, or given up) and planned.
    rows : int
        Rows arrived.
    failed : int
        Slices given up.
    waiting_s : float
        How long the pull is about to wait (0 when it is not waiting).
    reason : str
        Why it waits, or what just happened, in words.
    """

    slices_done: int
    slices_total: int
    rows: int
    failed: int = 0
    waiting_s: float = 0.0
    reason: str = ""

    @property
    def waiting(self) -> bool:
        """True when the pull is about to wait."""
        return self.waiting_s > 0

    @property
    def arrived(self) -> int:
        """Slices whose rows arrived: what a bar or a count shows, so a pull with slices missing never reads full."""
        return self.slices_done - self.failed

    @property
    def tally(self) -> str:
        """Rows, and any slices missing, in words: ``1,120 rows, 1 slice missing``."""
        text = f"{self.rows:,} rows"
        if self.failed:
            text += f", {self.failed} slice{'s' if self.failed != 1 else ''} missing"
        return text

    @property
    def counted(self) -> str:
        """The whole count in words: ``2/3 slices, 1,120 rows, 1 slice missing``."""
        return f"{self.arrived}/{self.slices_total} slices, {self.tally}"

    def __str__(self) -> str:
        return f"{self.counted}; {self.reason}" if self.reason else self.counted


#: A progress callback: called with an :class:`InsightsProgress`.
ProgressCallback = Callable[[InsightsProgress], Any]


class PullState:
    """What the slices of one pull share.

    Parameters
    ----------
    planner : CallPlanner
    query : InsightsQuery
    ledger : Ledger
    progress : callable, optional
        Called with an :class:`InsightsProgress` as the pull moves.
    raw : bool
        The frame keeps Graph's shapes.
    frame : bool
        A DataFrame is built at the end, so each slice is turned into columns as it arrives (not for a
        ``to=`` folder, which holds the rows itself).

    Attributes
    ----------
    failures : list of GraphError
        Why each slice given up is missing (each names its slice).
    owners : dict of str to str
        target -> the ad account it belongs to (an ad account's is itself).
    kinds : dict of str to str
        target -> ``account``, ``campaign``, ``adset`` or ``ad``.
    """

    def __init__(
        self,
        planner: CallPlanner,
        query: InsightsQuery,
        ledger: Ledger,
        progress: ProgressCallback | None,
        *,
        raw: bool = False,
        frame: bool = True,
    ) -> None:
        self.planner = planner
        self.query = query
        self.ledger = ledger
        self.raw = raw
        self.keep_columns = frame and not raw
        self.owners: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self._columns: dict[str, SliceColumns] = {}
        self.failures: list[GraphError] = []
        self._progress = progress
        self._lock = threading.Lock()
        self._total = 0
        self._done = 0

    def begin(self, planned: int) -> None:
        """The plan is made: ``planned`` slices to fetch, besides those the ledger holds."""
        with self._lock:
            self._done = len(self.ledger.counts) + len(self.failures)
            self._total = self._done + planned
        self.tell(reason="planned" if planned else "everything was in the checkpoint")

    def tell(self, waiting_s: float = 0.0, reason: str = "") -> None:
        """Report where the pull stands."""
        if self._progress is None:
            return
        with self._lock:
            seen = InsightsProgress(
                self._done, self._total, self.ledger.row_count, len(self.failures), waiting_s, reason
            )
        self._progress(seen)

    def arrived(self, piece: Slice, rows: list[dict[str, Any]]) -> None:
        """A slice arrived whole: into the ledger (and its checkpoint)."""
        self.ledger.record(piece, rows)
        columns = columns_of(rows) if self.keep_columns else None
        with self._lock:
            self._done += 1
            if columns is not None:
                self._columns[piece.key] = columns
        self.tell(reason=f"{piece.label}: {len(rows):,} rows")

    def frame(self, accounts: Sequence[str]) -> pd.DataFrame:
        """The DataFrame of every slice held, account by account; slices from a checkpoint are turned now."""
        if self.raw:
            return insights_frame(self.ledger.rows(accounts), self.query, raw=True)
        keys = self.ledger.ordered(accounts)
        with self._lock:
            made = dict(self._columns)
        return frame_of([made.get(key) or columns_of(self.ledger.rows_of(key)) for key in keys], self.query)

    def gave_up(self, piece: Slice, error: GraphError) -> None:
        """A slice is given up; the pull goes on without it."""
        with self._lock:
            self.failures.append(error)
            self._done += 1
        self.tell(reason=f"{piece.label} failed: {error.message}")

    def split(self, piece: Slice, parts: Sequence[Slice], why: str) -> None:
        """``piece`` became ``parts``."""
        with self._lock:
            self._total += len(parts) - 1
        self.tell(reason=f"{piece.label}: {why}; split in {len(parts)}")

    def facts_for(self, piece: Slice, *, write: bool = False) -> CallFacts:
        """What an insights call of ``piece`` is: counted against its target's ad account (a campaign's too)."""
        return CallFacts(
            read=True,
            account=self.owners.get(piece.account, piece.account),
            cost=WRITE_COST if write else READ_COST,
            insights=True,
        )

    def watch(self, steps: Steps[Any]) -> Steps[Any]:
        """Pass a plan through, telling of each wait (rate limit, retry) before it starts."""
        return (yield from telling_waits(steps, self.tell))
