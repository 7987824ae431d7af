"""``GraphSession``: the Graph API client for plain calls, driving the core with httpx.Client.

Everything a call decides (request, retries, pacing, paging, batching) is
planned by the I/O-free core (:mod:`~meta_auth_nb.graph.core`,
:mod:`~meta_auth_nb.graph.paging`, :mod:`~meta_auth_nb.graph.batch`); this
driver sends what a plan asks with ``httpx.Client`` and waits with
``time.sleep``. The token travels in an ``Authorization: Bearer`` header,
never in a URL. Graph layer.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ..._base.errors import GraphConnectionError
from ..._base.settings import Settings
from ..._base.tokens import AccessToken
from ..batch import batch_steps
from ..core import SessionBase
from ..insights.arguments import DEFAULT_CONCURRENCY, InsightsArguments
from ..paging import PageWalk, Progress, frame_steps
from ..plan import Action, Emit, Gather, Send, Sleep, Steps, returned
from ..policy import RetryPolicy
from ..reply import Reply
from .insights import insights_plan
from .threads import pause, side_by_side, stop_point
from .transport import build_request, client_options, connection_error, reply_of

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["GraphSession", "Pager", "RetryPolicy"]

T = TypeVar("T")


class Pager(PageWalk):
    """Iterate the rows of a Graph list edge across cursor pages.

    Iterating gives the rows one by one; :meth:`iter_pages` gives one list per page.

    Attributes
    ----------
    cursor : str or None
        The ``after`` cursor of the last page fully yielded; pass it back as
        ``after=`` to resume a pull without re-reading or skipping rows.
    pages_read : int
    rows_read : int
    """

    def __init__(
        self, session: GraphSession, path: str, params: Mapping[str, Any], progress: Progress | None = None
    ) -> None:
        super().__init__(session._planner, path, params, progress)
        self._session = session

    def iter_pages(self) -> Iterator[list[Any]]:
        """Yield one list of rows per page; ``cursor`` moves as each page is handed over."""
        return self._session._stream(self.steps(by_row=False))

    def __iter__(self) -> Iterator[Any]:
        return self._session._stream(self.steps(by_row=True))


class GraphSession(SessionBase):
    """A Graph API session.

    Parameters
    ----------
    token : AccessToken or str or None
        The access token (None for the OAuth endpoints that need none).
    app_secret : str, optional
        Adds ``appsecret_proof`` to every call.
    version : str, optional
        Graph version, default ``META_GRAPH_VERSION`` or ``v25.0``.
    base_url : str, optional
        Graph root, default ``META_GRAPH_URL``; HTTPS unless loopback.
    retry : RetryPolicy, optional
    timeout : float or httpx.Timeout, optional
    transport : httpx.BaseTransport, optional
        The seam to the network (tests, proxies).
    settings : Settings, optional
    timestamped_proof : bool
        Send the time-stamped ``appsecret_proof`` with ``appsecret_time``.

    Attributes
    ----------
    usage : Usage or None
        What the usage headers said (each header's latest figures): tier,
        percentages, time to regain access; shown as bars in a notebook.
    server_time : datetime or None
        The server's clock (its ``Date`` header) at the latest answer.

    Examples
    --------
    >>> with GraphSession(token) as meta:                  # doctest: +SKIP
    ...     df = meta.frame("act_123/insights", level="campaign")
    """

    def __init__(
        self,
        token: AccessToken | str | None,
        *,
        app_secret: str | None = None,
        version: str | None = None,
        base_url: str | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | httpx.Timeout | None = None,
        transport: httpx.BaseTransport | None = None,
        settings: Settings | None = None,
        timestamped_proof: bool = False,
    ) -> None:
        super().__init__(
            token,
            app_secret=app_secret,
            version=version,
            base_url=base_url,
            retry=retry,
            settings=settings,
            timestamped_proof=timestamped_proof,
        )
        self._client = httpx.Client(**client_options(timeout, transport))

    # -- lifecycle -------------------------------------------------------
    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def __enter__(self) -> GraphSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls -------------------------------------------------------------
    def request(
        self, method: str, path: str, params: Mapping[str, Any] | None = None, *, idempotent: bool | None = None
    ) -> Any:
        """Send one call with pacing and retries and return its decoded JSON.

        Parameters are sent in the query for GET/DELETE and as a form body for
        POST. A read (GET, or POST with ``method="get"``) is repeated after a
        transient error or a dropped connection; a write only when it surely
        did not happen (the connection never opened, or a rate limit refused
        it). ``idempotent=True`` declares a write safe to repeat,
        ``idempotent=False`` a read unsafe.
        """
        return self._run(self._planner.call(method, path, params, idempotent=idempotent))

    def get(self, path: str, **params: Any) -> Any:
        """GET a Graph path (``me``, ``act_1/campaigns``) and return the decoded JSON."""
        return self.request("GET", path, params)

    def post(self, path: str, **params: Any) -> Any:
        """POST form parameters to a Graph path."""
        return self.request("POST", path, params)

    def delete(self, path: str, **params: Any) -> Any:
        """DELETE a Graph path."""
        return self.request("DELETE", path, params)

    def pages(self, path: str, *, progress: Progress | None = None, **params: Any) -> Pager:
        """Iterate every row of a list edge across pages (see :class:`Pager`).

        ``after=`` resumes from a cursor; ``limit=`` sets the page size;
        ``progress`` is called as for :meth:`frame`.
        """
        return Pager(self, path, params, progress)

    def frame(self, path: str, *, progress: Progress | None = None, **params: Any) -> pd.DataFrame:
        """All rows of a list edge as a pandas DataFrame.

        Parameters
        ----------
        progress : callable, optional
            Called with a :class:`~meta_auth_nb.graph.paging.PullProgress`
            after each page (an int: the rows read so far) and before each
            wait, with ``.waiting_s`` and ``.reason`` (near a rate limit,
            blocked, retrying).
        """
        return self._run(frame_steps(self._planner, path, params, progress))

    def insights(self, accounts: str | Sequence[str], **options: Any) -> pd.DataFrame:
        """An insights report as a DataFrame, for one ad account, several or ``"all"``, as fast as the budget allows.

        The pull is planned first: cut into slices (an ad account and a run of
        whole ``time_increment`` buckets), small ones fetched synchronously, large
        ones as async report runs (started, polled, paged), all side by side
        (``concurrency`` at once) and paced by the usage headers so no call is
        refused. A slice Graph finds too large ("Please reduce the amount of data",
        100/1487534) is split in two and tried again; a report run that fails or is
        skipped is started again, and a slice that still fails is named in
        :class:`~meta_auth_nb.errors.InsightsIncomplete` (which holds the rows that
        did arrive in ``.partial``).

        The arguments are checked before any call, in one place
        (:class:`~meta_auth_nb.graph.insights.arguments.InsightsArguments`, which
        the async session and the notebook's ``ainsights`` build from the same keywords).

        Parameters
        ----------
        accounts : str or list of str
            ``"act_<id>"``, a list of them, or ``"all"`` (every ad account the token reaches).
        **options
            The keywords below, and any other Graph parameter (``action_attribution_windows``...).
        fields : str or list of str, optional
            Insights fields (``impressions``, ``spend``, ``actions``...); default
            impressions, clicks, spend and actions. The account's id and name and the
            level's ids and names are always added.
        level : {"account", "campaign", "adset", "ad"}, optional
            One row per what (default ``account``, as Graph's).
        date_preset : str, optional
            ``last_7d``, ``last_30d`` (the default), ``this_month``... with Meta's
            meanings, in each ad account's time zone.
        time_range : dict or (since, until), optional
            ``{"since": "2025-01-01", "until": "2025-03-31"}``; instead of ``date_preset``.
        time_increment : int or str, optional
            Days per row (1-90), ``"monthly"`` or ``"all_days"`` (the default).
        breakdowns, action_breakdowns : str or list of str, optional
            As Graph takes them (``["age", "gender"]``; ``["action_type"]``).
        filtering : list of dict, optional
            ``[{"field": "campaign.id", "operator": "IN", "value": [...]}]``.
        raw : bool
            Keep Graph's shapes (text numbers, ``actions`` lists) instead of the tidy frame.
        checkpoint : str or Path, optional
            A JSON file recording every slice that arrived: run the same call again
            after an interruption (a kernel restart, a lost network) and only what is
            missing is fetched, with no row twice. It holds no token.
        progress : bool or callable
            ``True`` (default): a progress bar (``tqdm.auto``: a widget in a notebook,
            text in a terminal) counting slices and rows and saying what the pull waits
            for; a callable gets an :class:`~meta_auth_nb.graph.insights.state.InsightsProgress`
            instead; ``False`` shows nothing.
        concurrency : int
            Slices in flight at once (default 20).
        page_size : int
            Rows per page (1-500, default 500).

        Returns
        -------
        pandas.DataFrame
            Tidy: ``account_id``, ``account_name``, the level's ids and names,
            ``date_start``/``date_stop`` as dates, the breakdowns, then the fields in
            the order asked, numbers as numbers and each ``actions``-like list spread
            into ``actions:<type>`` columns (see :mod:`~meta_auth_nb.graph.insights.tidy`).

        Raises
        ------
        InsightsIncomplete
            Some slices are missing after their retries (``.failures``, ``.partial``).
        ConfigError
            Arguments that cannot work, said before any call.
        """
        arguments = InsightsArguments.of(accounts, **options)
        steps, finish = insights_plan(self._planner, arguments, concurrency=DEFAULT_CONCURRENCY)
        try:
            return self._run(steps)
        finally:
            finish()

    def batch(self, requests: Iterable[Any], *, raise_errors: bool = False) -> list[Any]:
        """Send many calls in batches of 50 and return each decoded body, in order.

        Reads that time out (``null``) or fail transiently are sent again,
        and so is any item a rate limit refused, after the wait the headers
        give. A failed item is returned as its :class:`GraphError` instance,
        or raised when ``raise_errors`` is true.
        """
        return self._run(batch_steps(self._planner, requests, raise_errors=raise_errors))

    # -- the driver: perform what a plan asks ------------------------------
    def _run(self, steps: Steps[T], *, side: bool = False) -> T:
        """Perform a plan's actions until it returns its result (or raises).

        ``side``: the plan runs side by side with others (in a worker thread),
        and stops at its next action when its gather is stopped.
        """
        outcome: Any = None
        try:
            while True:
                if side:
                    stop_point()
                try:
                    action = steps.send(outcome)
                except StopIteration as done:
                    return returned(steps, done)
                outcome = self._perform(action, side=side)
        except BaseException:
            steps.close()  # a plan stopped or failed mid-way runs its clean-up now
            raise

    def _stream(self, steps: Steps[Any]) -> Iterator[Any]:
        """Perform a plan's actions, handing what it emits to the consumer."""
        outcome: Any = None
        while True:
            try:
                action = steps.send(outcome)
            except StopIteration:
                return
            if isinstance(action, Emit):
                yield from action.values
                outcome = None
            else:
                outcome = self._perform(action)

    def _perform(self, action: Action, *, side: bool = False) -> Any:
        """Do one action and return its outcome for the plan."""
        if isinstance(action, Send):
            return self._exchange(action)
        if isinstance(action, Sleep):
            if side:
                pause(action.seconds)  # a stopped gather does not sleep on
            else:
                time.sleep(action.seconds)
            return None
        if isinstance(action, Gather):
            if action.limit and action.limit > 1 and len(action.plans) > 1:
                return side_by_side(partial(self._run, side=True), action.plans, action.limit, nested=side)
            return [self._run(steps, side=side) for steps in action.plans]
        raise TypeError(f"a plan run for its result cannot emit values: {action!r}")

    def _exchange(self, send: Send) -> Reply | GraphConnectionError:
        """Send one request; a transport failure is returned, for the plan to decide on."""
        try:
            response = self._client.send(build_request(self._client, send))
        except httpx.TransportError as exc:
            return connection_error(exc, send)
        return reply_of(send, response)
