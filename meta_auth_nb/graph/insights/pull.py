"""A whole insights pull planned: accounts, their days, the slices side by side, the DataFrame.

:func:`pull_steps` is the plan behind ``meta.insights()``:

1. the ad accounts: those given, or for ``"all"`` every account the token
   reaches (``me/adaccounts``), each looked at once (``GET act_<id>``) for its
   name and time zone, which also tells the pacer its rate-limit tier and
   score before any slice runs;
2. each account's days: the time range, or the date preset in the account's
   time zone, fixed in the ledger so a resumed pull asks for the same days;
3. the slices still missing (:func:`~.slices.plan_slices`), run side by side
   (a ``Gather`` with the concurrency as its limit), each paced by the
   session's pacer, retried and split by :mod:`.report`;
4. the rows of the ledger, account by account and oldest first, as a tidy
   DataFrame (:mod:`.tidy`), or :class:`~meta_auth_nb.errors.InsightsIncomplete`
   with that DataFrame as ``.partial`` when slices are missing.

Graph layer, I/O-free.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from ..._base.errors import GraphError, InsightsIncomplete
from ..core import CallPlanner
from ..paging import PageWalk
from ..plan import Gather, Steps, collect
from .arguments import InsightsArguments
from .ledger import Ledger
from .query import resolve_range, today_in
from .report import is_fatal, slice_error, slice_steps
from .slices import Slice, plan_slices
from .state import ProgressCallback, PullState

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["pull_steps"]

_ACCOUNT_FIELDS = "id,name,currency,timezone_name"


def _listed(planner: CallPlanner, state: PullState) -> Steps[list[str]]:
    rows: list[Any] = []
    walk = PageWalk(planner, "me/adaccounts", {"fields": "id", "limit": 500})
    yield from state.watch(collect(walk.steps(by_row=False), rows.extend))
    return [str(row["id"]) for row in rows if isinstance(row, dict) and row.get("id")]


def _look(planner: CallPlanner, state: PullState, account: str) -> Steps[dict[str, Any] | GraphError]:
    """An account's node (name, time zone), or the error that keeps it out of the pull."""
    try:
        node = yield from state.watch(planner.call("GET", account, {"fields": _ACCOUNT_FIELDS}))
    except GraphError as error:
        if is_fatal(error):
            raise
        return error
    return node if isinstance(node, dict) else {}


def _now(planner: CallPlanner) -> _dt.datetime:
    return planner.server_time or _dt.datetime.now(_dt.timezone.utc)


def pull_steps(
    planner: CallPlanner,
    arguments: InsightsArguments,
    ledger: Ledger,
    progress: ProgressCallback | None,
    *,
    concurrency: int,
) -> Steps[pd.DataFrame]:
    """The plan of a whole pull; returns its DataFrame or raises InsightsIncomplete (see the module).

    Parameters
    ----------
    arguments : InsightsArguments
        What was asked, checked.
    ledger : Ledger
        What arrived so far (from a checkpoint, or empty).
    progress : callable, optional
        Told where the pull stands.
    concurrency : int
        Slices (and calls) at most in flight at once.
    """
    query = arguments.query
    state = PullState(planner, query, ledger, progress, raw=arguments.raw)
    state.tell(reason="looking at the ad accounts")
    accounts = ledger.accounts or arguments.account_ids or (yield from _listed(planner, state))
    nodes = yield Gather([_look(planner, state, account) for account in accounts], limit=concurrency)
    ranges: dict[str, tuple[_dt.date, _dt.date]] = {}
    for account, node in zip(accounts, nodes, strict=True):
        if isinstance(node, GraphError):
            today = today_in(None, _now(planner))
            since, until = ledger.ranges.get(account) or resolve_range(query, today)
            piece = Slice(account, since, until)
            state.gave_up(piece, slice_error(node, piece))
            continue
        ranges[account] = ledger.ranges.get(account) or resolve_range(
            query, today_in(node.get("timezone_name"), _now(planner))
        )
    ledger.plan(accounts, ranges)
    careful = [a for a in ranges if planner.pacer.tier(a) == "development_access"]
    todo = plan_slices(
        query,
        [(a, *span) for a, span in ranges.items()],
        ledger.done(),
        concurrency=concurrency,
        careful=careful,
    )
    state.begin(len(todo))
    if todo:
        yield Gather([slice_steps(state, piece) for piece in todo], limit=concurrency)
    frame = state.frame(accounts)
    missing = len(state.failures)
    state.tell(reason="done" if not missing else f"{missing} slice{'s' if missing != 1 else ''} missing")
    if state.failures:
        raise _incomplete(state.failures, frame, str(arguments.checkpoint) if arguments.checkpoint else None)
    return frame


def _incomplete(failures: list[GraphError], frame: pd.DataFrame, checkpoint: str | None) -> InsightsIncomplete:
    count = len(failures)
    shown = "; ".join(f.message.rstrip(".") for f in failures[:3]) + ("; …" if count > 3 else "")
    again = (
        f"Run the same call again with checkpoint={checkpoint!r}: only the missing slices are fetched."
        if checkpoint
        else "Pass checkpoint='pull.json' to keep what arrived and fetch only what is missing next time."
    )
    return InsightsIncomplete(
        f"{count} slice{'s' if count > 1 else ''} of the pull {'are' if count > 1 else 'is'} missing: {shown}. "
        f"The {len(frame):,} rows that arrived are in .partial. {again}",
        failures=failures,
        partial=frame,
        checkpoint=checkpoint,
    )
