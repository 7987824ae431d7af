"""An insights report's parameters, read and checked the way the Graph API checks them.

:func:`read_query` turns the parameters of ``GET``/``POST act_<id>/insights``
into a :class:`ReportQuery`, or raises the error Graph answers: an unknown
field, level, breakdown (or a combination Meta refuses), date preset or
filter; a malformed ``time_range``; a start date more than 37 months ago
(#3018). Lists may come as comma strings or JSON (the Business SDK sends
JSON). ``time_range`` wins over ``date_preset``; with neither, the report
covers ``last_30d``. Dates are days in the ad account's time zone, "today"
by the sandbox clock.

A call with none of ``time_range``, ``time_ranges``, ``date_preset``,
``time_increment``, ``breakdowns`` or ``action_breakdowns`` is the sandbox's
plain listing of daily campaign rows (:func:`is_listing`), as it always
served; on Meta it would be a ``last_30d`` account-level report.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import GraphError

__all__ = [
    "BREAKDOWNS",
    "FIELDS",
    "ID_FIELDS",
    "LEVELS",
    "Filter",
    "ReportQuery",
    "is_listing",
    "months_back",
    "read_query",
    "today_in",
]

LEVELS = ("account", "campaign", "adset", "ad")
#: Breakdown values, each with its categories (the split of every cell).
BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "age": ("18-24", "25-34", "35-44", "45-54", "55-64", "65+"),
    "gender": ("female", "male", "unknown"),
    "country": ("US", "GB", "DE", "FR", "CA", "AU", "BR", "IN"),
    "publisher_platform": ("facebook", "instagram", "audience_network", "messenger"),
    "device_platform": ("mobile_app", "mobile_web", "desktop"),
}
#: The breakdown combinations Meta accepts, among those the sandbox serves.
_COMBINATIONS = {
    frozenset({"age"}),
    frozenset({"gender"}),
    frozenset({"age", "gender"}),
    frozenset({"country"}),
    frozenset({"publisher_platform"}),
    frozenset({"device_platform"}),
    frozenset({"publisher_platform", "device_platform"}),
}
ID_FIELDS = (
    "account_id",
    "account_name",
    "account_currency",
    "campaign_id",
    "campaign_name",
    "adset_id",
    "adset_name",
    "ad_id",
    "ad_name",
    "objective",
)
_METRICS = (
    "impressions",
    "clicks",
    "spend",
    "reach",
    "frequency",
    "ctr",
    "cpc",
    "cpm",
    "inline_link_clicks",
    "actions",
    "action_values",
    "cost_per_action_type",
    "date_start",
    "date_stop",
)
FIELDS = frozenset(ID_FIELDS + _METRICS)
#: Fields of a report when the call names none (Graph's defaults).
DEFAULT_FIELDS = ("impressions", "spend", "date_start", "date_stop")
_LISTING_KEYS = ("time_range", "time_ranges", "date_preset", "time_increment", "breakdowns", "action_breakdowns")
_FILTER_FIELDS = ("campaign.id", "adset.id", "ad.id", "campaign.name", "adset.name", "ad.name")
_OPERATORS = ("EQUAL", "NOT_EQUAL", "IN", "NOT_IN", "CONTAIN", "NOT_CONTAIN")
_FIELDS_DOC = "https://developers.facebook.com/docs/marketing-api/reference/ads-insights/"
#: How far back insights go (Meta: 37 months).
HISTORY_MONTHS = 37


@dataclass(frozen=True)
class Filter:
    """One ``filtering`` entry: ``campaign.id IN [...]`` and the like."""

    field: str
    operator: str
    value: Any

    def keeps(self, value: str) -> bool:
        """Whether an object whose ``field`` is ``value`` passes."""
        want = self.value
        if self.operator in ("IN", "NOT_IN"):
            hit = value in {str(v) for v in (want if isinstance(want, list) else [want])}
        elif self.operator in ("CONTAIN", "NOT_CONTAIN"):
            hit = str(want).lower() in value.lower()
        else:
            hit = value == str(want)
        return hit if self.operator in ("EQUAL", "IN", "CONTAIN") else not hit


@dataclass(frozen=True)
class ReportQuery:
    """A checked insights report.

    Attributes
    ----------
    fields : tuple of str
    level : str
    since, until : datetime.date
        The days covered, both included.
    increment : int or str
        Days per row (1-90), ``"monthly"`` or ``"all_days"``.
    breakdowns : tuple of str
    filters : tuple of Filter
    """

    fields: tuple[str, ...]
    level: str
    since: _dt.date
    until: _dt.date
    increment: int | str
    breakdowns: tuple[str, ...]
    filters: tuple[Filter, ...]

    def describe(self) -> dict[str, Any]:
        """What a report run says it covers."""
        return {"date_start": self.since.isoformat(), "date_stop": self.until.isoformat()}


def is_listing(params: Mapping[str, str]) -> bool:
    """True for the sandbox's plain listing of daily campaign rows (no report parameter given)."""
    return not any(params.get(key) for key in _LISTING_KEYS)


def _list(raw: str | None, name: str) -> list[str]:
    if raw is None or raw == "":
        return []
    text = raw.strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            raise GraphError(f"(#100) {name} must be a list", 100) from None
        return [str(item).strip() for item in items if str(item).strip()]
    return [part.strip() for part in text.split(",") if part.strip()]


def _invalid(message: str) -> GraphError:
    return GraphError(f"(#100) {message}", 100, "OAuthException")


def today_in(timezone_name: str, now: float) -> _dt.date:
    """The calendar day at unix time ``now`` in ``timezone_name`` (UTC when the zone is unknown)."""
    moment = _dt.datetime.fromtimestamp(now, _dt.timezone.utc)
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo(timezone_name)).date()
    except Exception:  # no tz database on this machine: UTC
        return moment.date()


