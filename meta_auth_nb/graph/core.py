"""One Graph call planned from request to result, and the state a session keeps.

:class:`CallPlanner` turns a call into a plan (see :mod:`.plan`): send the
request, read the reply, then return, retry after a delay or raise; before
each send it pauses while usage is near a limit. The drivers
(:class:`~meta_auth_nb.graph.sync.GraphSession`,
:class:`~meta_auth_nb.graph.aio.AsyncGraphSession`) only perform what the plan
asks, so both behave the same. :class:`SessionBase` is what they share.
Graph layer, I/O-free.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from .._base.errors import GraphConnectionError, GraphError, RateLimited
from .._base.redact import get_logger
from .._base.settings import Settings
from .._base.tokens import AccessToken
from .._base.usage import Usage
from .plan import Sleep, Steps
from .policy import DEFAULT_RETRY, RetryPolicy
from .reply import Reply, read_reply, server_time
from .request import Endpoint

__all__ = ["CallPlanner", "SessionBase"]

log = get_logger(__name__)


class CallPlanner:
    """Plans the calls of one session and remembers what the replies said.

    Parameters
    ----------
    endpoint : Endpoint
        Where calls go and how they are signed.
    retry : RetryPolicy
    clock : callable, optional
        Monotonic seconds, for the near-limit pause.

    Attributes
    ----------
    usage : Usage or None
        The latest usage headers.
    server_time : datetime or None
        The server's clock (its ``Date`` header) at the latest answer.
    rng : random.Random
        Source of the backoff jitter.
    """

    def __init__(self, endpoint: Endpoint, retry: RetryPolicy, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.endpoint = endpoint
        self.retry = retry
        self.usage: Usage | None = None
        self.server_time: datetime | None = None
        self.rng = random.Random()
        self._clock = clock
        self._pause_until = 0.0

    def call(
        self, method: str, path: str, params: Mapping[str, Any] | None = None, *, idempotent: bool | None = None
    ) -> Steps[Any]:
        """The plan of one call with retries; it returns the decoded JSON.

        Parameters
        ----------
        method : str
        path : str
            A Graph path (``me/adaccounts``) or a paging URL.
        params : mapping, optional
            Sent in the query, or as the form body for POST.
        idempotent : bool, optional
            Whether a call that may have reached the server is repeated after
            a dropped connection; default True except for POST.
        """
        request = self.endpoint.request(method, path, params)
        if idempotent is None:
            idempotent = request.method != "POST"
        attempt = 0
        while True:
            pause = self.pause_left()
            if pause > 0:
                log.info("usage is near a rate limit; pausing %.1fs", pause)
                yield Sleep(pause)
            outcome = yield request
            try:
                return self.receive(outcome)
            except GraphError as error:
                delay = self.retry.delay_for(error, attempt, idempotent=idempotent, rng=self.rng)
                if delay is None:
                    raise
                log.info("retrying %s in %.2fs after %s", request, delay, type(error).__name__)
                attempt += 1
                yield Sleep(delay)

    def receive(self, outcome: Reply | GraphConnectionError) -> Any:
        """Read what a send gave: the decoded JSON, or the error raised.

        The usage headers and the server clock are noted either way.
        """
        if isinstance(outcome, GraphConnectionError):
            raise outcome
        self.server_time = server_time(outcome.headers) or self.server_time
        try:
            payload, usage = read_reply(outcome.status, outcome.headers, outcome.body)
        except RateLimited as error:
            self._note_usage(error.usage)
            raise
        self._note_usage(usage)
        return payload

    def pause_left(self) -> float:
        """Seconds still to wait because usage came near a limit."""
        return self._pause_until - self._clock()

    def _note_usage(self, usage: Usage | None) -> None:
        if usage is None:
            return
        self.usage = usage
        if usage.near_limit and self.retry.near_limit_pause:
            self._pause_until = max(self._pause_until, self._clock() + self.retry.near_limit_pause)


class SessionBase:
    """What the sync and async sessions share: construction and what they tell about themselves.

    Parameters
    ----------
    token : AccessToken or str or None
    app_secret, version, base_url, settings, timestamped_proof
        As for :class:`Endpoint`.
    retry : RetryPolicy, optional
        Default :data:`~.policy.DEFAULT_RETRY`.
    """

    def __init__(
        self,
        token: AccessToken | str | None,
        *,
        app_secret: str | None,
        version: str | None,
        base_url: str | None,
        retry: RetryPolicy | None,
        settings: Settings | None,
        timestamped_proof: bool,
    ) -> None:
        endpoint = Endpoint(
            token,
            app_secret=app_secret,
            version=version,
            base_url=base_url,
            settings=settings,
            timestamped_proof=timestamped_proof,
        )
        self._planner = CallPlanner(endpoint, retry if retry is not None else DEFAULT_RETRY)

    @property
    def token(self) -> AccessToken | None:
        """The access token calls are made with."""
        return self._planner.endpoint.token

    @property
    def version(self) -> str:
        """The pinned Graph version (``v25.0``)."""
        return self._planner.endpoint.version

    @property
    def base_url(self) -> str:
        """The Graph root."""
        return self._planner.endpoint.base_url

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy in use."""
        return self._planner.retry

    @property
    def usage(self) -> Usage | None:
        """The latest usage headers."""
        return self._planner.usage

    @property
    def server_time(self) -> datetime | None:
        """The server's clock (its ``Date`` header) at the latest answer, for
        judging expiry the way Graph does even if this machine's clock is off."""
        return self._planner.server_time

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._planner.endpoint.describe()}>"
