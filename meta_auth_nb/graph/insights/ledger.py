"""The record of one insights pull: its targets and days, the slices that arrived, the report runs in flight.

A slice's rows enter the ledger only once every page of it has arrived, so
whatever the ledger holds is whole: a pull stopped half-way through a slice
fetches that slice again from its start, and never holds a row twice
(slices never overlap). A report run started for a slice is noted until its
rows are in, so a resumed pull looks at that run before starting another.

The rows themselves live in a :class:`SliceStore`, told of each change as it
happens, under the ledger's lock (concurrent slices write one after the
other), and each call about one slice or one run only: what a change costs
is that change, never the pull so far. :class:`MemoryStore` keeps them in
memory; the drivers have a checkpoint file
(:mod:`meta_auth_nb.graph.drivers.checkpoint`) and a Parquet folder
(:mod:`meta_auth_nb.graph.drivers.parquet_folder`). Graph layer, I/O-free.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .slices import Slice

__all__ = ["Ledger", "MemoryStore", "PullPlan", "SliceStore"]

Rows = list[dict[str, Any]]


@dataclass
class PullPlan:
    """What a pull fixed when it started, so a resumed pull asks for the same.

    Attributes
    ----------
    targets : list of str
        The ids whose insights are pulled (``"all"`` resolved), in order.
    owners : dict of str to (str, str)
        target -> (its ad account, its kind: ``account``, ``campaign``, ``adset``, ``ad``).
    ranges : dict of str to (date, date)
        Each target's days (presets resolved once).
    """

    targets: list[str] = field(default_factory=list)
    owners: dict[str, tuple[str, str]] = field(default_factory=dict)
    ranges: dict[str, tuple[_dt.date, _dt.date]] = field(default_factory=dict)


class SliceStore(Protocol):
    """Where a ledger's slices go, and its plan and runs: one call per change."""

    def planned(self, plan: PullPlan) -> None:
        """The pull's plan is fixed (or grew: more targets' days)."""

    def put(self, key: str, rows: Rows) -> None:
        """A slice arrived whole (its report run, if any, is no longer in flight)."""

    def run(self, key: str, run_id: str | None) -> None:
        """A report run started for a slice (``run_id``), or is no use any more (None)."""

    def get(self, key: str) -> Rows:
        """The rows of a slice held."""


class MemoryStore:
    """A :class:`SliceStore` in memory: a pull without a checkpoint."""

    def __init__(self) -> None:
        self._rows: dict[str, Rows] = {}

    def planned(self, plan: PullPlan) -> None:
        """Nothing to keep: the ledger holds the plan."""

    def put(self, key: str, rows: Rows) -> None:
        self._rows[key] = list(rows)

    def run(self, key: str, run_id: str | None) -> None:
        """Nothing to keep: the ledger holds the runs."""

    def get(self, key: str) -> Rows:
        return self._rows[key]


class Ledger:
    """What a pull has so far.

    Parameters
    ----------
    query : dict
        The pull's fingerprint (:meth:`~.arguments.InsightsArguments.fingerprint`).
    store : SliceStore, optional
        Where the rows go (default: memory).

    Attributes
    ----------
    plan_ : PullPlan or None
        Its targets and days, once fixed.
    counts : dict of str to int
        Rows by slice key, for the slices that arrived whole.
    runs : dict of str to str
        Report run ids by slice key, for runs whose rows are not in yet.
    """

    def __init__(self, query: dict[str, Any], store: SliceStore | None = None) -> None:
        self.query = query
        self.store: SliceStore = store if store is not None else MemoryStore()
        self.plan_: PullPlan | None = None
        self.counts: dict[str, int] = {}
        self.runs: dict[str, str] = {}
        self._lock = threading.RLock()

    def restore(self, plan: PullPlan | None, counts: dict[str, int], runs: dict[str, str]) -> None:
        """What a store held from an earlier pull."""
        self.plan_, self.counts, self.runs = plan, dict(counts), dict(runs)

    @property
    def targets(self) -> list[str] | None:
        """The targets of the pull, once fixed."""
        return list(self.plan_.targets) if self.plan_ is not None else None

    @property
    def ranges(self) -> dict[str, tuple[_dt.date, _dt.date]]:
        """Each target's days, once fixed."""
        return dict(self.plan_.ranges) if self.plan_ is not None else {}

    def plan(self, plan: PullPlan) -> None:
        """Fix the pull's targets and their days (those already fixed are kept as they are)."""
        with self._lock:
            if self.plan_ is None:
                self.plan_ = PullPlan(list(plan.targets), dict(plan.owners), {})
            for target, owner in plan.owners.items():
                self.plan_.owners.setdefault(target, owner)
            for target, span in plan.ranges.items():
                self.plan_.ranges.setdefault(target, span)
            self.store.planned(self.plan_)

    def record(self, piece: Slice, rows: Rows) -> None:
        """A slice arrived whole."""
        with self._lock:
            self.store.put(piece.key, rows)
            self.counts[piece.key] = len(rows)
            self.runs.pop(piece.key, None)

    def run_started(self, piece: Slice, run_id: str) -> None:
        """A report run was started for ``piece``."""
        with self._lock:
            self.runs[piece.key] = run_id
            self.store.run(piece.key, run_id)

    def run_ended(self, piece: Slice) -> None:
        """``piece``'s report run is no use any more (it failed, or was unknown)."""
        with self._lock:
            if self.runs.pop(piece.key, None) is not None:
                self.store.run(piece.key, None)

    def run_of(self, piece: Slice) -> str | None:
        """The report run noted for ``piece``, if any."""
        with self._lock:
            return self.runs.get(piece.key)

    def done(self) -> list[Slice]:
        """The slices that arrived."""
        with self._lock:
            return [Slice.from_key(key) for key in self.counts]

    @property
    def row_count(self) -> int:
        """Rows held."""
        with self._lock:
            return sum(self.counts.values())

    def ordered(self, targets: Sequence[str]) -> list[str]:
        """The keys of the slices held, target by target (in ``targets``' order), oldest slice first."""
        with self._lock:
            order = {target: index for index, target in enumerate(targets)}
            pieces = sorted(
                (Slice.from_key(key) for key in self.counts),
                key=lambda s: (order.get(s.account, len(order)), s.since),
            )
            return [piece.key for piece in pieces]

    def rows_of(self, key: str) -> Rows:
        """The rows of one slice held."""
        with self._lock:
            return self.store.get(key)

    def rows(self, targets: Sequence[str]) -> Rows:
        """Every row held, in :meth:`ordered` order."""
        return [row for key in self.ordered(targets) for row in self.rows_of(key)]
