"""What ``GraphSession.insights`` and ``AsyncGraphSession.insights`` share: their arguments made into a plan.

:func:`insights_plan` checks the arguments (:func:`~.query.build_query`),
opens the checkpoint (or keeps the ledger in memory), picks the progress
display, and returns the pull's plan with what to do once it has run
(close the bar). Each driver then only runs the plan its own way. Graph layer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..._base.errors import ConfigError
from ..core import CallPlanner
from ..insights.ledger import Ledger
from ..insights.pull import PullRequest, account_ids, pull_steps
from ..insights.query import build_query
from ..insights.state import ProgressCallback
from ..plan import Steps
from .checkpoint import open_ledger
from .progress import ProgressBar

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["insights_plan"]


def insights_plan(
    planner: CallPlanner,
    accounts: str | Sequence[str],
    *,
    fields: str | Sequence[str] | None,
    level: str | None,
    date_preset: str | None,
    time_range: Any,
    time_increment: Any,
    breakdowns: str | Sequence[str] | None,
    action_breakdowns: str | Sequence[str] | None,
    filtering: Any,
    raw: bool,
    checkpoint: str | Path | None,
    progress: bool | ProgressCallback | None,
    concurrency: int,
    page_size: int,
    params: dict[str, Any],
) -> tuple[Steps[pd.DataFrame], Callable[[], None]]:
    """The plan of ``insights(...)`` and the clean-up to run after it (see ``GraphSession.insights``).

    Raises
    ------
    ConfigError
        For arguments that cannot work, before any call.
    """
    query = build_query(
        fields=fields,
        level=level,
        date_preset=date_preset,
        time_range=time_range,
        time_increment=time_increment,
        breakdowns=breakdowns,
        action_breakdowns=action_breakdowns,
        filtering=filtering,
        page_size=page_size,
        extra=params,
    )
    account_ids(accounts)  # checked now, not after the first calls
    if int(concurrency) < 1:
        raise ConfigError("concurrency is 1 or more (slices fetched at once)")
    fingerprint = {"accounts": accounts if isinstance(accounts, str) else list(accounts), **query.fingerprint()}
    ledger = open_ledger(checkpoint, fingerprint) if checkpoint is not None else Ledger(fingerprint)
    bar = ProgressBar() if progress is True else None
    callback: ProgressCallback | None = bar if bar is not None else (progress if callable(progress) else None)
    request = PullRequest(accounts, query, int(concurrency), bool(raw), str(checkpoint) if checkpoint else None)
    return pull_steps(planner, request, ledger, callback), (bar.close if bar is not None else _nothing)


def _nothing() -> None:
    """No clean-up."""
