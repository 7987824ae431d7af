"""What an insights pull asks for: ``meta.insights()``'s arguments, checked, as Graph parameters per slice.

:func:`build_query` checks the arguments once, before any call, and raises
:class:`~meta_auth_nb.errors.ConfigError` for what cannot work (an unknown
date preset or level, a ``time_range`` backwards, both a preset and a
range). An :class:`InsightsQuery` gives the parameters of one slice
(:meth:`InsightsQuery.params`: the pull always asks for the account's id and
name and the ids and names of the level's objects, so every row says whose
it is) and a fingerprint for checkpoints. Date presets are resolved into
dates by :func:`resolve_range`, with Meta's meanings, in the ad account's
time zone (``last_7d``: the seven days before today). Graph layer, I/O-free.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..._base.errors import ConfigError
from ..request import encode_params

__all__ = [
    "DATE_PRESETS",
    "DEFAULT_FIELDS",
    "LEVELS",
    "InsightsQuery",
    "build_query",
    "resolve_range",
    "today_in",
]

LEVELS = ("account", "campaign", "adset", "ad")
#: The identity fields asked for at each level, in column order. ``account_currency`` comes with every row:
#: money columns (spend, action values) are in the account's currency, and accounts differ.
_ACCOUNT = ("account_id", "account_name", "account_currency")
ID_FIELDS = {
    "account": _ACCOUNT,
    "campaign": (*_ACCOUNT, "campaign_id", "campaign_name"),
    "adset": (*_ACCOUNT, "campaign_id", "campaign_name", "adset_id", "adset_name"),
    "ad": (*_ACCOUNT, "campaign_id", "campaign_name", "adset_id", "adset_name", "ad_id", "ad_name"),
}
#: Fields asked for when the call names none.
DEFAULT_FIELDS = ("impressions", "clicks", "spend", "actions")
_ROLLING = {"last_3d": 3, "last_7d": 7, "last_14d": 14, "last_28d": 28, "last_30d": 30, "last_90d": 90}
DATE_PRESETS = (
    "today",
    "yesterday",
    *_ROLLING,
    "this_week_mon_today",
    "this_week_sun_today",
    "last_week_mon_sun",
    "last_week_sun_sat",
    "this_month",
    "last_month",
    "this_quarter",
    "last_quarter",
    "this_year",
    "last_year",
    "maximum",
)
#: How far back Meta keeps insights.
HISTORY_MONTHS = 37
#: Parameters the pull sets itself.
_OWN = frozenset({"time_range", "time_ranges", "date_preset", "after", "before", "access_token"})
_DAY = _dt.timedelta(days=1)


def _names(value: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    names = tuple(dict.fromkeys(str(v).strip() for v in items if str(v).strip()))
    if any(not n.replace("_", "").replace(".", "").isalnum() for n in names):
        raise ConfigError(f"{what} must be names like 'impressions' or 'age', got {list(names)!r}")
    return names


def _day(value: Any, what: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"time_range {what} must be a date (YYYY-MM-DD), got {value!r}") from None


def _range(value: Any) -> tuple[_dt.date, _dt.date]:
    if isinstance(value, Mapping):
        if "since" not in value or "until" not in value:
            raise ConfigError("time_range needs 'since' and 'until': {'since': '2025-01-01', 'until': '2025-03-31'}")
        since, until = _day(value["since"], "since"), _day(value["until"], "until")
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        since, until = _day(value[0], "since"), _day(value[1], "until")
    else:
        raise ConfigError("time_range is {'since': 'YYYY-MM-DD', 'until': 'YYYY-MM-DD'} or a (since, until) pair")
    if since > until:
        raise ConfigError(f"time_range: since ({since}) is after until ({until})")
    return since, until


def _increment(value: Any) -> str:
    text = str(value).strip().lower() if value is not None else "all_days"
    if text in ("monthly", "all_days"):
        return text
    if text.isdigit() and 1 <= int(text) <= 90:
        return str(int(text))
    raise ConfigError(f"time_increment is a number of days from 1 to 90, 'monthly' or 'all_days'; got {value!r}")


@dataclass(frozen=True)
class InsightsQuery:
    """A checked insights pull, the same for every slice but its dates.

    Attributes
    ----------
    fields : tuple of str
        The fields asked for, in the caller's order.
    level : str
    time_increment : str
        ``"1"``..``"90"``, ``"monthly"`` or ``"all_days"``.
    breakdowns, action_breakdowns : tuple of str
    filtering : str or None
        JSON text of the ``filtering`` list.
    date_preset : str or None
    time_range : (date, date) or None
    extra : tuple of (str, str)
        Any other Graph parameter, encoded, sorted.
    page_size : int
        Rows per page (``limit``).
    """

    fields: tuple[str, ...]
    level: str
    time_increment: str
    breakdowns: tuple[str, ...]
    action_breakdowns: tuple[str, ...]
    filtering: str | None
    date_preset: str | None
    time_range: tuple[_dt.date, _dt.date] | None
    extra: tuple[tuple[str, str], ...]
    page_size: int = 500

    @property
    def graph_fields(self) -> tuple[str, ...]:
        """What each call asks for: the identity fields of the level, then the caller's."""
        return tuple(dict.fromkeys([*ID_FIELDS[self.level], *self.fields]))

    @property
    def id_fields(self) -> tuple[str, ...]:
        """The identity fields of the level (``account_id``... ``ad_name``)."""
        return ID_FIELDS[self.level]

    def params(self, since: _dt.date, until: _dt.date) -> dict[str, Any]:
        """Graph parameters for the days ``since``..``until`` (both included)."""
        params: dict[str, Any] = dict(self.extra)
        params.update(
            fields=",".join(self.graph_fields),
            level=self.level,
            time_increment=self.time_increment,
            time_range=json.dumps({"since": since.isoformat(), "until": until.isoformat()}),
        )
        if self.breakdowns:
            params["breakdowns"] = ",".join(self.breakdowns)
        if self.action_breakdowns:
            params["action_breakdowns"] = ",".join(self.action_breakdowns)
        if self.filtering:
            params["filtering"] = self.filtering
        return params

    def fingerprint(self) -> dict[str, Any]:
        """The query as plain JSON values: a checkpoint resumes only the same query."""
        return {
            "fields": list(self.fields),
            "level": self.level,
            "time_increment": self.time_increment,
            "breakdowns": list(self.breakdowns),
            "action_breakdowns": list(self.action_breakdowns),
            "filtering": self.filtering,
            "date_preset": self.date_preset,
            "time_range": [d.isoformat() for d in self.time_range] if self.time_range else None,
            "extra": [list(pair) for pair in self.extra],
        }


