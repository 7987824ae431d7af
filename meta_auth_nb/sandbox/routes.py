"""Graph routing: which path goes to which handler, and the user/ads nodes.

:func:`dispatch` is the single entry for a Graph call, used both by the
server and by each item of a batch.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import oauth_routes, reports
from .app_node import app_node
from .auth import authenticate, require_ads, require_person
from .data import AdAccount, paginate, parse_fields, pick_fields
from .errors import GraphError, unsupported
from .objects import answer_object
from .state import Token, User
from .versions import check_version
from .wire import Request, Response, error_response

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["account_of_path", "dispatch", "is_ads_path"]

_ACT = re.compile(r"^/(act_\d+)(?:/([a-z_]+))?$")
_NODE = re.compile(r"^/(me|\d+)(?:/([a-z_]+)(?:/([a-z0-9_]+))?)?$")


def is_ads_path(path: str) -> bool:
    """True for ad-account calls (``act_...`` or any ``insights`` edge)."""
    return path.startswith("/act_") or path.endswith("/insights")


def account_of_path(path: str) -> str | None:
    """The ``act_`` id a path is about, if any (a report run's path counts: see :meth:`Engine.account_of`)."""
    m = _ACT.match(path)
    return m.group(1) if m else None


def dispatch(engine: Engine, req: Request) -> Response:
    """Answer one Graph call; every :class:`GraphError` becomes its envelope."""
    try:
        with engine.state.lock:  # one call at a time on the shared state
            warning = check_version(req.version, req.path, engine.clock.now(), strict=engine.strict_versions)
            resp = _route(engine, req)
        if warning is not None:
            resp.headers.append(warning)
        return resp
    except GraphError as err:
        resp = error_response(err)
        acc = engine.account_of(req.path)
        if acc:
            resp.account = acc
            resp.business_id = engine.business_of(acc)
        return resp


def _route(engine: Engine, req: Request) -> Response:
    path, method = req.path, req.method
    if path == "/oauth/access_token" and method in ("GET", "POST"):
        return oauth_routes.access_token(engine, req)
    if path == "/oauth/revoke" and method in ("GET", "POST"):
        return oauth_routes.revoke(engine, req)
    if path == "/debug_token" and method == "GET":
        return oauth_routes.debug_token(engine, req)
    if path == "/":
        if method == "POST" and "batch" in req.params:
            return engine.run_batch(req)  # each item comes back through dispatch()
        raise GraphError("(#100) The parameter batch is required", 100, "OAuthException")
    m = _NODE.match(path)
    if m and m.group(2) == "access_tokens" and m.group(1) != "me" and not m.group(3):
        if method != "POST":
            raise unsupported(method, m.group(1))
        return oauth_routes.system_user_tokens(engine, req, m.group(1))
    tok = authenticate(engine, req)
    if m and m.group(1) == engine.state.app.app_id and not m.group(3):
        return app_node(engine, req, tok, m.group(2))
    m_run = reports.RUN_PATH.match(path)
    if m_run:
        require_ads(tok)
        answered = reports.report_run(engine, req, tok, m_run.group(1), m_run.group(2))
        if answered is not None:
            return answered
    m_act = _ACT.match(path)
    if m_act:
        return _ad_account(engine, req, tok, m_act.group(1), m_act.group(2))
    if m and m.group(1) != "me" and not m.group(3):
        answered = answer_object(engine, req, tok, m.group(1), m.group(2))
        if answered is not None:
            return answered
    if m:
        return _node(engine, req, tok, m.group(1), m.group(2), m.group(3))
    raise unsupported(method, path.strip("/").split("/")[0] or "/")


# ---- users -------------------------------------------------------------------
def _subject(engine: Engine, tok: Token, node: str) -> User:
    """The user a ``me`` / ``{id}`` path names, if the token may act for them."""
    if node == "me":
        return require_person(engine, tok)
    person = engine.state.person_by_id(node)
    if person is None:
        raise unsupported("get", node)
    if tok.kind == "app" or tok.user == person.name:
        return person
    raise unsupported("get", node)


def _node(engine: Engine, req: Request, tok: Token, node: str, edge: str | None, sub: str | None) -> Response:
    st = engine.state
    if node != "me" and tok.kind != "app" and tok.user:
        me = st.person(tok.user)
        if node == me.page_id and not edge:  # a user's own page
            return Response(
                body=pick_fields(
                    {"id": me.page_id, "name": me.page_name}, parse_fields(req.params.get("fields")), ("id", "name")
                )
            )
    person = _subject(engine, tok, node)
    if edge is None:
        if req.method != "GET":
            raise unsupported(req.method, node)
        return Response(body=_profile(person, tok, req))
    if edge == "permissions":
        return _permissions(engine, req, tok, person, sub)
    if edge == "adaccounts" and not sub and req.method == "GET":
        require_ads(tok)
        accounts = [engine.catalog.accounts[a] for a in person.ad_accounts]
        fields = parse_fields(req.params.get("fields"))
        return Response(
            body=paginate(
                len(accounts),
                lambda a, b: [pick_fields(acc.node(), fields, ("id", "account_id")) for acc in accounts[a:b]],
                req.params,
                engine.next_base(req),
                req.token or "",
            )
        )
    if sub is None and req.method == "GET":
        kind = "User" if not person.is_system else "SystemUser"
        raise GraphError(
            f"(#100) Tried accessing nonexisting field ({edge}) on node type ({kind})", 100, "OAuthException"
        )
    raise unsupported(req.method, node)


def _profile(person: User, tok: Token, req: Request) -> dict[str, Any]:
    if tok.kind == "page":
        obj: dict[str, Any] = {"id": person.page_id, "name": person.page_name}
    else:
        first, _, last = person.display_name.partition(" ")
        obj = {
            "id": person.id,
            "name": person.display_name,
            "first_name": first,
            "last_name": last,
            "short_name": first,
        }
        if person.email:
            obj["email"] = person.email
    return pick_fields(obj, parse_fields(req.params.get("fields")), ("id", "name"))


def _permissions(engine: Engine, req: Request, tok: Token, person: User, name: str | None) -> Response:
    st = engine.state
    if req.method == "DELETE":
        if tok.kind == "app" or tok.user == person.name:
            if name:
                st.revoke_permission(person.name, name)
            else:
                st.remove_app(person.name)
            return Response(body={"success": True})
        raise unsupported("delete", person.id)
    if req.method != "GET":
        raise unsupported(req.method, person.id)
    if person.is_system:
        # A system user has no grant record: its token's scopes are the permissions.
        granted, declined = set(tok.granted), set(tok.declined)
    else:
        g = st.grant(person.name)
        granted, declined = set(g.granted), set(g.declined)
    rows = [{"permission": p, "status": "granted"} for p in granted]
    rows += [{"permission": p, "status": "declined"} for p in declined - granted]
    rows.sort(key=lambda r: r["permission"])
    if name:
        rows = [r for r in rows if r["permission"] == name]
    return Response(body={"data": rows})


# ---- ads ---------------------------------------------------------------------------
def _ad_account(engine: Engine, req: Request, tok: Token, act: str, edge: str | None) -> Response:
    require_ads(tok)
    acc: AdAccount | None = engine.catalog.accounts.get(act)
    person = engine.state.person(tok.user) if tok.user else None
    writable = edge == "insights" and req.method == "POST"  # a report run
    if acc is None or person is None or act not in person.ad_accounts or not (req.method == "GET" or writable):
        raise unsupported(req.method, act)
    if edge == "insights":
        resp = reports.insights_edge(engine, req, acc, person.name)
    else:
        resp = _ad_edge(engine, req, acc, edge)
    resp.account, resp.business_id = acc.id, acc.business_id
    resp.buc_type = "ads_insights" if edge == "insights" else "ads_management"
    return resp


def _ad_edge(engine: Engine, req: Request, acc: AdAccount, edge: str | None) -> Response:
    fields = parse_fields(req.params.get("fields"))
    if edge is None:
        return Response(body=pick_fields(acc.node(), fields, ("id", "account_id", "name")))
    base, token = engine.next_base(req), req.token or ""
    if edge == "campaigns":
        camps = acc.campaigns
        default = ("id", "name", "status", "objective", "daily_budget")
        return Response(
            body=paginate(
                len(camps),
                lambda a, b: [pick_fields(c, fields, default) for c in camps[a:b]],
                req.params,
                base,
                token,
            )
        )
    raise GraphError(
        f"(#100) Tried accessing nonexisting field ({edge}) on node type (AdAccount)", 100, "OAuthException"
    )
