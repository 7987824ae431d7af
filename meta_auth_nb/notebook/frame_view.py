"""The notebook view of the ``%meta_tokens`` / ``%meta_scopes`` frames: status cells in colour, times rounded.

Notebook layer. Frames returned by the magics are :class:`StatusFrame` objects:
ordinary DataFrames (same columns, dtypes and values) whose only difference
is how a notebook shows them: status cells coloured green / amber / red (the
theme's colours), durations rounded to the minute and times to the minute in
UTC (the values keep their precision), an optional caption, and a sentence
instead of an empty table. Any operation on one gives back a plain
``pandas.DataFrame``, and it pickles as one. :func:`styled` gives the pandas
Styler for any tokens or scopes frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd

from .render import COLORS, STATUS_CLASS, rich

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

__all__ = ["StatusFrame", "duration_text", "status_color", "status_frame", "styled"]

_STATUS_COLUMNS = ("status",)


def status_color(value: Any) -> str:
    """CSS for one status cell."""
    kind = STATUS_CLASS.get(str(value)) if isinstance(value, str) else None
    return f"color: {COLORS[kind]}; font-weight: 600" if kind else ""


def duration_text(value: Any) -> str:
    """A duration to the minute for reading: ``60 days 00:00``, ``-2:05``; empty for none."""
    if value is None or pd.isna(value):
        return ""
    minutes = round(pd.Timedelta(value).total_seconds() / 60)
    sign, minutes = ("-" if minutes < 0 else ""), abs(minutes)
    days, rest = divmod(minutes, 24 * 60)
    clock = f"{rest // 60}:{rest % 60:02d}"
    if not days:
        return sign + clock
    return f"{sign}{days} day{'s' if days != 1 else ''} {rest // 60:02d}:{rest % 60:02d}"


def _moment_text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M} UTC"


def _readable(frame: pd.DataFrame) -> dict[str, Any]:
    """Display formatters: durations and times rounded to the minute (values untouched)."""
    formats: dict[str, Any] = {}
    for column in frame.columns:
        dtype = str(frame[column].dtype)
        if dtype.startswith("timedelta64"):
            formats[column] = duration_text
        elif dtype.startswith("datetime64"):
            formats[column] = _moment_text
    return formats


def styled(frame: pd.DataFrame, caption: str | None = None) -> Styler:
    """A Styler showing ``status`` cells green / amber / red and times rounded (values unchanged)."""
    styler = pd.DataFrame(frame).style
    columns = [c for c in _STATUS_COLUMNS if c in frame.columns]
    if columns:
        apply = getattr(styler, "map", None) or styler.applymap  # pandas < 2.1 has only applymap
        styler = apply(status_color, subset=columns)
    formats = _readable(frame)
    if formats:
        styler = styler.format(formats, na_rep="")
    if isinstance(frame.index, pd.RangeIndex):
        styler = styler.hide(axis="index")  # 0, 1, 2... says nothing to a reader
    if caption:
        styler = styler.set_caption(caption).set_table_styles(
            [{"selector": "caption", "props": "caption-side: top; text-align: left; padding-bottom: 0.3em"}]
        )
    return styler


class StatusFrame(pd.DataFrame):
    """A DataFrame whose notebook view colours its status cells and rounds its times.

    Everything else is a plain :class:`pandas.DataFrame`: derived frames are
    plain ones, and it pickles as a plain one.

    Attributes
    ----------
    empty_text : str or None
        Shown instead of an empty table (commands in backticks).
    caption : str or None
        A line above the table.
    """

    _metadata: ClassVar[list[str]] = ["empty_text", "caption"]
    empty_text: str | None
    caption: str | None

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def _repr_html_(self) -> str | None:
        note = getattr(self, "empty_text", None)
        if self.empty and note:
            return f'<p class="meta-auth-empty">{rich(note)}</p>'
        try:
            return styled(self, getattr(self, "caption", None)).to_html()
        except Exception:  # Styler needs jinja2; fall back to pandas' own table
            return pd.DataFrame._repr_html_(self)

    def __repr__(self) -> str:
        note = getattr(self, "empty_text", None)
        if self.empty and note:
            return note
        shown = pd.DataFrame(self).copy()
        for column, format_value in _readable(shown).items():
            shown[column] = shown[column].map(format_value)
        text = repr(shown)
        caption = getattr(self, "caption", None)
        return f"{caption}\n{text}" if caption else text

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Unpickles as a plain DataFrame, so a pickle never needs this package.
        return (pd.DataFrame, (pd.DataFrame(self),))


def status_frame(frame: pd.DataFrame, *, empty_text: str | None = None, caption: str | None = None) -> StatusFrame:
    """Wrap a tokens or scopes frame for coloured display (the data is the frame's own).

    Parameters
    ----------
    empty_text : str, optional
        What to show when it has no rows (e.g. "No saved profiles yet...").
    caption : str, optional
        A line above the table.
    """
    view = StatusFrame(frame)
    view.empty_text = empty_text
    view.caption = caption
    return view
