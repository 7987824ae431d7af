"""Insights rows as a tidy DataFrame: typed columns, action lists spread into columns, a stable order.

Graph sends every number as text and lists like ``actions`` as
``[{"action_type": "link_click", "value": "12"}, ...]``. :func:`insights_frame`
gives:

* ``account_id`` as ``act_<id>``, ``account_name`` and ``account_currency`` on every row, then the
  ids and names of the level's objects, ``date_start`` and ``date_stop`` as
  dates (``datetime64``), the breakdowns, then the fields in the order asked;
* counts (impressions, clicks, reach, ``actions``...) as nullable integers
  (``Int64``), money and ratios as floats, other numeric text as floats, and
  ids, names and categories as text;
* each list field spread into one column per action type,
  ``actions:link_click``, ``action_values:purchase``... (with
  ``action_breakdowns`` beyond the action type, their values join the name:
  ``actions:link_click:iphone``; attribution windows too:
  ``actions:purchase:7d_click``), sorted by name after their field's place;
  an action missing from a row counts 0, a ``cost_per_...`` missing stays
  empty (it is not defined there).

``raw=True`` keeps Graph's shapes (text, lists) in Graph's columns.

A frame is built in two stages so a pull does most of the work while it
still waits for other slices: :func:`columns_of` turns one slice's rows into
columns (the list fields spread) as the slice arrives, pure Python;
:func:`frame_of` joins the slices' columns, in order, and types them, which
pandas does a column at a time. pandas is imported when a frame is built.
Graph layer, I/O-free.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .names import COUNT_FIELDS, TEXT_FIELDS
from .query import InsightsQuery

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SliceColumns", "column_kind", "columns_of", "frame_of", "insights_frame", "tidy_columns"]

#: Scalar fields that count something (integers), and those that are text whatever they look like: the names table's.
_COUNTS = COUNT_FIELDS
_TEXT = TEXT_FIELDS
_DATES = ("date_start", "date_stop")
#: Keys of a list entry that are not part of its label: the value and attribution windows.
_WINDOWS = re.compile(r"^(value|\d+d_(click|view|ev)|dda|inline|skan_.*|default)$")


def _is_text(name: str, query: InsightsQuery) -> bool:
    return name.endswith(("_id", "_name")) or name in _TEXT or name in _DATES or name in query.breakdowns


def _labelled(entry: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) pairs of one unusual list entry: breakdown values join the action type, windows too."""
    kind = entry.get("action_type")
    parts = [str(kind)] if kind is not None else []
    parts += [str(v) for k, v in entry.items() if k != "action_type" and not _WINDOWS.match(k)]
    label = ":".join(p for p in parts if p) or "value"
    windows = [(key, value) for key, value in entry.items() if _WINDOWS.match(key)]
    return [(label if key == "value" else f"{label}:{key}", value) for key, value in windows]


def _spread(entries: list[Any], size: int) -> dict[str, list[Any]]:
    """One list field's entries, row by row, as columns: label -> one value per row (None where absent)."""
    columns: dict[str, list[Any]] = {}
    for index, found in enumerate(entries):
        if found.__class__ is not list:
            continue
        for entry in found:
            if entry.__class__ is not dict:
                continue
            kind = entry.get("action_type")
            if kind is not None and len(entry) == 2 and "value" in entry:  # the usual {"action_type", "value"}
                pairs: list[tuple[str, Any]] = [(kind, entry["value"])]
            else:
                pairs = _labelled(entry)
            for label, value in pairs:
                column = columns.get(label)
                if column is None:
                    column = columns[label] = [None] * size
                column[index] = value
    return columns


def _is_list(rows: Sequence[dict[str, Any]], name: str) -> bool:
    """Whether a field comes as lists (``actions``...): its first value that is there says."""
    return next((row[name] for row in rows if row.get(name) is not None), None).__class__ is list


def _counts_list(name: str) -> bool:
    return name.endswith("actions") and not name.startswith("cost_per")


@dataclass(frozen=True)
class SliceColumns:
    """Rows of one slice as columns, ready to be joined with other slices' (see :func:`columns_of`).

    Attributes
    ----------
    size : int
        Rows.
    names : frozenset of str
        Every field any row has.
    lists : frozenset of str
        The fields that came as lists.
    values : dict of str to list
        A column per scalar field, and per ``(list field, label)`` pair of a spread list.
    spread : dict of str to list of str
        The labels each list field spread into.
    """

    size: int
    names: frozenset[str]
    lists: frozenset[str]
    values: dict[tuple[str, str] | str, list[Any]]
    spread: dict[str, list[str]]


