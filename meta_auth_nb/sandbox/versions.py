"""Graph API versions as Meta serves Marketing API calls on them (the sandbox's own copy of Meta's dates).

Kept apart from the client's table on purpose: the sandbox plays Meta, so a
wrong date in the client is caught by a test instead of being agreed with.
A Marketing API call (an ad account, insights, ``me/adaccounts``) on a
version whose Marketing API end date has passed, by the sandbox clock, is
upgraded to the oldest version still served and answered with an
``X-Ad-Api-Version-Warning`` header, or, on a strict sandbox, refused
with error 2635.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from .errors import GraphError

__all__ = ["NEWEST", "WARNING_HEADER", "check_version", "is_marketing_path"]

#: Marketing API end dates Meta announced (versions older than the first are long gone).
_ENDS = (("v24.0", date(2026, 11, 10)), ("v25.0", date(2027, 2, 23)), ("v26.0", None), ("v27.0", None))
NEWEST = "v27.0"
WARNING_HEADER = "X-Ad-Api-Version-Warning"
_VERSION = re.compile(r"^v(\d+)\.(\d+)$")


def _number(version: str) -> tuple[int, int]:
    match = _VERSION.match(version)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def is_marketing_path(path: str) -> bool:
    """True for Marketing API calls: ad accounts, insights, a user's ad accounts."""
    return path.startswith("/act_") or path.endswith("/insights") or path.endswith("/adaccounts")


def _ended(version: str, today: date) -> bool:
    if _number(version) < _number(_ENDS[0][0]):
        return True
    return any(name == version and end is not None and today >= end for name, end in _ENDS)


def _served(today: date) -> str:
    """The oldest version still serving Marketing API calls on ``today``."""
    for name, end in _ENDS:
        if end is None or today < end:
            return name
    return NEWEST


def check_version(version: str | None, path: str, now: float, *, strict: bool) -> tuple[str, str] | None:
    """What a call on ``version`` gets: None (served as asked), or the warning header.

    Raises
    ------
    GraphError
        Code 2635 on a strict sandbox, for an ended version.
    """
    if not version or not is_marketing_path(path):
        return None
    today = datetime.fromtimestamp(now, timezone.utc).date()
    if not _ended(version, today):
        return None
    if strict:
        raise GraphError(
            f"(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: "
            f"{NEWEST}.",
            2635,
            "OAuthException",
        )
    served = _served(today)
    return (
        WARNING_HEADER,
        f"The call has been auto-upgraded to {served} as {version} has been deprecated. "
        f"Please update to the latest version: {NEWEST}.",
    )
