"""The gate every Graph call passes: throttle, faults, rate limits, the route, faults after the fact, usage.

:meth:`Gate.handle` is the life of one Graph request, :meth:`Gate.item` that
of one batch item (each item is a call of its own for the rate limits, as on
Meta). In order:

1. the operator's throttle (``Sandbox.throttle``) refuses everything;
2. a scripted fault (``Sandbox.fail_next``) or a random one strikes before
   the request is handled, unless it is one that strikes after;
3. the rate-limit model (:mod:`.ratelimit`) admits the call, or refuses it
   (17/2446079, 80000, 80004) with the matching headers, and nothing happens;
4. the route answers: the request takes effect;
5. a fault that strikes after the fact replaces the answer (HTTP 500/503 or a
   dropped connection), though what the request did stays done;
6. the usage headers go on the answer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .faults import Scripted, fault_error, limit_error, rate_limit_error
from .ratelimit import Call, Refusal
from .routes import account_of_path, dispatch, is_ads_path
from .usage import usage_headers
from .wire import Request, Response, error_response

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["Gate"]


class Gate:
    """Throttle, faults and rate limits around the router, for one sandbox."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self, req: Request) -> Call:
        """What the rate limits need to know about ``req``."""
        engine = self.engine
        act = engine.account_of(req.path)
        tok = engine.state.tokens.get(req.token or "")
        run = act is not None and account_of_path(req.path) is None  # a report run's status or rows
        return Call(
            account=act,
            business_id=engine.business_of(act) if act else None,
            use_case="ads_insights" if run or req.path.endswith("/insights") else "ads_management",
            write=req.method != "GET",
            page=tok is not None and tok.kind == "page",
        )

    def headers(
        self, call: Call, *, saturated: bool = False, regain_s: float | None = None, exact: bool = False
    ) -> list[tuple[str, str]]:
        """The usage headers for ``call`` as things stand (``exact``: durations not rounded to whole units)."""
        limits = self.engine.limits
        snap = limits.snapshot(call)
        if regain_s is not None:
            snap = replace(snap, regain_s=regain_s)
        whole = limits.clock.speed == 1.0 and not exact
        return usage_headers(call, snap, limits.tier, whole_units=whole, saturated=saturated)

    # ---- one Graph request ------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        """Answer one Graph request (a batch's items each pass :meth:`item`)."""
        engine = self.engine
        engine.plan.sleep()
        call = self.describe(req)
        batch = req.path == "/"
        throttled = engine.throttle.active()
        if throttled is not None:
            code, minutes = throttled
            resp = error_response(rate_limit_error(code))
            # The regain time goes out on every throttled answer so any call can wait it out.
            shown = replace(call, business_id=call.business_id or engine.state.business_id)
            resp.headers += self.headers(shown, saturated=True, regain_s=minutes * 60.0, exact=True)
            return resp
        scripted = engine.script.take(req.path)
        if scripted is not None and not (scripted.after_effect or scripted.headers_only):
            return self._scripted(scripted, call)
        fault = engine.plan.draw()
        after = fault is not None and engine.plan.strikes_after(fault)
        if fault is not None and not after:
            return self._fault(fault, call, is_ads_path(req.path))
        if not batch:
            refusal = engine.limits.admit(call)
            if refusal is not None:
                return self._refused(refusal, call)
        resp = dispatch(engine, req)  # the request takes effect here
        if scripted is not None and not scripted.headers_only:
            return self._scripted(scripted, call)
        if fault is not None:
            return self._fault(fault, call, is_ads_path(req.path))
        own = self.headers(replace(call, account=None, business_id=None) if batch else call)
        if scripted is not None:  # a scripted header replaces the sandbox's own of that name
            given = scripted.reply()[2]  # type: ignore[index]
            names = {name.lower() for name, _ in given}
            own = [h for h in own if h[0].lower() not in names] + given
        resp.headers += own
        return resp

    # ---- one batch item ------------------------------------------------------------------
    def item(self, engine: Engine, sub: Request) -> Response | None:
        """Answer one batch item; None when it times out (``null`` in the batch answer)."""
        call = self.describe(sub)
        scripted = engine.script.take(sub.path)
        if scripted is not None and not (scripted.after_effect or scripted.headers_only):
            return None if scripted.fault == "drop" else self._scripted(scripted, call)
        refusal = engine.limits.admit(call)
        if refusal is not None:
            resp = self._refused(refusal, call)
        else:
            resp = dispatch(engine, sub)
            if scripted is not None and not scripted.headers_only:
                return None if scripted.fault == "drop" else self._scripted(scripted, call)
            own = self.headers(call)
            if scripted is not None:  # a scripted header replaces the sandbox's own of that name
                given = scripted.reply()[2]  # type: ignore[index]
                names = {name.lower() for name, _ in given}
                own = [h for h in own if h[0].lower() not in names] + given
            resp.headers += own
        resp.headers = [h for h in resp.headers if h[0] not in ("x-app-usage", "x-page-usage")]
        return resp

    # ---- answers ----------------------------------------------------------------------------
    def _refused(self, refusal: Refusal, call: Call) -> Response:
        resp = error_response(limit_error(refusal.code, refusal.message))
        resp.headers += self.headers(call, regain_s=refusal.regain_s)
        return resp

    def _fault(self, kind: str, call: Call, ads: bool) -> Response:
        if kind == "drop":
            return Response(drop=True)
        resp = error_response(fault_error(kind, ads))
        if kind == "ratelimit" and call.account is None:
            # A hiccup, not the app's hourly budget spent (the next call goes through): the app's usage as it is.
            resp.headers += self.headers(call)
        elif kind == "ratelimit":
            resp.headers += self.headers(call, saturated=True, regain_s=0.0)
        else:
            resp.headers += self.headers(replace(call, account=None, business_id=None))
        return resp

    def _scripted(self, scripted: Scripted, call: Call) -> Response:
        if isinstance(scripted.fault, str):
            return self._fault(scripted.fault, call, call.account is not None)
        status, body, headers = scripted.reply() or (200, None, [])
        resp = Response(status=status, body=body, headers=list(headers))
        given = {name.lower() for name, _ in headers}  # a scripted header replaces the sandbox's own of that name
        resp.headers += [h for h in self.headers(call) if h[0].lower() not in given]
        return resp
