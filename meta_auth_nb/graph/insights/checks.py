"""What an insights query can be told before any call: the ids asked for, its names, its days.

Each check raises :class:`~meta_auth_nb.errors.ConfigError` saying what is
wrong and what to do, or warns (:class:`~meta_auth_nb.errors.InsightsWarning`)
when Meta would answer with less than the query asks:

* :func:`target_ids`: ``"act_<id>"``, bare digits (an ad account's number, or
  a campaign's, an ad set's or an ad's: told apart by one look-up when the pull
  starts), ints, NumPy integers and a pandas Series or list of any of them;
  numbers with decimals are refused (a CSV read as floats has lost digits);
* :func:`check_names`: ``fields``, ``breakdowns``, ``action_breakdowns`` and
  ``action_attribution_windows`` against the names table (:mod:`.names`), with
  close matches for a typo and the removed ``7d_view``/``28d_view`` windows;
* :func:`check_days`: a range starting more than 37 months back (Meta keeps no
  more), a range wholly in the future (no data), reach with breakdowns more
  than 13 months back (Meta drops it: warned).

Dates are judged by this machine's clock, a day of slack either way for time
zones: what is refused here Meta would refuse too. Graph layer, I/O-free.
"""

from __future__ import annotations

import datetime as _dt
import numbers
import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..._base.errors import ConfigError
from ..._base.insights_errors import InsightsWarning
from .names import (
    ACTION_BREAKDOWNS,
    ATTRIBUTION_WINDOWS,
    BREAKDOWNS,
    FIELDS,
    NAMES_AS_OF,
    REMOVED_WINDOWS,
    close_matches,
)
from .query import HISTORY_MONTHS, months_back

__all__ = ["REACH_MONTHS", "check_days", "check_names", "target_ids"]

#: Reach, frequency and cpp with breakdowns are dropped for days further back than this (Meta, June 2025).
REACH_MONTHS = 13
_REACH_FIELDS = ("reach", "frequency", "cpp")
_DAY = _dt.timedelta(days=1)
_HOW = "'act_<digits>' (an ad account), a campaign's, ad set's or ad's id, a list or Series of them, or 'all'"


def _one_id(item: Any) -> str:
    if isinstance(item, bool):
        raise ConfigError(f"{item!r} is not an id: use {_HOW}")
    if isinstance(item, numbers.Integral):
        return str(int(item))
    if isinstance(item, numbers.Real):
        raise ConfigError(
            f"{item!r} is a floating-point number, and ids that long lose digits as such: read the ids as text "
            "(pd.read_csv(..., dtype={'account_id': str})) or as whole numbers"
        )
    text = str(item).strip()
    digits = text[4:] if text.startswith("act_") else text
    if not digits.isascii() or not digits.isdigit():
        raise ConfigError(f"{text!r} is not an ad account or ad object id: use {_HOW}")
    return text


def target_ids(accounts: Any) -> list[str] | None:
    """The ids asked for, in order, each once (``act_<digits>`` or bare digits); None for ``"all"``.

    Raises
    ------
    ConfigError
        For no id, or something that is not one.
    """
    if isinstance(accounts, str) and accounts.strip().lower() == "all":
        return None
    if isinstance(accounts, (str, bytes, numbers.Number)):
        items: Iterable[Any] = [accounts.decode() if isinstance(accounts, bytes) else accounts]
    else:
        try:
            items = list(accounts)
        except TypeError:
            raise ConfigError(f"{accounts!r} is not an id: use {_HOW}") from None
    ids = [_one_id(item) for item in items]
    if not ids:
        raise ConfigError(f"no ad account given: pass {_HOW}")
    return list(dict.fromkeys(ids))


def _unknown(names: Sequence[str], known: frozenset[str], what: str, unchecked: frozenset[str]) -> None:
    wrong = [name for name in names if name not in known and name not in unchecked]
    if not wrong:
        return
    said = []
    for name in wrong:
        near = close_matches(name, known)
        said.append(f"{name!r}" + (f" (did you mean {' or '.join(map(repr, near))}?)" if near else ""))
    them = "these" if len(wrong) > 1 else "it"
    raise ConfigError(
        f"{what}: {', '.join(said)} {'are' if len(wrong) > 1 else 'is'} not among the names Meta lists for "
        f"insights (as of {NAMES_AS_OF}). If Meta added {them} since, send {them} as written with "
        f"unchecked={wrong!r}."
    )


def check_names(
    *,
    fields: Sequence[str],
    breakdowns: Sequence[str],
    action_breakdowns: Sequence[str],
    windows: Sequence[str],
    unchecked: Iterable[str] = (),
) -> None:
    """Refuse names the table does not know (unless ``unchecked``) and removed attribution windows.

    Raises
    ------
    ConfigError
        Naming each unknown name with its close matches, or the removed window and what to use instead.
    """
    allowed = frozenset(unchecked)
    removed = [w for w in windows if w in REMOVED_WINDOWS]
    if removed:
        day, instead = REMOVED_WINDOWS[removed[0]]
        raise ConfigError(
            f"action_attribution_windows: {' and '.join(removed)} {'were' if len(removed) > 1 else 'was'} removed by "
            f"Meta on {day.isoformat()}: use {instead!r} (or a click window: '7d_click', '28d_click')"
        )
    _unknown(fields, FIELDS, "fields", allowed)
    _unknown(breakdowns, BREAKDOWNS, "breakdowns", allowed)
    _unknown(action_breakdowns, ACTION_BREAKDOWNS, "action_breakdowns", allowed)
    _unknown(windows, ATTRIBUTION_WINDOWS, "action_attribution_windows", allowed)


def check_days(
    since: _dt.date, until: _dt.date, today: _dt.date, *, fields: Sequence[str], breakdowns: Sequence[str]
) -> None:
    """Refuse a range Meta has no data for; warn when it would drop reach for part of it.

    Parameters
    ----------
    since, until : date
        The range asked for.
    today : date
        Today by this machine's clock (UTC); a day of slack is allowed either way.

    Raises
    ------
    ConfigError
        A start more than 37 months back, or a range wholly in the future.
    """
    oldest = months_back(today - _DAY, HISTORY_MONTHS)
    if since < oldest:
        raise ConfigError(
            f"time_range starts on {since.isoformat()}, but Meta keeps insights for {HISTORY_MONTHS} months: start on "
            f"{oldest.isoformat()} or later"
        )
    if since > today + _DAY:
        raise ConfigError(
            f"time_range starts on {since.isoformat()}, after today ({today.isoformat()}): Meta has no insights for "
            "days to come; pick days up to today"
        )
    dropped = [f for f in _REACH_FIELDS if f in fields]
    if dropped and breakdowns and since < months_back(today, REACH_MONTHS):
        warnings.warn(
            f"{', '.join(dropped)} with breakdowns ({', '.join(breakdowns)}): Meta leaves them out for days more than "
            f"{REACH_MONTHS} months back, so rows before {months_back(today, REACH_MONTHS).isoformat()} come without "
            "them; ask for them without breakdowns, or for later days",
            InsightsWarning,
            stacklevel=_caller_level(),
        )


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning at the user's call: the first frame outside this package
    (and outside ``functools``, whose ``cached_property`` runs the checks)."""
    package = str(Path(__file__).resolve().parents[2])
    frame, level = sys._getframe(1), 1
    while frame is not None and (
        frame.f_code.co_filename.startswith(package) or frame.f_globals.get("__name__") == "functools"
    ):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level
