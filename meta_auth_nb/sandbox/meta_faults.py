"""Named Graph errors the sandbox can be told to answer: Meta's insights error subcodes and its call limit.

``Sandbox.fail_next("insights_timeout", path="act_1/insights")`` answers the
next matching request with the recorded reply of that name, as Meta words it
(its "Ads Insights error codes" page, May 2026): a table, so a test or a
workshop names the trouble, and every reply the client must handle can be
produced here.

=========================  ==============  ==============================================================
name                       code/subcode    what Meta means
=========================  ==============  ==============================================================
``insights_timeout``       100/1504018     the request timed out: ask for less, or use a report run
``insights_sync_timeout``  2/1504038       a synchronous report timed out: the same
``invalid_breakdowns``     2/1504041       the breakdowns asked for are invalid (not transient)
``invalid_custom_metric``  2/1504042       a custom metric asked for is invalid (not transient)
``insights_throttled``     4/1504022       too many insights requests for the ad account: wait
``insights_app_throttled`` 4/1504039       too many insights requests for the app: wait
``call_limit``             613/1487742     too many calls: wait
=========================  ==============  ==============================================================

The throttles come with ``x-fb-ads-insights-throttle`` at 100% and a regain
time in ``x-business-use-case-usage`` (:data:`THROTTLE_REGAIN_MIN` minutes,
short, so tests and workshops do not sit through Meta's minutes).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["META_FAULTS", "THROTTLE_REGAIN_MIN", "meta_fault"]

#: Minutes the named throttles say access takes to come back.
THROTTLE_REGAIN_MIN = 0.01


def _error(
    code: int, subcode: int, message: str, *, transient: bool, title: str | None = None, user_msg: str | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "error_subcode": subcode,
        "is_transient": transient,
    }
    if title:
        error["error_user_title"] = title
    if user_msg:
        error["error_user_msg"] = user_msg
    return error


#: name -> (HTTP status, error envelope, whether the throttle headers go with it)
META_FAULTS: dict[str, tuple[int, dict[str, Any], bool]] = {
    "insights_timeout": (
        400,
        _error(
            100,
            1504018,
            "(#100) Request timed out",
            transient=False,
            title="Request Timed Out",
            user_msg="Your request timed out. Please reduce the amount of data you're asking for.",
        ),
        False,
    ),
    "insights_sync_timeout": (
        500,
        _error(
            2,
            1504038,
            "(#2) Service temporarily unavailable",
            transient=True,
            title="Request Timed Out",
            user_msg="The synchronous request timed out. Try an async report run.",
        ),
        False,
    ),
    "invalid_breakdowns": (
        400,
        _error(
            2,
            1504041,
            "(#2) Invalid breakdowns",
            transient=False,
            title="Invalid Breakdowns",
            user_msg="The combination of breakdowns requested is not supported.",
        ),
        False,
    ),
    "invalid_custom_metric": (
        400,
        _error(
            2,
            1504042,
            "(#2) Invalid custom metrics",
            transient=False,
            title="Invalid Custom Metrics",
            user_msg="A custom metric requested does not exist or cannot be reported.",
        ),
        False,
    ),
    "insights_throttled": (
        400,
        _error(
            4,
            1504022,
            "(#4) There have been too many insights requests for this ad account",
            transient=True,
            title="Too Many Requests",
            user_msg="Please wait a few minutes before trying again.",
        ),
        True,
    ),
    "insights_app_throttled": (
        400,
        _error(
            4,
            1504039,
            "(#4) There have been too many insights requests for this app",
            transient=True,
            title="Too Many Requests",
            user_msg="Please wait a few minutes before trying again.",
        ),
        True,
    ),
    "call_limit": (
        400,
        _error(613, 1487742, "(#613) Calls to this api have exceeded the rate limit.", transient=True),
        True,
    ),
}


def meta_fault(name: str, business_id: str | None) -> dict[str, Any]:
    """The recorded reply (``{"status", "error", "headers"}``) of the named fault.

    Raises
    ------
    KeyError
        For a name the table does not have.
    """
    status, error, throttled = META_FAULTS[name]
    headers: dict[str, str] = {}
    if throttled:
        headers["x-fb-ads-insights-throttle"] = json.dumps({"app_id_util_pct": 100, "acc_id_util_pct": 100})
        entry = {
            "type": "ads_insights",
            "call_count": 100,
            "total_cputime": 40,
            "total_time": 60,
            "estimated_time_to_regain_access": THROTTLE_REGAIN_MIN,
        }
        headers["x-business-use-case-usage"] = json.dumps({business_id or "0": [entry]})
    return {"status": status, "error": dict(error), "headers": headers}