def build_query(
    *,
    fields: str | Sequence[str] | None,
    level: str | None,
    date_preset: str | None,
    time_range: Any,
    time_increment: Any,
    breakdowns: str | Sequence[str] | None,
    action_breakdowns: str | Sequence[str] | None,
    filtering: Any,
    page_size: int,
    extra: Mapping[str, Any],
) -> InsightsQuery:
    """Check ``meta.insights()``'s arguments (see :meth:`~meta_auth_nb.graph.sync.GraphSession.insights`).

    Raises
    ------
    ConfigError
        What cannot work, said before any call is made.
    """
    level = (level or "account").strip().lower()
    if level not in LEVELS:
        raise ConfigError(f"level is one of {', '.join(LEVELS)}; got {level!r}")
    if date_preset is not None and time_range is not None:
        raise ConfigError("give date_preset or time_range, not both")
    if date_preset is not None and date_preset not in DATE_PRESETS:
        raise ConfigError(f"date_preset {date_preset!r} is not one of: {', '.join(DATE_PRESETS)}")
    if not 1 <= int(page_size) <= 500:
        raise ConfigError("page_size is from 1 to 500 (rows per page)")
    own = sorted(k for k in extra if k in _OWN or k == "limit")
    if own:
        raise ConfigError(
            f"{', '.join(own)}: the pull sets these itself (use time_range= or date_preset=, and page_size=)"
        )
    if filtering is not None and not isinstance(filtering, str):
        filtering = json.dumps(filtering, separators=(",", ":"), sort_keys=True)
    return InsightsQuery(
        fields=_names(fields, "fields") or DEFAULT_FIELDS,
        level=level,
        time_increment=_increment(time_increment),
        breakdowns=_names(breakdowns, "breakdowns"),
        action_breakdowns=_names(action_breakdowns, "action_breakdowns"),
        filtering=filtering,
        date_preset=None if time_range is not None else (date_preset or "last_30d"),
        time_range=_range(time_range) if time_range is not None else None,
        extra=tuple(sorted(encode_params(extra).items())),
        page_size=int(page_size),
    )


def today_in(timezone_name: str | None, now: _dt.datetime) -> _dt.date:
    """The calendar day at ``now`` in ``timezone_name`` (UTC when unknown or not on this machine)."""
    moment = now if now.tzinfo else now.replace(tzinfo=_dt.timezone.utc)
    if timezone_name:
        try:
            from zoneinfo import ZoneInfo

            return moment.astimezone(ZoneInfo(timezone_name)).date()
        except Exception:  # no such zone, or no tz database here
            pass
    return moment.astimezone(_dt.timezone.utc).date()


def _months_back(day: _dt.date, months: int) -> _dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month + 1, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def resolve_range(query: InsightsQuery, today: _dt.date) -> tuple[_dt.date, _dt.date]:
    """The days a pull covers for an account whose today is ``today``: its time range, or its preset's days."""
    if query.time_range is not None:
        return query.time_range
    name = query.date_preset or "last_30d"
    if name in _ROLLING:
        return today - _ROLLING[name] * _DAY, today - _DAY
    month = today.replace(day=1)
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    monday = today - today.weekday() * _DAY
    sunday = today - ((today.weekday() + 1) % 7) * _DAY
    spans = {
        "today": (today, today),
        "yesterday": (today - _DAY, today - _DAY),
        "this_week_mon_today": (monday, today),
        "this_week_sun_today": (sunday, today),
        "last_week_mon_sun": (monday - 7 * _DAY, monday - _DAY),
        "last_week_sun_sat": (sunday - 7 * _DAY, sunday - _DAY),
        "this_month": (month, today),
        "last_month": ((month - _DAY).replace(day=1), month - _DAY),
        "this_quarter": (quarter, today),
        "last_quarter": (_months_back(quarter, 3), quarter - _DAY),
        "this_year": (today.replace(month=1, day=1), today),
        "last_year": (today.replace(year=today.year - 1, month=1, day=1), today.replace(month=1, day=1) - _DAY),
        "maximum": (_months_back(today, HISTORY_MONTHS), today),
    }
    return spans[name]
