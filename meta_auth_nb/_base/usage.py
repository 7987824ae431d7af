"""The Graph API's usage headers, parsed leniently, and what they say about each budget.

Five headers report how much of a rate-limit budget is used: ``x-app-usage``
and ``x-page-usage`` (percent of the app's / page's limit),
``x-ad-account-usage`` (the ad account's score in percent, the time for it to
decay to zero, the access tier), ``x-business-use-case-usage`` (per business
and use case: percents, ``estimated_time_to_regain_access`` in minutes, the
tier) and ``x-fb-ads-insights-throttle`` (the only signal for insights jobs).
They arrive as JSON strings whose fields change without notice, so anything
that does not parse is skipped rather than raised, and every field, known or
not, is kept in :attr:`Usage.raw` (:mod:`.usage_headers` reads them). Base layer; stdlib only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "HEADERS",
    "NEAR_LIMIT_PERCENT",
    "TIER_NAMES",
    "AccountFigures",
    "Budget",
    "BusinessUseCaseUsage",
    "Usage",
]

#: Above this percentage of a quota a budget counts as near its limit.
NEAR_LIMIT_PERCENT = 95.0

APP, AD_ACCOUNT, BUSINESS, INSIGHTS, PAGE = (
    "x-app-usage",
    "x-ad-account-usage",
    "x-business-use-case-usage",
    "x-fb-ads-insights-throttle",
    "x-page-usage",
)
#: The usage headers, in the order budgets are listed.
HEADERS = (APP, PAGE, AD_ACCOUNT, BUSINESS, INSIGHTS)
#: The access tiers by Meta's current names (2026: Limited and Full); the headers keep the old words.
TIER_NAMES = {"development_access": "Limited", "standard_access": "Full"}
#: Fields of x-app-usage, x-page-usage and business use cases that are percentages.
_PERCENT_FIELDS = ("call_count", "total_time", "total_cputime")


def _percents(numbers: Mapping[str, float]) -> dict[str, float]:
    return {k: v for k, v in numbers.items() if k in _PERCENT_FIELDS or k.endswith("_pct")}


@dataclass(frozen=True)
class BusinessUseCaseUsage:
    """One entry of ``x-business-use-case-usage``.

    Attributes
    ----------
    business_id : str
    type : str or None
        The use case (``ads_insights``, ``ads_management``...).
    percents : mapping of str to float
        Every numeric field but the regain time (``call_count``, ``total_time``...).
    regain_access_minutes : float or None
        ``estimated_time_to_regain_access``: minutes until calls are accepted again.
    access_tier : str or None
        ``ads_api_access_tier`` (``development_access``, ``standard_access``).
    """

    business_id: str
    type: str | None
    percents: Mapping[str, float]
    regain_access_minutes: float | None
    access_tier: str | None


@dataclass(frozen=True)
class AccountFigures:
    """The ad-account headers of one ``act_`` id, as last read.

    Attributes
    ----------
    ad_account : mapping
        ``x-ad-account-usage`` numbers (empty when the call did not send it).
    tier : str or None
        Its ``ads_api_access_tier``.
    insights : mapping
        ``x-fb-ads-insights-throttle`` numbers for this account.
    read_at : float or None
        When (Unix seconds).
    """

    ad_account: Mapping[str, float]
    tier: str | None
    insights: Mapping[str, float]
    read_at: float | None

    def score(self, name: str) -> Budget:
        """The account's score as a budget called ``name``."""
        numbers = self.ad_account
        percent = numbers.get("acc_id_util_pct") or 0.0
        reset = numbers.get("reset_time_duration")
        return Budget(AD_ACCOUNT, name, percent, reset_s=reset, tier=self.tier, read_at=self.read_at)

    def updated(self, older: AccountFigures | None) -> AccountFigures:
        """These figures, keeping from ``older`` a header this reply did not send."""
        if older is None:
            return self
        return AccountFigures(
            self.ad_account or older.ad_account,
            self.tier if self.ad_account else older.tier,
            self.insights or older.insights,
            self.read_at,
        )


