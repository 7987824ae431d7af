"""Paging a Graph list edge: follow ``paging.next``, keep the resume cursor, count rows.

:class:`PageWalk` holds a pull's state (``cursor``, ``pages_read``,
``rows_read``) and plans it; the drivers' ``Pager`` and ``AsyncPager`` add
only the iteration protocol. :func:`frame_steps` plans a whole pull into a
DataFrame. Paging links are checked when they are followed, by
:class:`~.request.Endpoint`: no token in them, the same host and the same
list, no ``method``. A ``progress`` callback hears of every page and of
every wait (pacing near a rate limit, a block, a retry) with its reason, as
a :class:`PullProgress`. Graph layer, I/O-free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._base.errors import GraphError
from .core import CallPlanner
from .plan import Emit, Steps, collect, telling_waits
from .request import CallFacts

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PageWalk", "Progress", "PullProgress", "frame_steps", "page_rows"]


class PullProgress(int):
    """Where a pull stands: an int (the rows read so far) that also tells pages and waits.

    A progress callback written for a row count (``lambda rows: ...``) keeps
    working; one that wants more reads the attributes.

    Attributes
    ----------
    rows : int
        Rows read so far (the int value itself).
    pages : int
        Pages read so far.
    waiting_s : float
        Seconds the pull is about to wait (0 when it is not waiting).
    reason : str
        Why it waits, in words: near a rate limit, blocked, retrying.
    """

    pages: int
    waiting_s: float
    reason: str

    def __new__(cls, rows: int, pages: int = 0, waiting_s: float = 0.0, reason: str = "") -> PullProgress:
        value = super().__new__(cls, rows)
        value.pages, value.waiting_s, value.reason = pages, float(waiting_s), reason
        return value

    @property
    def rows(self) -> int:
        """Rows read so far."""
        return int(self)

    @property
    def waiting(self) -> bool:
        """True when the pull is about to wait."""
        return self.waiting_s > 0

    def __str__(self) -> str:
        return str(int(self))  # prints as the row count, like the int it stands for

    def __format__(self, spec: str) -> str:
        return format(int(self), spec)

    def __repr__(self) -> str:
        wait = f", waiting {self.waiting_s:.1f} s: {self.reason}" if self.waiting else ""
        return f"PullProgress(rows={int(self)}, pages={self.pages}{wait})"


#: A progress callback: called with a :class:`PullProgress`.
Progress = Callable[[PullProgress], Any]


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
    progress : callable, optional
        Called with a :class:`PullProgress` after each page and before each wait.
    facts : CallFacts, optional
        What each page's call is, when the path does not say (a report run's
        rows count against its ad account).

    Attributes
    ----------
    cursor : str or None
        The ``after`` cursor of the last page fully handed over; pass it back
        as ``after=`` to resume a pull without re-reading or skipping rows.
    pages_read : int
    rows_read : int
    """

    def __init__(
        self,
        planner: CallPlanner,
        path: str,
        params: Mapping[str, Any],
        progress: Progress | None = None,
        facts: CallFacts | None = None,
    ) -> None:
        self._planner = planner
        self._facts = facts
        self._path = path
        self._params = dict(params)
        self._progress = progress
        self.cursor: str | None = self._params.get("after")
        self.pages_read = 0
        self.rows_read = 0

    def steps(self, *, by_row: bool) -> Steps[None]:
        """The plan of the pull; it emits rows one by one (``by_row``) or one list per page."""
        first = self._planner.call("GET", self._path, self._params, facts=self._facts)
        # Every next link must stay on the list the first request asked for.
        listed = urlsplit(self._planner.endpoint.url_for(self._path)).path
        payload = yield from self._watch(first)
        while True:
            rows, next_url, after = page_rows(payload)
            self.pages_read += 1
            self.rows_read += len(rows)
            self._tell()
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
            payload = yield from self._watch(
                self._planner.call("GET", str(next_url), follows=listed, facts=self._facts)
            )

    def _advance(self, after: str | None) -> None:
        if after:
            self.cursor = after

    def _tell(self, waiting_s: float = 0.0, reason: str = "") -> None:
        if self._progress is not None:
            self._progress(PullProgress(self.rows_read, self.pages_read, waiting_s, reason))

    def _watch(self, steps: Steps[Any]) -> Steps[Any]:
        """Pass a call's plan through, telling the progress callback of each wait before it starts."""
        return (yield from telling_waits(steps, self._tell))


def frame_steps(
    planner: CallPlanner, path: str, params: Mapping[str, Any], progress: Progress | None
) -> Steps[pd.DataFrame]:
    """The plan of a whole pull into a DataFrame.

    Parameters
    ----------
    progress : callable, optional
        Called with a :class:`PullProgress` (an int: the rows read so far)
        after each page, and before each wait with how long and why.
    """
    import pandas as pd

    rows: list[Any] = []
    yield from collect(PageWalk(planner, path, params, progress).steps(by_row=False), rows.extend)
    return pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
