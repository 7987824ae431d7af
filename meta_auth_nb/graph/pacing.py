"""Pacing: how long to wait before the next call so a rate limit is not hit, from what the headers say.

Meta's Marketing API scores each ad account: a read costs 1 point, a write 3;
the score decays linearly (a full score in ``reset_time_duration`` seconds,
300 s on Meta) and a call that would take it past the tier's maximum (60 on
the development tier, 9000 on the standard tier) is refused and the account
blocked (300 s / 60 s). ``x-ad-account-usage`` reports the score as a
percentage (``acc_id_util_pct``) and the time it needs to decay to zero
(``reset_time_duration``), so the decay rate is ``pct / reset`` percent per
second, in the server's own seconds. :class:`Pacer` keeps that estimate per
ad account and says, before each call, how long to wait until the call's
cost fits under the maximum, and why. A refusal (codes 4, 17, 32, 613,
80000-80014) blocks the account for what ``estimated_time_to_regain_access``
says. ``x-fb-ads-insights-throttle`` at 100% (an account's or the app's
insights budget) holds insights calls for as long as
``x-business-use-case-usage`` says access takes to come back (with no time
given, the next call is sent and a refusal says it). Concurrent
calls each get a ticket: the calls still in flight are added to what an
answer says, an answer older than the one read last leaves the score as it
is, and near the limit calls go one at a time. Nothing here sleeps: the core turns a wait into a
:class:`~.plan.Sleep`. Graph layer, I/O-free.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .._base.usage import Usage
from .request import CallFacts

__all__ = ["DEFAULT_DECAY_S", "MAX_SCORE", "Pace", "Pacer"]

#: Maximum ad account score per access tier (Meta's published model).
MAX_SCORE = {"development_access": 60.0, "standard_access": 9000.0}
#: Seconds a full score takes to decay, when the headers have not said yet.
DEFAULT_DECAY_S = 300.0
#: Percentage points kept free below 100%, for clock and rounding differences.
_MARGIN = 0.01
#: With calls in flight near the limit, look again this soon (their answers tell more than the decay).
IN_FLIGHT_LOOK_S = 0.05


@dataclass(frozen=True)
class Pace:
    """A wait before a call: how long, why, and the figures behind it.

    Attributes
    ----------
    seconds : float
    what : str
        What the headers say, in words (``ad account act_1 is at 100% of its
        rate-limit score``), for a RateLimited message.
    blocked : bool
        The account is blocked (a refusal), rather than near its limit.
    """

    seconds: float
    what: str
    blocked: bool = False

    @property
    def reason(self) -> str:
        """The wait in words, for a progress display."""
        if self.blocked:
            return f"{self.what}: waiting {self.seconds:.0f} s as the headers say"
        return f"{self.what}: waiting {self.seconds:.1f} s for it to decay"


@dataclass
class _Score:
    """One ad account's score as last reported, projected forward by its decay."""

    percent: float = 0.0
    at: float = 0.0
    decay_per_s: float | None = None  # percentage points per second
    step: float = 100.0 / MAX_SCORE["development_access"]  # one point, in percent of the maximum
    tier: str | None = None
    blocked_until: float = 0.0
    block_reason: str = ""
    known: bool = False  # a header has reported this account's score
    inflight: dict[int, int] = field(default_factory=dict)  # ticket -> points, for calls not answered yet
    insights_until: float = 0.0  # insights calls wait until then (x-fb-ads-insights-throttle at 100%)
    insights_reason: str = ""
    read: int = 0  # the ticket of the call whose answer gave the score

    def now(self, t: float) -> float:
        rate = self.decay_per_s if self.decay_per_s is not None else 100.0 / DEFAULT_DECAY_S
        return max(0.0, self.percent - rate * max(0.0, t - self.at))


def _label(account: str | None) -> str:
    return f"ad account {account}" if account else "this app's calls"


