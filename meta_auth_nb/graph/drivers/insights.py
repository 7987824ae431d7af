"""What ``GraphSession.insights`` and ``AsyncGraphSession.insights`` share: their arguments made into a plan.

:func:`insights_plan` takes the checked arguments
(:class:`~meta_auth_nb.graph.insights.arguments.InsightsArguments`), opens
the checkpoint file (or keeps the ledger in memory), picks the progress
display, and returns the pull's plan with what to do once it has run (close
the bar). Each driver then only runs the plan its own way. Graph layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..core import CallPlanner
from ..insights.arguments import InsightsArguments
from ..insights.ledger import Ledger
from ..insights.pull import pull_steps
from ..insights.state import ProgressCallback
from ..plan import Steps
from .checkpoint import open_ledger
from .progress import ProgressBar

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["insights_plan"]


def insights_plan(
    planner: CallPlanner, arguments: InsightsArguments, *, concurrency: int
) -> tuple[Steps[pd.DataFrame], Callable[[], None]]:
    """The plan of ``insights(...)`` and the clean-up to run after it (see ``GraphSession.insights``).

    Parameters
    ----------
    arguments : InsightsArguments
        What was asked, checked.
    concurrency : int
        The session's default, for arguments that name none.

    Raises
    ------
    ConfigError
        A checkpoint file that belongs to another pull, or cannot be read.
    """
    fingerprint = arguments.fingerprint()
    checkpoint = arguments.checkpoint
    ledger = open_ledger(checkpoint, fingerprint) if checkpoint is not None else Ledger(fingerprint)
    progress = arguments.progress
    bar = ProgressBar() if progress is True else None
    callback: ProgressCallback | None = bar if bar is not None else (progress if callable(progress) else None)
    steps = pull_steps(planner, arguments, ledger, callback, concurrency=int(arguments.concurrency or concurrency))
    return steps, (bar.close if bar is not None else _nothing)


def _nothing() -> None:
    """No clean-up."""
