"""Control endpoints under ``/__sandbox__/`` for a sandbox in another process.

A notebook or a CLI test drives the sandbox's clock and test helpers with
plain JSON calls; these endpoints never see faults, latency or throttling.
The app secret is deliberately not part of ``info``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import GraphError
from .faults import Scripted
from .ratelimit import get_tier
from .wire import Request, Response, error_response, split_version

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["CONTROL_PREFIX", "handle_control", "info"]

CONTROL_PREFIX = "/__sandbox__/"


def info(engine: Engine) -> dict[str, Any]:
    """Public facts about the sandbox (no secret)."""
    st = engine.state
    return {
        "app_id": st.app.app_id,
        "application": st.app.name,
        "graph_url": engine.graph_url,
        "dialog_url": engine.graph_url,
        "now": engine.clock.now(),
        "scenario": engine.scenario.name or None,
        "users": list(st.users),
        "user_ids": {u.name: u.id for u in st.users.values()},
        "system_user": st.system_user.name,
        "system_user_id": st.system_user.id,
        "business_id": st.business_id,
        "ad_accounts": {u.name: list(u.ad_accounts) for u in [*st.users.values(), st.system_user]},
        "insights_rows": engine.catalog.insights_rows,
        "insights_sync_limit": engine.insights_sync_limit,
        "insights_async_limit": engine.insights_async_limit,
        "report_runs": engine.report_runs.count(),
        "strict_versions": engine.strict_versions,
        **engine.app_setup.info(),
        "tier": engine.limits.tier.name,
        "rate_limit_speed": engine.rate_clock.speed,
    }


def _float(p: dict[str, str], name: str, default: float | None = None) -> float:
    raw = p.get(name)
    if raw in (None, ""):
        if default is None:
            raise ValueError(f"{name} is required")
        return default
    return float(raw)


def _advance(engine: Engine, p: dict[str, str]) -> dict[str, Any]:
    seconds = _float(p, "seconds")
    now = engine.clock.advance(seconds)
    engine.rate_clock.advance(seconds)  # time passes for the rate limits too
    return {"now": now}


def _issue(engine: Engine, p: dict[str, str]) -> dict[str, Any]:
    raw = p.get("scopes")
    scopes: set[str] | None = None
    if raw is not None:
        # A JSON body may send a list (re-encoded as JSON text by parse_params) or a comma string.
        items = json.loads(raw) if raw.lstrip().startswith("[") else raw.split(",")
        scopes = {str(s).strip() for s in items if str(s).strip()}
    tok = engine.state.issue(p.get("user") or None, p.get("kind") or "user", scopes, _float(p, "lifetime_s", 3600))
    return {"access_token": tok.value}


def _password(engine: Engine, p: dict[str, str]) -> dict[str, Any]:
    user = p.get("user")
    if not user:
        raise ValueError("user is required")
    return {"success": True, "invalidated": engine.state.change_password(user)}


def _throttle(engine: Engine, p: dict[str, str]) -> dict[str, Any]:
    engine.throttle.set(_float(p, "seconds"), int(p.get("code") or 80000))
    return {"success": True}


def _optional(p: dict[str, str], name: str) -> float | None:
    raw = p.get(name)
    return None if raw in (None, "") else float(raw)


def _faults(engine: Engine, p: dict[str, str]) -> dict[str, Any]:
    engine.plan.configure(_optional(p, "fault_rate"), _optional(p, "latency_ms"), _optional(p, "after_effect"))
    return {
        "fault_rate": engine.plan.fault_rate,
        "latency_ms": engine.plan.latency_ms,
        "after_effect": engine.plan.after_effect,
    }


def _rate_limits(engine: Engine, p: dict[str, str]) -> dict[str, Any]:
    if p.get("tier"):
        engine.limits.set_tier(get_tier(p["tier"]))
    speed = _optional(p, "speed")
    if speed is not None:
        engine.rate_clock.set_speed(speed)
    ahead = _optional(p, "advance")
    if ahead is not None:
        engine.rate_clock.advance(ahead)
    return {"tier": engine.limits.tier.name, "speed": engine.rate_clock.speed}


def _fail_next(engine: Engine, p: dict[str, str]) -> dict[str, Any]:
    raw = p.get("fault") or "http500"
    fault: Any = json.loads(raw) if raw.lstrip().startswith("{") else raw
    path = p.get("path") or None
    where = None if path is None else split_version("/" + path.lstrip("/"))[1]
    after = (p.get("after_effect") or "").lower() in ("1", "true", "yes")
    engine.script.add(Scripted(fault, where, after, int(p.get("times") or 1)))
    return {"success": True}


def _fail_next_job(engine: Engine, p: dict[str, str]) -> dict[str, Any]:
    engine.report_runs.script(p.get("ending") or "failed", int(p.get("times") or 1))
    return {"success": True}


def _redirect(engine: Engine, p: dict[str, str]) -> dict[str, Any]:
    engine.app_setup.register(p.get("uri") or "")
    return {"redirect_uris": list(engine.app_setup.redirect_uris)}


def _app_mode(engine: Engine, p: dict[str, str]) -> dict[str, Any]:
    engine.app_setup.set_mode(p.get("mode") or "")
    return {"app_mode": engine.app_setup.mode}


_POST: dict[str, Callable[[Engine, dict[str, str]], dict[str, Any]]] = {
    "register_redirect_uri": _redirect,
    "app_mode": _app_mode,
    "advance": _advance,
    "issue_token": _issue,
    "change_password": _password,
    "throttle": _throttle,
    "faults": _faults,
    "rate_limits": _rate_limits,
    "fail_next": _fail_next,
    "fail_next_job": _fail_next_job,
}


def handle_control(engine: Engine, req: Request) -> Response:
    """Answer ``/__sandbox__/<name>``."""
    name = req.path[len(CONTROL_PREFIX) :] if req.path.startswith(CONTROL_PREFIX) else ""
    try:
        if name == "info" and req.method == "GET":
            return Response(body=info(engine))
        action = _POST.get(name)
        if action is None or req.method != "POST":
            known = "GET info, POST " + ", POST ".join(_POST)
            return error_response(
                GraphError(
                    f"Unknown control endpoint {req.method} {req.path}; known: {known}",
                    100,
                    "SandboxControlError",
                    status=404,
                )
            )
        return Response(body=action(engine, req.params))
    except (ValueError, KeyError) as exc:
        msg = exc.args[0] if exc.args else str(exc)
        return error_response(GraphError(str(msg), 100, "SandboxControlError"))
