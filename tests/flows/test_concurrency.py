"""Plans side by side, in both drivers: the first error ends a gather, an interrupt stops it, sleeps are cut short.

The plans here are small generators speaking the drivers' words (``Gather``,
``Sleep``): a plan that fails, and plans that would sleep an hour. A gather
that did not stop its sleepers would hang the test (pytest's timeout fails
it); nothing here measures time. Their ``finally`` blocks record that each
sleeper was stopped and cleaned up, not left running. The notebook's async
sessions, one per event loop, are closed when replaced, over real HTTP.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Iterator

import anyio.from_thread
import pytest

import meta_auth_nb as mab
from meta_auth_nb._base.errors import GraphError
from meta_auth_nb.graph.drivers.aio import run_sync
from meta_auth_nb.graph.plan import Gather, Sleep, Steps

HOUR = 3600.0


class Sleepers:
    """Plans that sleep an hour, and what became of them."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.asleep = threading.Semaphore(0)
        self.cleaned = threading.Semaphore(0)
        self.woke = 0

    def plan(self) -> Steps[str]:
        try:
            self.asleep.release()
            yield Sleep(HOUR, "a long wait")
            self.woke += 1
            return "slept"
        finally:
            self.cleaned.release()

    def all_asleep(self) -> None:
        for _ in range(self.count):
            self.asleep.acquire()

    def all_cleaned(self) -> bool:
        for _ in range(self.count):
            self.cleaned.acquire()
        return self.woke == 0


def failing_once(sleepers: Sleepers) -> Steps[str]:
    sleepers.all_asleep()  # fail only once every sleeper sleeps
    raise GraphError("the first error", code=100)
    yield  # a plan


def gather(*plans: Steps[object], limit: int = 8) -> Steps[list[object]]:
    results = yield Gather(list(plans), limit=limit)
    return results


@pytest.fixture
def meta(sandbox, opts) -> Iterator[mab.GraphSession]:
    with mab.GraphSession(sandbox.issue_token(), **opts) as session:
        yield session


def test_the_first_error_ends_a_sync_gather_and_cuts_the_other_plans_sleep_short(meta):
    sleepers = Sleepers(3)
    plans = [sleepers.plan() for _ in range(3)]
    with pytest.raises(GraphError, match="the first error"):
        meta._run(gather(*plans, failing_once(sleepers)))
    assert sleepers.all_cleaned()


def test_a_gather_inside_a_plan_running_side_by_side_stops_with_its_parent(meta):
    inner = Sleepers(4)

    def parent() -> Steps[object]:
        return (yield from gather(*(inner.plan() for _ in range(4)), limit=4))

    with pytest.raises(GraphError, match="the first error"):
        meta._run(gather(parent(), failing_once(inner)))
    assert inner.all_cleaned()


def test_a_plan_that_sleeps_after_its_gather_was_stopped_is_not_kept_waiting(meta):
    sleepers = Sleepers(1)
    cleaned = threading.Event()

    def late_sleeper() -> Steps[str]:
        try:
            sleepers.asleep.release()
            while True:  # still working (in its worker thread) when the gather is stopped
                try:
                    anyio.from_thread.check_cancelled()
                except BaseException:
                    break
                time.sleep(0.01)
            yield Sleep(HOUR, "a wait that begins after the stop")
            return "slept"
        finally:
            cleaned.set()

    with pytest.raises(GraphError, match="the first error"):
        meta._run(gather(late_sleeper(), failing_once(sleepers)))
    cleaned.wait()


def test_results_come_back_in_order_whatever_finishes_first(meta):
    def after(seconds: float, value: int) -> Steps[int]:
        yield Sleep(seconds)
        return value

    assert meta._run(gather(after(0.2, 1), after(0.0, 2), after(0.1, 3), limit=3)) == [1, 2, 3]
    assert meta._run(gather(after(0.0, 1), after(0.0, 2), limit=1)) == [1, 2]  # one at a time, in this thread


