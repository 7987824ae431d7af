"""Async insights report runs: ``POST act_<id>/insights``, their status by the sandbox clock, their rows.

A run takes ``base_s + rows / rows_per_s`` seconds of the sandbox clock
(:class:`JobTiming`): "Job Not Started" for the first tenth, "Job Started"
briefly, then "Job Running" with ``async_percent_completion`` rising so that
it reads 100 while the run is still running (as Meta's may), then "Job
Completed". For ``ready_s`` seconds after completion its rows answer
2601/1815107, as Meta's do right after a run completes; a run scripted to
fail (:meth:`ReportRuns.script`) ends "Job Failed" or "Job Skipped" instead
and its rows are never served. Since v25.0 a failed run says why, in
``error_code``, ``error_subcode``, ``error_message``, ``error_user_title``
and ``error_user_msg`` (asked for in ``fields``; older versions do not know
those fields and refuse them). Rows are computed, and encoded as the JSON
they are served as, by one worker thread that takes the runs in the order
they were created, outside the state lock, as a real backend works through
its queue while the client polls: one worker rather than a thread per run,
so a burst of new runs does not starve the threads answering calls of the
interpreter's lock, and pages of a finished run cost no encoding.
"""

from __future__ import annotations

import itertools
import json
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import GraphError
from .report_query import ReportQuery

__all__ = ["ERROR_FIELDS", "FAILED", "FAILURE", "SKIPPED", "JobTiming", "ReportRun", "ReportRuns", "job_timing"]

NOT_STARTED, STARTED, RUNNING, COMPLETED = "Job Not Started", "Job Started", "Job Running", "Job Completed"
FAILED, SKIPPED = "Job Failed", "Job Skipped"
_ENDINGS = {"failed": FAILED, "skipped": SKIPPED}
#: The fields a failed run's reason comes in (v25.0 and later).
ERROR_FIELDS = ("error_code", "error_subcode", "error_message", "error_user_title", "error_user_msg")
#: Why a scripted failure failed, unless the script says otherwise.
FAILURE: dict[str, Any] = {
    "error_code": -2,
    "error_subcode": 2490547,
    "error_message": "The report run could not be completed",
    "error_user_title": "Report Run Failed",
    "error_user_msg": "Please try again later, or ask for a smaller report.",
}


@dataclass(frozen=True)
class JobTiming:
    """How long runs take, in sandbox-clock seconds.

    Attributes
    ----------
    base_s : float
        Every run's fixed time.
    rows_per_s : float
        Rows a run produces per second on top.
    ready_s : float
        After completion, how long its rows still answer 2601/1815107.
    """

    base_s: float = 1.0
    rows_per_s: float = 2000.0
    ready_s: float = 0.3

    def duration(self, rows: int) -> float:
        """Seconds a run of ``rows`` rows takes."""
        return self.base_s + rows / self.rows_per_s if self.rows_per_s > 0 else self.base_s


def job_timing(
    scenario: Any, base_s: float | None, rows_per_s: float | None, ready_s: float | None
) -> JobTiming | None:
    """The timing given, over the scenario's (``scenario.job_timing``), over the default; None when all are."""
    start = getattr(scenario, "job_timing", None) or JobTiming()
    if base_s is None and rows_per_s is None and ready_s is None:
        return getattr(scenario, "job_timing", None)
    return JobTiming(
        start.base_s if base_s is None else float(base_s),
        start.rows_per_s if rows_per_s is None else float(rows_per_s),
        start.ready_s if ready_s is None else float(ready_s),
    )


@dataclass
class ReportRun:
    """One report run."""

    id: str
    account: str  # act_...
    user: str
    query: ReportQuery
    rows_expected: int
    created: float
    duration: float
    ending: str = COMPLETED
    failure: dict[str, Any] | None = None  # why it failed: the ERROR_FIELDS
    rows: list[dict[str, Any]] | None = None
    encoded: list[str] = field(default_factory=list)  # each row as compact JSON, as its pages send it
    ready: threading.Event = field(default_factory=threading.Event)

    def status(self, now: float) -> tuple[str, int]:
        """``(async_status, async_percent_completion)`` at sandbox time ``now``."""
        elapsed = now - self.created
        if elapsed >= self.duration:
            return self.ending, 0 if self.ending == SKIPPED else (100 if self.ending == COMPLETED else 37)
        if elapsed < 0.1 * self.duration:
            return NOT_STARTED, 0
        percent = min(100, int((elapsed - 0.1 * self.duration) / (0.8 * self.duration) * 100))
        return (STARTED if elapsed < 0.15 * self.duration else RUNNING), percent

    def node(self, now: float) -> dict[str, Any]:
        """The run as ``GET <report_run_id>`` shows it (a failed run with its reason)."""
        status, percent = self.status(now)
        done = status in (COMPLETED, FAILED, SKIPPED)
        reason = (self.failure or FAILURE) if status == FAILED else {}
        return {
            **reason,
            "id": self.id,
            "account_id": self.account[4:],
            "async_status": status,
            "async_percent_completion": percent,
            "is_running": not done,
            "time_ref": int(self.created),
            "time_completed": int(self.created + self.duration) if done else 0,
            **self.query.describe(),
        }


