"""The notebook view of the ``%meta_tokens`` / ``%meta_scopes`` frames: status cells in colour.

Notebook layer. Frames returned by the magics are :class:`StatusFrame` objects:
ordinary DataFrames (same columns, dtypes and values) whose only difference
is a notebook HTML view with status cells coloured green / amber / red. Any
operation on one gives back a plain ``pandas.DataFrame``, and it pickles as
one. :func:`styled` gives the pandas Styler for any tokens or scopes frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from .render import COLORS, STATUS_CLASS

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

__all__ = ["StatusFrame", "status_color", "status_frame", "styled"]

_STATUS_COLUMNS = ("status",)


def status_color(value: Any) -> str:
    """CSS for one status cell."""
    kind = STATUS_CLASS.get(str(value)) if isinstance(value, str) else None
    return f"color: {COLORS[kind]}; font-weight: 600" if kind else ""


def styled(frame: pd.DataFrame) -> Styler:
    """A Styler showing ``status`` cells green / amber / red (values unchanged)."""
    styler = pd.DataFrame(frame).style
    columns = [c for c in _STATUS_COLUMNS if c in frame.columns]
    if columns:
        apply = getattr(styler, "map", None) or styler.applymap  # pandas < 2.1 has only applymap
        styler = apply(status_color, subset=columns)
    return styler


class StatusFrame(pd.DataFrame):
    """A DataFrame whose notebook view colours its status cells.

    Everything else is a plain :class:`pandas.DataFrame`: derived frames are
    plain ones, and it pickles as a plain one.
    """

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def _repr_html_(self) -> str | None:
        try:
            return styled(self).to_html()
        except Exception:  # Styler needs jinja2; fall back to pandas' own table
            return pd.DataFrame._repr_html_(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Unpickles as a plain DataFrame, so a pickle never needs this package.
        return (pd.DataFrame, (pd.DataFrame(self),))


def status_frame(frame: pd.DataFrame) -> StatusFrame:
    """Wrap a tokens or scopes frame for coloured display (no copy of the data semantics)."""
    return StatusFrame(frame)