def test_an_interrupt_while_a_sync_gather_waits_stops_its_plans(meta):
    sleepers = Sleepers(3)

    def interrupt_when_all_asleep() -> None:
        sleepers.all_asleep()
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    threading.Thread(target=interrupt_when_all_asleep, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        meta._run(gather(*(sleepers.plan() for _ in range(3))))
    assert sleepers.all_cleaned()


def test_the_first_error_ends_an_async_gather_and_cancels_the_other_plans(sandbox, opts):
    sleepers = Sleepers(3)

    async def pull() -> None:
        async with mab.AsyncGraphSession(sandbox.issue_token(), **opts) as meta:
            await meta._run(gather(*(sleepers.plan() for _ in range(3)), failing_once_async(sleepers)))

    def failing_once_async(sleepers: Sleepers) -> Steps[str]:
        yield Sleep(0)  # the sleepers start first (one event loop: a plan that blocked would block them all)
        sleepers.all_asleep()
        raise GraphError("the first error", code=100)

    with pytest.raises(GraphError, match="the first error"):
        asyncio.run(pull())
    assert sleepers.all_cleaned()


def test_gather_of_calls_keeps_order_and_the_errors_in_place_or_ends_at_the_first(sandbox, opts):
    async def calls() -> tuple[list[object], list[object]]:
        async with mab.AsyncGraphSession(sandbox.issue_token(), **opts) as meta:
            kept = await meta.gather([meta.get("me"), meta.get("no_such_node"), meta.get("me")], return_exceptions=True)
            try:
                await meta.gather([meta.get("no_such_node"), asyncio.sleep(HOUR), meta.get("me")])
            except GraphError as error:
                return kept, [error]
            return kept, []

    kept, raised = asyncio.run(calls())
    assert kept[0]["id"] == kept[2]["id"] and isinstance(kept[1], GraphError)
    assert len(raised) == 1  # and the hour-long call was cancelled, or this would not have returned


def test_run_sync_works_inside_a_running_loop_on_one_background_thread(sandbox, opts):
    async def me() -> str:
        async with mab.AsyncGraphSession(sandbox.issue_token(), **opts) as meta:
            return str((await meta.get("me"))["id"])

    async def in_a_notebook_cell() -> list[str]:
        return [run_sync(me()) for _ in range(3)]  # plain code called while this loop runs

    ids = asyncio.run(in_a_notebook_cell())
    assert len(set(ids)) == 1
    assert [t.name for t in threading.enumerate()].count("meta_auth_nb-loop") == 1

    async def blocking_inside_the_background_loop() -> str:
        return run_sync(me())  # would wait on the loop it blocks: refused, not a hang

    with pytest.raises(RuntimeError, match="cannot run inside the background loop"):
        run_sync(blocking_inside_the_background_loop())


def test_a_notebook_sessions_async_session_is_closed_when_its_loop_ends_or_it_is_replaced(sandbox, opts):
    from meta_auth_nb.notebook.session import NotebookSession

    with NotebookSession(sandbox.issue_token(), **opts) as meta:
        asyncio.run(meta.aget("me"))
        first = meta._async
        assert first is not None and first._client.is_closed  # asyncio.run closed it as its loop ended

        # A loop that goes on running in another thread: the session it replaces is closed there.
        other = asyncio.new_event_loop()
        running = threading.Thread(target=other.run_forever, daemon=True)
        running.start()
        try:
            asyncio.run_coroutine_threadsafe(meta.aget("me"), other).result()
            second = meta._async
            assert second is not None and second is not first and not second._client.is_closed
            asyncio.run(meta.aget("me"))  # another loop: a third session replaces the second
            asyncio.run_coroutine_threadsafe(asyncio.sleep(0), other).result()  # the other loop had its turn
            assert second._client.is_closed
            asyncio.run_coroutine_threadsafe(meta.aget("me"), other).result()
            fourth = meta._async
        finally:
            meta.close()  # closes the sync client, and the async one on its loop
            asyncio.run_coroutine_threadsafe(asyncio.sleep(0), other).result()
            other.call_soon_threadsafe(other.stop)
            running.join()
            other.close()
        assert fourth is not None and fourth._client.is_closed
