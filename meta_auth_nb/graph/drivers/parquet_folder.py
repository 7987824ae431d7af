"""``insights(..., to=folder)``: each slice written to the folder as a Parquet file the moment it arrives.

A pull too large for memory (hundreds of accounts, a year of daily ad rows)
goes to a folder instead of a DataFrame: each slice, once whole, becomes
one Parquet file of the tidy columns (typed as ``meta.insights`` types its
frame: counts as integers, money as floats, dates as dates, ``actions``
spread into ``actions:<type>`` columns), so the pull holds one slice at a
time, whatever its size. What the pull returns is a **pyarrow dataset** of
those files: pyarrow is what pandas, DuckDB and polars all read directly,
so an analyst can query it without loading everything::

    ds = meta.insights("all", level="ad", time_range=..., to="pull/")
    ds.to_table(columns=["account_id", "spend"]).to_pandas()   # pandas, two columns
    duckdb.sql("SELECT account_id, sum(spend) FROM ds GROUP BY 1")   # DuckDB, on the files
    pl.scan_pyarrow_dataset(ds)                                   # polars, lazily

The folder keeps the pull too, so running the same call again resumes it:
``_pull.jsonl`` is appended one line per change (the query, the targets and
days, a report run started or ended, a slice written), a slice's file is
written under a temporary name and renamed before its line is added, so a
pull killed at any moment leaves whole slices only. pyarrow is an optional
extra (``pip install 'meta_auth_nb[parquet]'``), imported when a folder is
opened. Graph layer.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..._base.errors import ConfigError
from ..insights.ledger import Ledger, PullPlan, Rows
from ..insights.query import InsightsQuery
from ..insights.tidy import column_kind, columns_of, tidy_columns

if TYPE_CHECKING:
    import pyarrow.dataset

__all__ = ["MANIFEST", "ParquetFolder", "open_folder"]

MANIFEST = "_pull.jsonl"
_SCHEMA = "meta_auth_nb.insights.folder"
_VERSION = 1
_INSTALL = "pip install 'meta_auth_nb[parquet]'"


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.compute
        import pyarrow.parquet
    except ImportError:
        raise ConfigError(f"to= writes Parquet files, which needs pyarrow: {_INSTALL}") from None
    return pyarrow


class ParquetFolder:
    """A :class:`~meta_auth_nb.graph.insights.ledger.SliceStore` in a folder of Parquet files.

    Parameters
    ----------
    folder : Path
    query : InsightsQuery
        How the columns are typed and ordered.
    """

    def __init__(self, folder: Path, query: InsightsQuery) -> None:
        self.folder = folder
        self.query = query
        self._pa = _pyarrow()
        self._lock = threading.Lock()
        self._files: dict[str, str] = {}

    def _append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, separators=(",", ":"), ensure_ascii=False) + "\n"
        with self._lock, (self.folder / MANIFEST).open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    # -- the store ------------------------------------------------------------------------------
    def planned(self, plan: PullPlan) -> None:
        """Append the targets, their accounts and days."""
        self._append(
            {
                "plan": {
                    "targets": plan.targets,
                    "owners": {t: list(o) for t, o in plan.owners.items()},
                    "ranges": {t: [d.isoformat() for d in span] for t, span in plan.ranges.items()},
                }
            }
        )

    def put(self, key: str, rows: Rows) -> None:
        """Write the slice's file (under a temporary name, then renamed), then its line."""
        name = key.replace(":", "_") + ".parquet"
        table = self._table(tidy_columns([columns_of(rows)], self.query))
        temporary = self.folder / f".{name}.part"
        self._pa.parquet.write_table(table, temporary)
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, self.folder / name)
        self._append({"slice": key, "rows": len(rows), "file": name})
        with self._lock:
            self._files[key] = name

    def _table(self, data: dict[str, list[Any]]) -> Any:
        """The tidy columns as an Arrow table, typed as ``meta.insights`` types its frame (in Arrow, not pandas)."""
        pa, pc = self._pa, self._pa.compute
        arrays = {}
        for name, values in data.items():
            try:
                text = pa.array(values, pa.string())
            except (pa.ArrowTypeError, pa.ArrowInvalid):  # numbers sent as numbers: as text first, like the rest
                text = pa.array([None if v is None else str(v) for v in values], pa.string())
            kind = column_kind(name, self.query)
            if kind == "text":
                arrays[name] = text
                continue
            if kind == "date":
                arrays[name] = pc.strptime(text, format="%Y-%m-%d", unit="ns")
                continue
            if kind in ("count0", "number0"):
                text = pc.fill_null(text, "0")  # an action absent from a row happened 0 times
            try:
                numbers = pc.cast(text, pa.float64())
            except pa.ArrowInvalid:
                arrays[name] = text  # not every value is a number: text, as the frame keeps it
                continue
            whole = kind.startswith("count") and pc.all(pc.equal(numbers, pc.floor(numbers))).as_py() is not False
            arrays[name] = pc.cast(numbers, pa.int64()) if whole else numbers
        return pa.table(arrays)

    def run(self, key: str, run_id: str | None) -> None:
        """Append a report run started, or ended."""
        self._append({"run": key, "id": run_id})

    def get(self, key: str) -> Rows:
        """A slice's rows, as the tidy columns' records (a folder keeps no raw rows)."""
        table = self._pa.parquet.read_table(self.folder / self._files[key])
        records: Rows = table.to_pylist()
        return records

    # -- opening and reading --------------------------------------------------------------------
    def load(self, fingerprint: dict[str, Any], ledger: Ledger) -> None:
        """Check the folder is this pull's (or new), and give the ledger what it holds."""
        manifest = self.folder / MANIFEST
        if not manifest.exists():
            if any(p for p in self.folder.iterdir() if not p.name.startswith(".")):
                raise ConfigError(
                    f"{self.folder} holds other files: pass an empty or new folder to to= (it is the pull's own)"
                )
            self._append({"schema": _SCHEMA, "version": _VERSION, "query": fingerprint})
            return
        entries = _read_lines(manifest)
        head = entries[0] if entries else {}
        if head.get("schema") != _SCHEMA or head.get("version") != _VERSION:
            raise ConfigError(f"{self.folder} is not an insights folder of this meta_auth_nb; pass another to= folder")
        if head.get("query") != json.loads(json.dumps(fingerprint)):
            raise ConfigError(f"{self.folder} holds another pull; pass another to= folder, or delete it to start over")
        plan: PullPlan | None = None
        counts: dict[str, int] = {}
        runs: dict[str, str] = {}
        for entry in entries[1:]:
            if "plan" in entry:
                given = entry["plan"]
                plan = plan or PullPlan(list(given["targets"]))
                plan.owners.update({t: (str(o[0]), str(o[1])) for t, o in given.get("owners", {}).items()})
                for target, (since, until) in given.get("ranges", {}).items():
                    plan.ranges.setdefault(target, (_dt.date.fromisoformat(since), _dt.date.fromisoformat(until)))
            elif "slice" in entry and (self.folder / entry["file"]).exists():
                counts[entry["slice"]] = int(entry["rows"])
                self._files[entry["slice"]] = entry["file"]
                runs.pop(entry["slice"], None)
            elif "run" in entry:
                if entry["id"] is None:
                    runs.pop(entry["run"], None)
                else:
                    runs[entry["run"]] = str(entry["id"])
        ledger.restore(plan, counts, runs)

    def dataset(self, ledger: Ledger) -> pyarrow.dataset.Dataset:
        """The slices held, target by target and oldest first, as one pyarrow dataset."""
        import pyarrow.dataset as ds

        files = [str(self.folder / self._files[key]) for key in ledger.ordered(ledger.targets or [])]
        if not files:
            return ds.dataset(self._pa.table({}))
        schemas = [self._pa.parquet.read_schema(f) for f in files]
        schema = self._pa.unify_schemas(schemas, promote_options="permissive")
        return ds.dataset(files, schema=schema, format="parquet")


def _read_lines(path: Path) -> list[dict[str, Any]]:
    """The manifest's entries; a last line cut short by a killed pull is left out."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            break
    return entries


def open_folder(folder: str | Path, fingerprint: dict[str, Any], query: InsightsQuery) -> tuple[Ledger, ParquetFolder]:
    """The ledger of the pull, kept in (and resumed from) ``folder``, created when missing.

    Raises
    ------
    ConfigError
        pyarrow is missing, or the folder holds something else (another pull, other files).
    """
    path = Path(folder).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"to={str(folder)!r} is a file: pass a folder (it is created when missing)")
    if not path.parent.is_dir():
        raise ConfigError(f"to={str(folder)!r}: the folder {path.parent} does not exist")
    path.mkdir(mode=0o700, exist_ok=True)
    store = ParquetFolder(path, query)
    ledger = Ledger(fingerprint, store)
    store.load(fingerprint, ledger)
    return ledger, store
