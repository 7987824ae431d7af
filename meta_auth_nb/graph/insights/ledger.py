"""The record of one insights pull: its accounts and days, the slices that arrived with their rows, runs in flight.

A slice's rows enter the ledger only once every page of it has arrived, so
whatever the ledger holds is whole: a pull stopped half-way through a slice
fetches that slice again from its start, and never holds a row twice
(slices never overlap). A report run started for a slice is noted until its
rows are in, so a resumed pull looks at that run before starting another.
``persist`` (a checkpoint file, :mod:`meta_auth_nb.graph.drivers.checkpoint`) is called after each
change, under the ledger's lock, so concurrent slices write one after the
other. Graph layer, I/O-free.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable, Sequence
from typing import Any

from .slices import Slice

__all__ = ["Ledger"]


class Ledger:
    """What a pull has so far.

    Parameters
    ----------
    query : dict
        The query's fingerprint (:meth:`~.query.InsightsQuery.fingerprint`).
    persist : callable, optional
        Called with the ledger after every change.

    Attributes
    ----------
    accounts : list of str or None
        The ad accounts of the pull (``"all"`` resolved), once known.
    ranges : dict of str to (date, date)
        Each account's days (presets resolved once, so a resumed pull asks for the same days).
    slices : dict of str to list
        Rows by slice key, for the slices that arrived whole.
    runs : dict of str to str
        Report run ids by slice key, for runs whose rows are not in yet.
    persist : callable or None
        Called with the ledger after every change.
    """

    def __init__(self, query: dict[str, Any], persist: Callable[[Ledger], None] | None = None) -> None:
        self.query = query
        self.accounts: list[str] | None = None
        self.ranges: dict[str, tuple[_dt.date, _dt.date]] = {}
        self.slices: dict[str, list[dict[str, Any]]] = {}
        self.runs: dict[str, str] = {}
        self.persist = persist
        self._lock = threading.RLock()

    def _changed(self) -> None:
        if self.persist is not None:
            self.persist(self)

    def plan(self, accounts: Sequence[str], ranges: dict[str, tuple[_dt.date, _dt.date]]) -> None:
        """Fix the pull's accounts and their days (kept as they are when already fixed)."""
        with self._lock:
            if self.accounts is None:
                self.accounts = list(accounts)
            for account, span in ranges.items():
                self.ranges.setdefault(account, span)
            self._changed()

    def record(self, piece: Slice, rows: list[dict[str, Any]]) -> None:
        """A slice arrived whole."""
        with self._lock:
            self.slices[piece.key] = list(rows)
            self.runs.pop(piece.key, None)
            self._changed()

    def run_started(self, piece: Slice, run_id: str) -> None:
        """A report run was started for ``piece``."""
        with self._lock:
            self.runs[piece.key] = run_id
            self._changed()

    def run_ended(self, piece: Slice) -> None:
        """``piece``'s report run is no use any more (it failed, or was unknown)."""
        with self._lock:
            if self.runs.pop(piece.key, None) is not None:
                self._changed()

    def run_of(self, piece: Slice) -> str | None:
        """The report run noted for ``piece``, if any."""
        with self._lock:
            return self.runs.get(piece.key)

    def done(self) -> list[Slice]:
        """The slices that arrived."""
        with self._lock:
            return [Slice.from_key(key) for key in self.slices]

    @property
    def row_count(self) -> int:
        """Rows held."""
        with self._lock:
            return sum(len(rows) for rows in self.slices.values())

    def ordered(self, accounts: Sequence[str]) -> list[str]:
        """The keys of the slices held, account by account (in ``accounts``' order), oldest slice first."""
        with self._lock:
            order = {account: index for index, account in enumerate(accounts)}
            pieces = sorted(
                (Slice.from_key(key) for key in self.slices),
                key=lambda s: (order.get(s.account, len(order)), s.since),
            )
            return [piece.key for piece in pieces]

    def rows(self, accounts: Sequence[str]) -> list[dict[str, Any]]:
        """Every row held, in :meth:`ordered` order."""
        with self._lock:
            return [row for key in self.ordered(accounts) for row in self.slices[key]]
