"""Times: reading them (unix seconds, ISO 8601, HTTP dates) and saying them in words.

Every "in 58 days" / "3 hours ago" and every ISO string the package shows or
stores is made here. Base layer; stdlib only.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

__all__ = [
    "describe_delta",
    "describe_moment",
    "from_http_date",
    "from_iso",
    "from_unix",
    "to_iso",
    "utcnow",
]


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def from_unix(value: Any) -> datetime | None:
    """Convert unix seconds to an aware UTC datetime; ``0``/missing/garbage give None."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def to_iso(value: datetime | None) -> str | None:
    """Aware datetime -> ISO 8601 UTC string to the second (naive ones are taken as UTC)."""
    if value is None:
        return None
    return _aware(value).astimezone(timezone.utc).isoformat(timespec="seconds")


def from_iso(value: Any) -> datetime | None:
    """ISO 8601 string -> aware UTC datetime; garbage gives None (files people edit may hold anything)."""
    if isinstance(value, datetime):
        return _aware(value).astimezone(timezone.utc)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return _aware(parsed).astimezone(timezone.utc)


def from_http_date(raw: str | None) -> datetime | None:
    """The time in an HTTP ``Date`` header, as an aware UTC datetime; None when absent or garbled."""
    if not raw:
        return None
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return _aware(value)


def describe_delta(delta: timedelta | None) -> str:
    """Say a time difference in words: ``in 58 days``, ``3 hours ago``, ``never``.

    The amount is rounded to the nearest whole unit, so a 60-day token read
    a moment after it was issued says "in 60 days", not "in 59 days".
    """
    if delta is None:
        return "never"
    seconds = delta.total_seconds()
    future = seconds >= 0
    seconds = abs(seconds)
    if seconds < 30:
        return "now"
    words = ""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        # a unit is used from 90% of one upward, so 23.9 hours reads "1 day"
        if seconds >= size * 0.9 or unit == "minute":
            amount = max(1, int(seconds / size + 0.5))
            words = f"{amount} {unit}{'s' if amount != 1 else ''}"
            break
    return f"in {words}" if future else f"{words} ago"


def describe_moment(moment: datetime | str | None, now: datetime | str | None = None, *, none: str = "never") -> str:
    """``in 5 days (2026-12-01 12:00 UTC)``; ``none`` when there is no moment.

    Parameters
    ----------
    moment, now : datetime or ISO string or None
        ``now`` defaults to this machine's clock.
    none : str
        What to say without a moment (``never``, ``unknown``, ``-``).
    """
    when = from_iso(moment)
    if when is None:
        return none
    reference = from_iso(now) or utcnow()
    return f"{describe_delta(when - reference)} ({when:%Y-%m-%d %H:%M} UTC)"
