"""The ads corner's data: ad accounts, campaigns and insights rows, plus paging.

Insights rows are computed from ``(seed, account, index)`` on demand, so an
account with 50,000 rows costs nothing until a page of it is asked for, and
the same seed always gives the same numbers.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .errors import GraphError

__all__ = [
    "BASE_DAY",
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "AdAccount",
    "AdCatalog",
    "mix",
    "paginate",
    "parse_fields",
    "pick_fields",
]

DEFAULT_LIMIT = 25
MAX_LIMIT = 500
#: The first day the sandbox has insights for.
BASE_DAY = _dt.date(2024, 1, 1)
_MASK64 = (1 << 64) - 1
_OBJECTIVES = ("OUTCOME_TRAFFIC", "OUTCOME_SALES", "OUTCOME_LEADS", "OUTCOME_AWARENESS", "OUTCOME_ENGAGEMENT")
_CAMPAIGN_NAMES = (
    "Spring Sale",
    "Brand Awareness",
    "Retargeting",
    "Lead Magnet",
    "New Arrivals",
    "Holiday Push",
    "Video Views",
    "App Installs",
)


def mix(x: int) -> int:
    """splitmix64 finaliser: a fast, well-spread hash of one integer."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


@dataclass
class AdAccount:
    """One ad account and its campaigns (insights are generated, not stored)."""

    id: str  # act_...
    index: int
    owner: str
    business_id: str
    name: str
    currency: str
    timezone_name: str
    campaigns: list[dict[str, Any]]

    @property
    def account_id(self) -> str:
        """The id without ``act_`` (what granular scopes list)."""
        return self.id[4:]

    def node(self) -> dict[str, Any]:
        """The full object; callers trim it to the requested fields."""
        return {
            "id": self.id,
            "account_id": self.account_id,
            "name": self.name,
            "account_status": 1,
            "currency": self.currency,
            "timezone_name": self.timezone_name,
            "amount_spent": str(int(self.account_id[-6:]) % 900000),
            "business": {"id": self.business_id},
        }


