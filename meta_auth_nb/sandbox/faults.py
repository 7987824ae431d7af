"""Injected trouble: random faults, latency and an operator-set throttle.

Faults are drawn from one ``random.Random(seed)`` under a lock, so a fixed
seed and a single-threaded client always meet the same sequence of faults.
A fault is decided before a request is handled, which is what makes a
faulted request free of side effects.
"""

from __future__ import annotations

import math
import random
import threading
import time

from .errors import GraphError

__all__ = ["FAULT_KINDS", "FaultPlan", "Throttle", "fault_error", "rate_limit_error"]

# "drop" closes the socket without answering.
FAULT_KINDS = ("http500", "http503", "drop", "ratelimit")

_RATE_LIMIT_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80000: "(#80000) There have been too many calls from this ad-account. Wait a bit and try again. "
    "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
    80004: "(#80004) There have been too many calls to this ad-account. Wait a bit and try again. "
    "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.",
}


def rate_limit_error(code: int) -> GraphError:
    """The rate-limit error for ``code`` (4, 17, 32, 613, 800xx ...)."""
    msg = _RATE_LIMIT_MESSAGES.get(code) or (f"(#{code}) There have been too many calls. Wait a bit and try again.")
    # User and business-use-case limits carry subcode 2446079 on real Graph.
    subcode = 2446079 if code == 17 or 80000 <= code <= 80014 else None
    return GraphError(msg, code, "OAuthException", subcode=subcode, is_transient=code in (4, 17, 32, 613))


def fault_error(kind: str, ads_call: bool) -> GraphError:
    """The error answered for fault ``kind`` (all but ``drop``)."""
    if kind == "http500":
        return GraphError(
            "An unexpected error has occurred. Please retry your request later.",
            2,
            "OAuthException",
            status=500,
            is_transient=True,
        )
    if kind == "http503":
        return GraphError("An unknown error occurred", 1, "OAuthException", status=503, is_transient=True)
    if kind == "ratelimit":
        return rate_limit_error(80000 if ads_call else 4)
    raise ValueError(kind)


class FaultPlan:
    """Seeded random faults and fixed latency, both changeable at runtime.

    Parameters
    ----------
    seed : int
        Seeds the fault sequence.
    fault_rate : float
        Probability in [0, 1] that a Graph request fails.
    latency_ms : float
        Milliseconds slept before answering each Graph request.
    """

    def __init__(self, seed: int, fault_rate: float = 0.0, latency_ms: float = 0.0) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.fault_rate = 0.0
        self.latency_ms = 0.0
        self.configure(fault_rate, latency_ms)

    def configure(self, fault_rate: float | None = None, latency_ms: float | None = None) -> None:
        """Change the rate and/or latency (``None`` keeps the current value)."""
        if fault_rate is not None:
            if not 0.0 <= float(fault_rate) <= 1.0:
                raise ValueError("fault_rate must be between 0 and 1")
            self.fault_rate = float(fault_rate)
        if latency_ms is not None:
            if float(latency_ms) < 0:
                raise ValueError("latency_ms must be >= 0")
            self.latency_ms = float(latency_ms)

    def draw(self) -> str | None:
        """Decide this request's fault: a kind from :data:`FAULT_KINDS` or ``None``."""
        if self.fault_rate <= 0:
            return None
        with self._lock:
            if self._rng.random() >= self.fault_rate:
                return None
            return self._rng.choice(FAULT_KINDS)

    def item_times_out(self) -> bool:
        """Whether one batch item is answered ``null`` (timed out)."""
        if self.fault_rate <= 0:
            return False
        with self._lock:
            return self._rng.random() < self.fault_rate

    def sleep(self) -> None:
        """Sleep the configured latency."""
        if self.latency_ms > 0:
            time.sleep(self.latency_ms / 1000.0)


class Throttle:
    """``Sandbox.throttle``: every Graph call fails for a span of real time."""

    def __init__(self) -> None:
        self._until = 0.0
        self._code = 80000
        self._lock = threading.Lock()

    def set(self, seconds: float, code: int = 80000) -> None:
        """Throttle for the next ``seconds`` of real (wall-clock) time."""
        with self._lock:
            self._until = time.monotonic() + max(0.0, float(seconds))
            self._code = int(code)

    def active(self) -> tuple[int, float] | None:
        """``(code, minutes_to_regain)`` while throttled, else ``None``.

        Minutes are the time left, rounded *up* to a millionth so a client
        that waits exactly that long is never early.
        """
        with self._lock:
            left = self._until - time.monotonic()
            if left <= 0:
                return None
            return self._code, math.ceil(left * 1e6 / 60) / 1e6
