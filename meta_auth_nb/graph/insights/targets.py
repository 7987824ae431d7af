"""Whose insights a pull asks for: the ids given, checked against what the token reaches, in one look-up.

An insights pull may name ad accounts (``act_<id>``, or the bare number),
campaigns, ad sets and ads (``<id>/insights``, as the Business SDK's
``Campaign(id).get_insights``). Before any slice goes, :func:`targets_steps`
makes **one** request: the ad accounts the token reaches
(``me/adaccounts``), in a batch with a look-up of each bare id's type
(``<id>?metadata=1``) when there are any. An id that is none of these stops
the pull right there with a :class:`~meta_auth_nb.errors.ConfigError` that
names it and lists the accounts the token does reach, instead of costing a
request per slice and ending as "a slice is missing". Graph layer, I/O-free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..._base.errors import ConfigError, GraphError
from ..batch import batch_steps
from ..core import CallPlanner
from ..paging import PageWalk, page_rows
from ..plan import Steps, collect

__all__ = ["KINDS", "Target", "targets_steps"]

#: Graph's ``metadata.type`` of an ad object -> what a pull calls it (old and new spellings both).
KINDS = {
    "adaccount": "account",
    "campaign": "campaign",
    "adcampaigngroup": "campaign",
    "adset": "adset",
    "adcampaign": "adset",
    "ad": "ad",
    "adgroup": "ad",
}
_LISTED_FIELDS = "id,account_id,name"
_SHOWN = 10  # reachable accounts named in a message


@dataclass(frozen=True)
class Target:
    """One node whose insights a pull asks for.

    Attributes
    ----------
    id : str
        ``act_<id>`` for an ad account, the object's id otherwise.
    account : str
        The ad account it belongs to (``act_<id>``): rate limits and the time zone are that account's.
    kind : str
        ``account``, ``campaign``, ``adset`` or ``ad``.
    """

    id: str
    account: str
    kind: str = "account"


def _reachable(rows: Sequence[Any]) -> dict[str, str]:
    """``act_`` id -> name, of the accounts ``me/adaccounts`` listed."""
    found: dict[str, str] = {}
    for row in rows:
        if isinstance(row, dict) and row.get("id"):
            act = str(row["id"]) if str(row["id"]).startswith("act_") else f"act_{row['id']}"
            found[act] = str(row.get("name") or "")
    return found


def _listing(planner: CallPlanner) -> Steps[dict[str, str]]:
    rows: list[Any] = []
    walk = PageWalk(planner, "me/adaccounts", {"fields": _LISTED_FIELDS, "limit": 500})
    yield from collect(walk.steps(by_row=False), rows.extend)
    return _reachable(rows)


def _rest_of(planner: CallPlanner, first: Any) -> Steps[dict[str, str]]:
    """The accounts of a first page answered in a batch, and of the pages after it."""
    rows, next_url, after = page_rows(first)
    if next_url and after:
        more: list[Any] = []
        walk = PageWalk(planner, "me/adaccounts", {"fields": _LISTED_FIELDS, "limit": 500, "after": after})
        yield from collect(walk.steps(by_row=False), more.extend)
        rows += more
    return _reachable(rows)


def _object(found: Any) -> tuple[str, str] | None:
    """(kind, account) of a looked-up object, or None when it is no ad object the token sees."""
    if not isinstance(found, dict) or not found.get("account_id"):
        return None
    metadata = found.get("metadata")
    kind = KINDS.get(str(metadata.get("type") or "").lower()) if isinstance(metadata, dict) else None
    if kind is None or kind == "account":
        return None
    return kind, f"act_{found['account_id']}"


def targets_steps(planner: CallPlanner, ids: Sequence[str] | None) -> Steps[list[Target]]:
    """The pull's targets, in the order given (``None``: every ad account the token reaches).

    Raises
    ------
    ConfigError
        Naming every id that is none of the token's ad accounts nor an ad object it can see,
        with the accounts it does reach.
    """
    bare = [i for i in ids or () if not i.startswith("act_")]
    if not bare:
        reachable = yield from _listing(planner)
        looked: dict[str, Any] = {}
    else:
        lookups = [f"{i}?fields=id,name,account_id&metadata=1" for i in bare]
        answers = yield from batch_steps(planner, [f"me/adaccounts?fields={_LISTED_FIELDS}&limit=500", *lookups],
                                         raise_errors=False)  # fmt: skip
        if isinstance(answers[0], GraphError):
            raise answers[0]
        reachable = yield from _rest_of(planner, answers[0])
        looked = dict(zip(bare, answers[1:], strict=True))
    if ids is None:
        return [Target(act, act) for act in reachable]
    targets: list[Target] = []
    unknown: list[str] = []
    for given in ids:
        act = given if given.startswith("act_") else f"act_{given}"
        if act in reachable:
            targets.append(Target(act, act))
        elif (found := _object(looked.get(given))) is not None:
            targets.append(Target(given, found[1], found[0]))
        else:
            unknown.append(given)
    if unknown:
        raise ConfigError(_unknown_words(unknown, reachable))
    return list({t.id: t for t in targets}.values())


def _unknown_words(unknown: list[str], reachable: dict[str, str]) -> str:
    what = ", ".join(unknown)
    one = len(unknown) == 1
    if reachable:
        shown = [f"{act} ({name})" if name else act for act, name in list(reachable.items())[:_SHOWN]]
        more = f" and {len(reachable) - _SHOWN} more" if len(reachable) > _SHOWN else ""
        reach = f"it reaches {len(reachable)}: {', '.join(shown)}{more}"
    else:
        reach = "it reaches none"
    return (
        f"{what} {'is' if one else 'are'} not one of the ad accounts this token reaches, nor a campaign, ad set or ad "
        f"it can see ({reach}). Check the id{'' if one else 's'}, or use a token whose user (or system user) was "
        "given access to that ad account."
    )
