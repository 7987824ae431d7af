"""Injected trouble: random faults, latency, scripted replies and an operator-set throttle.

Faults are drawn from one ``random.Random(seed)`` under a lock, so a fixed
seed and a single-threaded client always meet the same sequence of faults.
By default a fault strikes before a request is handled, so a faulted request
has no side effect. Real servers also fail *after* a request took effect (a
code spent, then HTTP 500, or the connection lost before the answer): the
``after_effect`` share of 5xx and dropped-connection faults strikes then,
and a scripted fault (:class:`Script`, ``Sandbox.fail_next``) can be told
to. A scripted fault may also be a recorded Graph reply (status, error
envelope, headers) for the next matching request.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .errors import GraphError, fbtrace_id
from .meta_faults import META_FAULTS, meta_fault

__all__ = ["FAULT_KINDS", "FaultPlan", "Script", "Scripted", "Throttle", "fault_error", "rate_limit_error"]

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
    # User and business-use-case limits carry subcode 2446079 on real Graph, the call limit 1487742.
    subcode = 2446079 if code == 17 or 80000 <= code <= 80014 else (1487742 if code == 613 else None)
    return GraphError(msg, code, "OAuthException", subcode=subcode, is_transient=code in (4, 17, 32, 613))


def limit_error(code: int, message: str) -> GraphError:
    """A refusal by the rate-limit model, as Graph words it (17 or 80000/80004, subcode 2446079)."""
    titles = {
        17: ("Ad Account Has Too Many API Calls", "There have been too many calls from this ad account."),
        80000: ("Too Many Insights Calls", "There have been too many insights calls to this ad account."),
        80004: ("Too Many Ads Management Calls", "There have been too many ads management calls to this ad account."),
    }
    title, text = titles.get(code, (None, None))
    return GraphError(
        message,
        code,
        "OAuthException",
        subcode=2446079 if code not in (4, 32) else None,
        is_transient=True,
        user_title=title,
        user_msg=f"{text} Please wait a bit and try again." if text else None,
    )


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
        self.after_effect = 0.0
        self.configure(fault_rate, latency_ms)

    def configure(
        self, fault_rate: float | None = None, latency_ms: float | None = None, after_effect: float | None = None
    ) -> None:
        """Change the rate, latency and/or after-effect share (``None`` keeps the current value)."""
        if fault_rate is not None:
            if not 0.0 <= float(fault_rate) <= 1.0:
                raise ValueError("fault_rate must be between 0 and 1")
            self.fault_rate = float(fault_rate)
        if after_effect is not None:
            if not 0.0 <= float(after_effect) <= 1.0:
                raise ValueError("after_effect must be between 0 and 1")
            self.after_effect = float(after_effect)
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

    def strikes_after(self, kind: str) -> bool:
        """Whether fault ``kind`` strikes after the request took effect (never for rate limits)."""
        if self.after_effect <= 0 or kind == "ratelimit":
            return False
        with self._lock:
            return self._rng.random() < self.after_effect

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


@dataclass
class Scripted:
    """One scripted fault.

    Attributes
    ----------
    fault : str or mapping
        A kind of :data:`FAULT_KINDS`, or a recorded reply
        ``{"status": 400, "error": {...}, "headers": {...}}``; a reply with
        only ``headers`` adds them to the real answer.
    path : str or None
        Only requests (or batch items) on this path (``/oauth/access_token``,
        version-free) meet it; None: the next Graph request.
    after_effect : bool
        Let the request take effect first, then answer the fault.
    times : int
        How many matching requests meet it.
    """

    fault: str | Mapping[str, Any]
    path: str | None = None
    after_effect: bool = False
    times: int = 1

    @property
    def headers_only(self) -> bool:
        """A reply that only adds headers to the real answer."""
        return isinstance(self.fault, Mapping) and set(self.fault) <= {"headers"}

    def reply(self) -> tuple[int, Any, list[tuple[str, str]]] | None:
        """``(status, body, headers)`` of a recorded reply; None for a fault kind."""
        if isinstance(self.fault, str):
            return None
        headers = [(str(k), str(v)) for k, v in dict(self.fault.get("headers") or {}).items()]
        if "error" not in self.fault and "body" not in self.fault:
            return int(self.fault.get("status") or 200), None, headers
        body = self.fault.get("body")
        if "error" in self.fault:
            error = dict(self.fault["error"])
            error.setdefault("fbtrace_id", fbtrace_id())
            body = {"error": error}
        return int(self.fault.get("status") or (400 if "error" in self.fault else 200)), body, headers


class Script:
    """Faults queued for the next matching requests (``Sandbox.fail_next``).

    Parameters
    ----------
    business_id : str
        The business the named throttles' usage headers speak of.
    """

    def __init__(self, business_id: str | None = None) -> None:
        self._queue: list[Scripted] = []
        self._lock = threading.Lock()
        self._business_id = business_id

    def add(self, entry: Scripted) -> None:
        """Queue ``entry`` (checked first: a fault kind must be known; one of Meta's by name becomes its reply)."""
        if isinstance(entry.fault, str) and entry.fault in META_FAULTS:
            entry = replace(entry, fault=meta_fault(entry.fault, self._business_id))
        if isinstance(entry.fault, str) and entry.fault not in FAULT_KINDS:
            known = ", ".join([*FAULT_KINDS, *META_FAULTS])
            raise ValueError(f"unknown fault {entry.fault!r}; known: {known} or a reply mapping")
        if entry.times < 1:
            raise ValueError("times must be 1 or more")
        with self._lock:
            self._queue.append(entry)

    def take(self, path: str) -> Scripted | None:
        """The first queued fault matching ``path`` (one of its ``times`` used up), or None."""
        if not self._queue:
            return None
        with self._lock:
            for entry in self._queue:
                if entry.path is None or entry.path.rstrip("/") == path.rstrip("/"):
                    entry.times -= 1
                    if entry.times <= 0:
                        self._queue.remove(entry)
                    return entry
        return None
