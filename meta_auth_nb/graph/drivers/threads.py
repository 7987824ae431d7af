"""Plans side by side in threads, for the sync driver: what a ``Gather`` with a ``limit`` asks of it.

The async driver runs gathered plans as tasks; the sync driver
(:class:`~.sync.GraphSession`) has no event loop, so it runs them in a pool
of threads sharing its ``httpx.Client`` (which is thread-safe) and its
planner (whose pacer and usage figures take a lock). The first error ends
the gather: a shared stop flag makes every other plan stop at its next
action (a sleep is cut short), and so does an interrupt (Ctrl-C, a kernel
interrupt) reaching the waiting thread. Graph layer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import Any

from ..plan import Steps

__all__ = ["PlanStopped", "side_by_side"]


class PlanStopped(Exception):
    """A plan was stopped because another one of its gather failed (never seen outside the driver)."""


def side_by_side(
    run: Callable[[Steps[Any], threading.Event | None], Any],
    plans: Sequence[Steps[Any]],
    limit: int,
    outer: threading.Event | None = None,
) -> list[Any]:
    """Run ``plans`` with ``run`` in at most ``limit`` threads; their results in order, or the first error.

    Parameters
    ----------
    run : callable
        ``run(steps, stop)`` performs one plan, checking ``stop`` between actions.
    outer : threading.Event, optional
        The stop flag of an enclosing gather: setting it stops these plans too.
    """
    stop = threading.Event()
    relay: threading.Thread | None = None
    if outer is not None:

        def forward() -> None:
            while not stop.is_set():
                if outer.wait(0.05):
                    stop.set()

        relay = threading.Thread(target=forward, name="meta_auth_nb-stop-relay", daemon=True)
        relay.start()
    pool = ThreadPoolExecutor(max_workers=min(limit, len(plans)), thread_name_prefix="meta_auth_nb-plan")
    futures: list[Future[Any]] = [pool.submit(run, steps, stop) for steps in plans]
    try:
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        if any(f.exception() is not None for f in done):
            stop.set()
            wait(futures)  # each stops at its next action
            errors = [error for f in futures if (error := f.exception()) is not None]
            raise next((e for e in errors if not isinstance(e, PlanStopped)), errors[0])
        return [f.result() for f in futures]
    except BaseException:
        stop.set()
        raise
    finally:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
