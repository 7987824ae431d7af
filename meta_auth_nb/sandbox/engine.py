"""The sandbox's insides, minus the socket: state, data, faults, rate limits, log.

:meth:`Engine.handle_graph` is the whole life of one Graph request; the
throttle, faults, rate limits and usage headers around the router are the
:class:`~.gate.Gate`'s.
"""

from __future__ import annotations

import collections
import re
import threading
import traceback
from typing import NamedTuple

from .app_setup import AppSetup
from .batch import run_batch
from .clock import SandboxClock
from .data import AdCatalog
from .errors import GraphError
from .faults import FaultPlan, Script, Throttle
from .gate import Gate
from .objects import ObjectIndex
from .ratelimit import RateClock, RateLimits, get_tier
from .report_runs import JobTiming, ReportRuns
from .reports import RUN_PATH
from .routes import account_of_path
from .scenarios import Scenario
from .state import SandboxState
from .wire import Request, Response, error_response, split_version

__all__ = ["DEFAULT_ASYNC_LIMIT", "DEFAULT_SYNC_LIMIT", "LOG_LIMIT", "Engine", "LogEntry"]

LOG_LIMIT = 100_000  # request-log entries kept
_OBJECT = re.compile(r"^/(\d+)(?:/[a-z_]+)?$")
#: Most rows a synchronous insights report may have before "Please reduce the amount of data".
DEFAULT_SYNC_LIMIT = 1000
#: Most rows one report run may have before 100/1487534.
DEFAULT_ASYNC_LIMIT = 50_000


class LogEntry(NamedTuple):
    """One line of ``Sandbox.request_log`` (never the token itself)."""

    method: str
    path: str
    has_bearer: bool
    query_keys: list[str]


class Engine:
    """Everything a request handler needs.

    Parameters
    ----------
    seed, insights_rows, fault_rate, latency_ms
        As for :class:`~meta_auth_nb.sandbox.Sandbox`.
    scenario : Scenario
        The active scenario.
    app_setup : AppSetup, optional
        The app's mode, redirect URIs, roles and Login for Business configurations.
    strict_versions : bool
        Refuse Marketing API calls on ended versions (2635) instead of upgrading them.
    tier : str, optional
        Rate-limit tier, default the scenario's, else standard.
    rate_limit_speed : float, optional
        Speed of the rate-limit clock, default the scenario's, else 1.
    ad_accounts : int, optional
        alice's ad accounts (and the system user's), default the scenario's, else 2.
    insights_sync_limit, insights_async_limit : int, optional
        Most rows a synchronous report / a report run may have.
    job_timing : JobTiming, optional
        How long report runs take.
    insights_async_cells : int, optional
        Most cells (rows times metrics asked) of one report run.
    app_calls_per_hour : int, optional
        The app's hourly budget of calls outside the Marketing API (default 200 per user).
    """

    def __init__(
        self,
        seed: int,
        insights_rows: int,
        scenario: Scenario,
        fault_rate: float = 0.0,
        latency_ms: float = 0.0,
        *,
        app_setup: AppSetup | None = None,
        strict_versions: bool = False,
        tier: str | None = None,
        rate_limit_speed: float | None = None,
        ad_accounts: int | None = None,
        insights_sync_limit: int | None = None,
        insights_async_limit: int | None = None,
        job_timing: JobTiming | None = None,
        insights_async_cells: int | None = None,
        app_calls_per_hour: int | None = None,
    ) -> None:
        self.app_setup = app_setup or AppSetup(seed)
        self.strict_versions = strict_versions
        self.clock = SandboxClock()
        self.scenario = scenario
        self.state = SandboxState(seed, self.clock, scenario, ad_accounts=ad_accounts or scenario.ad_accounts or 2)
        owners = {u.name: (u.display_name, u.business_id, u.ad_accounts) for u in self.state.users.values()}
        self.catalog = AdCatalog(seed, owners, scenario.insights_rows or insights_rows)
        self.plan = FaultPlan(seed, fault_rate, latency_ms or scenario.latency_ms or 0.0)
        self.insights_sync_limit = insights_sync_limit or scenario.insights_sync_limit or DEFAULT_SYNC_LIMIT
        self.insights_async_limit = insights_async_limit or DEFAULT_ASYNC_LIMIT
        self.report_runs = ReportRuns(seed, job_timing or scenario.job_timing or JobTiming())
        self.objects = ObjectIndex()
        #: Most cells (rows x metrics) one report run may have before 100/1487534; None: no such limit.
        self.insights_async_cells = insights_async_cells
        self.throttle = Throttle()
        self.script = Script(self.state.business_id)
        self.rate_clock = RateClock(rate_limit_speed or scenario.rate_limit_speed or 1.0)
        self.limits = RateLimits(
            get_tier(tier or scenario.tier),
            self.rate_clock,
            users=len(self.state.users),
            app_calls_per_hour=app_calls_per_hour,
        )
        self.gate = Gate(self)
        self.graph_url = ""
        # Bounded so a sandbox left running all day does not grow without end.
        self.request_log: collections.deque[LogEntry] = collections.deque(maxlen=LOG_LIMIT)
        self.internal_errors: list[str] = []
        self._log_lock = threading.Lock()

    # ---- helpers used by routes ---------------------------------------------
    def next_base(self, req: Request) -> str:
        """Absolute URL of this request's path, for ``paging.next``."""
        prefix = f"/{req.version}" if req.version else ""
        return f"{self.graph_url}{prefix}{req.path}"

    def business_of(self, act: str) -> str | None:
        """Business id owning ad account ``act`` (for usage headers)."""
        acc = self.catalog.accounts.get(act)
        return acc.business_id if acc else None

    def account_of(self, path: str) -> str | None:
        """The ``act_`` id a Graph path is counted against: its own, or a report run's account."""
        act = account_of_path(path)
        if act is None:
            run = RUN_PATH.match(path)
            act = self.report_runs.account_of(run.group(1)) if run else None
        if act is None:
            node = _OBJECT.match(path)
            act = self.objects.account_of(self, node.group(1)) if node else None
        return act

    def log(self, method: str, path: str, has_bearer: bool, query_keys: list[str]) -> None:
        """Append to the request log."""
        with self._log_lock:
            self.request_log.append(LogEntry(method, path, has_bearer, list(query_keys)))

    def request_count(self, path: str | None = None, method: str | None = None) -> int:
        """Logged Graph requests, on ``path`` (any version) and with ``method`` when given."""
        where = None if path is None else split_version("/" + path.lstrip("/"))[1]
        with self._log_lock:
            entries = list(self.request_log)
        return sum(
            1
            for entry in entries
            if (where is None or split_version(entry.path)[1] == where)
            and (method is None or entry.method == method.upper())
        )

    def run_batch(self, req: Request) -> Response:
        """Answer a batch ``POST /``: each item goes through the router like a call of its own."""
        return run_batch(self, req, self.gate.item)

    def internal_error(self) -> Response:
        """A 500 for a bug in the sandbox itself (kept apart from injected faults)."""
        tb = traceback.format_exc()
        self.internal_errors.append(tb)
        err = GraphError(f"Sandbox internal error: {tb.strip().splitlines()[-1]}", 1, "SandboxError", status=500)
        return error_response(err)

    # ---- one Graph request ---------------------------------------------------
    def handle_graph(self, req: Request) -> Response:
        """Latency, throttle, faults, rate limits, routing and usage headers for one call."""
        return self.gate.handle(req)