def months_back(day: _dt.date, months: int) -> _dt.date:
    """``day`` moved back ``months`` calendar months (clamped to the month's length)."""
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _preset(name: str, today: _dt.date, first_day: _dt.date) -> tuple[_dt.date, _dt.date]:
    day = _dt.timedelta(days=1)
    yesterday = today - day
    last_n = {"last_3d": 3, "last_7d": 7, "last_14d": 14, "last_28d": 28, "last_30d": 30, "last_90d": 90}
    if name in last_n:
        return today - last_n[name] * day, yesterday
    month_start = today.replace(day=1)
    quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    monday = today - today.weekday() * day
    sunday = today - ((today.weekday() + 1) % 7) * day
    presets = {
        "today": (today, today),
        "yesterday": (yesterday, yesterday),
        "this_month": (month_start, today),
        "last_month": ((month_start - day).replace(day=1), month_start - day),
        "this_quarter": (quarter_start, today),
        "last_quarter": (months_back(quarter_start, 3), quarter_start - day),
        "this_year": (today.replace(month=1, day=1), today),
        "last_year": (today.replace(year=today.year - 1, month=1, day=1), today.replace(month=1, day=1) - day),
        "this_week_mon_today": (monday, today),
        "this_week_sun_today": (sunday, today),
        "last_week_mon_sun": (monday - 7 * day, monday - day),
        "last_week_sun_sat": (sunday - 7 * day, sunday - day),
        "maximum": (max(first_day, months_back(today, HISTORY_MONTHS)), today),
    }
    if name not in presets:
        known = ", ".join(sorted([*last_n, *presets]))
        raise _invalid(f"date_preset must be one of the following values: {known}")
    return presets[name]


def _time_range(raw: str) -> tuple[_dt.date, _dt.date]:
    try:
        value = json.loads(raw)
        since = _dt.date.fromisoformat(str(value["since"]))
        until = _dt.date.fromisoformat(str(value["until"]))
    except (ValueError, KeyError, TypeError):
        raise _invalid("time_range must be a JSON object with 'since' and 'until' dates (YYYY-MM-DD)") from None
    if since > until:
        raise _invalid("time_range: 'since' must not be after 'until'")
    return since, until


def _increment(raw: str | None) -> int | str:
    if raw in (None, "", "all_days"):
        return "all_days"
    if raw == "monthly":
        return "monthly"
    try:
        days = int(str(raw))
    except ValueError:
        days = 0
    if not 1 <= days <= 90:
        raise _invalid("time_increment must be 'monthly', 'all_days' or a number of days from 1 to 90")
    return days


def _filters(raw: str | None) -> tuple[Filter, ...]:
    if not raw:
        return ()
    try:
        items = json.loads(raw)
    except ValueError:
        raise _invalid("filtering must be a JSON list of {field, operator, value}") from None
    out = []
    for item in items if isinstance(items, list) else [items]:
        if not isinstance(item, dict) or "field" not in item or "operator" not in item:
            raise _invalid("filtering must be a JSON list of {field, operator, value}")
        field, operator = str(item["field"]), str(item["operator"]).upper()
        if field not in _FILTER_FIELDS:
            raise _invalid(f"Filtering field {field} is invalid")
        if operator not in _OPERATORS:
            raise _invalid(f"Filtering operator {operator} is invalid for field {field}")
        out.append(Filter(field, operator, item.get("value")))
    return tuple(out)


def read_query(params: Mapping[str, str], *, today: _dt.date, first_day: _dt.date) -> ReportQuery:
    """Check an insights call's parameters and return the report they ask for.

    Parameters
    ----------
    params : mapping
        The request's parameters.
    today : datetime.date
        Today in the ad account's time zone.
    first_day : datetime.date
        The first day the sandbox has data for.

    Raises
    ------
    GraphError
        What Graph answers for the first problem found.
    """
    if params.get("time_ranges"):
        raise _invalid("time_ranges is not served by the sandbox: send one time_range per call")
    fields = _list(params.get("fields"), "fields") or list(DEFAULT_FIELDS)
    for name in fields:
        if name not in FIELDS:
            raise _invalid(f"{name} is not valid for fields param. please check {_FIELDS_DOC} for all valid values")
    level = params.get("level") or "account"
    if level not in LEVELS:
        raise _invalid(f"param level must be one of {{{', '.join(reversed(LEVELS))}}}")
    breakdowns = _list(params.get("breakdowns"), "breakdowns")
    for name in breakdowns:
        if name not in BREAKDOWNS:
            raise _invalid(f"{name} is not a valid breakdown")
    if breakdowns and frozenset(breakdowns) not in _COMBINATIONS:
        shown = ", ".join(["action_type", *breakdowns])
        raise _invalid(f"Current combination of data breakdown columns ({shown}) is invalid ")
    for name in _list(params.get("action_breakdowns"), "action_breakdowns"):
        if name != "action_type":
            raise _invalid(f"{name} is not a valid action breakdown served by the sandbox (action_type is)")
    since, until = _preset(params.get("date_preset") or "last_30d", today, first_day)  # checked even if unused
    if params.get("time_range"):
        since, until = _time_range(params["time_range"])
    if since < months_back(today, HISTORY_MONTHS):
        raise GraphError(
            f"(#3018) The start date of the time range cannot be beyond {HISTORY_MONTHS} months from the current date",
            3018,
            "OAuthException",
        )
    return ReportQuery(
        fields=tuple(dict.fromkeys(fields)),
        level=level,
        since=since,
        until=until,
        increment=_increment(params.get("time_increment")),
        breakdowns=tuple(b for b in BREAKDOWNS if b in breakdowns),
        filters=_filters(params.get("filtering")),
    )
