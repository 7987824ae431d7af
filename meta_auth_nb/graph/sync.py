"""``GraphSession``: the Graph API client for plain calls, driving the core with httpx.Client.

Everything a call decides (request, retries, pacing, paging, batching) is
planned by the I/O-free core (:mod:`.core`, :mod:`.paging`, :mod:`.batch`);
this driver sends what a plan asks with ``httpx.Client`` and waits with
``time.sleep``. The token travels in an ``Authorization: Bearer`` header,
never in a URL. Graph layer.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from .._base.errors import GraphConnectionError
from .._base.settings import Settings
from .._base.tokens import AccessToken
from .batch import batch_steps
from .core import SessionBase
from .paging import PageWalk, Progress, frame_steps
from .plan import Action, Emit, Gather, Send, Sleep, Steps
from .policy import RetryPolicy
from .reply import Reply
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

    def batch(self, requests: Iterable[Any], *, raise_errors: bool = False) -> list[Any]:
        """Send many calls in batches of 50 and return each decoded body, in order.

        Reads that time out (``null``) or fail transiently are sent again,
        and so is any item a rate limit refused, after the wait the headers
        give. A failed item is returned as its :class:`GraphError` instance,
        or raised when ``raise_errors`` is true.
        """
        return self._run(batch_steps(self._planner, requests, raise_errors=raise_errors))

    # -- the driver: perform what a plan asks ------------------------------
    def _run(self, steps: Steps[T]) -> T:
        """Perform a plan's actions until it returns its result (or raises)."""
        outcome: Any = None
        while True:
            try:
                action = steps.send(outcome)
            except StopIteration as done:
                return done.value
            outcome = self._perform(action)

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

    def _perform(self, action: Action) -> Any:
        """Do one action and return its outcome for the plan."""
        if isinstance(action, Send):
            return self._exchange(action)
        if isinstance(action, Sleep):
            time.sleep(action.seconds)
            return None
        if isinstance(action, Gather):
            return [self._run(steps) for steps in action.plans]
        raise TypeError(f"a plan run for its result cannot emit values: {action!r}")

    def _exchange(self, send: Send) -> Reply | GraphConnectionError:
        """Send one request; a transport failure is returned, for the plan to decide on."""
        try:
            response = self._client.send(build_request(self._client, send))
        except httpx.TransportError as exc:
            return connection_error(exc, send)
        return reply_of(send, response)
