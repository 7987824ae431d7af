"""The process's background event loop (anyio): where sync code runs async work and waits for it.

One daemon thread runs one event loop for the whole process, started on
first use, behind an anyio :class:`~anyio.from_thread.BlockingPortal`.
:func:`wait_for` runs an async function there and blocks the calling thread
until it ends; an interrupt (Ctrl-C, a kernel interrupt) reaching the
waiting thread cancels it there too. The sync driver runs its side-by-side
plans there (:mod:`.threads`), and :func:`~.aio.run_sync` the coroutines of
plain code, so neither starts a thread and a loop per call, and plain code
in a notebook (whose own loop is running) is served the same way. Graph layer.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

__all__ = ["wait_for"]

T = TypeVar("T")

_portal: BlockingPortal | None = None
_portal_lock = threading.Lock()


def wait_for(function: Callable[..., Awaitable[T]], *args: Any) -> T:
    """Run ``await function(*args)`` on the background loop and return its result (or raise its error).

    An interrupt while waiting (KeyboardInterrupt) cancels the task, whose
    cancellation reaches what it runs, and is raised at once.
    """
    future: Future[T] = _background().start_task_soon(function, *args)
    try:
        return future.result()
    except BaseException:
        future.cancel()  # nothing when it already ended; else its cancel scope is cancelled on the loop
        raise


def _background() -> BlockingPortal:
    """The portal to the background loop, started on first use."""
    global _portal
    with _portal_lock:
        if _portal is None:
            _portal = _start()
        return _portal


def _start() -> BlockingPortal:
    started: Future[BlockingPortal] = Future()

    async def serve() -> None:
        async with BlockingPortal() as portal:
            started.set_result(portal)
            await portal.sleep_until_stopped()

    def run() -> None:
        try:
            anyio.run(serve)
        except BaseException as error:  # it could not start: said to the caller waiting for it
            if not started.done():
                started.set_exception(error)

    # A daemon: the process never waits for it on exit (and the worker threads it starts are daemons too).
    threading.Thread(target=run, name="meta_auth_nb-loop", daemon=True).start()
    return started.result()


def _forget_after_fork() -> None:
    """A forked child has no background thread: it starts its own on first use."""
    global _portal, _portal_lock
    _portal, _portal_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_forget_after_fork)
