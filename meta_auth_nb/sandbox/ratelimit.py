"""Meta's Marketing API rate-limit model, enforced: per-ad-account scores, tiers, blocks, hourly budgets.

The model (Meta's published one):

* Every call on an ad account (``act_<id>/...``) adds to that account's
  **score**: a read 1 point, a write 3.
* The score **decays linearly**: it loses ``max_score / 300`` points a second,
  so a full score is back to zero 300 s after the last call.
* A call that would take the score past the tier's maximum is **refused**
  with code 17, subcode 2446079, and the account is **blocked**: every call
  on it is refused for the block time, whatever the score.
* Tiers: ``development`` (``development_access``: max 60, blocked 300 s) and
  ``standard`` (``standard_access``: max 9000, blocked 60 s).
* On top, each account has **hourly business-use-case budgets**:
  ``ads_insights`` (600 calls an hour on development, 190,000 on standard)
  and ``ads_management`` (300 / 100,000); the call that would exceed one is
  refused with 80000 (insights) or 80004 (management), subcode 2446079,
  until the rolling hour has room again. (Meta adds 400 or 40 per active
  ad; the sandbox has no ads, so its budgets are the stricter base ones.)
* Calls outside the Marketing API count against the **app's hourly budget**
  (200 calls an hour per user of the app, reported in ``x-app-usage``, or
  ``x-page-usage`` for a page token); the call that would exceed it is
  refused with code 4 (32 for a page token) until the rolling hour has room.
* Refused calls are not counted.

Time here is the **rate-limit clock** (:class:`RateClock`), apart from the
token clock: it runs ``speed`` times faster than real time and can be moved
forward, so a workshop or a test meets a 300 s block in seconds. Every
duration the headers report is converted back to **real seconds** (model
seconds / speed), so a client that waits exactly what the headers say is
never early and never waits longer than needed.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass, field

__all__ = [
    "DECAY_S",
    "HOUR_S",
    "READ_COST",
    "TIERS",
    "WRITE_COST",
    "Call",
    "RateClock",
    "RateLimits",
    "Refusal",
    "Snapshot",
    "Tier",
    "get_tier",
    "minimum_seconds",
]

DECAY_S = 300.0  # a full score decays to zero in this many (model) seconds
HOUR_S = 3600.0
READ_COST, WRITE_COST = 1, 3
BLOCK_SUBCODE = 2446079


@dataclass(frozen=True)
class Tier:
    """A Marketing API access tier.

    Attributes
    ----------
    name : str
        ``development`` or ``standard``.
    header : str
        How the headers name it (``development_access``).
    max_score : float
        Highest score an ad account may reach.
    block_s : float
        Seconds an account is blocked after a call is refused.
    hourly : dict
        Calls per rolling hour per ad account, by business use case.
    """

    name: str
    header: str
    max_score: float
    block_s: float
    hourly: dict[str, int] = field(default_factory=dict)

    @property
    def decay_per_s(self) -> float:
        """Points the score loses each (model) second."""
        return self.max_score / DECAY_S


TIERS: dict[str, Tier] = {
    "development": Tier("development", "development_access", 60.0, 300.0, {"ads_insights": 600, "ads_management": 300}),
    "standard": Tier("standard", "standard_access", 9000.0, 60.0, {"ads_insights": 190_000, "ads_management": 100_000}),
}


def get_tier(name: str | None) -> Tier:
    """The tier called ``name`` (``None``: standard); ValueError lists the known ones."""
    key = (name or "standard").strip().lower().removesuffix("_access")
    try:
        return TIERS[key]
    except KeyError:
        raise ValueError(f"unknown rate-limit tier {name!r}; known: {', '.join(TIERS)}") from None


def minimum_seconds(calls: int, tier: Tier, cost: int = READ_COST) -> float:
    """The least (model) time ``calls`` back-to-back calls of ``cost`` can take on a fresh account.

    The first calls go at once until the score is full; each further one
    waits for ``cost`` points to decay. The answer is the send time of the
    last call, when a client paces itself perfectly and calls take no time.
    """
    burst = int(tier.max_score // cost)
    return max(0, calls - burst) * cost / tier.decay_per_s


class RateClock:
    """Model seconds for the rate limits: real (monotonic) time times ``speed``, plus jumps.

    Parameters
    ----------
    speed : float
        How many model seconds pass per real second (> 0).
    """

    def __init__(self, speed: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._real0 = time.monotonic()
        self._model0 = 0.0
        self._speed = 1.0
        self.set_speed(speed)

    @property
    def speed(self) -> float:
        """Model seconds per real second."""
        return self._speed

    def now(self) -> float:
        """Model seconds since the clock started."""
        with self._lock:
            return self._model0 + (time.monotonic() - self._real0) * self._speed

    def set_speed(self, speed: float) -> None:
        """Change the speed from now on (time already passed stays)."""
        speed = float(speed)
        if not 0 < speed < float("inf"):
            raise ValueError("the rate-limit clock's speed must be a positive number")
        with self._lock:
            real = time.monotonic()
            self._model0 += (real - self._real0) * self._speed
            self._real0, self._speed = real, speed

    def advance(self, seconds: float) -> float:
        """Jump forward ``seconds`` of model time; returns :meth:`now`."""
        if float(seconds) < 0:
            raise ValueError("the rate-limit clock only moves forward")
        with self._lock:
            self._model0 += float(seconds)
        return self.now()

    def real(self, model_seconds: float) -> float:
        """Real seconds that ``model_seconds`` take at the current speed."""
        return model_seconds / self._speed


@dataclass(frozen=True)
class Call:
    """What the rate limits need to know about one Graph call.

    Attributes
    ----------
    account : str or None
        The ``act_`` id it is made on (None: not a Marketing API call on an account).
    business_id : str or None
        The business owning that account, for ``x-business-use-case-usage``.
    use_case : str
        ``ads_insights`` or ``ads_management``.
    write : bool
        Costs 3 points instead of 1.
    page : bool
        Made with a page token (reported in ``x-page-usage``).
    """

    account: str | None
    business_id: str | None = None
    use_case: str = "ads_management"
    write: bool = False
    page: bool = False

    @property
    def cost(self) -> int:
        """Points the call adds to the account's score."""
        return WRITE_COST if self.write else READ_COST


