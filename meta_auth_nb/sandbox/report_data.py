"""Insights reports computed from the ads data: ad sets and ads, daily cells, actions, breakdowns, rows.

Every campaign has two ad sets of two ads each (:func:`ad_tree`, fixed by
the seed). The day's numbers of a campaign are those of the sandbox's daily
listing (:meth:`~.data.AdCatalog.campaign_day`); they are split among its
ads, and each ad's day gets its ``actions`` (link clicks, landing page
views, add to cart, purchases, engagement, video views) and their values.
A report adds up those ad-day cells per row: per time bucket, per object of
the report's level and per breakdown category (a cell is split among the
categories by weights fixed per account), so rows at every level, bucket
and breakdown add up exactly. Numbers go out as strings, as Graph sends them.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .data import BASE_DAY, AdAccount, AdCatalog, mix
from .report_query import BREAKDOWNS, ReportQuery

__all__ = ["Ad", "ad_tree", "buckets", "report_rows", "report_size"]

#: Metrics carried by a cell, in this order (money in cents).
_METRICS = (
    "impressions",
    "clicks",
    "spend",
    "link_click",
    "landing_page_view",
    "add_to_cart",
    "purchase",
    "post_engagement",
    "video_view",
    "purchase_value",
    "add_to_cart_value",
)
_ACTIONS = (
    ("link_click", 3),
    ("landing_page_view", 4),
    ("add_to_cart", 5),
    ("offsite_conversion.fb_pixel_purchase", 6),
    ("purchase", 6),
    ("post_engagement", 7),
    ("video_view", 8),
)
_VALUES = (("add_to_cart", 10), ("offsite_conversion.fb_pixel_purchase", 9), ("purchase", 9))
_COSTS = (("link_click", 3), ("landing_page_view", 4), ("add_to_cart", 5), ("purchase", 6))
_DAY = _dt.timedelta(days=1)


@dataclass(frozen=True)
class Ad:
    """One ad with its ad set and campaign."""

    id: str
    name: str
    adset_id: str
    adset_name: str
    campaign: int  # index in the account's campaigns
    share: int  # weight of the ad in its campaign's numbers


_trees: dict[tuple[int, str], list[Ad]] = {}
_trees_lock = threading.Lock()


def ad_tree(catalog: AdCatalog, acc: AdAccount) -> list[Ad]:
    """The account's ads (two ad sets of two ads per campaign), fixed by the seed."""
    key = (catalog.seed, acc.id)
    with _trees_lock:
        tree = _trees.get(key)
        if tree is None:
            rng = random.Random(f"meta-auth-nb-sandbox-adtree:{catalog.seed}:{acc.id}")
            tree = []
            for index, campaign in enumerate(acc.campaigns):
                for letter in "AB":
                    adset_id = "1203" + str(rng.randrange(10**13, 10**14))
                    adset_name = f"{campaign['name']} · Ad set {letter}"
                    for number in (1, 2):
                        ad_id = "1204" + str(rng.randrange(10**13, 10**14))
                        name = f"{campaign['name']} · Ad {letter}{number}"
                        tree.append(Ad(ad_id, name, adset_id, adset_name, index, 1 + rng.randrange(4)))
            _trees[key] = tree
    return tree


