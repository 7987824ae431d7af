"""A whole insights pull planned: targets, their days, the slices side by side, the DataFrame.

:func:`pull_steps` is the plan behind ``meta.insights()``:

1. the targets: one look-up (:mod:`.targets`) checks the ids given against
   the ad accounts the token reaches and tells campaigns, ad sets and ads
   apart (``"all"``: every account it reaches); a wrong id stops the pull
   there, before anything else is asked;
2. each ad account involved is looked at once (``GET act_<id>``) for its
   name and time zone, which also tells the pacer its rate-limit tier and
   score before any slice runs;
3. each target's days: the time range, or the date preset in its account's
   time zone, fixed in the ledger so a resumed pull asks for the same days;
4. the slices still missing (:func:`~.slices.plan_slices`): the first goes
   alone until Graph accepts its first call (or splits it), so a query Graph
   refuses costs one request, not one per slice; then the rest run side by
   side (a ``Gather`` with the concurrency as its limit), each paced by the
   session's pacer, retried and split by :mod:`.report`;
5. the rows of the ledger, target by target and oldest first, as a tidy
   DataFrame (:mod:`.tidy`), or :class:`~meta_auth_nb.errors.InsightsIncomplete`
   with that DataFrame as ``.partial`` when slices are missing. A pull that
   writes its rows to a folder builds no DataFrame.

Graph layer, I/O-free.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..._base.errors import GraphError
from ..._base.insights_errors import InsightsIncomplete
from ..core import CallPlanner
from ..plan import Gather, Send, Steps
from ..reply import Reply
from .arguments import InsightsArguments
from .ledger import Ledger, PullPlan
from .query import resolve_range, today_in
from .report import is_fatal, slice_error, slice_steps
from .slices import Slice, plan_slices
from .state import ProgressCallback, PullState
from .targets import targets_steps

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CHECKPOINT_EXAMPLE", "pull_steps"]

#: The checkpoint file a message suggests.
CHECKPOINT_EXAMPLE = "pull.checkpoint"

_ACCOUNT_FIELDS = "id,name,currency,timezone_name"


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


def _plan_of(planner: CallPlanner, ledger: Ledger, arguments: InsightsArguments) -> Steps[PullPlan]:
    """The targets and their accounts: as an earlier pull fixed them, or from the one look-up."""
    if ledger.plan_ is not None and ledger.plan_.targets:
        return ledger.plan_
    found = yield from targets_steps(planner, arguments.account_ids)
    return PullPlan([t.id for t in found], {t.id: (t.account, t.kind) for t in found}, {})


def _head_start(steps: Steps[None]) -> Steps[Callable[[], Steps[None]] | None]:
    """Run a slice's plan alone until Graph accepts its first call (or it splits, or ends).

    Returns what is left of it to run beside the other slices, or None when it ended alone.
    """
    outcome: Any = None
    while True:
        try:
            action = steps.send(outcome)
        except StopIteration:
            return None
        if isinstance(action, Gather):  # split: Graph took the query, only not all at once
            return lambda: _resumed(steps, action=action)
        outcome = yield action
        if isinstance(action, Send) and isinstance(outcome, Reply) and outcome.status < 400:
            accepted = outcome
            return lambda: _resumed(steps, outcome=accepted)


def _resumed(steps: Steps[None], *, action: Any = None, outcome: Any = None) -> Steps[None]:
    """A plan taken up where :func:`_head_start` left it: with an action to perform, or an outcome to hand it."""
    if action is not None:
        outcome = yield action
    while True:
        try:
            action = steps.send(outcome)
        except StopIteration:
            return
        outcome = yield action


def pull_steps(
    planner: CallPlanner,
    arguments: InsightsArguments,
    ledger: Ledger,
    progress: ProgressCallback | None,
    *,
    concurrency: int,
    frame: bool = True,
) -> Steps[pd.DataFrame | None]:
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
    frame : bool
        Build the DataFrame (False: the rows stay in the ledger's store, and None is returned).
    """
    query = arguments.query
    state = PullState(planner, query, ledger, progress, raw=arguments.raw, frame=frame)
    state.tell(reason="looking at the ad accounts")
    plan = yield from _plan_of(planner, ledger, arguments)
    state.owners = {target: owner[0] for target, owner in plan.owners.items()}
    state.kinds = {target: owner[1] for target, owner in plan.owners.items()}
    accounts = list(dict.fromkeys(state.owners.get(t, t) for t in plan.targets))
    nodes = dict(
        zip(accounts, (yield Gather([_look(planner, state, a) for a in accounts], limit=concurrency)), strict=True)
    )
    for target in plan.targets:
        node = nodes[state.owners.get(target, target)]
        zone = node.get("timezone_name") if isinstance(node, dict) else None
        span = ledger.ranges.get(target) or resolve_range(query, today_in(zone, _now(planner)))
        plan.ranges[target] = span
        if isinstance(node, GraphError):
            piece = Slice(target, *span)
            state.gave_up(piece, slice_error(node, piece))
    ledger.plan(plan)
    reachable = [t for t in plan.targets if not isinstance(nodes[state.owners.get(t, t)], GraphError)]
    careful = [t for t in reachable if planner.pacer.tier(state.owners.get(t, t)) == "development_access"]
    todo = plan_slices(
        query,
        [(t, *plan.ranges[t]) for t in reachable],
        ledger.done(),
        concurrency=concurrency,
        careful=careful,
    )
    state.begin(len(todo))
    if todo:
        rest = yield from _head_start(slice_steps(state, todo[0]))
        plans = ([rest()] if rest is not None else []) + [slice_steps(state, piece) for piece in todo[1:]]
        if plans:
            yield Gather(plans, limit=concurrency)
    made = state.frame(plan.targets) if frame else None
    state.tell(reason="incomplete" if state.failures else "done")  # the count itself says how many are missing
    if state.failures:
        raise _incomplete(state.failures, made, arguments)
    return made


def _incomplete(
    failures: list[GraphError], frame: pd.DataFrame | None, arguments: InsightsArguments
) -> InsightsIncomplete:
    count = len(failures)
    shown = "; ".join(f.message.rstrip(".") for f in failures[:3]) + ("; …" if count > 3 else "")
    checkpoint = str(arguments.checkpoint) if arguments.checkpoint is not None else None
    if arguments.to is not None:
        kept = f"The rows that arrived are in {str(arguments.to)!r}."
        again = f"Run the same call again with to={str(arguments.to)!r}: only the missing slices are fetched."
    else:
        kept = f"The {len(frame) if frame is not None else 0:,} rows that arrived are in .partial."
        again = (
            f"Run the same call again with checkpoint={checkpoint!r}: only the missing slices are fetched."
            if checkpoint
            else f"Pass checkpoint={CHECKPOINT_EXAMPLE!r} to keep what arrived and fetch only the rest next time."
        )
    return InsightsIncomplete(
        f"{count} slice{'s' if count > 1 else ''} of the pull {'are' if count > 1 else 'is'} missing: {shown}. "
        f"{kept} {again}",
        failures=failures,
        partial=frame,
        checkpoint=checkpoint or (str(arguments.to) if arguments.to is not None else None),
    )
