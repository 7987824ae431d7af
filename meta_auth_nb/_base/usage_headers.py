"""Reading the usage headers of one reply into a :class:`~.usage.Usage`, leniently.

The headers are JSON strings whose fields change without notice: what does not
parse is skipped, never raised, and every field is kept in ``Usage.raw``.
Base layer; stdlib only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .usage import AD_ACCOUNT, APP, BUSINESS, HEADERS, INSIGHTS, PAGE, BusinessUseCaseUsage, Usage

__all__ = ["parse_usage"]


def _loads(raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(raw, (dict, list)):
        return raw
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number == number and abs(number) != float("inf") else None  # drop NaN, inf


def _numbers(data: Any) -> dict[str, float]:
    if not isinstance(data, Mapping):
        return {}
    return {str(k): n for k, v in data.items() if (n := _number(v)) is not None}


def _business_entries(data: Any) -> tuple[BusinessUseCaseUsage, ...]:
    entries: list[BusinessUseCaseUsage] = []
    if not isinstance(data, Mapping):
        return ()
    for business_id, items in data.items():
        for item in items if isinstance(items, list) else [items]:
            if not isinstance(item, Mapping):
                continue
            numbers = _numbers(item)
            regain = numbers.pop("estimated_time_to_regain_access", None)
            tier = item.get("ads_api_access_tier")
            kind = item.get("type")
            entries.append(
                BusinessUseCaseUsage(
                    business_id=str(business_id),
                    type=str(kind) if kind is not None else None,
                    percents=numbers,
                    regain_access_minutes=regain,
                    access_tier=str(tier) if tier is not None else None,
                )
            )
    return tuple(entries)


def parse_usage(headers: Mapping[str, str] | None) -> Usage | None:
    """Parse the usage headers of one response; None when it had none.

    Parameters
    ----------
    headers : mapping
        Response headers. Case-insensitive mappings (httpx) and plain dicts
        with lower- or upper-case keys both work.
    """
    if not headers:
        return None
    try:
        named = {str(k).lower(): v for k, v in headers.items()}
    except (TypeError, AttributeError, ValueError):
        return None
    raw: dict[str, Any] = {}
    for name in HEADERS:
        value = named.get(name)
        if value is not None:
            decoded = _loads(value)
            raw[name] = decoded if decoded is not None else str(value)
    if not raw:
        return None
    account = raw.get(AD_ACCOUNT)
    tier = account.get("ads_api_access_tier") if isinstance(account, Mapping) else None
    return Usage(
        app=_numbers(raw.get(APP)),
        ad_account=_numbers(account),
        ad_account_tier=str(tier) if tier is not None else None,
        business_use_cases=_business_entries(raw.get(BUSINESS)),
        insights_throttle=_numbers(raw.get(INSIGHTS)),
        page=_numbers(raw.get(PAGE)),
        raw=raw,
    )
