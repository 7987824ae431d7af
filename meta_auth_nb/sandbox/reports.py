"""The insights edge and report runs: synchronous reports, async jobs, their status and their rows.

``GET act_<id>/insights`` with report parameters (a time range or preset,
``time_increment``, breakdowns) answers the report page by page, unless it
has more rows than the sandbox answers synchronously: then, as Meta does
for a heavy query, HTTP 500 with code 1 "Please reduce the amount of data
you're asking for, then retry your request". ``POST act_<id>/insights``
starts a report run (:mod:`.report_runs`) and answers ``{"report_run_id"}``,
unless the report is too large even for a run (100/1487534).
``GET <report_run_id>`` shows the run, ``GET <report_run_id>/insights`` pages
its rows once it has completed. Without any report parameter the GET is the
sandbox's plain daily listing (:func:`~.report_query.is_listing`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .data import BASE_DAY, AdAccount, paginate, parse_fields, pick_fields
from .errors import GraphError, unsupported
from .report_data import report_rows, report_size
from .report_query import ID_FIELDS, ReportQuery, is_listing, read_query, today_in
from .report_runs import ERROR_FIELDS
from .state import Token
from .wire import Request, Response, encoded_page

if TYPE_CHECKING:
    import datetime as _dt

    from .engine import Engine

__all__ = ["RUN_PATH", "TOO_LARGE_SUBCODE", "insights_edge", "report_run"]

#: ``/<report_run_id>`` or ``/<report_run_id>/insights``.
RUN_PATH = re.compile(r"^/(\d{10,})(?:/(insights))?$")
TOO_LARGE_SUBCODE = 1487534
#: Fields that are not metrics (ids, names, dates): a report's cells are its rows times its other fields.
_NOT_METRICS = frozenset({*ID_FIELDS, "date_start", "date_stop"})
REDUCE_MESSAGE = "Please reduce the amount of data you're asking for, then retry your request"


def _last_day(engine: Engine, acc: AdAccount) -> _dt.date:
    return today_in(acc.timezone_name, engine.clock.now())


def _query(engine: Engine, req: Request, acc: AdAccount) -> tuple[ReportQuery, _dt.date, int]:
    last = _last_day(engine, acc)
    query = read_query(req.params, today=last, first_day=BASE_DAY)
    return query, last, report_size(engine.catalog, acc, query, last)


def insights_edge(engine: Engine, req: Request, acc: AdAccount, user: str) -> Response:
    """Answer ``GET`` (a listing or a synchronous report) or ``POST`` (a report run) on ``act_<id>/insights``."""
    base, token = engine.next_base(req), req.token or ""
    if req.method == "GET" and is_listing(req.params):
        total = engine.catalog.insights_rows
        return Response(body=paginate(total, lambda a, b: engine.catalog.insights(acc, a, b), req.params, base, token))
    query, last, size = _query(engine, req, acc)
    if req.method == "POST":
        cells = size * max(1, len([f for f in query.fields if f not in _NOT_METRICS]))
        if size > engine.insights_async_limit or (engine.insights_async_cells or cells) < cells:
            raise GraphError(
                f"(#100) The report asked for is larger than one report run may be ({size} rows): "
                "ask for fewer days, fewer breakdowns or a less detailed level, then retry your request",
                100,
                "OAuthException",
                subcode=TOO_LARGE_SUBCODE,
            )
        run = engine.report_runs.create(
            acc.id,
            user,
            query,
            size,
            engine.clock.now(),
            lambda: report_rows(engine.catalog, acc, query, last),
        )
        return Response(body={"report_run_id": run.id})
    if size > engine.insights_sync_limit:
        raise GraphError(REDUCE_MESSAGE, 1, "OAuthException", status=500)
    rows = report_rows(engine.catalog, acc, query, last)
    return Response(body=paginate(len(rows), lambda a, b: rows[a:b], req.params, base, token))


def _before_v25(version: str | None) -> bool:
    match = re.match(r"^v(\d+)\.", version or "")
    return match is not None and int(match.group(1)) < 25


def report_run(engine: Engine, req: Request, tok: Token, run_id: str, edge: str | None) -> Response | None:
    """Answer a call on a report run; None when ``run_id`` is no run (the path is someone else's)."""
    run = engine.report_runs.get(run_id)
    if run is None:
        return None
    if req.method != "GET" or tok.user != run.user:
        raise unsupported(req.method, run_id)
    now = engine.clock.now()
    if edge is None:
        node = run.node(now)
        fields = parse_fields(req.params.get("fields"))
        older = [f for f in fields or () if f in ERROR_FIELDS and _before_v25(req.version)]
        if older:  # the reason fields came with v25.0
            raise GraphError(f"(#100) Tried accessing nonexisting field ({older[0]}) on node type (AdReportRun)", 100)
        shown = tuple(k for k in node if k not in ERROR_FIELDS)
        return Response(body=pick_fields(node, fields, shown))
    texts = engine.report_runs.encoded_rows(run, now)
    base, token = engine.next_base(req), req.token or ""
    return Response(raw=encoded_page(paginate(len(texts), lambda a, b: texts[a:b], req.params, base, token)))