def columns_of(rows: Sequence[dict[str, Any]]) -> SliceColumns:
    """One slice's rows as columns, every list field spread (the costly part of a frame, done per slice)."""
    names: set[str] = set().union(*(row.keys() for row in rows)) if rows else set()
    lists = {name for name in names if _is_list(rows, name)}
    values: dict[tuple[str, str] | str, list[Any]] = {name: [row.get(name) for row in rows] for name in names - lists}
    spread: dict[str, list[str]] = {}
    for field in lists:
        columns = _spread([row.get(field) for row in rows], len(rows))
        spread[field] = list(columns)
        values.update(((field, label), column) for label, column in columns.items())
    return SliceColumns(len(rows), frozenset(names), frozenset(lists), values, spread)


def tidy_columns(parts: Sequence[SliceColumns], query: InsightsQuery) -> dict[str, list[Any]]:
    """The tidy columns of slices' columns, in order, untyped: what :func:`frame_of` types (and a Parquet file too)."""
    head = [*query.id_fields, *_DATES, *query.breakdowns]
    asked = [f for f in query.fields if f not in head]
    names: set[str] = set().union(*(part.names for part in parts))
    listed: set[str] = set().union(*(part.lists for part in parts))
    lists = [f for f in asked if f in listed] + sorted(listed - set(asked) - set(head))
    scalars = [f for f in asked if f not in lists] + sorted(names - set(head) - set(asked) - set(lists))
    data: dict[str, list[Any]] = {name: _joined(parts, name) for name in head + scalars}
    for field in lists:
        for label in sorted(set().union(*(part.spread.get(field, ()) for part in parts))):
            data[f"{field}:{label}"] = _joined(parts, (field, label))
    if "account_id" in data:
        data["account_id"] = [v if v is None or str(v).startswith("act_") else f"act_{v}" for v in data["account_id"]]
    return data


def column_kind(name: str, query: InsightsQuery) -> str:
    """How a tidy column is typed: ``date``, ``text``, ``count`` (whole numbers), ``number``; a spread list's
    column is ``count0`` or ``number0`` (absent means 0), a ``cost_per_...`` one ``number`` (absent stays empty)."""
    if name in _DATES:
        return "date"
    if _is_text(name, query):
        return "text"
    field = name.split(":", 1)[0]
    if ":" in name and not field.startswith("cost_per"):
        return "count0" if _counts_list(field) else "number0"
    return "count" if name in _COUNTS else "number"


def frame_of(parts: Sequence[SliceColumns], query: InsightsQuery) -> pd.DataFrame:
    """The tidy frame of slices' columns, joined in the order given (see the module)."""
    import pandas as pd

    data = tidy_columns(parts, query)
    frame = pd.DataFrame(data) if any(part.size for part in parts) else pd.DataFrame(columns=list(data))
    for name in frame.columns:
        frame[name] = _typed(frame[name], name, query)
    return frame


def _joined(parts: Sequence[SliceColumns], key: tuple[str, str] | str) -> list[Any]:
    """One column over every slice, ``None`` where a slice does not have it."""
    joined: list[Any] = []
    for part in parts:
        column = part.values.get(key)
        joined += column if column is not None else [None] * part.size
    return joined


def insights_frame(rows: Sequence[dict[str, Any]], query: InsightsQuery, *, raw: bool = False) -> pd.DataFrame:
    """The rows of a pull as a DataFrame (see the module).

    Parameters
    ----------
    rows : sequence of dict
        Rows as Graph sent them.
    query : InsightsQuery
        What was asked: gives the column order and the breakdowns.
    raw : bool
        Keep Graph's shapes.
    """
    if not raw:
        return frame_of([columns_of(rows)], query)
    import pandas as pd

    head = [*query.id_fields, *_DATES, *query.breakdowns]
    asked = [f for f in query.fields if f not in head]
    frame = pd.DataFrame.from_records(list(rows)) if rows else pd.DataFrame()
    order = [c for c in [*head, *asked] if c in frame.columns]
    return frame[order + sorted(c for c in frame.columns if c not in order)]


def _typed(column: pd.Series, name: str, query: InsightsQuery) -> pd.Series:
    import pandas as pd

    if name in _DATES:
        return pd.to_datetime(column, format="%Y-%m-%d")
    if _is_text(name, query):
        return column
    field = name.split(":", 1)[0]
    spread = ":" in name
    if spread and not field.startswith("cost_per"):
        column = column.fillna("0")
    try:
        numbers = column.astype("float64")
    except (TypeError, ValueError):
        numbers = pd.to_numeric(column, errors="coerce")
        if not spread and numbers.isna().sum() > column.isna().sum():  # not every value is a number: text
            return column
    whole = name in _COUNTS or (spread and _counts_list(field))
    if whole and bool((numbers.dropna() % 1 == 0).all()):
        return numbers.astype("Int64")
    return numbers
