"""Plans side by side in threads, for the sync driver: what a ``Gather`` with a ``limit`` asks of it.

The async driver runs gathered plans as tasks; the sync driver
(:class:`~.sync.GraphSession`) has no event loop, so its plans run in
worker threads (sharing its ``httpx.Client``, which is thread-safe, and its
planner, whose pacer and usage figures take a lock) under an anyio task
group on the background loop (:mod:`.loop`), at most ``limit`` at once. The
first error ends the gather: the group is cancelled, and each plan stops at
its next action (:func:`stop_point`; a sleep, taken with :func:`pause`, is
cut short). An interrupt (Ctrl-C, a kernel interrupt) reaching the waiting
thread cancels the group the same way, and a gather inside a plan that runs
side by side is a child of its group, so stopping one stops what it started.
Graph layer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread

from ..plan import Steps
from .gather import first_error_ends
from .loop import wait_for

__all__ = ["pause", "side_by_side", "stop_point"]

#: Performs one plan in a worker thread.
PlanRunner = Callable[[Steps[Any]], Any]


def side_by_side(run: PlanRunner, plans: Sequence[Steps[Any]], limit: int, *, nested: bool = False) -> list[Any]:
    """Run ``plans`` with ``run`` in at most ``limit`` threads; their results in order, or the first error.

    Parameters
    ----------
    run : callable
        ``run(steps)`` performs one plan in a worker thread, calling
        :func:`stop_point` between its actions and :func:`pause` to sleep.
    nested : bool
        The caller is itself a plan running side by side (a worker thread):
        these plans join its group, and stop when it stops.
    """
    if nested:
        return anyio.from_thread.run(_gather, run, plans, limit)
    return wait_for(_gather, run, plans, limit)


def stop_point() -> None:
    """Between two actions of a plan running side by side: raise if its gather is being stopped."""
    anyio.from_thread.check_cancelled()


def pause(seconds: float) -> None:
    """Sleep in a plan running side by side; a stopped gather cuts the sleep short (by raising)."""
    anyio.from_thread.run(_sleep, seconds)


def _raise_if_stopped() -> None:
    """Raise the cancellation of the task a worker thread started, when its gather was already stopped.

    anyio delivers a cancellation to the tasks there are when it happens; a
    task a worker thread starts afterwards (a sleep, a gather) checks for itself.
    """
    if anyio.current_effective_deadline() == -math.inf:
        raise anyio.get_cancelled_exc_class()()


async def _sleep(seconds: float) -> None:
    _raise_if_stopped()
    await anyio.sleep(seconds)


async def _gather(run: PlanRunner, plans: Sequence[Steps[Any]], limit: int) -> list[Any]:
    """Run each plan in a worker thread, at most ``limit`` at once; their results, or the first error."""
    _raise_if_stopped()
    threads = anyio.CapacityLimiter(max(1, limit))

    async def in_a_thread(steps: Steps[Any]) -> Any:
        return await anyio.to_thread.run_sync(run, steps, limiter=threads)

    return await first_error_ends(in_a_thread, plans)