@dataclass(frozen=True)
class Budget:
    """One rate-limit budget as the headers describe it, for display and pacing.

    Attributes
    ----------
    header : str
        The header it came from.
    name : str
        What it is, in words (``ad account``, ``ads_insights (business 123)``...).
    percent : float
        The highest percentage of it used.
    regain_s : float or None
        Seconds until access comes back when it is exhausted (0 when not blocked).
    reset_s : float or None
        Seconds for the ad account score to decay to zero (``reset_time_duration``).
    tier : str or None
        The access tier it is counted in.
    read_at : float or None
        When these figures were read (Unix seconds), when known.
    """

    header: str
    name: str
    percent: float
    regain_s: float | None = None
    reset_s: float | None = None
    tier: str | None = None
    read_at: float | None = None

    @property
    def near_limit(self) -> bool:
        """True at or above :data:`NEAR_LIMIT_PERCENT`."""
        return self.percent >= NEAR_LIMIT_PERCENT


@dataclass(frozen=True)
class Usage:
    """The usage figures Graph reported, header by header.

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
    insights_throttle : mapping
        ``x-fb-ads-insights-throttle`` (app_id_util_pct, acc_id_util_pct).
    page : mapping
        ``x-page-usage`` (same shape as ``x-app-usage``).
    raw : mapping
        Each header present, decoded as sent: unknown fields are kept here.
    read_at : mapping of str to float
        When each header was last read (Unix seconds), once :meth:`about` said so.
    accounts : mapping of str to AccountFigures
        The ad account headers of each ``act_`` id a call was about (:meth:`about`): an account's score
        and insights throttle belong to that account only, so each is kept, and named.
    """

    app: Mapping[str, float] = field(default_factory=dict)
    ad_account: Mapping[str, float] = field(default_factory=dict)
    ad_account_tier: str | None = None
    business_use_cases: tuple[BusinessUseCaseUsage, ...] = ()
    insights_throttle: Mapping[str, float] = field(default_factory=dict)
    page: Mapping[str, float] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)
    read_at: Mapping[str, float] = field(default_factory=dict)
    accounts: Mapping[str, AccountFigures] = field(default_factory=dict)

    @property
    def tier(self) -> str | None:
        """The Marketing API access tier (``development_access`` / ``standard_access``), when reported."""
        if self.ad_account_tier:
            return self.ad_account_tier
        return next((e.access_tier for e in self.business_use_cases if e.access_tier), None)

    @property
    def tier_name(self) -> str | None:
        """The tier as Meta names it now, with the header's word: ``Limited (development_access)``."""
        tier = self.tier
        if not tier:
            return None
        name = TIER_NAMES.get(tier)
        return f"{name} ({tier})" if name else tier

    @property
    def account_percent(self) -> float | None:
        """The ad account's score in percent of its maximum (``acc_id_util_pct``)."""
        return self.ad_account.get("acc_id_util_pct")

    @property
    def account_reset_s(self) -> float | None:
        """Seconds for the ad account's score to decay to zero (``reset_time_duration``)."""
        return self.ad_account.get("reset_time_duration")

    @property
    def regain_access_s(self) -> float | None:
        """Seconds until a blocked budget takes calls again (``estimated_time_to_regain_access``)."""
        minutes = [e.regain_access_minutes for e in self.business_use_cases if e.regain_access_minutes]
        seconds = [m * 60.0 for m in minutes if m and m > 0]
        return max(seconds) if seconds else None

    def about(self, account: str | None, now: float) -> Usage:
        """These figures, read at ``now`` (Unix seconds) from a reply about ``account`` (an ``act_`` id, if any).

        The ad account's score and its insights throttle are then kept under
        that account, so figures of several accounts add up instead of
        replacing each other (see :meth:`combined`).
        """
        mine: dict[str, AccountFigures] = {}
        if account and (AD_ACCOUNT in self.raw or INSIGHTS in self.raw):
            mine[account] = AccountFigures(
                self.ad_account if AD_ACCOUNT in self.raw else {},
                self.ad_account_tier,
                self.insights_throttle if INSIGHTS in self.raw else {},
                now,
            )
        return replace(self, read_at={header: now for header in self.raw}, accounts=mine)

    def budgets(self) -> list[Budget]:
        """Every budget reported, one per header entry (and ad account), in :data:`HEADERS` order."""
        when = self.read_at.get
        out: list[Budget] = []
        for header, name, numbers in ((APP, "app", self.app), (PAGE, "page", self.page)):
            if header in self.raw:
                out.append(Budget(header, name, max(_percents(numbers).values(), default=0.0), read_at=when(header)))
        scores = {act: f for act, f in self.accounts.items() if f.ad_account}
        for act, figures in sorted(scores.items()):
            out.append(figures.score(f"ad account {act}"))
        if AD_ACCOUNT in self.raw and not scores:  # figures of a call that named no account
            out.append(AccountFigures(self.ad_account, self.ad_account_tier, {}, when(AD_ACCOUNT)).score("ad account"))
        for entry in self.business_use_cases:
            regain = entry.regain_access_minutes
            out.append(
                Budget(
                    BUSINESS,
                    f"{entry.type or 'business use case'} \u00b7 business {entry.business_id}",
                    max(_percents(entry.percents).values(), default=0.0),
                    regain_s=regain * 60.0 if regain else 0.0,
                    tier=entry.access_tier,
                    read_at=when(BUSINESS),
                )
            )
        throttled = {act: f for act, f in self.accounts.items() if "acc_id_util_pct" in f.insights}
        for act, figures in sorted(throttled.items()):
            percent = figures.insights["acc_id_util_pct"]
            out.append(Budget(INSIGHTS, f"insights \u00b7 ad account {act}", percent, read_at=figures.read_at))
        named = (() if throttled else (("acc_id_util_pct", "insights \u00b7 ad account"),)) + (
            ("app_id_util_pct", "insights \u00b7 app"),
        )
        for key, name in named:
            if key in self.insights_throttle:
                out.append(Budget(INSIGHTS, name, self.insights_throttle[key], read_at=when(INSIGHTS)))
        return out

    @property
    def last_read(self) -> float | None:
        """When the latest of these figures was read (Unix seconds), when known."""
        return max(self.read_at.values(), default=None)

    @property
    def max_percent(self) -> float:
        """The highest quota percentage reported, 0 when nothing was."""
        return max((b.percent for b in self.budgets()), default=0.0)

    @property
    def near_limit(self) -> bool:
        """True when any quota is at or above 95%."""
        return self.max_percent >= NEAR_LIMIT_PERCENT

    @property
    def retry_after(self) -> float | None:
        """Seconds to wait before a refused call may go again, when the headers say.

        ``estimated_time_to_regain_access`` when a business use case reports
        one; else, for an ad account at 100%, the time its score takes to
        decay (``reset_time_duration``), which is never too short.
        """
        regain = self.regain_access_s
        if regain:
            return regain
        if (self.account_percent or 0.0) >= 100.0 and self.account_reset_s:
            return self.account_reset_s
        return None

    def combined(self, newer: Usage | None) -> Usage:
        """These figures updated by ``newer``'s, header by header (a header ``newer`` lacks is kept)."""
        if newer is None:
            return self
        raw = {**self.raw, **newer.raw}

        def pick(header: str, mine: Any, theirs: Any) -> Any:
            return theirs if header in newer.raw else mine

        accounts = dict(self.accounts)
        for act, figures in newer.accounts.items():
            accounts[act] = figures.updated(accounts.get(act))
        return Usage(
            app=pick(APP, self.app, newer.app),
            ad_account=pick(AD_ACCOUNT, self.ad_account, newer.ad_account),
            ad_account_tier=pick(AD_ACCOUNT, self.ad_account_tier, newer.ad_account_tier),
            business_use_cases=pick(BUSINESS, self.business_use_cases, newer.business_use_cases),
            insights_throttle=pick(INSIGHTS, self.insights_throttle, newer.insights_throttle),
            page=pick(PAGE, self.page, newer.page),
            raw=raw,
            read_at={**self.read_at, **newer.read_at},
            accounts=accounts,
        )

    def as_dict(self) -> dict[str, Any]:
        """A plain dict, for display: the parsed figures plus ``raw``."""
        return {
            "app": dict(self.app),
            "page": dict(self.page),
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
            "insights_throttle": dict(self.insights_throttle),
            "tier": self.tier,
            "accounts": {
                act: {
                    "ad_account": dict(f.ad_account),
                    "tier": f.tier,
                    "insights": dict(f.insights),
                    "read_at": f.read_at,
                }
                for act, f in self.accounts.items()
            },
            "read_at": dict(self.read_at),
            "raw": dict(self.raw),
        }

    def __str__(self) -> str:
        parts = [f"{b.name} {b.percent:g}%" for b in self.budgets()]
        return "Usage(" + (", ".join(parts) or "nothing reported") + ")"
