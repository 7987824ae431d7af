"""The sandbox clock: real time plus an offset that tests can move forward.

Tokens and codes expire by this clock, so a test can jump past a 60-day
expiry with :meth:`SandboxClock.advance` instead of waiting.
"""

from __future__ import annotations

import threading
import time

__all__ = ["SandboxClock", "fb_date"]

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class SandboxClock:
    """Unix time that follows the wall clock but can be advanced.

    Parameters
    ----------
    offset : float, optional
        Seconds added to ``time.time()`` from the start.
    """

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = float(offset)
        self._lock = threading.Lock()

    def now(self) -> float:
        """Return the sandbox time in unix seconds."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` and return the new time.

        Raises
        ------
        ValueError
            If ``seconds`` is negative: a clock that goes back would let
            expired tokens live again, which real Graph never does.
        """
        seconds = float(seconds)
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds
            return time.time() + self._offset


def fb_date(ts: float) -> str:
    """Format ``ts`` like Graph's expiry messages, e.g. ``Friday, 07-Jun-19 08:00:00 UTC``.

    Built by hand rather than with ``strftime`` because day and month names
    from ``strftime`` follow the process locale.
    """
    t = time.gmtime(int(ts))
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d}-{_MONTHS[t.tm_mon - 1]}-{t.tm_year % 100:02d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} UTC"
    )
