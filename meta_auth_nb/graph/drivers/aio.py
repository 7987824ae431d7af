"""``AsyncGraphSession``: the Graph API client for ``await``, driving the core with httpx.AsyncClient.

The same plans as :class:`~meta_auth_nb.graph.drivers.sync.GraphSession` (so the same
behaviour), performed with ``httpx.AsyncClient`` and ``anyio.sleep``;
independent calls, and the chunks of a batch, run concurrently as tasks of
an anyio task group (:meth:`AsyncGraphSession.gather`), so it runs on any
event loop anyio serves (asyncio, trio). :func:`run_sync` runs a coroutine
from plain code, even inside a running loop. Graph layer.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Coroutine, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import httpx

from ..._base.errors import GraphConnectionError
from ..._base.settings import Settings
from ..._base.tokens import AccessToken
from ..batch import batch_steps
from ..core import SessionBase
from ..insights.arguments import InsightsArguments
from ..paging import PageWalk, Progress, frame_steps
from ..plan import Action, Emit, Gather, Send, Sleep, Steps, returned
from ..policy import RetryPolicy
from ..reply import Reply
from .gather import first_error_ends
from .insights import insights_plan
from .loop import wait_for
from .transport import build_request, client_options, connection_error, reply_of

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AsyncGraphSession", "AsyncPager", "run_sync"]

T = TypeVar("T")


class AsyncPager(PageWalk):
    """``async for`` over the rows of a list edge; ``.cursor`` resumes like :class:`~.sync.Pager`."""

    def __init__(
        self, session: AsyncGraphSession, path: str, params: Mapping[str, Any], progress: Progress | None = None
    ) -> None:
        super().__init__(session._planner, path, params, progress)
        self._session = session

    def iter_pages(self) -> AsyncIterator[list[Any]]:
        """Yield one list of rows per page; ``cursor`` moves as each page is handed over."""
        return self._session._stream(self.steps(by_row=False))

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._session._stream(self.steps(by_row=True))


class AsyncGraphSession(SessionBase):
    """An awaitable Graph API session; see :class:`~meta_auth_nb.graph.drivers.sync.GraphSession`.

    Parameters
    ----------
    max_concurrency : int
        Most calls in flight at once from :meth:`gather` and :meth:`batch`.
    transport : httpx.AsyncBaseTransport, optional
        The seam to the network (tests, proxies).
    Other parameters
        As for :class:`~meta_auth_nb.graph.drivers.sync.GraphSession`.
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
        transport: httpx.AsyncBaseTransport | None = None,
        settings: Settings | None = None,
        timestamped_proof: bool = False,
        max_concurrency: int = 20,
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
        self.max_concurrency = max(1, max_concurrency)
        self._client = httpx.AsyncClient(
            **client_options(timeout, transport), limits=httpx.Limits(max_connections=max(self.max_concurrency, 10))
        )

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._client.aclose()

    async def __aenter__(self) -> AsyncGraphSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def request(
        self, method: str, path: str, params: Mapping[str, Any] | None = None, *, idempotent: bool | None = None
    ) -> Any:
        """Send one call with retries; see :meth:`GraphSession.request`."""
        return await self._run(self._planner.call(method, path, params, idempotent=idempotent))

    async def get(self, path: str, **params: Any) -> Any:
        """GET a Graph path."""
        return await self.request("GET", path, params)

    async def post(self, path: str, **params: Any) -> Any:
        """POST form parameters to a Graph path."""
        return await self.request("POST", path, params)

    async def delete(self, path: str, **params: Any) -> Any:
        """DELETE a Graph path."""
        return await self.request("DELETE", path, params)

    def pages(self, path: str, *, progress: Progress | None = None, **params: Any) -> AsyncPager:
        """``async for row in session.pages(path)`` over every page."""
        return AsyncPager(self, path, params, progress)

    async def frame(self, path: str, *, progress: Progress | None = None, **params: Any) -> pd.DataFrame:
        """All rows of a list edge as a DataFrame."""
        return await self._run(frame_steps(self._planner, path, params, progress))

    async def gather(self, calls: Iterable[Awaitable[Any]], *, return_exceptions: bool = False) -> list[Any]:
        """Run independent calls concurrently (at most ``max_concurrency`` at once); their results in order.

        The first error cancels the calls still running and is raised; with
        ``return_exceptions=True`` each failed call's error takes its place instead.
        """
        gate = anyio.Semaphore(self.max_concurrency)

        async def run(call: Awaitable[Any]) -> Any:
            async with gate:
                return await call

        async def caught(call: Awaitable[Any]) -> Any:
            try:
                return await run(call)
            except Exception as error:
                return error

        pending = list(calls)
        try:
            return await first_error_ends(caught if return_exceptions else run, pending)
        finally:
            for call in pending:  # calls a first error kept from starting are closed, not left unawaited
                if inspect.iscoroutine(call) and inspect.getcoroutinestate(call) == inspect.CORO_CREATED:
                    call.close()

    async def insights(self, accounts: str | Sequence[str], **options: Any) -> pd.DataFrame:
        """``await meta.insights(...)``: see :meth:`~meta_auth_nb.graph.drivers.sync.GraphSession.insights`.

        The slices run as tasks on this loop; ``concurrency`` defaults to ``max_concurrency``.
        """
        arguments = InsightsArguments.of(accounts, **options)
        steps, finish = insights_plan(self._planner, arguments, concurrency=self.max_concurrency)
        try:
            return await self._run(steps)
        finally:
            finish()

    async def batch(self, requests: Iterable[Any], *, raise_errors: bool = False) -> list[Any]:
        """Like :meth:`GraphSession.batch`, sending the chunks of 50 concurrently."""
        return await self._run(batch_steps(self._planner, requests, raise_errors=raise_errors))

    # -- the driver: perform what a plan asks ------------------------------
    async def _run(self, steps: Steps[T]) -> T:
        """Perform a plan's actions until it returns its result (or raises)."""
        outcome: Any = None
        while True:
            try:
                action = steps.send(outcome)
            except StopIteration as done:
                return returned(steps, done)
            outcome = await self._perform(action)

    async def _stream(self, steps: Steps[Any]) -> AsyncIterator[Any]:
        """Perform a plan's actions, handing what it emits to the consumer."""
        outcome: Any = None
        while True:
            try:
                action = steps.send(outcome)
            except StopIteration:
                return
            if isinstance(action, Emit):
                for value in action.values:
                    yield value
                outcome = None
            else:
                outcome = await self._perform(action)

    async def _perform(self, action: Action) -> Any:
        """Do one action and return its outcome for the plan."""
        if isinstance(action, Send):
            return await self._exchange(action)
        if isinstance(action, Sleep):
            await anyio.sleep(action.seconds)
            return None
        if isinstance(action, Gather):
            return await self._gather_plans(action.plans, action.limit or self.max_concurrency)
        raise TypeError(f"a plan run for its result cannot emit values: {action!r}")

    async def _gather_plans(self, plans: Sequence[Steps[Any]], limit: int) -> list[Any]:
        """Run plans as tasks, at most ``limit`` at once; the first error cancels the others and is raised."""
        gate = anyio.Semaphore(max(1, limit))

        async def one(steps: Steps[Any]) -> Any:
            try:
                async with gate:
                    return await self._run(steps)
            except BaseException:
                steps.close()  # a plan cancelled or failed mid-way runs its clean-up now
                raise

        return await first_error_ends(one, plans)

    async def _exchange(self, send: Send) -> Reply | GraphConnectionError:
        """Send one request; a transport failure is returned, for the plan to decide on."""
        try:
            response = await self._client.send(build_request(self._client, send))
        except httpx.TransportError as exc:
            return connection_error(exc, send)
        return reply_of(send, response)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from plain code, even where an event loop is running (a notebook).

    It runs on the process's background loop (:mod:`.loop`), and this thread
    waits for it; an interrupt while waiting cancels it there.
    """

    async def run() -> T:
        return await coro

    try:
        return wait_for(run)
    except RuntimeError:
        if inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:  # refused before it could start
            coro.close()
        raise
