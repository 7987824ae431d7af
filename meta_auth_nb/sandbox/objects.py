"""Ad objects by id: campaigns, ad sets and ads as nodes, their insights, a campaign's ad sets.

``GET <id>`` answers the object (``metadata=1`` adds ``metadata.type``:
``campaign``, ``adset`` or ``ad``, as Graph names it), ``<id>/insights``
is its ad account's report filtered to it (``GET`` and ``POST``, as on the
account), ``<campaign id>/adsets`` lists a campaign's ad sets. Only the
owner of the ad account sees them; anyone else gets Graph's "does not exist"
(100/33). Every call counts against the object's ad account's rate limits.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .auth import require_ads
from .data import AdAccount, paginate, parse_fields, pick_fields
from .errors import GraphError, unsupported
from .report_data import ad_tree
from .state import Token
from .wire import Request, Response

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["ObjectIndex", "answer_object"]


class ObjectIndex:
    """Every campaign, ad set and ad of a sandbox by id: (kind, its ad account, its node)."""

    def __init__(self) -> None:
        self._index: dict[str, tuple[str, str, dict[str, Any]]] | None = None
        self._lock = threading.Lock()

    def find(self, engine: Engine, object_id: str) -> tuple[str, AdAccount, dict[str, Any]] | None:
        """(kind, account, node) of the object, or None."""
        with self._lock:
            if self._index is None:
                self._index = _build(engine)
            found = self._index.get(object_id)
        if found is None:
            return None
        kind, act, node = found
        return kind, engine.catalog.accounts[act], node

    def adsets_of(self, campaign_id: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
        """A campaign's ad sets, by id (the index is built by then: the campaign was found)."""
        with self._lock:
            index = self._index or {}
            return {k: v for k, v in index.items() if v[0] == "adset" and v[2].get("campaign_id") == campaign_id}

    def account_of(self, engine: Engine, object_id: str) -> str | None:
        """The ``act_`` id an object belongs to, or None."""
        found = self.find(engine, object_id)
        return found[1].id if found else None


def _build(engine: Engine) -> dict[str, tuple[str, str, dict[str, Any]]]:
    index: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for acc in engine.catalog.accounts.values():
        for campaign in acc.campaigns:
            index[campaign["id"]] = ("campaign", acc.id, {**campaign, "account_id": acc.account_id})
        for ad in ad_tree(engine.catalog, acc):
            campaign = acc.campaigns[ad.campaign]
            index.setdefault(
                ad.adset_id,
                (
                    "adset",
                    acc.id,
                    {
                        "id": ad.adset_id,
                        "name": ad.adset_name,
                        "account_id": acc.account_id,
                        "campaign_id": campaign["id"],
                    },
                ),
            )
            index[ad.id] = (
                "ad",
                acc.id,
                {
                    "id": ad.id,
                    "name": ad.name,
                    "account_id": acc.account_id,
                    "campaign_id": campaign["id"],
                    "adset_id": ad.adset_id,
                },
            )
    return index


def answer_object(engine: Engine, req: Request, tok: Token, object_id: str, edge: str | None) -> Response | None:
    """Answer a call on an ad object; None when ``object_id`` is none (the path is someone else's)."""
    found = engine.objects.find(engine, object_id)
    if found is None:
        return None
    require_ads(tok)
    kind, acc, node = found
    person = engine.state.person(tok.user) if tok.user else None
    if person is None or acc.id not in person.ad_accounts:
        raise unsupported(req.method, object_id)
    if edge is None and req.method == "GET":
        shown = pick_fields(node, parse_fields(req.params.get("fields")), ("id", "name"))
        if req.params.get("metadata") in ("1", "true"):
            shown["metadata"] = {"type": kind}
        resp = Response(body=shown)
    elif edge == "insights" and req.method in ("GET", "POST"):
        from .reports import insights_edge

        resp = insights_edge(engine, _filtered(req, kind, object_id), acc, person.name)
    elif edge == "adsets" and kind == "campaign" and req.method == "GET":
        sets = [v[2] for v in _adsets(engine, object_id).values()]
        fields = parse_fields(req.params.get("fields"))
        body = paginate(
            len(sets),
            lambda a, b: [pick_fields(s, fields, ("id", "name")) for s in sets[a:b]],
            req.params,
            engine.next_base(req),
            req.token or "",
        )
        resp = Response(body=body)
    else:
        if req.method != "GET":
            raise unsupported(req.method, object_id)
        raise GraphError(f"(#100) Tried accessing nonexisting field ({edge}) on node type ({kind.capitalize()})", 100)
    resp.account, resp.business_id = acc.id, acc.business_id
    resp.buc_type = "ads_insights" if edge == "insights" else "ads_management"
    return resp


def _adsets(engine: Engine, campaign_id: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return engine.objects.adsets_of(campaign_id)


def _filtered(req: Request, kind: str, object_id: str) -> Request:
    """The request, its report narrowed to the object (added to the filtering it already has)."""
    params = dict(req.params)
    try:
        given = json.loads(params.get("filtering") or "[]")
    except ValueError:
        given = params.get("filtering")  # left for the report's own check to refuse
    if isinstance(given, list):
        params["filtering"] = json.dumps([*given, {"field": f"{kind}.id", "operator": "EQUAL", "value": object_id}])
    return replace(req, params=params)