def _split(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` shared by ``weights``: floors, the rest to the last part (the parts add up exactly)."""
    whole = sum(weights)
    parts = [total * w // whole for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def _ad_cells(catalog: AdCatalog, acc: AdAccount, tree: list[Ad], day: int) -> list[tuple[int, ...]]:
    """Every ad's numbers on day number ``day`` (0 = the first day of data)."""
    out: list[tuple[int, ...]] = [()] * len(tree)
    for campaign in range(len(acc.campaigns)):
        mine = [i for i, ad in enumerate(tree) if ad.campaign == campaign]
        weights = [tree[i].share for i in mine]
        impressions, clicks, cents, h = catalog.campaign_day(acc, campaign, day)
        for i, imp, clk, spend in zip(
            mine, _split(impressions, weights), _split(clicks, weights), _split(cents, weights), strict=True
        ):
            g = mix(h ^ int(tree[i].id[-9:]))
            lpv = clk * (55 + g % 40) // 100
            cart = lpv * (5 + (g >> 8) % 20) // 100
            bought = cart * (20 + (g >> 16) % 50) // 100
            engaged = imp * (1 + (g >> 24) % 4) // 100
            views = imp * ((g >> 32) % 6) // 100
            value = bought * (2000 + (g >> 40) % 8000)
            cart_value = cart * (1500 + (g >> 48) % 5000)
            out[i] = (imp, clk, spend, clk, lpv, cart, bought, engaged, views, value, cart_value)
    return out


def _weights(catalog: AdCatalog, acc: AdAccount, breakdown: str) -> list[int]:
    h = mix(catalog.seed ^ int(acc.account_id) ^ hash_text(breakdown))
    return [1 + (h >> (5 * k)) % 8 for k in range(len(BREAKDOWNS[breakdown]))]


def hash_text(text: str) -> int:
    """A stable hash of a short text (Python's own is salted per process)."""
    value = 0
    for char in text.encode():
        value = mix(value ^ char)
    return value


def buckets(query: ReportQuery, first: _dt.date, last: _dt.date) -> list[tuple[_dt.date, _dt.date]]:
    """The report's time buckets that hold data (days from ``first`` to ``last``)."""
    since, until = query.since, query.until
    if query.increment == "all_days":
        spans = [(since, until)]
    elif query.increment == "monthly":
        spans, start = [], since
        while start <= until:
            nxt = (start.replace(day=28) + 4 * _DAY).replace(day=1)
            spans.append((start, min(until, nxt - _DAY)))
            start = nxt
    else:
        step = _dt.timedelta(days=int(query.increment))
        spans = []
        start = since
        while start <= until:
            spans.append((start, min(until, start + step - _DAY)))
            start += step
    return [(a, b) for a, b in spans if a <= last and b >= first]


def _objects(query: ReportQuery, acc: AdAccount, tree: list[Ad]) -> list[tuple[str, list[int]]]:
    """(object id, indexes of its ads) for each object of the report's level, filters applied."""
    kept = []
    for i, ad in enumerate(tree):
        campaign = acc.campaigns[ad.campaign]
        facts = {
            "campaign.id": campaign["id"],
            "campaign.name": campaign["name"],
            "adset.id": ad.adset_id,
            "adset.name": ad.adset_name,
            "ad.id": ad.id,
            "ad.name": ad.name,
        }
        if all(f.keeps(str(facts[f.field])) for f in query.filters):
            kept.append(i)
    groups: dict[str, list[int]] = {}
    for i in kept:
        ad = tree[i]
        key = {
            "account": acc.id,
            "campaign": acc.campaigns[ad.campaign]["id"],
            "adset": ad.adset_id,
            "ad": ad.id,
        }[query.level]
        groups.setdefault(key, []).append(i)
    return list(groups.items())


def _combos(query: ReportQuery) -> list[tuple[str, ...]]:
    return list(itertools.product(*(BREAKDOWNS[b] for b in query.breakdowns)))


def report_size(catalog: AdCatalog, acc: AdAccount, query: ReportQuery, last: _dt.date) -> int:
    """How many rows the report has, without computing them."""
    tree = ad_tree(catalog, acc)
    return len(buckets(query, BASE_DAY, last)) * len(_objects(query, acc, tree)) * len(_combos(query))


def report_rows(catalog: AdCatalog, acc: AdAccount, query: ReportQuery, last: _dt.date) -> list[dict[str, Any]]:
    """The report's rows, ordered by time bucket, object and breakdown category.

    Parameters
    ----------
    last : datetime.date
        The last day with data (today in the account's time zone).
    """
    tree = ad_tree(catalog, acc)
    objects = _objects(query, acc, tree)
    combos = _combos(query)
    weights = [_weights(catalog, acc, b) for b in query.breakdowns]
    rows: list[dict[str, Any]] = []
    for start, stop in buckets(query, BASE_DAY, last):
        day, end = max(start, BASE_DAY), min(stop, last)
        sums = [[[0] * len(_METRICS) for _ in combos] for _ in objects]
        while day <= end:
            cells = _ad_cells(catalog, acc, tree, (day - BASE_DAY).days)
            for o, (_, members) in enumerate(objects):
                for i in members:
                    for c, part in enumerate(_breakdown(cells[i], weights, combos)):
                        target = sums[o][c]
                        for m, value in enumerate(part):
                            target[m] += value
            day += _DAY
        for o, (key, members) in enumerate(objects):
            for c, combo in enumerate(combos):
                rows.append(_row(query, acc, tree[members[0]], key, start, stop, sums[o][c], combo))
    return rows


def _breakdown(cell: tuple[int, ...], weights: list[list[int]], combos: list[tuple[str, ...]]) -> list[list[int]]:
    """The cell split among the breakdown categories, in ``combos`` order."""
    parts: list[list[int]] = [list(cell)]
    for w in weights:
        parts = [list(col) for part in parts for col in zip(*(_split(v, w) for v in part), strict=True)]
    return parts if combos else [list(cell)]


def _money(cents: float) -> str:
    return f"{cents / 100:.2f}"


def _row(
    query: ReportQuery,
    acc: AdAccount,
    ad: Ad,
    key: str,
    start: _dt.date,
    stop: _dt.date,
    m: list[int],
    combo: tuple[str, ...],
) -> dict[str, Any]:
    """One row with the fields asked for (and the breakdowns and dates, which Graph always adds)."""
    depth = ("account", "campaign", "adset", "ad").index(query.level)
    impressions, clicks = m[0], m[1]
    row: dict[str, Any] = {}
    for name in query.fields:
        value = _value(name, depth, acc, ad, key, start, m) if name not in ("date_start", "date_stop") else None
        if value is not None and value != []:
            row[name] = value
    if not clicks:  # Graph leaves cpc out when there were no clicks
        row.pop("cpc", None)
    if not impressions:
        for name in ("ctr", "cpm", "frequency"):
            row.pop(name, None)
    row.update(zip(query.breakdowns, combo, strict=True))
    row["date_start"], row["date_stop"] = start.isoformat(), stop.isoformat()
    return row


def _value(name: str, depth: int, acc: AdAccount, ad: Ad, key: str, start: _dt.date, m: list[int]) -> Any:
    """Field ``name`` of a row at level ``depth`` (0 account .. 3 ad); None when the level does not have it."""
    impressions, clicks, spend = m[0], m[1], m[2]
    if name in ("account_id", "account_name", "account_currency"):
        return {"account_id": acc.account_id, "account_name": acc.name, "account_currency": acc.currency}[name]
    if name in ("campaign_id", "campaign_name", "objective"):
        campaign = acc.campaigns[ad.campaign]
        return None if depth < 1 else campaign[{"campaign_id": "id", "campaign_name": "name"}.get(name, name)]
    if name in ("adset_id", "adset_name"):
        return None if depth < 2 else (ad.adset_id if name == "adset_id" else ad.adset_name)
    if name in ("ad_id", "ad_name"):
        return None if depth < 3 else (ad.id if name == "ad_id" else ad.name)
    if name in ("impressions", "clicks", "inline_link_clicks"):
        return str({"impressions": impressions, "clicks": clicks, "inline_link_clicks": m[3]}[name])
    if name == "spend":
        return _money(spend)
    if name in ("reach", "frequency"):
        reach = max(1, impressions * (55 + mix(int(key[-12:]) ^ start.toordinal()) % 40) // 100)
        return str(reach) if name == "reach" else (f"{impressions / reach:.6f}" if impressions else None)
    if name == "ctr":
        return f"{clicks * 100 / impressions:.6f}" if impressions else None
    if name == "cpm":
        return f"{spend * 10 / impressions:.6f}" if impressions else None
    if name == "cpc":
        return f"{spend / 100 / clicks:.6f}" if clicks else None
    if name == "actions":
        return [{"action_type": t, "value": str(m[i])} for t, i in _ACTIONS if m[i]]
    if name == "action_values":
        return [{"action_type": t, "value": _money(m[i])} for t, i in _VALUES if m[i]]
    if name == "cost_per_action_type":
        return [{"action_type": t, "value": f"{spend / 100 / m[i]:.6f}"} for t, i in _COSTS if m[i]]
    return None
