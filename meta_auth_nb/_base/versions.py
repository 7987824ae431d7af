"""Graph API versions and the dates their Marketing API calls end: the one table, and what to say about it.

Marketing API calls live shorter than Graph's: a version stops serving ads
calls on its Marketing API end date, after which Meta upgrades each call to
a newer version (and sends an ``X-Ad-Api-Version-Warning`` header) or
refuses it with error 2635. :func:`version_notice` says, in one sentence,
whether a pinned version has ended or ends within :data:`WARN_DAYS` and which
setting to change. ``%meta_login``, ``session()``, ``meta-auth check`` and the
Graph client's reaction to the header all use it. Base layer; stdlib only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "DEFAULT_GRAPH_VERSION",
    "VERSIONS",
    "WARN_DAYS",
    "ApiVersion",
    "marketing_end",
    "upgrade_hint",
    "version_notice",
    "version_number",
]

#: Warn this many days before a pinned version's Marketing API end date.
WARN_DAYS = 90
_SETTING = "META_GRAPH_VERSION"
_VERSION_RE = re.compile(r"^v(\d+)\.(\d+)$")


@dataclass(frozen=True)
class ApiVersion:
    """One Graph API version.

    Attributes
    ----------
    name : str
        ``v27.0`` style.
    released : date or None
        When Meta released it (None when not recorded).
    marketing_ends : date or None
        The day its Marketing API calls stop being served on this version
        (None while Meta has not announced it).
    """

    name: str
    released: date | None
    marketing_ends: date | None


#: Oldest first. From Meta's changelog and Marketing API version pages (as of 2026-11).
VERSIONS: tuple[ApiVersion, ...] = (
    ApiVersion("v24.0", None, date(2026, 11, 10)),
    ApiVersion("v25.0", date(2026, 2, 18), date(2027, 2, 23)),
    ApiVersion("v26.0", date(2026, 7, 29), None),
    ApiVersion("v27.0", date(2026, 11, 4), None),
)
#: The newest stable version: the default of ``META_GRAPH_VERSION``.
DEFAULT_GRAPH_VERSION = VERSIONS[-1].name


def version_number(version: str) -> tuple[int, int] | None:
    """``"v25.0"`` -> ``(25, 0)``; None for anything else."""
    match = _VERSION_RE.match(version or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def marketing_end(version: str) -> tuple[bool, date | None]:
    """Whether a version's Marketing API end is known to have passed or been announced, and the date.

    Returns
    -------
    (older_than_table, end_date)
        ``older_than_table`` is True for a version older than every entry
        of :data:`VERSIONS` (those ended before the oldest one did, on a
        date not recorded here). ``end_date`` is the announced end, or None
        (not announced, or not a version this table knows).
    """
    number = version_number(version)
    if number is None:
        return False, None
    for entry in VERSIONS:
        if entry.name == version:
            return False, entry.marketing_ends
    oldest = version_number(VERSIONS[0].name)
    return (oldest is not None and number < oldest), None


def upgrade_hint() -> str:
    """Which setting to change, and to what."""
    return f"Set {_SETTING}={DEFAULT_GRAPH_VERSION} (the newest version), or unset it to use that default."


def version_notice(version: str, today: date) -> str | None:
    """One sentence when ``version``'s Marketing API calls have ended or end within :data:`WARN_DAYS`.

    Parameters
    ----------
    version : str
        The pinned version (``v25.0``).
    today : date
        The day to judge by (a test, or Graph's clock, may pass its own).

    Returns
    -------
    str or None
        What happens and which setting to change; None when nothing is due
        (an end date further away, none announced, or a version newer than
        this table).
    """
    older, ends = marketing_end(version)
    effect = (
        "Meta upgrades such calls to a newer version (with an X-Ad-Api-Version-Warning header) "
        "or refuses them (error 2635)"
    )
    if older:
        return f"Graph API {version} no longer serves Marketing API calls: {effect}. {upgrade_hint()}"
    if ends is None:
        return None
    left = (ends - today).days
    if left <= 0:
        return f"Marketing API calls on Graph API {version} ended on {ends:%Y-%m-%d}: {effect}. {upgrade_hint()}"
    if left <= WARN_DAYS:
        when = "tomorrow" if left == 1 else f"in {left} days"
        return (
            f"Marketing API calls on Graph API {version} end on {ends:%Y-%m-%d} ({when}); after that {effect}. "
            f"{upgrade_hint()}"
        )
    return None
