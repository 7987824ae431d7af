"""``GraphSession``: a synchronous Graph API client on httpx.

The token travels in an ``Authorization: Bearer`` header, never in a URL;
calls are retried with backoff and jitter on transient errors, dropped
connections and rate limits; lists are paged by cursor. Graph layer.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
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

if TYPE_CHECKING:
    import pandas as pd

log = get_logger(__name__)
# httpx logs each request line at INFO; make sure nothing there can leak.
get_logger("httpx")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

_ssl_context: ssl.SSLContext | None = None
_ssl_lock = threading.Lock()


def shared_ssl_context() -> ssl.SSLContext:
    """The verifying SSL context every session of this process shares.

    It is exactly what httpx builds for ``verify=True, trust_env=False`` (the
    certifi bundle), made once: building one reads the whole CA bundle
    (20-40 ms), which httpx would otherwise repeat for every client, and the
    lifecycle calls open a short-lived session per call.
    """
    global _ssl_context
    if _ssl_context is None:
        with _ssl_lock:
            if _ssl_context is None:
                _ssl_context = httpx.create_ssl_context(verify=True, trust_env=False)
    return _ssl_context


class Pager:
    """Iterate the rows of a Graph list edge across cursor pages.

    Attributes
    ----------
    cursor : str or None
        The ``after`` cursor of the last page fully yielded; pass it back as
        ``after=`` to resume a pull without re-reading or skipping rows.
    pages_read : int
    rows_read : int
    """

    def __init__(self, session: GraphSession, path: str, params: Mapping[str, Any]) -> None:
        self._session = session
        self._path = path
        self._params = dict(params)
        self.cursor: str | None = self._params.get("after")
        self.pages_read = 0
        self.rows_read = 0

    def _fetch(self) -> Iterator[tuple[list[Any], str | None]]:
        payload = self._session.get(self._path, **self._params)
        while True:
            rows, next_url, after = page_rows(payload)
            self.pages_read += 1
            self.rows_read += len(rows)
            if rows:
                yield rows, after
            if not next_url or not rows:
                return
            payload = self._session.get(next_url)

    def iter_pages(self) -> Iterator[list[Any]]:
        """Yield one list of rows per page; ``cursor`` moves as each page is handed over."""
        for rows, after in self._fetch():
            if after:
                self.cursor = after
            yield rows

    def __iter__(self) -> Iterator[Any]:
        # Row by row, the cursor moves only after a page's last row, so a
        # pull that stops mid-page resumes at that page and skips nothing.
        for rows, after in self._fetch():
            for row in rows:
                yield row
            if after:
                self.cursor = after


class GraphSession(SessionCore):
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
        self._client = httpx.Client(
            timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
            transport=transport,
            # with a transport given, httpx builds no TLS context of its own
            verify=shared_ssl_context() if transport is None else True,
            follow_redirects=False,
            trust_env=False,
        )

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
        """Send one call with retries and return its decoded JSON.

        Parameters are sent in the query for GET/DELETE and as a form body for
        POST. ``idempotent`` (default: True except for POST) decides whether a
        call that may have reached the server is repeated after a dropped
        connection.
        """
        method = method.upper()
        idempotent = method != "POST" if idempotent is None else idempotent
        url = self._endpoint.url_for(path)
        signed = self._endpoint.signed(params)
        attempt = 0
        while True:
            self._wait_if_paused()
            try:
                return self._send_once(method, url, signed)
            except GraphError as error:
                delay = self.retry.delay_for(error, attempt, idempotent=idempotent)
                if delay is None:
                    raise
                log.info("retrying %s %s in %.2fs after %s", method, path, delay, type(error).__name__)
                attempt += 1
                time.sleep(delay)

    def _send_once(self, method: str, url: str, params: dict[str, str]) -> Any:
        headers = self._endpoint.headers()
        started = time.perf_counter()
        try:
            if method == "POST":
                response = self._client.post(url, data=params, headers=headers)
            else:
                # merge, not replace: a paging URL already carries its cursor in the query
                # (httpx's params= would replace it). Without params the URL goes as is,
                # which spares re-parsing it for every page of a pull.
                target = httpx.URL(url).copy_merge_params(params) if params else url
                response = self._client.request(method, target, headers=headers)
        except httpx.TransportError as exc:
            raise connection_error(exc, method, url, before_send=isinstance(exc, httpx.ConnectError)) from None
        if log.isEnabledFor(logging.DEBUG):  # the arguments cost a URL parse per call
            log.debug(
                "%s %s -> %s in %.0f ms",
                method,
                httpx.URL(url).path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        return self._read(response.status_code, response.headers, response.content)

    def _wait_if_paused(self) -> None:
        delay = self._pause_left()
        if delay > 0:
            log.info("usage is near a rate limit; pausing %.1fs", delay)
            time.sleep(delay)

    def get(self, path: str, **params: Any) -> Any:
        """GET a Graph path (``me``, ``act_1/campaigns``) and return the decoded JSON."""
        return self.request("GET", path, params)

    def post(self, path: str, **params: Any) -> Any:
        """POST form parameters to a Graph path."""
        return self.request("POST", path, params)

    def delete(self, path: str, **params: Any) -> Any:
        """DELETE a Graph path."""
        return self.request("DELETE", path, params)

    def pages(self, path: str, **params: Any) -> Pager:
        """Iterate every row of a list edge across pages (see :class:`Pager`).

        ``after=`` resumes from a cursor; ``limit=`` sets the page size.
        """
        return Pager(self, path, params)

    def frame(self, path: str, *, progress: Any = None, **params: Any) -> pd.DataFrame:
        """All rows of a list edge as a pandas DataFrame.

        Parameters
        ----------
        progress : callable, optional
            Called with the number of rows read so far after each page.
        """
        import pandas as pd

        rows: list[Any] = []
        pager = self.pages(path, **params)
        for page in pager.iter_pages():
            rows.extend(page)
            if progress is not None:
                progress(len(rows))
        return pd.DataFrame.from_records(rows) if rows else pd.DataFrame()

    def batch(self, requests: Iterable[Any], *, raise_errors: bool = False) -> list[Any]:
        """Send many calls in batches of 50 and return each decoded body, in order.

        Items that time out (``null``) or fail transiently are sent again.
        A failed item is returned as its :class:`GraphError` instance, or
        raised when ``raise_errors`` is true.
        """
        items = as_batch_items(requests)
        results: list[Any] = [None] * len(items)
        pending = list(range(len(items)))
        attempt = 0
        while pending:
            for group in chunks(pending, MAX_BATCH):
                answers = self._send_batch([items[i] for i in group])
                for index, answer in zip(group, answers):
                    results[index] = answer
            pending = [i for i in pending if retryable_item(results[i])]
            if not pending or attempt >= self.retry.max_retries:
                break
            time.sleep(self.retry.backoff(attempt, self._rng))
            attempt += 1
        return finish_batch(results, raise_errors)

    def _send_batch(self, items: list[BatchItem]) -> list[Any]:
        params, idempotent = batch_request(items)
        return batch_answers(self.request("POST", "", params, idempotent=idempotent), items)


__all__ = ["GraphSession", "Pager", "RetryPolicy"]
