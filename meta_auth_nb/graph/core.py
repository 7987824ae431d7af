"""One Graph call planned from request to result, and the state a session keeps.

:class:`CallPlanner` turns a call into a plan (see :mod:`.plan`): wait if the
pacer says the call would not fit in the rate-limit budget, send the
request, read the reply, then return, retry after a delay or raise. Which
calls may be repeated is :mod:`.policy`'s decision, how long to wait for a
rate limit :mod:`.pacing`'s. Replies come back with their token-bearing
links scrubbed (:mod:`.links`), and a version that has ended for the
Marketing API is warned about once per session. The drivers
(:class:`~meta_auth_nb.graph.drivers.sync.GraphSession`,
:class:`~meta_auth_nb.graph.drivers.aio.AsyncGraphSession`) only perform what the plan
asks, so both behave the same. :class:`SessionBase` is what they share.
Graph layer, I/O-free.
"""

from __future__ import annotations

import random
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from .._base.errors import GraphConnectionError, GraphError, GraphVersionWarning, RateLimited, TransientError
from .._base.login_errors import CodeExchangeFailed
from .._base.redact import get_logger
from .._base.settings import ENV_MAX_RATE_LIMIT_WAIT, Settings, current_settings
from .._base.tokens import AccessToken
from .._base.usage import Usage
from .._base.usage_headers import parse_usage
from .classify import VERSION_ENDED_CODE
from .links import scrub_body
from .pacing import Pace, Pacer
from .plan import Sleep, Steps
from .policy import DEFAULT_RETRY, RetryPolicy
from .reply import Reply, read_reply, server_time
from .request import CallFacts, Endpoint, call_facts
from .versions import VERSION_WARNING_HEADER, version_advice

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
        Monotonic seconds, for pacing.

    Attributes
    ----------
    usage : Usage or None
        What the usage headers said, each header's latest figures.
    server_time : datetime or None
        The server's clock (its ``Date`` header) at the latest answer.
    rng : random.Random
        Source of the backoff jitter.
    clock : callable
        Monotonic seconds (what plans measure waits with).
    pacer : Pacer
        The rate-limit estimates per ad account.
    """

    def __init__(self, endpoint: Endpoint, retry: RetryPolicy, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.endpoint = endpoint
        self.retry = retry
        self.usage: Usage | None = None
        self.server_time: datetime | None = None
        self.rng = random.Random()
        self.clock = clock
        self.pacer = Pacer(clock)
        self._usage_lock = threading.Lock()  # the sync driver may run plans in threads
        self._version_warned = False

    @property
    def max_wait(self) -> float:
        """Longest rate-limit wait accepted, in seconds (policy, else ``META_MAX_RATE_LIMIT_WAIT``)."""
        given = self.retry.max_rate_limit_wait
        return float(given) if given is not None else self.endpoint.settings.max_rate_limit_wait

    def call(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        idempotent: bool | None = None,
        follows: str | None = None,
        facts: CallFacts | None = None,
    ) -> Steps[Any]:
        """The plan of one call with pacing and retries; it returns the decoded JSON.

        Parameters
        ----------
        method : str
        path : str
            A Graph path (``me/adaccounts``) or a paging URL.
        params : mapping, optional
            Sent in the query, or as the form body for POST.
        idempotent : bool, optional
            Declare the call a read (True) or a write (False); by default
            :func:`~.request.call_facts` decides from the method, a
            ``method=`` override and the path.
        follows : str, optional
            For a paging link: the path of the list it must stay on.
        facts : CallFacts, optional
            What the call is, when the caller knows better (a batch).
        """
        request = self.endpoint.request(method, path, params, follows=follows)
        if facts is None:
            facts = call_facts(method, path, params)
        if idempotent is not None:
            facts = replace(facts, read=idempotent)
        attempt = 0
        refusal: RateLimited | None = None
        while True:
            # Wait until the call fits, then count it: concurrent calls each take their own points.
            while isinstance(pace := self.pacer.reserve(facts), Pace):
                if pace.seconds > self.max_wait:
                    raise self._too_long(pace, refusal if pace.blocked else None)
                log.info("%s", pace.reason)
                yield Sleep(pace.seconds, pace.reason)
            outcome = yield request
            try:
                return self.receive(outcome, facts, ticket=pace)
            except GraphError as error:
                if isinstance(error, RateLimited):
                    refusal = error
                    wait = error.retry_after or self.retry.backoff(attempt + 1, self.rng)
                    self.pacer.refused(facts, wait, _codes(error))
                delay = self.retry.delay_for(error, attempt, read=facts.read, rng=self.rng)
                if delay is None:
                    raise self._final(error, facts) from None
                attempt += 1
                if delay > 0:
                    reason = f"{_passing(error)}: trying again in {delay:.1f} s ({_codes(error)})"
                    log.info("%s %s", request, reason)
                    yield Sleep(delay, reason)

    def receive(
        self, outcome: Reply | GraphConnectionError, facts: CallFacts | None = None, *, ticket: int | None = None
    ) -> Any:
        """Read what a send gave: the decoded JSON with its links scrubbed, or the error raised.

        The usage headers, the server clock and a version warning are noted
        either way; ``ticket`` is the pacer's for the call.
        """
        facts = facts or CallFacts(read=True)
        self.pacer.settled(facts, ticket)
        if isinstance(outcome, GraphConnectionError):
            raise outcome
        self.server_time = server_time(outcome.headers) or self.server_time
        self._check_version(outcome.headers.get(VERSION_WARNING_HEADER))
        body = scrub_body(outcome.body, self.endpoint.secrets)
        try:
            payload, usage = read_reply(
                outcome.status, outcome.headers, body, self.endpoint.place, self.endpoint.version
            )
        except RateLimited as error:
            self.note_usage(error.usage, facts, ticket)
            raise
        except GraphError as error:
            self.note_usage(parse_usage(outcome.headers), facts, ticket)  # an error answer counts too
            if error.code == VERSION_ENDED_CODE:
                self._check_version(error.message)
            raise
        self.note_usage(usage, facts, ticket)
        return payload

    def note_usage(self, usage: Usage | None, facts: CallFacts, ticket: int | None = None) -> None:
        """Keep the latest figures of each usage header (an ad account's under its id, with the time), and tell the
        pacer."""
        if usage is None:
            return
        read = usage.about(facts.account, time.time())
        with self._usage_lock:
            self.usage = read if self.usage is None else self.usage.combined(read)
        self.pacer.note(facts, usage, ticket)

    def carry_usage(self, earlier: Usage | None) -> None:
        """Start from ``earlier`` figures (this session's own, newer ones win)."""
        if earlier is None:
            return
        with self._usage_lock:
            self.usage = earlier if self.usage is None else earlier.combined(self.usage)

    def _check_version(self, text: str | None) -> None:
        """Warn once per session that the pinned version has ended for the Marketing API."""
        if not text or self._version_warned:
            return
        self._version_warned = True
        advice = version_advice(text, self.endpoint.version)
        log.warning("%s", advice)
        warnings.warn(advice, GraphVersionWarning, stacklevel=2)

    def _too_long(self, pace: Pace, refusal: RateLimited | None) -> RateLimited:
        """The error for a wait longer than this session accepts, with the numbers (and Graph's, if it refused)."""
        usage = self.usage
        percent = f" (score at {usage.account_percent:g}%)" if usage and usage.account_percent is not None else ""
        tier = f", tier {usage.tier}" if usage and usage.tier else ""
        return RateLimited(
            f"{pace.what}{percent}{tier}: access comes back in {pace.seconds:.0f} s, "
            f"and this session waits at most {self.max_wait:g} s",
            retry_after=pace.seconds,
            usage=usage,
            hint=(
                f"Try again in {pace.seconds:.0f} s, or allow longer waits with {ENV_MAX_RATE_LIMIT_WAIT} "
                "(or RetryPolicy(max_rate_limit_wait=...)); spread calls out (fewer, larger pages)."
            ),
            code=refusal.code if refusal else None,
            subcode=refusal.subcode if refusal else None,
            type=refusal.type if refusal else None,
            fbtrace_id=refusal.fbtrace_id if refusal else None,
            status=refusal.status if refusal else None,
            is_transient=refusal.is_transient if refusal else False,
        )

    @staticmethod
    def _final(error: GraphError, facts: CallFacts) -> GraphError:
        """The error to raise when a call is not tried again."""
        if facts.code_exchange and (
            isinstance(error, TransientError) or (isinstance(error, GraphConnectionError) and not error.before_send)
        ):
            # The code may well have been spent: sending it again would only say "used".
            return CodeExchangeFailed(
                f"Meta had a problem exchanging the login code ({error.message})",
                hint="Meta had a problem; log in again for a new code (this one may have been used).",
                code=error.code,
                subcode=error.subcode,
                type=error.type,
                fbtrace_id=error.fbtrace_id,
                status=error.status,
            )
        return error


def _codes(error: GraphError) -> str:
    """Graph's codes, for a details line (``code 2601/1815107``, ``HTTP 503``, ``no answer``)."""
    if error.code is None:
        return f"HTTP {error.status}" if error.status else "no answer"
    return f"code {error.code}" + (f"/{error.subcode}" if error.subcode is not None else "")


def _passing(error: GraphError) -> str:
    """Why a call is tried again, in words (the codes go in a details line after)."""
    if isinstance(error, GraphConnectionError):
        return error.message
    if isinstance(error, RateLimited):
        return "a rate limit was reached"
    if isinstance(error, TransientError):
        return "Meta's side had a passing problem"
    return "Graph's answer was not usable"


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
            settings=settings or current_settings(),  # a session is where a call enters: read them once
            timestamped_proof=timestamped_proof,
        )
        self._planner = CallPlanner(endpoint, retry if retry is not None else DEFAULT_RETRY)

    @property
    def settings(self) -> Settings:
        """The settings the session was made with."""
        return self._planner.endpoint.settings

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

    def carry_usage(self, earlier: Usage | None) -> None:
        """Start from ``earlier`` figures: those of a session this one replaces, for the same app and Graph.

        The budgets belong to the app, its ad accounts and businesses, not to a
        token: a new login does not reset them, so neither does its session.
        """
        self._planner.carry_usage(earlier)

    @property
    def server_time(self) -> datetime | None:
        """The server's clock (its ``Date`` header) at the latest answer, for
        judging expiry the way Graph does even if this machine's clock is off."""
        return self._planner.server_time

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._planner.endpoint.describe()}>"
