"""One slice of a pull: a synchronous report, or an async report run, retried and split as Graph asks.

:func:`slice_steps` plans a slice. A slice planned small goes synchronously
(``GET act_<id>/insights``, every page); when Graph answers "Please reduce
the amount of data" it is cut in two at a bucket boundary and each half
tried again, and a single bucket that is still too much goes as a report
run. A slice planned large goes as a report run: ``POST act_<id>/insights``
gives a ``report_run_id``; the run is polled (``async_status``,
``async_percent_completion`` and, since v25.0, the ``error_*`` fields that
say why a run failed) at the time its progress says it should be
done, never trusting 100% before "Job Completed"; its rows are paged once it
completed (2601/1815107 right after completion is retried like any
transient error). A run that ends "Job Failed" or "Job Skipped" is started
again, up to :data:`RUN_ATTEMPTS` times in all, then the slice is given up
(:class:`~meta_auth_nb.errors.InsightsSliceFailed`, with Meta's reason); a
report too large for one run (100/1487534, a timeout, or a run that failed
for either) is split in two, and a single bucket still too large is split by
campaign, ad set, then fields (:mod:`.split`). Errors that would stop every
slice (the token, the network, a bad parameter, breakdowns Meta refuses, a
rate limit longer than the session waits) end the pull; others give up the
slice only. Status polls and
the run's pages count against its ad account, as the sandbox and Meta
count them, so the pacer sees them. Graph layer, I/O-free.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ..._base.errors import (
    ConfigError,
    GraphConnectionError,
    GraphError,
    InvalidAppSecretProof,
    RateLimited,
    TokenError,
    TooMuchData,
)
from ..._base.insights_errors import InsightsQueryRefused, InsightsSliceFailed
from ..._base.versions import version_number
from ..classify import INSIGHTS_TIMEOUT_SUBCODES, classify
from ..core import CallPlanner
from ..paging import PageWalk
from ..plan import Gather, Sleep, Steps, collect
from ..request import CallFacts
from .names import FIELD_KINDS
from .query import InsightsQuery
from .slices import SYNC_ROWS, Slice, buckets, estimate_rows, halves
from .split import split_steps
from .state import PullState

__all__ = [
    "RUN_ATTEMPTS",
    "failure_words",
    "is_fatal",
    "mode_of",
    "refused_part",
    "run_failure",
    "slice_error",
    "slice_steps",
]

#: Report runs started for one slice before it is given up (the first and its retries).
RUN_ATTEMPTS = 3
COMPLETED, FAILED, SKIPPED = "Job Completed", "Job Failed", "Job Skipped"
#: Seconds before the first look at a new run, and the shortest and longest gaps between looks.
FIRST_LOOK_S, MIN_LOOK_S, MAX_LOOK_S = 0.5, 0.25, 30.0
#: On the development tier every look costs a point of 60: look less often.
CAREFUL_MIN_LOOK_S = 2.0


def is_fatal(error: BaseException) -> bool:
    """True for an error every other slice would meet too: the pull stops rather than going on."""
    fatal = (TokenError, GraphConnectionError, ConfigError, InvalidAppSecretProof, RateLimited, InsightsQueryRefused)
    if isinstance(error, fatal):
        return True
    # A bad parameter (100 but "no such object", 3018 too old...) fails every slice the same way.
    return isinstance(error, GraphError) and error.code in (100, 3018) and error.subcode not in (33, 1487534)


def mode_of(query: InsightsQuery, piece: Slice) -> str:
    """``"sync"`` or ``"run"``: how a slice is planned to go, by its estimated size."""
    spans = len(buckets(query, piece.since, piece.until))
    return "sync" if estimate_rows(query, spans) <= SYNC_ROWS else "run"


def slice_steps(state: PullState, piece: Slice, mode: str | None = None) -> Steps[None]:
    """The plan of one slice: its rows go to the ledger, or it is given up; fatal errors are raised."""
    mode = mode or mode_of(state.query, piece)
    try:
        try:
            rows = yield from (_sync_rows(state, piece) if mode == "sync" else _run_rows(state, piece))
        except TooMuchData as error:
            parts = halves(state.query, piece)
            if parts is None and mode == "sync":  # one bucket: a report run may take it
                try:
                    rows = yield from _run_rows(state, piece)
                except TooMuchData:  # still too much for one run: by campaign, ad set, then fields
                    rows = yield from split_steps(state, piece, partial(_run_rows, state, piece))
            elif parts is None:
                rows = yield from split_steps(state, piece, partial(_run_rows, state, piece))
            else:
                why = "Meta timed out" if error.subcode in INSIGHTS_TIMEOUT_SUBCODES else "too much data for one call"
                state.split(piece, parts, why)
                yield Gather([slice_steps(state, part, mode) for part in parts], limit=len(parts))
                return
    except InsightsQueryRefused as error:
        raise refused_part(error, state.query) from None
    except GraphError as error:
        if is_fatal(error):
            raise
        state.gave_up(piece, slice_error(error, piece))
        return
    state.arrived(piece, rows)


def refused_part(error: InsightsQueryRefused, query: InsightsQuery) -> InsightsQueryRefused:
    """The refusal, naming what of the query Meta refused: the breakdowns asked, or the metrics it does not list."""
    if error.part == "breakdowns":
        asked = [*query.breakdowns, *query.action_breakdowns]
    else:
        asked = [name for name in query.fields if name not in FIELD_KINDS] or list(query.fields)
    if not asked:
        return error
    named = f"Meta refused the {error.part} of this query ({', '.join(asked)}): {error.message}"
    return InsightsQueryRefused(
        named,
        part=error.part,
        code=error.code,
        subcode=error.subcode,
        type=error.type,
        fbtrace_id=error.fbtrace_id,
        status=error.status,
        user_title=error.user_title,
        user_msg=error.user_msg,
        place=error.place,
    )


def slice_error(error: GraphError, piece: Slice) -> GraphError:
    """The error, saying which slice it cost."""
    if isinstance(error, InsightsSliceFailed):
        return error
    return InsightsSliceFailed(
        f"{piece.label}: {error.message}",
        account=piece.account,
        since=piece.since.isoformat(),
        until=piece.until.isoformat(),
        code=error.code,
        subcode=error.subcode,
        type=error.type,
        fbtrace_id=error.fbtrace_id,
        status=error.status,
        hint=error.hint,
    )


def _pages(state: PullState, path: str, params: dict[str, Any], facts: CallFacts | None) -> Steps[list[Any]]:
    rows: list[Any] = []
    walk = PageWalk(state.planner, path, {**params, "limit": state.query.page_size}, facts=facts)
    yield from state.watch(collect(walk.steps(by_row=False), rows.extend))
    return rows


def _sync_rows(state: PullState, piece: Slice) -> Steps[list[Any]]:
    params = state.query.params(piece.since, piece.until)
    return (yield from _pages(state, f"{piece.account}/insights", params, state.facts_for(piece)))


def _run_rows(state: PullState, piece: Slice, params: dict[str, Any] | None = None) -> Steps[list[Any]]:
    """Start (or take up again) a report run for the slice, wait for it, page its rows.

    ``params``: a part of the slice (a split: fewer campaigns, fewer fields), whose run the ledger does not note.
    """
    planner, ledger = state.planner, state.ledger
    facts = state.facts_for(piece)
    whole = params is None
    endings: list[str] = []
    while True:
        run_id = ledger.run_of(piece) if whole else None
        taken_up = run_id is not None  # noted by an earlier pull
        if run_id is None:
            asked = params if params is not None else state.query.params(piece.since, piece.until)
            post = planner.call("POST", f"{piece.account}/insights", asked, facts=state.facts_for(piece, write=True))
            reply = yield from state.watch(post)
            if not isinstance(reply, dict) or not reply.get("report_run_id"):
                raise GraphError(f"{piece.label}: Graph started no report run (no report_run_id in its answer)")
            run_id = str(reply["report_run_id"])
            if whole:
                ledger.run_started(piece, run_id)
        try:
            ending, node = yield from _wait_for(state, piece, run_id, facts)
        except GraphError as error:
            if not (taken_up and error.code == 100):
                raise
            ledger.run_ended(piece)  # a run an earlier pull noted, which Graph no longer knows: start anew
            continue
        if ending == COMPLETED:
            return (yield from _pages(state, f"{run_id}/insights", {}, facts))
        if whole:
            ledger.run_ended(piece)
        failure = run_failure(node, state.planner)
        if isinstance(failure, TooMuchData):
            raise failure  # the run failed for its size: split, rather than run it again
        why = f" ({failure_words(failure)})" if failure is not None else ""
        endings.append(ending)
        if len(endings) >= RUN_ATTEMPTS:
            said = f"'{ending}' {len(endings)} times" if len(set(endings)) == 1 else ", ".join(map(repr, endings))
            raise InsightsSliceFailed(
                f"{piece.label}: its report run ended {said}{why}",
                account=piece.account,
                since=piece.since.isoformat(),
                until=piece.until.isoformat(),
                ending=ending,
                reason=failure_words(failure) if failure is not None else None,
                code=failure.code if failure is not None else None,
                subcode=failure.subcode if failure is not None else None,
            )
        state.tell(reason=f"{piece.label}: report run ended '{ending}'{why}, starting another")


#: A report run's status, and since v25.0 why it failed.
_STATUS_FIELDS = "async_status,async_percent_completion"
_REASON_FIELDS = "error_code,error_subcode,error_message,error_user_title,error_user_msg"


def _poll_fields(version: str) -> str:
    """What a look at a run asks for: its reason too, on versions that have the fields."""
    number = version_number(version)
    return f"{_STATUS_FIELDS},{_REASON_FIELDS}" if number is None or number >= (25, 0) else _STATUS_FIELDS


def run_failure(node: dict[str, Any], planner: CallPlanner) -> GraphError | None:
    """Why a report run failed, as its ``error_*`` fields say, classified; None when they say nothing."""
    if node.get("error_code") is None and not node.get("error_message"):
        return None
    envelope = {
        "code": node.get("error_code"),
        "error_subcode": node.get("error_subcode"),
        "message": node.get("error_message") or "The report run failed",
        "error_user_title": node.get("error_user_title"),
        "error_user_msg": node.get("error_user_msg"),
    }
    return classify({"error": envelope}, place=planner.endpoint.place, version=planner.endpoint.version)


def failure_words(error: GraphError) -> str:
    """A run's failure in one phrase: Meta's codes, its message and what it wrote for the user."""
    codes = f"code {error.code}" + (f"/{error.subcode}" if error.subcode is not None else "")
    said = ": ".join(p.strip().rstrip(".") for p in (error.user_title, error.user_msg) if p)
    return f"Meta says {codes}: {error.message.rstrip('.')}" + (f"; {said}" if said else "")


def _wait_for(state: PullState, piece: Slice, run_id: str, facts: CallFacts) -> Steps[tuple[str, dict[str, Any]]]:
    """Poll a report run until it ends; returns how (``Job Completed``, ``Job Failed``, ``Job Skipped``) and its node.

    The next look is when the run's own pace says it will be done: from the
    percentages seen, how long the rest should take (never before a short
    minimum, never later than a long maximum). The first percentage seen is
    measured from the start, which includes the time a run waits to start,
    so that estimate is halved and the next look measures the real pace. A
    run at 100% that has not completed is looked at again soon.
    """
    planner = state.planner
    careful = planner.pacer.tier(facts.account) == "development_access"
    shortest = CAREFUL_MIN_LOOK_S if careful else MIN_LOOK_S
    clock = planner.clock
    start = clock()
    seen: tuple[float, float] | None = None  # (time, percent) of the last look that moved
    wait = max(shortest, FIRST_LOOK_S)
    status, percent = "Job Not Started", 0.0
    fields = _poll_fields(planner.endpoint.version)
    while True:
        said = f"{piece.label}: report run {percent:.0f}% ({status}); next look in {wait:.1f} s"
        state.tell(wait, said)
        yield Sleep(wait, said)
        node = yield from state.watch(planner.call("GET", run_id, {"fields": fields}, facts=facts))
        node = node if isinstance(node, dict) else {}
        status = str(node.get("async_status") or "")
        try:
            percent = float(node.get("async_percent_completion") or 0)
        except (TypeError, ValueError):
            percent = 0.0
        if status in (COMPLETED, FAILED, SKIPPED):
            return status, node
        now = clock()
        if percent >= 100:  # 100% can be read before the run is done
            wait = max(shortest, 0.1 * (now - start))
        elif percent > 0:
            since, at = seen if seen and percent > seen[1] else (start, 0.0)
            rate = (percent - at) / max(1e-6, now - since)
            wait = (100.0 - percent) / rate if rate > 0 else wait * 1.5
            if not seen:  # a run sits "Not Started" for a while, so the pace since the POST is too slow: measure it
                wait /= 2
            if not seen or percent > seen[1]:
                seen = (now, percent)
        else:
            wait = max(wait, 0.5 * (now - start))
        wait = min(MAX_LOOK_S, max(shortest, wait))
