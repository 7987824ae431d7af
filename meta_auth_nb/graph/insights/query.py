"""What an insights pull asks Graph: the checked query, as Graph parameters per slice.

An :class:`InsightsQuery` is made from ``meta.insights()``'s arguments by
:attr:`~.arguments.InsightsArguments.query`, which checks them. It gives the
parameters of one slice (:meth:`InsightsQuery.params`: the pull always asks
for the account's id and name and the ids and names of the level's objects,
so every row says whose it is) and a fingerprint for checkpoints. Date presets are resolved into
dates by :func:`resolve_range`, with Meta's meanings, in the ad account's
time zone (``last_7d``: the seven days before today). Graph layer, I/O-free.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DATE_PRESETS",
    "DEFAULT_FIELDS",
    "HISTORY_MONTHS",
    "ID_FIELDS",
    "LEVELS",
    "InsightsQuery",
    "months_back",
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
_DAY = _dt.timedelta(days=1)


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


def months_back(day: _dt.date, months: int) -> _dt.date:
    """``day`` moved back ``months`` calendar months (clamped to the month's length)."""
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
        "last_quarter": (months_back(quarter, 3), quarter - _DAY),
        "this_year": (today.replace(month=1, day=1), today),
        "last_year": (today.replace(year=today.year - 1, month=1, day=1), today.replace(month=1, day=1) - _DAY),
        "maximum": (months_back(today, HISTORY_MONTHS), today),
    }
    return spans[name]
