"""The process's background event loop: where sync code runs async work (anyio) and waits for it.

One daemon thread runs one event loop for the whole process (``anyio.run``
on asyncio), started on first use. :func:`wait_for` runs a coroutine there
and blocks the calling thread until it ends; an interrupt (Ctrl-C, a kernel
interrupt) reaching the waiting thread cancels it there too, even when it
has not started yet. The sync driver runs its side-by-side plans there
(:mod:`.threads`), and :func:`~.aio.run_sync` the coroutines of plain code,
so neither starts a thread and a loop per call, and plain code in a
notebook (whose own loop is running) is served the same way. The worker
threads anyio starts there are kept for the next call. Graph layer.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

import anyio

__all__ = ["wait_for"]

T = TypeVar("T")

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def wait_for(function: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """Run ``await function(*args)`` on the background loop and return its result (or raise its error).

    An interrupt while waiting (KeyboardInterrupt) cancels the task, whose
    cancellation reaches what it runs, and is raised at once.
    """
    call = _Call[T](_background())
    if _running_here() is call.loop:  # waiting would stop the very loop that must do the work
        raise RuntimeError("plain (blocking) Graph calls cannot run inside the background loop: await them there")
    try:
        return asyncio.run_coroutine_threadsafe(call.run(function, args), call.loop).result()
    except BaseException:
        call.cancel()
        raise


class _Call(Generic[T]):
    """One task on the background loop, which the waiting thread can cancel at any moment.

    An interrupt may come before the thread holds a handle to the task (it
    is raised wherever the thread is), so the task and the will to cancel it
    meet here, under a lock: whichever comes second acts.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._lock = threading.Lock()
        self._cancelled = False
        self._task: asyncio.Task[Any] | None = None

    async def run(self, function: Callable[..., Coroutine[Any, Any, T]], args: tuple[Any, ...]) -> T:
        with self._lock:
            self._task = asyncio.current_task()
            cancelled = self._cancelled
        if cancelled:
            raise asyncio.CancelledError()
        return await function(*args)

    def cancel(self) -> None:
        """Cancel the task (nothing when it ended), or have it not start."""
        with self._lock:
            self._cancelled = True
            task = self._task
        if task is not None:
            self.loop.call_soon_threadsafe(task.cancel)


def _running_here() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _background() -> asyncio.AbstractEventLoop:
    """The background loop, started on first use."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = _start()
        return _loop


def _start() -> asyncio.AbstractEventLoop:
    started: Future[asyncio.AbstractEventLoop] = Future()

    async def serve() -> None:
        # The loop's first task, alive as long as the loop: anyio keeps its worker threads for it.
        started.set_result(asyncio.get_running_loop())
        await anyio.sleep_forever()

    def run() -> None:
        try:
            anyio.run(serve, backend="asyncio")
        except BaseException as error:  # it could not start: said to the caller waiting for it
            if not started.done():
                started.set_exception(error)

    # A daemon: the process never waits for it on exit (and the worker threads it starts are daemons too).
    threading.Thread(target=run, name="meta_auth_nb-loop", daemon=True).start()
    return started.result()


def _forget_after_fork() -> None:
    """A forked child has no background thread: it starts its own on first use."""
    global _loop, _loop_lock
    _loop, _loop_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_forget_after_fork)
