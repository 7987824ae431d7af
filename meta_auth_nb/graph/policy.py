"""Whether to try a call again, and after how long: retries only where repeating is safe.

A read (GET, a POST with ``method=get`` such as ``debug_token``, a batch of
reads) is repeated after a transient error or a dropped connection. A write
is repeated only when it surely did not happen: the connection never opened,
or Graph refused it for a rate limit (it was not run). After a timeout or any
other reply, a write is never sent again: it may have taken effect.
How long a rate limit lasts is the pacer's business (:mod:`.pacing`).
:data:`DEFAULT_RETRY` is the one policy sessions use when given none.
Graph layer, I/O-free.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .._base.errors import GraphConnectionError, RateLimited, TransientError

__all__ = ["DEFAULT_RETRY", "RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before trying a call again.

    Attributes
    ----------
    max_retries : int
        Retries after the first attempt.
    backoff_base, backoff_max : float
        Exponential backoff in seconds: ``base * 2**attempt``, capped, with
        jitter (a random share of it) so parallel clients spread out.
    max_rate_limit_wait : float or None
        Longest wait (s) a rate limit may impose, pacing or a block, before
        :class:`~meta_auth_nb.errors.RateLimited` is raised instead; None
        takes ``META_MAX_RATE_LIMIT_WAIT`` (300 s by default).
    """

    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_rate_limit_wait: float | None = None

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return (rng or random).uniform(ceiling / 2, ceiling)

    def delay_for(
        self, error: Exception, attempt: int, *, read: bool, rng: random.Random | None = None
    ) -> float | None:
        """Seconds to wait before retrying after ``error``, or None to give up.

        Parameters
        ----------
        error : Exception
            What the latest attempt raised.
        attempt : int
            Retries made so far.
        read : bool
            Whether the call only reads, so repeating it cannot do anything twice.
        rng : random.Random, optional
            Source of the jitter.

        Returns
        -------
        float or None
            0 for a rate limit (the pacer knows how long it lasts), a backoff
            for a transient failure of a read or a connection that never
            opened, None otherwise.
        """
        if attempt >= self.max_retries:
            return None
        if isinstance(error, RateLimited):
            return 0.0  # refused, so not run: safe to send again once the pacer says
        if isinstance(error, GraphConnectionError) and error.kind == "lookup" and attempt >= 1:
            return None  # a name that does not resolve twice running: offline, and seconds more will not help
        if isinstance(error, GraphConnectionError) and error.before_send:
            return self.backoff(attempt, rng)
        if not read:
            return None  # a timeout, a reset or a reply: the write may have taken effect
        if isinstance(error, (TransientError, GraphConnectionError)):
            return self.backoff(attempt, rng)
        return None


#: The policy of every session built without one.
DEFAULT_RETRY = RetryPolicy()