class ReportRuns:
    """Every report run of one sandbox, and the endings scripted for the next ones."""

    def __init__(self, seed: int, timing: JobTiming) -> None:
        self.timing = timing
        self._rng = random.Random(f"meta-auth-nb-sandbox-report-runs:{seed}")
        self._runs: dict[str, ReportRun] = {}
        self._endings: list[tuple[str, dict[str, Any] | None]] = []
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._queue: queue.SimpleQueue[tuple[ReportRun, Callable[[], list[dict[str, Any]]]]] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self.work_s = 0.0  # seconds the worker spent making and encoding rows

    def script(self, ending: str, times: int = 1, failure: dict[str, Any] | None = None) -> None:
        """Make the next ``times`` runs end ``"failed"`` or ``"skipped"`` instead of completing.

        ``failure``: why a failed run failed, some of :data:`ERROR_FIELDS` (default :data:`FAILURE`).
        """
        if ending not in _ENDINGS:
            raise ValueError(f"a run can be made to end 'failed' or 'skipped', not {ending!r}")
        if times < 1:
            raise ValueError("times must be 1 or more")
        unknown = set(failure or ()) - set(ERROR_FIELDS)
        if unknown:
            raise ValueError(f"a failure is told in {', '.join(ERROR_FIELDS)}, not {', '.join(sorted(unknown))}")
        with self._lock:
            self._endings += [(_ENDINGS[ending], dict(failure) if failure else None)] * int(times)

    def create(
        self,
        account: str,
        user: str,
        query: ReportQuery,
        size: int,
        now: float,
        compute: Callable[[], list[dict[str, Any]]],
    ) -> ReportRun:
        """Start a run of ``size`` rows; ``compute`` makes them, in a thread of its own."""
        with self._lock:
            run_id = f"{6023 + next(self._counter)}{self._rng.randrange(10**11, 10**12)}"
            ending, failure = self._endings.pop(0) if self._endings else (COMPLETED, None)
            run = ReportRun(run_id, account, user, query, size, now, self.timing.duration(size), ending, failure)
            self._runs[run_id] = run
            self._queue.put((run, compute))
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="sandbox-report-runs", daemon=True)
                self._worker.start()
        return run

    def _work(self) -> None:
        while True:
            run, compute = self._queue.get()
            started = time.perf_counter()
            try:
                run.rows = compute()
                run.encoded = [json.dumps(row, separators=(",", ":")) for row in run.rows]
            except Exception:  # a run whose rows cannot be made ends "Job Failed"; the worker goes on
                run.ending, run.rows = FAILED, []
            finally:
                self.work_s += time.perf_counter() - started
                run.ready.set()

    def count(self) -> int:
        """How many runs were started."""
        with self._lock:
            return len(self._runs)

    def get(self, run_id: str) -> ReportRun | None:
        """The run with this id, if any."""
        with self._lock:
            return self._runs.get(run_id)

    def account_of(self, run_id: str) -> str | None:
        """The ad account a run belongs to (its calls count against that account's rate limits)."""
        run = self.get(run_id)
        return run.account if run else None

    def rows(self, run: ReportRun, now: float) -> list[dict[str, Any]]:
        """The run's rows, or the error Graph answers when they cannot be read yet (or ever)."""
        self.check_readable(run, now)
        return run.rows or []

    def encoded_rows(self, run: ReportRun, now: float) -> list[str]:
        """:meth:`rows`, each already encoded as JSON."""
        self.check_readable(run, now)
        return run.encoded

    def check_readable(self, run: ReportRun, now: float) -> None:
        """Raise the error Graph answers when the run's rows cannot be read yet (or ever); else wait for them."""
        status, _ = run.status(now)
        if status in (FAILED, SKIPPED):
            raise GraphError(
                "(#2601) Error accessing adreport job.",
                2601,
                "OAuthException",
                subcode=1815107,
                is_transient=False,
                user_title="Loading Async Ads Report Failed",
                user_msg=f"The report run ended '{status}'; start a new one.",
            )
        if status != COMPLETED or now < run.created + run.duration + self.timing.ready_s:
            raise GraphError(
                "(#2601) Error accessing adreport job.",
                2601,
                "OAuthException",
                subcode=1815107,
                is_transient=True,
                user_title="Loading Async Ads Report Failed",
                user_msg="Sorry, the report cannot be loaded successfully. Please check if your job status is "
                "completed instead of failed or running before fetching the data.",
            )
        run.ready.wait(timeout=60)
