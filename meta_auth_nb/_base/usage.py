"""Parsing of the Graph API's usage headers, leniently.

``x-app-usage``, ``x-ad-account-usage`` and ``x-business-use-case-usage``
arrive as JSON strings whose fields change without notice, so anything that
does not parse is skipped rather than raised. Base layer; stdlib only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Above this percentage of a quota the session slows down before Graph says no.
NEAR_LIMIT_PERCENT = 95.0


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
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # drop NaN


def _numbers(data: Any) -> dict[str, float]:
    if not isinstance(data, Mapping):
        return {}
    return {str(k): n for k, v in data.items() if (n := _number(v)) is not None}


@dataclass(frozen=True)
class BusinessUseCaseUsage:
    """One entry of ``x-business-use-case-usage``."""

    business_id: str
    type: str | None
    percents: Mapping[str, float]
    regain_access_minutes: float | None
    access_tier: str | None


@dataclass(frozen=True)
class Usage:
    """The latest usage figures a Graph response reported.

    Attributes
    ----------
    app : mapping
        ``x-app-usage`` (percent of the app's limit: call_count, total_time...).
    ad_account : mapping
        ``x-ad-account-usage`` numbers (acc_id_util_pct, reset_time_duration...).
    ad_account_tier : str or None
        ``ads_api_access_tier`` from ``x-ad-account-usage``.
    business_use_cases : tuple of BusinessUseCaseUsage
        Entries of ``x-business-use-case-usage``.
    """

    app: Mapping[str, float] = field(default_factory=dict)
    ad_account: Mapping[str, float] = field(default_factory=dict)
    ad_account_tier: str | None = None
    business_use_cases: tuple[BusinessUseCaseUsage, ...] = ()

    @property
    def max_percent(self) -> float:
        """The highest quota percentage reported, 0 when nothing was."""
        values = [*self.app.values()]
        values += [v for k, v in self.ad_account.items() if k.endswith("pct")]
        for entry in self.business_use_cases:
            values += entry.percents.values()
        return max(values, default=0.0)

    @property
    def near_limit(self) -> bool:
        """True when any quota is at or above 95%."""
        return self.max_percent >= NEAR_LIMIT_PERCENT

    @property
    def retry_after(self) -> float | None:
        """Seconds until access is regained, from ``estimated_time_to_regain_access`` (minutes)."""
        minutes = [e.regain_access_minutes for e in self.business_use_cases if e.regain_access_minutes]
        reset = self.ad_account.get("reset_time_duration") if self.ad_account.get("acc_id_util_pct", 0) >= 100 else None
        seconds = [m * 60.0 for m in minutes if m > 0]
        if reset:
            seconds.append(reset)
        return max(seconds) if seconds else None

    def as_dict(self) -> dict[str, Any]:
        """A plain dict, for display."""
        return {
            "app": dict(self.app),
            "ad_account": dict(self.ad_account),
            "ad_account_tier": self.ad_account_tier,
            "business_use_cases": [
                {
                    "business_id": e.business_id,
                    "type": e.type,
                    **e.percents,
                    "estimated_time_to_regain_access": e.regain_access_minutes,
                    "ads_api_access_tier": e.access_tier,
                }
                for e in self.business_use_cases
            ],
        }


def parse_usage(headers: Mapping[str, str] | None) -> Usage | None:
    """Parse the usage headers of one response; None when it had none.

    Parameters
    ----------
    headers : mapping
        Response headers. Case-insensitive mappings (httpx) and plain dicts with
        lower-case keys both work.
    """
    if not headers:
        return None

    def header(name: str) -> Any:
        value = headers.get(name)
        if value is None:
            value = headers.get(name.upper())
        return value

    raw_app, raw_account, raw_buc = (
        header("x-app-usage"),
        header("x-ad-account-usage"),
        header("x-business-use-case-usage"),
    )
    if raw_app is None and raw_account is None and raw_buc is None:
        return None
    account = _loads(raw_account)
    entries: list[BusinessUseCaseUsage] = []
    buc = _loads(raw_buc)
    if isinstance(buc, Mapping):
        for business_id, items in buc.items():
            for item in items if isinstance(items, list) else [items]:
                if not isinstance(item, Mapping):
                    continue
                numbers = _numbers(item)
                regain = numbers.pop("estimated_time_to_regain_access", None)
                tier = item.get("ads_api_access_tier")
                entries.append(
                    BusinessUseCaseUsage(
                        business_id=str(business_id),
                        type=str(item["type"]) if item.get("type") is not None else None,
                        percents=numbers,
                        regain_access_minutes=regain,
                        access_tier=str(tier) if tier is not None else None,
                    )
                )
    tier = account.get("ads_api_access_tier") if isinstance(account, Mapping) else None
    return Usage(
        app=_numbers(_loads(raw_app)),
        ad_account=_numbers(account),
        ad_account_tier=str(tier) if tier is not None else None,
        business_use_cases=tuple(entries),
    )
