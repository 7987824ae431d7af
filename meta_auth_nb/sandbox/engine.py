"""The sandbox's insides, minus the socket: state, data, faults, usage, log.

:meth:`Engine.handle_graph` is the whole life of one Graph request:
log, latency, throttle, fault, route, usage headers.
"""

from __future__ import annotations

import collections
import threading
import traceback
from typing import NamedTuple

from .app_setup import AppSetup
from .batch import run_batch
from .clock import SandboxClock
from .data import AdCatalog
from .errors import GraphError
from .faults import FaultPlan, Throttle, fault_error, rate_limit_error
from .routes import account_of_path, dispatch, is_ads_path
from .scenarios import Scenario
from .state import SandboxState
from .usage import UsageMeter
from .wire import Request, Response, error_response

__all__ = ["LOG_LIMIT", "Engine", "LogEntry"]

LOG_LIMIT = 100_000  # request-log entries kept


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
    ) -> None:
        self.app_setup = app_setup or AppSetup(seed)
        self.strict_versions = strict_versions
        self.clock = SandboxClock()
        self.scenario = scenario
        self.state = SandboxState(seed, self.clock, scenario)
        owners = {u.name: (u.display_name, u.business_id, u.ad_accounts) for u in self.state.users.values()}
        self.catalog = AdCatalog(seed, owners, insights_rows)
        self.plan = FaultPlan(seed, fault_rate, latency_ms)
        self.throttle = Throttle()
        self.meter = UsageMeter()
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

    def log(self, method: str, path: str, has_bearer: bool, query_keys: list[str]) -> None:
        """Append to the request log."""
        with self._log_lock:
            self.request_log.append(LogEntry(method, path, has_bearer, list(query_keys)))

    def run_batch(self, req: Request) -> Response:
        """Answer a batch ``POST /``: each item goes through the router like a call of its own."""
        return run_batch(self, req, dispatch)

    def internal_error(self) -> Response:
        """A 500 for a bug in the sandbox itself (kept apart from injected faults)."""
        tb = traceback.format_exc()
        self.internal_errors.append(tb)
        err = GraphError(f"Sandbox internal error: {tb.strip().splitlines()[-1]}", 1, "SandboxError", status=500)
        return error_response(err)

    # ---- one Graph request ---------------------------------------------------
    def handle_graph(self, req: Request) -> Response:
        """Latency, throttle, faults, routing and usage headers for one call."""
        self.plan.sleep()
        act = account_of_path(req.path)
        business = self.business_of(act) if act else None
        ads = is_ads_path(req.path)
        buc_type = "ads_insights" if req.path.endswith("/insights") else "ads_management"
        throttled = self.throttle.active()
        if throttled is not None:
            code, minutes = throttled
            resp = error_response(rate_limit_error(code))
            # The regain time goes out on every throttled answer so any call can wait it out.
            resp.headers += self.meter.headers(
                act, business or self.state.business_id, buc_type, saturated=True, regain_minutes=minutes
            )
            return resp
        fault = self.plan.draw()
        if fault == "drop":
            return Response(drop=True)
        if fault is not None:
            resp = error_response(fault_error(fault, ads))
            if fault == "ratelimit":
                resp.headers += self.meter.headers(act, business, buc_type, saturated=True)
            else:
                resp.headers += self.meter.headers()
            return resp
        resp = dispatch(self, req)
        if not (req.path == "/" and isinstance(resp.body, list)):  # batch items count themselves
            self.meter.record(resp.account)
        resp.headers += self.meter.headers(resp.account, resp.business_id, resp.buc_type)
        return resp
