"""The progress bar of an insights pull (``tqdm.auto``).

A pull tells its progress callback an :class:`~meta_auth_nb.graph.insights.state.InsightsProgress`
after every page and slice, and before every wait, with the reason (a rate
limit, a report run still running, a retry). :class:`ProgressBar` is the callback
``progress=True`` uses: a ``tqdm.auto`` bar counting slices (a widget in a
notebook, text in a terminal), with the rows read and what the pull waits
for; ``tqdm`` is imported when the first bar is drawn. Graph layer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ..insights.state import InsightsProgress

__all__ = ["ProgressBar"]


class ProgressBar:
    """A ``tqdm.auto`` bar over slices, with the rows and the latest wait in its postfix.

    Parameters
    ----------
    description : str
        The bar's label.
    make : callable, optional
        Makes the bar, as ``tqdm`` does (``total=``, ``desc=``, ``unit=``, ``leave=``); ``tqdm.auto.tqdm``
        by default, which picks a widget in a notebook and text elsewhere.
    """

    def __init__(self, description: str = "insights", *, make: Callable[..., Any] | None = None) -> None:
        self._description = description
        self._make = make
        self._bar: Any = None
        self._lock = threading.Lock()

    def __call__(self, progress: InsightsProgress) -> None:
        with self._lock:
            if self._bar is None:
                if not progress.slices_total:
                    return  # not planned yet: a bar made with no total stays a sliver at "100%"
                make = self._make or _auto_bar()
                self._bar = make(total=progress.slices_total, desc=self._description, unit="slice", leave=True)
                _widen(self._bar)
            bar = self._bar
            if bar.total != progress.slices_total:  # a slice was split: the bar's own maximum follows
                bar.reset(total=progress.slices_total)
            # The bar counts slices that arrived: a pull with slices missing never reaches 100%,
            # so it ends red, not green.
            bar.n = progress.arrived
            said = progress.tally  # the bar shows the slices itself
            if progress.reason:
                reason = progress.reason if len(progress.reason) <= 90 else progress.reason[:89] + "…"
                said += f"; {reason}"
            bar.set_postfix_str(said, refresh=False)
            bar.refresh()

    def close(self) -> None:
        """Leave the bar as it ends (a finished pull shows its totals)."""
        with self._lock:
            if self._bar is not None:
                self._bar.close()


def _auto_bar() -> Callable[..., Any]:
    """``tqdm.auto.tqdm``: a widget in a notebook, text elsewhere (imported with the first bar)."""
    from tqdm.auto import tqdm

    return tqdm  # type: ignore[no-any-return]


def _widen(bar: Any) -> None:
    """In a notebook, give the bar the room its words leave (they wrap under it rather than squeeze it)."""
    container = getattr(bar, "container", None)
    if container is None:
        return
    _, meter, words = container.children
    container.layout.width, container.layout.flex_flow = "100%", "row wrap"
    meter.layout.flex, meter.layout.min_width, meter.layout.width = "1 1 12em", "12em", None
    words.layout.flex = "0 1 auto"
