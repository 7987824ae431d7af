"""The words the Graph core and its drivers speak: what a plan asks a driver to do.

A *plan* is a generator: it yields actions and receives their outcomes, and
returns its result (or raises) when done. A driver performs each action:

``Send``
    Send this request; the outcome is a :class:`~.reply.Reply`, or a
    :class:`~meta_auth_nb.errors.GraphConnectionError` when the network failed.
``Sleep``
    Wait this many seconds (``reason`` says why, for progress displays);
    the outcome is None.
``Gather``
    Run these plans (one after the other, or at once) and send back the
    list of their results in order; the first error raised ends the plan
    (and the plans still running). With ``limit``, the plans are meant to
    run side by side, at most ``limit`` at once: the sync driver then runs
    them in threads too.
``Emit``
    Hand these values to whoever iterates the plan (paging); the outcome is
    None, sent once they were all taken.

Graph layer, I/O-free.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

__all__ = ["Action", "Emit", "Gather", "Send", "Sleep", "Steps", "collect", "returned", "telling_waits"]

T = TypeVar("T")


@dataclass(frozen=True)
class Send:
    """One HTTP request, ready to go.

    Attributes
    ----------
    method : str
        Upper-case HTTP method.
    url : str
        Absolute URL without the parameters (a paging URL keeps its own query).
    params : dict of str to str
        Encoded parameters: merged into the query, or the form body for POST.
    headers : dict of str to str
        Includes the ``Authorization`` header.
    """

    method: str
    url: str
    params: dict[str, str]
    headers: dict[str, str]

    def __repr__(self) -> str:
        # Headers and parameters carry the token and secrets: never shown.
        return f"Send({self.method} {urlsplit(self.url).path})"


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds`` before the plan goes on; ``reason`` says why, in words."""

    seconds: float
    reason: str = ""


@dataclass(frozen=True)
class Gather:
    """Run ``plans`` and send back their results, in order; ``limit``: side by side, at most that many at once."""

    plans: Sequence[Steps[Any]]
    limit: int | None = None


@dataclass(frozen=True)
class Emit:
    """Hand ``values`` over to the consumer of the plan, one by one."""

    values: Sequence[Any]


Action = Send | Sleep | Gather | Emit

#: A plan: yields actions, receives their outcomes, returns its result.
Steps = Generator[Action, Any, T]


def returned(steps: Steps[T], done: StopIteration) -> T:
    """What ``steps`` returned, as the ``StopIteration`` that ended it carries it (typed as the plan says)."""
    return cast(T, done.value)


def collect(steps: Steps[Any], take: Callable[[Any], None]) -> Steps[None]:
    """Run a plan that emits inside another plan, giving each emitted value to ``take``.

    Every other action goes up to the driver unchanged, and its outcome back down.
    """
    outcome: Any = None
    while True:
        try:
            action = steps.send(outcome)
        except StopIteration:
            return
        if isinstance(action, Emit):
            for value in action.values:
                take(value)
            outcome = None
        else:
            outcome = yield action


def telling_waits(steps: Steps[T], tell: Callable[[float, str], None]) -> Steps[T]:
    """Pass a plan through unchanged, calling ``tell(seconds, reason)`` before each wait starts."""
    outcome: Any = None
    while True:
        try:
            action = steps.send(outcome)
        except StopIteration as done:
            return returned(steps, done)
        if isinstance(action, Sleep) and action.seconds > 0:
            tell(action.seconds, action.reason)
        outcome = yield action