class AdCatalog:
    """All ad accounts, built once from the seed.

    Parameters
    ----------
    seed : int
        Same seed, same names, budgets and insights numbers.
    owners : Mapping[str, tuple[str, str, list[str]]]
        user name -> (display name, business id, ``act_`` ids).
    insights_rows : int
        Rows of insights per account.
    """

    def __init__(self, seed: int, owners: Mapping[str, tuple[str, str, list[str]]], insights_rows: int) -> None:
        if insights_rows < 0:
            raise ValueError("insights_rows must be >= 0")
        self.seed = seed
        self.insights_rows = insights_rows
        self.accounts: dict[str, AdAccount] = {}
        rng = random.Random(f"meta-auth-nb-sandbox-ads:{seed}")
        index = 0
        for owner, (display, business_id, act_ids) in owners.items():
            for n, act in enumerate(act_ids, start=1):
                self.accounts[act] = AdAccount(
                    id=act,
                    index=index,
                    owner=owner,
                    business_id=business_id,
                    name=f"{display.split()[0]} Ads {n}",
                    currency=rng.choice(("USD", "EUR", "GBP")),
                    timezone_name=rng.choice(("America/Los_Angeles", "Europe/London", "Europe/Berlin")),
                    campaigns=self._campaigns(rng),
                )
                index += 1

    @staticmethod
    def _campaigns(rng: random.Random) -> list[dict[str, Any]]:
        out = []
        for name in rng.sample(_CAMPAIGN_NAMES, 5):
            created = BASE_DAY + _dt.timedelta(days=rng.randrange(0, 60))
            status = rng.choice(("ACTIVE", "ACTIVE", "PAUSED"))
            out.append(
                {
                    "id": "1202" + str(rng.randrange(10**13, 10**14)),
                    "name": f"{name} {created.year}",
                    "status": status,
                    "effective_status": status,
                    "objective": rng.choice(_OBJECTIVES),
                    "daily_budget": str(rng.randrange(10, 300) * 100),  # minor units, a string like Graph
                    "buying_type": "AUCTION",
                    "created_time": f"{created.isoformat()}T09:00:00+0000",
                    "start_time": f"{created.isoformat()}T10:00:00+0000",
                }
            )
        return out

    def campaign_day(self, acc: AdAccount, campaign: int, day: int) -> tuple[int, int, int, int]:
        """Campaign number ``campaign``'s numbers on day number ``day`` (0 = :data:`BASE_DAY`).

        Returns
        -------
        (impressions, clicks, spend in cents, hash)
            The hash seeds whatever else is derived from that day (actions).
        """
        return self._numbers(self._salt(acc), len(acc.campaigns), campaign, day)

    def _salt(self, acc: AdAccount) -> int:
        """The seed of every number of ``acc``'s campaigns."""
        return mix((self.seed & _MASK64) ^ (acc.index * 0x51ED2701))

    @staticmethod
    def _numbers(salt: int, n: int, campaign: int, day: int) -> tuple[int, int, int, int]:
        h = mix(salt ^ (day * n + campaign))
        impressions = 500 + h % 20000
        clicks = impressions * (10 + (h >> 20) % 400) // 10000
        spend_cents = impressions * (100 + (h >> 32) % 900) // 1000
        return impressions, clicks, spend_cents, h

    def insights(self, acc: AdAccount, start: int, stop: int) -> list[dict[str, str]]:
        """Rows ``start``..``stop - 1`` of ``acc``'s daily listing.

        Row ``i`` is campaign ``i % 5`` on day ``i // 5``. Numbers come back
        as strings, as real Graph sends them (spend with two decimals).
        """
        camps = acc.campaigns
        n = len(camps)
        salt, numbers = self._salt(acc), self._numbers  # looked up once: a page is 500 rows
        rows = []
        days: dict[int, str] = {}
        for i in range(start, stop):
            c = camps[i % n]
            day = days.get(i // n) or days.setdefault(i // n, (BASE_DAY + _dt.timedelta(days=i // n)).isoformat())
            impressions, clicks, spend_cents, _ = numbers(salt, n, i % n, i // n)
            row = {
                "date_start": day,
                "date_stop": day,
                "campaign_id": c["id"],
                "campaign_name": c["name"],
                "impressions": str(impressions),
                "clicks": str(clicks),
                "spend": f"{spend_cents / 100:.2f}",
                "ctr": f"{clicks * 100 / impressions:.6f}",
            }
            if clicks:  # Graph leaves cpc out when there were no clicks
                row["cpc"] = f"{spend_cents / 100 / clicks:.6f}"
            rows.append(row)
        return rows


# ---- fields ---------------------------------------------------------------
def parse_fields(raw: str | None) -> list[str] | None:
    """Top-level names in a ``fields`` parameter (``a,b{c,d},e.limit(2)`` -> a, b, e)."""
    if not raw:
        return None
    names, depth, cur = [], 0, ""
    for ch in raw:
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif ch == "," and depth == 0:
            names.append(cur)
            cur = ""
            continue
        if depth == 0 and ch not in "})":
            cur += ch
    names.append(cur)
    out = [n.split(".")[0].strip() for n in names]
    return [n for n in out if n]


def pick_fields(obj: Mapping[str, Any], fields: list[str] | None, default: tuple[str, ...]) -> dict[str, Any]:
    """Keep ``fields`` (or ``default``) of ``obj``; unknown names are ignored, ``id`` always kept."""
    wanted = fields or list(default)
    out = {k: obj[k] for k in wanted if k in obj}
    if "id" in obj:
        out.setdefault("id", obj["id"])
    return out


# ---- paging ---------------------------------------------------------------
def _enc(pos: int) -> str:
    return base64.urlsafe_b64encode(f"sandbox-cursor:{pos}".encode()).decode().rstrip("=")


def _dec(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, pos = raw.partition(":")
        if prefix != "sandbox-cursor":
            raise ValueError(raw)
        return int(pos)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise GraphError("(#100) Invalid cursor", 100) from None


def _limit(query: Mapping[str, str]) -> int:
    raw = query.get("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        n = int(raw)
    except ValueError:
        raise GraphError("(#100) Param limit must be a number", 100) from None
    if n < 1:
        raise GraphError("(#100) Param limit must be a positive number", 100)
    return min(n, MAX_LIMIT)  # Graph clamps rather than refuses


def paginate(
    total: int,
    get: Callable[[int, int], list[Any]],
    query: Mapping[str, str],
    next_base: str,
    token: str,
) -> dict[str, Any]:
    """One page of a cursor-paged list, shaped like Graph's.

    Parameters
    ----------
    total : int
        Number of items in the list.
    get : callable
        ``get(start, stop)`` returns items ``start``..``stop - 1``.
    query : Mapping[str, str]
        The request's parameters (``limit``, ``after``, ``before`` ...).
    next_base : str
        Absolute URL (no query) that ``next`` / ``previous`` point at.
    token : str
        Put into ``next`` as ``access_token``, as real Graph does.
    """
    limit = _limit(query)
    if query.get("after"):
        start = _dec(query["after"]) + 1
    elif query.get("before"):
        start = max(0, _dec(query["before"]) - limit)
    else:
        start = 0
    start = max(0, min(start, total))
    stop = min(total, start + limit)
    items = get(start, stop)
    if not items:
        return {"data": []}
    keep = {k: v for k, v in query.items() if k not in ("access_token", "limit", "after", "before")}

    def link(**cursor: str) -> str:
        q = {"access_token": token, **keep, "limit": str(limit), **cursor}
        return f"{next_base}?{urlencode(q)}"

    paging: dict[str, Any] = {"cursors": {"before": _enc(start), "after": _enc(stop - 1)}}
    if start > 0:
        paging["previous"] = link(before=_enc(start))
    if stop < total:
        paging["next"] = link(after=_enc(stop - 1))
    return {"data": items, "paging": paging}
