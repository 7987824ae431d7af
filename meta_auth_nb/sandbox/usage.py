"""Usage headers, from the rate-limit model's figures (:mod:`.ratelimit`).

``x-app-usage`` (or ``x-page-usage`` for a page token) on every Graph answer;
for a call on an ad account also ``x-ad-account-usage``,
``x-business-use-case-usage`` and, for insights, ``x-fb-ads-insights-throttle``.
Percentages are rounded **up** to two decimals and durations up as well
(whole seconds and minutes, as Meta sends them, when the rate-limit clock
runs at real speed; finer when it is sped up), so a client that waits what
the headers say is never early.
"""

from __future__ import annotations

import json
import math

from .ratelimit import Call, Snapshot, Tier

__all__ = ["usage_headers"]


def _up(value: float, places: int) -> float:
    scale = 10**places
    return math.ceil(round(value * scale, 6)) / scale


def _app(pct: float) -> str:
    return json.dumps(
        {"call_count": math.ceil(pct), "total_time": math.ceil(pct * 0.6), "total_cputime": math.ceil(pct * 0.4)}
    )


def usage_headers(
    call: Call, snap: Snapshot, tier: Tier, *, whole_units: bool, saturated: bool = False
) -> list[tuple[str, str]]:
    """The usage headers of one answer.

    Parameters
    ----------
    call : Call
        What was asked (account, business, use case, page token).
    snap : Snapshot
        The model's figures after it.
    tier : Tier
    whole_units : bool
        Durations in whole seconds and minutes, like Meta's (the rate-limit
        clock runs at real speed); else finer, in real seconds.
    saturated : bool
        An injected rate-limit fault or throttle: the account and its use
        case read 100% (a refusal by the model reports its true figures).
    """
    real_speed = whole_units
    app = 100.0 if saturated else min(100.0, snap.app_pct)
    out = [("x-page-usage" if call.page else "x-app-usage", _app(app))]
    score = 100.0 if saturated else min(100.0, snap.score_pct)
    reset = math.ceil(snap.reset_s) if real_speed else _up(snap.reset_s, 3)
    regain = math.ceil(snap.regain_s / 60.0) if real_speed else _up(snap.regain_s / 60.0, 5)
    use_case = 100.0 if saturated else min(100.0, snap.use_case_pct)
    if call.account:
        account = {"acc_id_util_pct": _up(score, 2), "reset_time_duration": reset, "ads_api_access_tier": tier.header}
        out.append(("x-ad-account-usage", json.dumps(account)))
    if call.business_id:
        entry = {
            "type": call.use_case,
            "call_count": math.ceil(use_case),
            "total_cputime": math.ceil(use_case * 0.5),
            "total_time": math.ceil(use_case * 0.7),
            "estimated_time_to_regain_access": regain,
            "ads_api_access_tier": tier.header,
        }
        out.append(("x-business-use-case-usage", json.dumps({call.business_id: [entry]})))
    if call.account and call.use_case == "ads_insights":
        out.append(
            (
                "x-fb-ads-insights-throttle",
                json.dumps(
                    {"app_id_util_pct": _up(min(100.0, snap.insights_app_pct), 2), "acc_id_util_pct": _up(use_case, 2)}
                ),
            )
        )
    return out
