"""Paging a Graph list edge: follow ``paging.next``, keep the resume cursor, count rows.

:class:`PageWalk` holds a pull's state (``cursor``, ``pages_read``,
``rows_read``) and plans it; the drivers' ``Pager`` and ``AsyncPager`` add
only the iteration protocol. :func:`frame_steps` plans a whole pull into a
DataFrame. Paging links are checked (no ``access_token``, same host) by
:class:`~.request.Endpoint` when they are followed. Graph layer, I/O-free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .._base.errors import GraphError
from .core import CallPlanner
from .plan import Emit, Steps, collect

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PageWalk", "frame_steps", "page_rows"]


def page_rows(payload: Any) -> tuple[list[Any], str | None, str | None]:
    """Split a list reply into (rows, next URL, after cursor).

    Raises
    ------
    GraphError
        When the reply is not a list edge's.
    """
    if not isinstance(payload, Mapping):
        raise GraphError(
            "Expected a list reply with 'data', got something else", hint="Check the path: it is not a list edge."
        )
    rows = payload.get("data") or []
    paging = payload.get("paging")
    paging = paging if isinstance(paging, Mapping) else {}
    cursors = paging.get("cursors")
    cursors = cursors if isinstance(cursors, Mapping) else {}
    after = cursors.get("after")
    return list(rows), paging.get("next"), str(after) if after else None


class PageWalk:
    """One pull of a list edge across cursor pages.

    Parameters
    ----------
    planner : CallPlanner
        Plans each page's call.
    path : str
        The list edge (``act_1/insights``).
    params : mapping
        Its parameters; ``after=`` resumes from a cursor, ``limit=`` sets the page size.

    Attributes
    ----------
    cursor : str or None
        The ``after`` cursor of the last page fully handed over; pass it back
        as ``after=`` to resume a pull without re-reading or skipping rows.
    pages_read : int
    rows_read : int
    """

    def __init__(self, planner: CallPlanner, path: str, params: Mapping[str, Any]) -> None:
        self._planner = planner
        self._path = path
        self._params = dict(params)
        self.cursor: str | None = self._params.get("after")
        self.pages_read = 0
        self.rows_read = 0

    def steps(self, *, by_row: bool) -> Steps[None]:
        """The plan of the pull; it emits rows one by one (``by_row``) or one list per page."""
        payload = yield from self._planner.call("GET", self._path, self._params)
        while True:
            rows, next_url, after = page_rows(payload)
            self.pages_read += 1
            self.rows_read += len(rows)
            if rows:
                if by_row:
                    # The cursor moves only once the page's last row was taken, so
                    # a pull that stops mid-page resumes at that page and skips nothing.
                    yield Emit(rows)
                    self._advance(after)
                else:
                    self._advance(after)
                    yield Emit((rows,))
            if not next_url or not rows:
                return
            payload = yield from self._planner.call("GET", next_url)

    def _advance(self, after: str | None) -> None:
        if after:
            self.cursor = after


def frame_steps(
    planner: CallPlanner, path: str, params: Mapping[str, Any], progress: Callable[[int], Any] | None
) -> Steps[pd.DataFrame]:
    """The plan of a whole pull into a DataFrame.

    Parameters
    ----------
    progress : callable, optional
        Called with the number of rows read so far after each page.
    """
    import pandas as pd

    rows: list[Any] = []

    def take(page: list[Any]) -> None:
        rows.extend(page)
        if progress is not None:
            progress(len(rows))

    yield from collect(PageWalk(planner, path, params).steps(by_row=False), take)
    return pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