class Pacer:
    """Per ad account score estimates and the waits they call for.

    Parameters
    ----------
    clock : callable
        Monotonic seconds.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._scores: dict[str | None, _Score] = {}
        self._tickets = 0
        self._app = _Score()  # the app's own insights throttle
        self._lock = threading.RLock()  # concurrent plans (and the sync driver's threads) share one pacer

    def wait(self, facts: CallFacts) -> Pace | None:
        """How long to wait before a call with ``facts`` so its cost fits; None to go now."""
        with self._lock:
            score = self._scores.get(facts.account)
            t = self._clock()
            if facts.insights:
                held = [(s.insights_until, s.insights_reason) for s in (score, self._app) if s is not None]
                until, why = max(held)
                if until > t:
                    return Pace(until - t, why, blocked=True)
            if score is None:
                return None
            if score.blocked_until > t:
                return Pace(score.blocked_until - t, score.block_reason, blocked=True)
            if not score.known:
                return None
            now = score.now(t)
            # Calls in flight are counted in ``now``; they count once more as a margin, as their answers
            # may come back in any order (an older, lower score read after a newer one). Near the limit
            # that leaves one call at a time, whose answer is then the latest word.
            pending = sum(score.inflight.values())
            over = now + (facts.cost + pending) * score.step - (100.0 - _MARGIN)
            if over <= 0:
                return None
            rate = score.decay_per_s if score.decay_per_s else 100.0 / DEFAULT_DECAY_S
            seconds = min(over / rate, IN_FLIGHT_LOOK_S) if pending else over / rate
            tier = f" ({score.tier})" if score.tier else ""
            return Pace(seconds, f"{_label(facts.account)} is at {now:.0f}% of its rate-limit score{tier}")

    def reserve(self, facts: CallFacts) -> Pace | int:
        """:meth:`wait`, and when there is nothing to wait for, count the call's cost now, in one step.

        The cost counts from the moment the call leaves, so concurrent calls see it.
        Returns the wait, or the call's ticket (give it to :meth:`settled` and
        :meth:`note` with its answer). Concurrent calls that each asked, then
        slept, then sent could all fit the same free points; reserving takes
        them one at a time.
        """
        with self._lock:
            pace = self.wait(facts)
            return pace if pace is not None else self._count(facts)

    def tier(self, account: str | None) -> str | None:
        """The access tier the headers reported for ``account`` (``development_access``...), if any."""
        with self._lock:
            score = self._scores.get(account)
            return score.tier if score else None

    def settled(self, facts: CallFacts, ticket: int | None) -> None:
        """A call is no longer in flight: it was answered, or its connection failed."""
        with self._lock:
            score = self._scores.get(facts.account)
            if score is not None and ticket is not None:
                score.inflight.pop(ticket, None)

    def _count(self, facts: CallFacts) -> int:
        self._tickets += 1
        score = self._scores.get(facts.account)
        if score is not None and score.known:
            t = self._clock()
            score.percent, score.at = score.now(t) + facts.cost * score.step, t
            score.inflight[self._tickets] = facts.cost
        return self._tickets

    def note(self, facts: CallFacts, usage: Usage | None, ticket: int | None = None) -> None:
        """Take in what one reply's headers say about the account the call was counted against.

        ``ticket`` (from :meth:`reserve`) says which call it answers: the
        answer of a call sent before the one whose answer gave the score is
        older news (concurrent answers are read in any order) and leaves the
        score as it is. The calls still in flight are added to the figure, as
        it may not count them yet.
        """
        if usage is None:
            return
        percent = usage.account_percent
        regain = usage.regain_access_s
        throttle = usage.insights_throttle
        if percent is None and not regain and not throttle:
            return
        with self._lock:
            t = self._clock()
            self._throttled(facts.account, throttle, regain, t)
            if percent is None and not regain:
                return
            score = self._scores.setdefault(facts.account, _Score(at=t))
            tier = usage.tier
            if tier:
                score.tier = tier
                if tier in MAX_SCORE:
                    score.step = 100.0 / MAX_SCORE[tier]
            fresh = ticket is None or ticket >= score.read
            if percent is not None and (fresh or not score.known):
                reset = usage.account_reset_s
                if reset and reset > 0 and percent > 0:
                    score.decay_per_s = percent / reset
                score.percent = percent + sum(score.inflight.values()) * score.step
                score.at, score.known, score.read = t, True, ticket or score.read
            if regain:
                self._block(score, t, regain, f"{_label(facts.account)} is blocked by a rate limit")

    def refused(self, facts: CallFacts, seconds: float, why: str) -> None:
        """A rate-limit refusal: nothing goes to this account for ``seconds``."""
        with self._lock:
            t = self._clock()
            score = self._scores.setdefault(facts.account, _Score(at=t))
            self._block(score, t, seconds, f"{_label(facts.account)} was refused ({why})")

    def _throttled(self, account: str | None, throttle: Mapping[str, float], regain: float | None, t: float) -> None:
        """Hold insights calls while ``x-fb-ads-insights-throttle`` says an account's (or the app's) budget is used up.

        For as long as ``x-business-use-case-usage`` says access comes back in.
        """
        if not regain:
            return
        for key, holder, what in (
            ("acc_id_util_pct", account, f"{_label(account)}'s insights budget"),
            ("app_id_util_pct", None, "this app's insights budget"),
        ):
            used = throttle.get(key)
            if used is None or used < 100.0:
                continue
            score = self._app if key == "app_id_util_pct" else self._scores.setdefault(holder, _Score(at=t))
            until = t + regain
            if until > score.insights_until:
                score.insights_until = until
                score.insights_reason = f"{what} is at {used:g}% (x-fb-ads-insights-throttle)"

    @staticmethod
    def _block(score: _Score, t: float, seconds: float, reason: str) -> None:
        until = t + max(0.0, seconds)
        if until > score.blocked_until:
            score.blocked_until, score.block_reason = until, reason
