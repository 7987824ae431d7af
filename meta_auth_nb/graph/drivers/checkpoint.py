"""The checkpoint file of an insights pull: one SQLite database, one row per slice, appended as slices arrive.

Why SQLite: it is in Python's standard library (no extra to install), a
slice and what it changes go in one transaction (a pull killed mid-write
leaves the slices before it whole and nothing of the one being written),
and adding a slice writes that slice, not the file: the cost of each
slice is the slice, however large the pull grows. (The first format
rewrote one JSON file holding every row after each slice, so its cost grew
with the square of the pull.)

Tables::

    pull(name, value)                 schema, version, the query's fingerprint, the targets and their accounts
    ranges(target, since, until)      each target's days (presets resolved once)
    runs(key, run_id)                 report runs whose rows are not in yet
    slices(key, row_count, rows)      a slice's rows as Graph sent them (JSON), once every page arrived

Nothing secret is written: no token, no app secret, no signed parameter,
no paging link; only the query, ids and Graph's rows. The file is made
readable by its owner only (SQLite gives its journal the same mode).
Opening a file made for another query, an older format, or something else
raises :class:`~meta_auth_nb.errors.ConfigError`. Graph layer.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from ..._base.errors import ConfigError
from ..insights.ledger import Ledger, PullPlan, Rows

__all__ = ["SCHEMA", "VERSION", "SqliteCheckpoint", "open_ledger"]

SCHEMA = "meta_auth_nb.insights.checkpoint"
VERSION = 2
_TABLES = (
    "CREATE TABLE IF NOT EXISTS pull (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ranges (target TEXT PRIMARY KEY, since TEXT NOT NULL, until TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, run_id TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS slices (key TEXT PRIMARY KEY, row_count INTEGER NOT NULL, rows TEXT NOT NULL)",
)
_SQLITE_MAGIC = b"SQLite format 3\x00"


class SqliteCheckpoint:
    """A :class:`~meta_auth_nb.graph.insights.ledger.SliceStore` in one SQLite file.

    Parameters
    ----------
    path : Path
        The file; created (owner-only) when missing.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        # The ledger calls one at a time (under its lock), from whichever thread runs the slice.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA synchronous=FULL")
        for statement in _TABLES:
            self._db.execute(statement)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def _write(self, *statements: tuple[str, tuple[Any, ...]]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, values in statements:
                    self._db.execute(sql, values)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- the store: one call per change ---------------------------------------------------
    def planned(self, plan: PullPlan) -> None:
        """Record the targets, their accounts and days."""
        owners = {target: list(owner) for target, owner in plan.owners.items()}
        statements: list[tuple[str, tuple[Any, ...]]] = [
            ("INSERT OR REPLACE INTO pull VALUES ('targets', ?)", (json.dumps(plan.targets),)),
            ("INSERT OR REPLACE INTO pull VALUES ('owners', ?)", (json.dumps(owners),)),
        ]
        statements += [
            ("INSERT OR IGNORE INTO ranges VALUES (?, ?, ?)", (target, span[0].isoformat(), span[1].isoformat()))
            for target, span in plan.ranges.items()
        ]
        self._write(*statements)

    def put(self, key: str, rows: Rows) -> None:
        """Append a slice (and forget its report run) in one transaction."""
        text = json.dumps(rows, separators=(",", ":"), ensure_ascii=False)
        self._write(
            ("INSERT OR REPLACE INTO slices VALUES (?, ?, ?)", (key, len(rows), text)),
            ("DELETE FROM runs WHERE key = ?", (key,)),
        )

    def run(self, key: str, run_id: str | None) -> None:
        """Note a report run in flight, or forget it."""
        if run_id is None:
            self._write(("DELETE FROM runs WHERE key = ?", (key,)))
        else:
            self._write(("INSERT OR REPLACE INTO runs VALUES (?, ?)", (key, run_id)))

    def get(self, key: str) -> Rows:
        """A slice's rows."""
        with self._lock:
            found = self._db.execute("SELECT rows FROM slices WHERE key = ?", (key,)).fetchone()
        if found is None:
            raise KeyError(key)
        rows: Rows = json.loads(found[0])
        return rows

    # -- opening ------------------------------------------------------------------------------
    def stamp(self, query: dict[str, Any]) -> None:
        """Mark a new file as this pull's checkpoint."""
        self._write(
            ("INSERT INTO pull VALUES ('schema', ?)", (SCHEMA,)),
            ("INSERT INTO pull VALUES ('version', ?)", (str(VERSION),)),
            ("INSERT INTO pull VALUES ('query', ?)", (json.dumps(query, sort_keys=True),)),
        )

    def load(self, query: dict[str, Any], ledger: Ledger) -> None:
        """Check the file is this pull's checkpoint, and give the ledger what it holds."""
        with self._lock:
            meta = dict(self._db.execute("SELECT name, value FROM pull").fetchall())
            if not meta:
                meta = None  # type: ignore[assignment]
            ranges = self._db.execute("SELECT target, since, until FROM ranges").fetchall()
            runs = dict(self._db.execute("SELECT key, run_id FROM runs").fetchall())
            counts = dict(self._db.execute("SELECT key, row_count FROM slices").fetchall())
        if meta is None:
            self.stamp(query)
            return
        if meta.get("schema") != SCHEMA:
            raise ConfigError(f"{self.path} is not an insights checkpoint; pass another checkpoint= file")
        if meta.get("version") != str(VERSION):
            raise ConfigError(
                f"checkpoint {self.path} has version {meta.get('version')!r}, this meta_auth_nb reads {VERSION}: "
                "delete it to start over"
            )
        if json.loads(meta.get("query") or "null") != json.loads(json.dumps(query, sort_keys=True)):
            raise ConfigError(
                f"checkpoint {self.path} belongs to another query; pass another checkpoint= file, or delete it to "
                "start over"
            )
        plan = None
        if meta.get("targets"):
            owners = {t: (str(o[0]), str(o[1])) for t, o in json.loads(meta.get("owners") or "{}").items()}
            spans = {t: (_dt.date.fromisoformat(a), _dt.date.fromisoformat(b)) for t, a, b in ranges}
            plan = PullPlan(list(json.loads(meta["targets"])), owners, spans)
        ledger.restore(plan, counts, runs)


def _kind_of(path: Path) -> str:
    """``sqlite``, ``json`` (a checkpoint of the first format), ``empty`` or ``other``, from its first bytes."""
    with path.open("rb") as handle:
        head = handle.read(200)
    if not head:
        return "empty"
    if head.startswith(_SQLITE_MAGIC):
        return "sqlite"
    return "json" if head.lstrip().startswith(b"{") and SCHEMA.encode() in head else "other"


def open_ledger(path: str | Path, query: dict[str, Any]) -> tuple[Ledger, SqliteCheckpoint]:
    """The ledger of the pull ``query``, kept in (and resumed from) the checkpoint at ``path``.

    Raises
    ------
    ConfigError
        The file is not a checkpoint, is of another format or another query, or its folder does not exist.
    """
    path = Path(path).expanduser()
    if not path.parent.is_dir():
        raise ConfigError(f"checkpoint {path}: the folder {path.parent} does not exist")
    if path.exists():
        kind = _kind_of(path)
        if kind == "json":
            raise ConfigError(
                f"checkpoint {path} was written by an older meta_auth_nb (one JSON file); delete it to start over, "
                "or pass another checkpoint= file"
            )
        if kind == "other":
            raise ConfigError(f"{path} is not an insights checkpoint; pass another checkpoint= file")
    try:
        store = SqliteCheckpoint(path)
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"checkpoint {path} cannot be read ({exc}); delete it to start over") from None
    ledger = Ledger(query, store)
    try:
        store.load(query, ledger)
    except BaseException:
        store.close()
        raise
    return ledger, store
