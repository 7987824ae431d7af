"""How long to wait: retry delays with backoff and jitter, and the near-limit pause.

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
        Retries after the first attempt, for transient errors, dropped
        connections and rate limits without a known wait.
    backoff_base, backoff_max : float
        Exponential backoff in seconds: ``base * 2**attempt``, capped, with
        jitter (a random share of it) so parallel clients spread out.
    max_rate_limit_wait : float
        Longest wait (s) a rate limit may impose before the error is raised
        instead of waited out.
    near_limit_pause : float
        Pause (s) before the next call when a usage header reports 95% or
        more of a quota, to avoid being cut off.
    """

    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_rate_limit_wait: float = 300.0
    near_limit_pause: float = 2.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return (rng or random).uniform(ceiling / 2, ceiling)

    def delay_for(
        self, error: Exception, attempt: int, *, idempotent: bool, rng: random.Random | None = None
    ) -> float | None:
        """Seconds to wait before retrying after ``error``, or None to give up.

        Parameters
        ----------
        error : Exception
            What the latest attempt raised.
        attempt : int
            Retries made so far.
        idempotent : bool
            Whether repeating the call cannot do anything twice.
        rng : random.Random, optional
            Source of the jitter.
        """
        if attempt >= self.max_retries:
            return None
        if isinstance(error, RateLimited):
            if error.retry_after:
                if error.retry_after > self.max_rate_limit_wait:
                    return None
                return error.retry_after + (rng or random).uniform(0, 0.1 * error.retry_after)
            return self.backoff(attempt + 1, rng)
        if isinstance(error, TransientError):
            return self.backoff(attempt, rng)
        # A request that may have reached the server is only repeated when
        # repeating it cannot do anything twice.
        if isinstance(error, GraphConnectionError) and (idempotent or error.before_send):
            return self.backoff(attempt, rng)
        return None


#: The policy of every session built without one.
DEFAULT_RETRY = RetryPolicy()
