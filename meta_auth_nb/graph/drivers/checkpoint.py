"""The checkpoint file of an insights pull: the ledger as JSON, rewritten atomically after every slice.

Format (``"schema": "meta_auth_nb.insights.checkpoint"``, ``"version": 1``)::

    {"schema": ..., "version": 1,
     "query": {fields, level, time_increment, breakdowns, ...},   the query it belongs to
     "accounts": ["act_1", ...],                                  "all" resolved once
     "ranges": {"act_1": ["2025-01-01", "2025-03-31"], ...},      presets resolved once
     "runs": {"act_1:2025-01-01:2025-01-31": "<report_run_id>"},  runs whose rows are not in yet
     "slices": {"act_1:2025-01-01:2025-01-31": [rows as Graph sent them], ...}}

A slice is written only when all of its rows have arrived, with
:func:`~meta_auth_nb._base.files.write_atomically` (a temporary file, then a
rename), so a reader, or a pull resumed after a kernel restart or a lost
network, sees whole slices only: exactly the rows of the slices named, none
twice, none half. Nothing secret is written: no token, no app secret, no
signed parameter, no paging link; only the query, ids and Graph's rows. The
file is made readable by its owner only. Opening a file made for another
query, or another schema, raises :class:`~meta_auth_nb.errors.ConfigError`.
Graph layer.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

from ..._base.errors import ConfigError
from ..._base.files import write_atomically
from ..insights.ledger import Ledger

__all__ = ["SCHEMA", "VERSION", "open_ledger"]

SCHEMA = "meta_auth_nb.insights.checkpoint"
VERSION = 1


class _Writer:
    """Writes a ledger to ``path``, serialising each slice's rows once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: dict[str, str] = {}

    def __call__(self, ledger: Ledger) -> None:
        for key in list(self._cache):
            if key not in ledger.slices:
                del self._cache[key]
        for key, rows in ledger.slices.items():
            if key not in self._cache:
                self._cache[key] = json.dumps(rows, separators=(",", ":"), ensure_ascii=False)
        head = {
            "schema": SCHEMA,
            "version": VERSION,
            "query": ledger.query,
            "accounts": ledger.accounts,
            "ranges": {a: [d.isoformat() for d in span] for a, span in ledger.ranges.items()},
            "runs": dict(ledger.runs),
        }
        slices = ",\n".join(f"{json.dumps(key)}:{text}" for key, text in self._cache.items())
        text = json.dumps(head, ensure_ascii=False)[:-1] + ',\n"slices":{\n' + slices + "}}\n"
        write_atomically(self.path, text, mode=0o600, sync=True)


def _load(path: Path, query: dict[str, Any], ledger: Ledger) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"checkpoint {path} cannot be read ({type(exc).__name__}); delete it to start over") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ConfigError(f"{path} is not an insights checkpoint; pass another checkpoint= file")
    if data.get("version") != VERSION:
        raise ConfigError(
            f"checkpoint {path} has version {data.get('version')!r}, this meta_auth_nb reads {VERSION}: "
            "delete it to start over"
        )
    if data.get("query") != query:
        raise ConfigError(
            f"checkpoint {path} belongs to another query; pass another checkpoint= file, or delete it to start over"
        )
    ledger.accounts = list(data["accounts"]) if data.get("accounts") is not None else None
    ledger.ranges = {
        account: (_dt.date.fromisoformat(span[0]), _dt.date.fromisoformat(span[1]))
        for account, span in (data.get("ranges") or {}).items()
    }
    ledger.runs = {str(k): str(v) for k, v in (data.get("runs") or {}).items()}
    ledger.slices = {str(k): list(v) for k, v in (data.get("slices") or {}).items()}


def open_ledger(path: str | Path, query: dict[str, Any]) -> Ledger:
    """The ledger kept in ``path``: what an earlier run of the same query left, or a new one.

    Raises
    ------
    ConfigError
        The file is not a checkpoint, is of another version or another query.
    """
    path = Path(path).expanduser()
    if not path.parent.is_dir():
        raise ConfigError(f"checkpoint {path}: the folder {path.parent} does not exist")
    ledger = Ledger(query)
    if path.exists():
        _load(path, query, ledger)
    ledger.persist = _Writer(path)
    return ledger
