"""Usage headers: ``x-app-usage``, ``x-ad-account-usage``, ``x-business-use-case-usage``.

Counts calls in a rolling window of real time and reports them as percent
of an (invented) budget, the way Graph does, so a client's back-off logic
has numbers that move.
"""

from __future__ import annotations

import collections
import json
import math
import threading
import time

__all__ = ["ACCOUNT_BUDGET", "APP_BUDGET", "WINDOW_S", "UsageMeter"]

WINDOW_S = 300.0  # rolling window, seconds of real time
APP_BUDGET = 1000  # calls per window = 100 %
ACCOUNT_BUDGET = 400  # calls per ad account per window = 100 %
TIER = "standard_access"


class UsageMeter:
    """Rolling call counts for the app and for each ad account."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._app: collections.deque[float] = collections.deque()
        self._acc: dict[str, collections.deque[float]] = {}

    @staticmethod
    def _trim(q: collections.deque[float], now: float) -> int:
        while q and q[0] <= now - WINDOW_S:
            q.popleft()
        return len(q)

    def record(self, account: str | None = None, calls: int = 1) -> None:
        """Count ``calls`` calls (on ``account`` too, when given)."""
        now = time.monotonic()
        with self._lock:
            self._app.extend([now] * calls)
            if account:
                self._acc.setdefault(account, collections.deque()).extend([now] * calls)

    def _pct(self, q: collections.deque[float] | None, budget: int) -> float:
        if not q:
            return 0.0
        return min(100.0, self._trim(q, time.monotonic()) * 100.0 / budget)

    def headers(
        self,
        account: str | None = None,
        business_id: str | None = None,
        buc_type: str = "ads_management",
        saturated: bool = False,
        regain_minutes: float = 0,
    ) -> list[tuple[str, str]]:
        """The usage headers for one answer.

        Parameters
        ----------
        account : str, optional
            ``act_`` id when the call touched an ad account: adds
            ``x-ad-account-usage``.
        business_id : str, optional
            Adds ``x-business-use-case-usage`` keyed by this business id.
        buc_type : str
            Business use case, ``ads_insights`` or ``ads_management``.
        saturated : bool
            Report 100 % (a rate-limit answer).
        regain_minutes : float
            ``estimated_time_to_regain_access``.
        """
        with self._lock:
            app_pct = 100.0 if saturated else self._pct(self._app, APP_BUDGET)
            acc_pct = 100.0 if saturated else self._pct(self._acc.get(account or ""), ACCOUNT_BUDGET)
        out = [
            (
                "x-app-usage",
                json.dumps(
                    {
                        "call_count": math.ceil(app_pct),
                        "total_time": math.ceil(app_pct * 0.6),
                        "total_cputime": math.ceil(app_pct * 0.4),
                    }
                ),
            )
        ]
        if account:
            out.append(
                (
                    "x-ad-account-usage",
                    json.dumps(
                        {
                            "acc_id_util_pct": round(acc_pct, 2),
                            "reset_time_duration": math.ceil(regain_minutes * 60) if saturated else 0,
                            "ads_api_access_tier": TIER,
                        }
                    ),
                )
            )
        if business_id:
            out.append(
                (
                    "x-business-use-case-usage",
                    json.dumps(
                        {
                            business_id: [
                                {
                                    "type": buc_type,
                                    "call_count": math.ceil(acc_pct),
                                    "total_cputime": math.ceil(acc_pct * 0.5),
                                    "total_time": math.ceil(acc_pct * 0.7),
                                    "estimated_time_to_regain_access": regain_minutes,
                                    "ads_api_access_tier": TIER,
                                }
                            ]
                        }
                    ),
                )
            )
        return out
