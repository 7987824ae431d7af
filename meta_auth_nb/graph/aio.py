"""``AsyncGraphSession``: the Graph API client for ``await``.

Same behaviour as :class:`~meta_auth_nb.graph.GraphSession` (the shared rules
live in :mod:`meta_auth_nb.graph_core`); independent calls run concurrently
through :meth:`AsyncGraphSession.gather`. Graph layer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from .._base.errors import GraphError
from .._base.redact import get_logger
from .._base.settings import Settings
from .._base.tokens import AccessToken
from .core import (
    MAX_BATCH,
    BatchItem,
    RetryPolicy,
    SessionCore,
    as_batch_items,
    batch_answers,
    batch_request,
    chunks,
    connection_error,
    finish_batch,
    page_rows,
    retryable_item,
)
from .sync import DEFAULT_TIMEOUT, shared_ssl_context

if TYPE_CHECKING:
    import pandas as pd

log = get_logger(__name__)


class AsyncPager:
    """Async iteration over a list edge; ``.cursor`` resumes like :class:`~meta_auth_nb.graph.Pager`."""

    def __init__(self, session: AsyncGraphSession, path: str, params: Mapping[str, Any]) -> None:
        self._session = session
        self._path = path
        self._params = dict(params)
        self.cursor: str | None = self._params.get("after")
        self.pages_read = 0
        self.rows_read = 0

    async def _fetch(self) -> AsyncIterator[tuple[list[Any], str | None]]:
        payload = await self._session.get(self._path, **self._params)
        while True:
            rows, next_url, after = page_rows(payload)
            self.pages_read += 1
            self.rows_read += len(rows)
            if rows:
                yield rows, after
            if not next_url or not rows:
                return
            payload = await self._session.get(next_url)

    async def iter_pages(self) -> AsyncIterator[list[Any]]:
        """Yield one list of rows per page; ``cursor`` moves as each page is handed over."""
        async for rows, after in self._fetch():
            if after:
                self.cursor = after
            yield rows

    async def __aiter__(self) -> AsyncIterator[Any]:
        # Row by row, the cursor moves only after a page's last row, so a
        # pull that stops mid-page resumes at that page and skips nothing.
        async for rows, after in self._fetch():
            for row in rows:
                yield row
            if after:
                self.cursor = after


class AsyncGraphSession(SessionCore):
    """An awaitable Graph API session; see :class:`~meta_auth_nb.graph.GraphSession`.

    Parameters
    ----------
    max_concurrency : int
        Most calls in flight at once from :meth:`gather` and :meth:`batch`.
    Other parameters
        As for :class:`~meta_auth_nb.graph.GraphSession`.
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
            timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
            transport=transport,
            verify=shared_ssl_context() if transport is None else True,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=max(self.max_concurrency, 10)),
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
        method = method.upper()
        idempotent = method != "POST" if idempotent is None else idempotent
        url = self._endpoint.url_for(path)
        signed = self._endpoint.signed(params)
        attempt = 0
        while True:
            delay = self._pause_left()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                return await self._send_once(method, url, signed)
            except GraphError as error:
                wait = self.retry.delay_for(error, attempt, idempotent=idempotent)
                if wait is None:
                    raise
                log.info("retrying %s %s in %.2fs after %s", method, path, wait, type(error).__name__)
                attempt += 1
                await asyncio.sleep(wait)

    async def _send_once(self, method: str, url: str, params: dict[str, str]) -> Any:
        headers = self._endpoint.headers()
        try:
            if method == "POST":
                response = await self._client.post(url, data=params, headers=headers)
            else:
                # merge, not replace: a paging URL already carries its cursor in the query
                # (httpx's params= would replace it). Without params the URL goes as is,
                # which spares re-parsing it for every page of a pull.
                target = httpx.URL(url).copy_merge_params(params) if params else url
                response = await self._client.request(method, target, headers=headers)
        except httpx.TransportError as exc:
            raise connection_error(exc, method, url, before_send=isinstance(exc, httpx.ConnectError)) from None
        return self._read(response.status_code, response.headers, response.content)

    async def get(self, path: str, **params: Any) -> Any:
        """GET a Graph path."""
        return await self.request("GET", path, params)

    async def post(self, path: str, **params: Any) -> Any:
        """POST form parameters to a Graph path."""
        return await self.request("POST", path, params)

    async def delete(self, path: str, **params: Any) -> Any:
        """DELETE a Graph path."""
        return await self.request("DELETE", path, params)

    def pages(self, path: str, **params: Any) -> AsyncPager:
        """``async for row in session.pages(path)`` over every page."""
        return AsyncPager(self, path, params)

    async def frame(self, path: str, *, progress: Any = None, **params: Any) -> pd.DataFrame:
        """All rows of a list edge as a DataFrame."""
        import pandas as pd

        rows: list[Any] = []
        async for page in self.pages(path, **params).iter_pages():
            rows.extend(page)
            if progress is not None:
                progress(len(rows))
        return pd.DataFrame.from_records(rows) if rows else pd.DataFrame()

    async def gather(self, calls: Iterable[Awaitable[Any]], *, return_exceptions: bool = False) -> list[Any]:
        """Run independent calls concurrently (at most ``max_concurrency`` at once), in order."""
        gate = asyncio.Semaphore(self.max_concurrency)

        async def run(call: Awaitable[Any]) -> Any:
            async with gate:
                return await call

        return list(await asyncio.gather(*(run(c) for c in calls), return_exceptions=return_exceptions))

    async def batch(self, requests: Iterable[Any], *, raise_errors: bool = False) -> list[Any]:
        """Like :meth:`GraphSession.batch`, sending the chunks of 50 concurrently."""
        items = as_batch_items(requests)
        results: list[Any] = [None] * len(items)
        pending = list(range(len(items)))
        attempt = 0
        while pending:
            groups = chunks(pending, MAX_BATCH)
            answers = await self.gather(self._send_batch([items[i] for i in group]) for group in groups)
            for group, answer in zip(groups, answers):
                for index, result in zip(group, answer):
                    results[index] = result
            pending = [i for i in pending if retryable_item(results[i])]
            if not pending or attempt >= self.retry.max_retries:
                break
            await asyncio.sleep(self.retry.backoff(attempt, self._rng))
            attempt += 1
        return finish_batch(results, raise_errors)

    async def _send_batch(self, items: list[BatchItem]) -> list[Any]:
        params, idempotent = batch_request(items)
        return batch_answers(await self.request("POST", "", params, idempotent=idempotent), items)


__all__ = ["AsyncGraphSession", "AsyncPager"]
