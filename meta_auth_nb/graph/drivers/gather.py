"""Awaiting many things at once, where the first error ends them all: what both drivers' gathers share.

:func:`first_error_ends` runs one task per item in an anyio task group and
gives their results in order. The first error cancels the tasks still
running and is raised once they have stopped; a cancellation from outside
(an interrupt, an enclosing gather) cancels them the same way. The async
driver gathers calls and plans with it; the sync driver (:mod:`.threads`)
its plans, each in a worker thread. Graph layer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import anyio

__all__ = ["first_error_ends"]

A = TypeVar("A")


async def first_error_ends(run: Callable[[A], Awaitable[Any]], items: Sequence[A]) -> list[Any]:
    """``await run(item)`` for every item as tasks of one group; their results in order, or the first error."""
    results: list[Any] = [None] * len(items)
    failures: list[Exception] = []

    async def one(index: int, item: A) -> None:
        try:
            results[index] = await run(item)
        except Exception as error:
            # The first error ends the group; those after it are mostly of the tasks it stopped.
            failures.append(error)
            group.cancel_scope.cancel()

    async with anyio.create_task_group() as group:
        for index, item in enumerate(items):
            group.start_soon(one, index, item)
    if failures:
        raise failures[0]
    return results
