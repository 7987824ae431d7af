"""What a test or a workshop does to a running sandbox to make trouble: faults, throttles, rate limits.

:class:`Trouble` is mixed into :class:`~.core.Sandbox`; every method acts on its engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .faults import Scripted
from .ratelimit import get_tier
from .wire import split_version

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["Trouble"]


class Trouble:
    """Faults, throttles and rate limits of a running sandbox (mixed into :class:`~.core.Sandbox`)."""

    _engine: Engine

    def set_faults(
        self, fault_rate: float | None = None, latency_ms: float | None = None, after_effect: float | None = None
    ) -> None:
        """Change the fault rate, latency and/or the share of 5xx and dropped-connection faults
        that strike after the request took effect, while running."""
        self._engine.plan.configure(fault_rate, latency_ms, after_effect)

    def throttle(self, seconds: float, code: int = 80000) -> None:
        """Answer every Graph call with rate-limit error ``code`` for ``seconds`` of real time."""
        self._engine.throttle.set(seconds, code)

    # ---- rate limits and faults after the fact ------------------------------------------------
    @property
    def tier(self) -> str:
        """The rate-limit tier: ``standard`` or ``development``."""
        return self._engine.limits.tier.name

    @property
    def rate_limit_speed(self) -> float:
        """How many times faster than real time the rate-limit clock runs."""
        return self._engine.rate_clock.speed

    def set_rate_limits(self, tier: str | None = None, speed: float | None = None) -> None:
        """Change the tier and/or the rate-limit clock's speed while running."""
        if tier is not None:
            self._engine.limits.set_tier(get_tier(tier))
        if speed is not None:
            self._engine.rate_clock.set_speed(speed)

    def advance_rate_limits(self, seconds: float) -> None:
        """Move only the rate-limit clock forward: scores decay, blocks and hourly windows pass."""
        self._engine.rate_clock.advance(seconds)

    def fail_next(
        self,
        fault: str | Mapping[str, Any] = "http500",
        *,
        path: str | None = None,
        after_effect: bool = False,
        times: int = 1,
    ) -> None:
        """Make the next matching Graph request (or batch item) fail.

        Parameters
        ----------
        fault : str or mapping
            ``"http500"``, ``"http503"``, ``"drop"`` (no answer) or
            ``"ratelimit"``; one of Meta's errors by name (:data:`~.meta_faults.META_FAULTS`:
            ``"insights_timeout"``, ``"invalid_breakdowns"``, ``"insights_throttled"``,
            ``"call_limit"``...); or a recorded Graph reply
            ``{"status": 400, "error": {...}, "headers": {...}}``, answered
            as is (``fbtrace_id`` added); ``{"headers": {...}}`` adds headers
            to the real answer.
        path : str, optional
            Only a request on this Graph path (``oauth/access_token``,
            ``act_1/insights``; version-free) meets it; default the next one.
        after_effect : bool
            The request takes effect first (a code is spent, a token issued),
            then the fault is answered, as real servers sometimes fail.
        times : int
            How many matching requests meet it.
        """
        where = None if path is None else split_version("/" + path.lstrip("/"))[1]
        self._engine.script.add(Scripted(fault, where, after_effect, int(times)))

    def fail_next_job(
        self, ending: str = "failed", *, times: int = 1, failure: Mapping[str, Any] | None = None
    ) -> None:
        """Make the next ``times`` report runs end ``"failed"`` or ``"skipped"``; ``failure``: a failed run's
        ``error_*`` fields (default -2/2490547, see :mod:`.report_runs`)."""
        self._engine.report_runs.script(ending, times, dict(failure) if failure else None)
