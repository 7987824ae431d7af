"""What ``GraphSession.insights`` and ``AsyncGraphSession.insights`` share: their arguments made into a plan.

:func:`insights_plan` takes the checked arguments
(:class:`~meta_auth_nb.graph.insights.arguments.InsightsArguments`), opens
where the rows go (memory, the checkpoint file of :mod:`.checkpoint`, or the
Parquet folder of :mod:`.parquet_folder`), picks the progress display
(:mod:`.progress_text`), and returns the pull's plan with what to do once it
has run (close the display and the file). Each driver then only runs the
plan its own way. Graph layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..._base.insights_errors import InsightsIncomplete
from ..core import CallPlanner
from ..insights.arguments import InsightsArguments
from ..insights.ledger import Ledger
from ..insights.pull import pull_steps
from ..plan import Steps
from .checkpoint import open_ledger
from .parquet_folder import ParquetFolder, open_folder
from .progress_text import progress_display

__all__ = ["insights_plan"]


def insights_plan(
    planner: CallPlanner, arguments: InsightsArguments, *, concurrency: int
) -> tuple[Steps[Any], Callable[[], None]]:
    """The plan of ``insights(...)`` and the clean-up to run after it (see ``GraphSession.insights``).

    The plan returns the DataFrame, or for a ``to=`` folder the pyarrow dataset of its files.

    Parameters
    ----------
    arguments : InsightsArguments
        What was asked, checked.
    concurrency : int
        The session's default, for arguments that name none.

    Raises
    ------
    ConfigError
        A checkpoint file or folder that belongs to another pull, or cannot be used.
    """
    fingerprint = arguments.fingerprint()
    closers: list[Callable[[], None]] = []
    folder: ParquetFolder | None = None
    if arguments.to is not None:
        ledger, folder = open_folder(arguments.to, fingerprint, arguments.query)
    elif arguments.checkpoint is not None:
        ledger, checkpoint = open_ledger(arguments.checkpoint, fingerprint)
        closers.append(checkpoint.close)
    else:
        ledger = Ledger(fingerprint)
    callback, close_display = progress_display(arguments.progress)
    closers.insert(0, close_display)
    limit = int(arguments.concurrency or concurrency)
    steps = pull_steps(planner, arguments, ledger, callback, concurrency=limit, frame=folder is None)

    def finish() -> None:
        for close in closers:
            close()

    return (steps if folder is None else _into(steps, folder, ledger)), finish


def _into(steps: Steps[Any], folder: ParquetFolder, ledger: Ledger) -> Steps[Any]:
    """The pull, returning the folder's dataset (a pull with slices missing holds what arrived in ``.partial``)."""
    try:
        yield from steps
    except InsightsIncomplete as incomplete:
        incomplete.partial = folder.dataset(ledger)
        raise
    return folder.dataset(ledger)