@dataclass(frozen=True)
class Refusal:
    """Why a call was refused: the error code, and the real seconds until access is back."""

    code: int
    regain_s: float
    message: str


@dataclass(frozen=True)
class Snapshot:
    """An account's figures for the usage headers (durations in real seconds)."""

    score_pct: float
    reset_s: float
    regain_s: float
    use_case_pct: float
    app_pct: float
    insights_app_pct: float


@dataclass
class _Account:
    score: float = 0.0
    at: float = 0.0
    blocked_until: float = 0.0
    hourly: dict[str, collections.deque[float]] = field(default_factory=dict)


def _trim(window: collections.deque[float], now: float, span: float) -> int:
    while window and window[0] <= now - span:
        window.popleft()
    return len(window)


#: Graph's platform budget for an app's calls outside the Marketing API: 200 an hour per user.
APP_CALLS_PER_USER = 200


class RateLimits:
    """The model's state for one sandbox: scores and hourly windows per ad account, app calls.

    Parameters
    ----------
    tier : Tier
    clock : RateClock
    users : int
        People who use the app (sizes the reported ``x-app-usage``).
    """

    def __init__(self, tier: Tier, clock: RateClock, users: int = 1, app_calls_per_hour: int | None = None) -> None:
        self.tier = tier
        self.clock = clock
        self._users = max(1, users)
        #: The app's (and a page's) hourly budget of calls outside the Marketing API.
        self.app_budget = app_calls_per_hour or APP_CALLS_PER_USER * self._users
        self._lock = threading.Lock()
        self._accounts: dict[str, _Account] = {}
        self._app: collections.deque[float] = collections.deque()
        self._insights: collections.deque[float] = collections.deque()

    def set_tier(self, tier: Tier) -> None:
        """Switch tiers (scores and windows are kept)."""
        with self._lock:
            self.tier = tier

    def _score(self, acc: _Account, now: float) -> float:
        return max(0.0, acc.score - self.tier.decay_per_s * max(0.0, now - acc.at))

    def admit(self, call: Call) -> Refusal | None:
        """Count the call, or say why it is refused (then nothing is counted)."""
        with self._lock:
            now = self.clock.now()
            if call.account is None:
                if _trim(self._app, now, HOUR_S) + 1 > self.app_budget:  # x-app-usage (x-page-usage) at 100%
                    regain = self._app[len(self._app) - self.app_budget] + HOUR_S - now
                    code, message = (32, "(#32) Page request limit reached") if call.page else (4, _APP_LIMIT)
                    return Refusal(code, self.clock.real(regain), message)
                self._app.append(now)
                return None
            acc = self._accounts.setdefault(call.account, _Account(at=now))
            tier = self.tier
            if acc.blocked_until > now:
                return Refusal(17, self.clock.real(acc.blocked_until - now), "(#17) User request limit reached")
            score = self._score(acc, now)
            if score + call.cost > tier.max_score:
                acc.blocked_until = now + tier.block_s
                return Refusal(17, self.clock.real(tier.block_s), "(#17) User request limit reached")
            window = acc.hourly.setdefault(call.use_case, collections.deque())
            budget = tier.hourly.get(call.use_case)
            if budget is not None and _trim(window, now, HOUR_S) + 1 > budget:
                code = 80000 if call.use_case == "ads_insights" else 80004
                regain = window[len(window) - budget] + HOUR_S - now
                return Refusal(code, self.clock.real(regain), _BUDGET_MESSAGES[code])
            acc.score, acc.at = score + call.cost, now
            window.append(now)
            if call.use_case == "ads_insights":
                self._insights.append(now)
            return None

    def snapshot(self, call: Call) -> Snapshot:
        """The figures the headers report after ``call``."""
        with self._lock:
            now = self.clock.now()
            tier = self.tier
            app_pct = 100.0 * _trim(self._app, now, HOUR_S) / self.app_budget
            insights_budget = tier.hourly["ads_insights"] * max(1, len(self._accounts))
            insights_pct = 100.0 * _trim(self._insights, now, HOUR_S) / insights_budget
            acc = self._accounts.get(call.account or "")
            if acc is None:
                return Snapshot(0.0, 0.0, 0.0, 0.0, app_pct, insights_pct)
            score = self._score(acc, now)
            window = acc.hourly.get(call.use_case) or collections.deque()
            budget = tier.hourly.get(call.use_case) or 1
            used = _trim(window, now, HOUR_S)
            regain = max(0.0, acc.blocked_until - now)
            if used >= budget:
                regain = max(regain, window[used - budget] + HOUR_S - now)
            return Snapshot(
                score_pct=100.0 * score / tier.max_score,
                reset_s=self.clock.real(score / tier.decay_per_s),
                regain_s=self.clock.real(regain),
                use_case_pct=100.0 * used / budget,
                app_pct=app_pct,
                insights_app_pct=insights_pct,
            )


_APP_LIMIT = "(#4) Application request limit reached"
_BUDGET_MESSAGES = {
    80000: "(#80000) There have been too many calls from this ad-account. Wait a bit and try again. "
    "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
    80004: "(#80004) There have been too many calls to this ad-account. Wait a bit and try again. "
    "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.",
}
