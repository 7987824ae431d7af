"""Token endpoints: ``oauth/access_token``, ``debug_token``, ``oauth/revoke``,
and system users' ``{id}/access_tokens``.

Every check that can fail runs before anything is changed, so an error
answer never consumes a code or issues a token.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from .app_setup import MSG_NEEDS_ROLE
from .auth import authenticate
from .errors import MSG_PROOF_REQUIRED, GraphError, missing_param, unsupported
from .state import DAY, Token, looks_like_code
from .wire import Request, Response

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["LOGIN_LIFETIME_S", "LONG_LIFETIME_S", "access_token", "debug_token", "revoke", "system_user_tokens"]

LOGIN_LIFETIME_S = 7200  # code-exchange tokens: short-lived, 2 h
LONG_LIFETIME_S = 60 * DAY  # fb_exchange_token / 60-day system user tokens
_TRUE = ("true", "1", "yes")
_TYPES = {"user": "USER", "page": "PAGE", "app": "APP", "system_user": "SYSTEM_USER"}


def _client(engine: Engine, p: dict[str, str], need_secret: bool = True) -> None:
    """Check ``client_id`` (101) and ``client_secret`` (1) like Graph."""
    app = engine.state.app
    client_id = p.get("client_id")
    if not client_id:
        raise missing_param("client_id", code=101)
    if client_id != app.app_id:
        raise GraphError("Error validating application. Invalid application ID.", 101, "OAuthException")
    if not need_secret:
        return
    secret = p.get("client_secret")
    if not secret:
        raise missing_param("client_secret")
    if not hmac.compare_digest(secret.encode(), app.secret.encode()):
        raise GraphError("Error validating client secret.", 1, "OAuthException")


def _token_reply(tok: Token, lifetime: float) -> dict[str, Any]:
    out: dict[str, Any] = {"access_token": tok.value, "token_type": "bearer"}
    if lifetime:
        out["expires_in"] = int(lifetime)
    return out


def access_token(engine: Engine, req: Request) -> Response:
    """``GET|POST /oauth/access_token``: code exchange, extension, app token."""
    p = req.params
    _client(engine, p)
    grant = p.get("grant_type") or ""
    if grant == "client_credentials":
        tok = engine.state.issue(None, "app")
        return Response(body={"access_token": tok.value, "token_type": "bearer"})
    if grant == "fb_exchange_token":
        return _extend(engine, p)
    if grant not in ("", "authorization_code"):
        raise GraphError(f"Unsupported grant_type: {grant}", 100, "OAuthException")
    return _exchange(engine, p)


def _exchange(engine: Engine, p: dict[str, str]) -> Response:
    st = engine.state
    code_value = p.get("code")
    if not code_value:
        raise missing_param("code")
    redirect_uri = p.get("redirect_uri")
    if not redirect_uri:
        raise missing_param("redirect_uri")
    bad_format = GraphError("Invalid verification code format.", 100, "OAuthException")
    if not looks_like_code(code_value):
        raise bad_format
    with st.lock:
        code = st.codes.get(code_value)
        if code is None or code.app_id != p.get("client_id"):
            raise bad_format
        if code.used:
            raise GraphError("This authorization code has been used.", 100, "OAuthException", subcode=36009)
        if st.clock.now() >= code.expires_at:
            raise GraphError("This authorization code has expired.", 100, "OAuthException", subcode=36007)
        if code.redirect_uri != redirect_uri:
            raise GraphError(
                "Error validating verification code. Please make sure your redirect_uri is identical "
                "to the one you used in the OAuth dialog request",
                100,
                "OAuthException",
                subcode=36008,
            )
        code.used = True
        config = engine.app_setup.configs.get(code.config_id or "")
        if config is not None and config.token_type == "system_user":
            # A system-user configuration gives the business' system user a token for the app.
            tok = st.issue(None, "system_user", set(config.scopes), config.lifetime_s)
            return Response(body=_token_reply(tok, config.lifetime_s))
        lifetime = st.scenario.login_lifetime_s or LOGIN_LIFETIME_S
        tok = st.issue(
            code.user,
            "user",
            code.granted,
            lifetime,
            declined=code.declined,
            short_lived=True,
            auth_type=code.auth_type,
            auth_nonce=code.auth_nonce,
        )
    return Response(body=_token_reply(tok, lifetime))


def _extend(engine: Engine, p: dict[str, str]) -> Response:
    st = engine.state
    value = p.get("fb_exchange_token")
    if not value:
        raise missing_param("fb_exchange_token")
    old, err = st.inspect(value)
    if err is not None:
        raise err
    assert old is not None
    if old.kind == "app":
        raise GraphError(
            "(#100) fb_exchange_token must be a user, page or system user access token", 100, "OAuthException"
        )
    sixty = p.get("set_token_expires_in_60_days", "").lower() in _TRUE
    if old.kind == "user":
        lifetime: float = st.scenario.extend_lifetime_s or LONG_LIFETIME_S
    elif old.kind == "system_user":
        # A never-expiring system user token stays so unless 60 days are asked for.
        lifetime = LONG_LIFETIME_S if sixty or old.expires_at else 0
    else:
        lifetime = 0  # page tokens from a long-lived user token do not expire
    tok = st.issue(old.user, old.kind, set(old.granted), lifetime, declined=set(old.declined), auth_type=old.auth_type)
    return Response(body=_token_reply(tok, lifetime))


# ---- debug_token ----------------------------------------------------------
def _granular(engine: Engine, tok: Token) -> list[dict[str, Any]]:
    """``granular_scopes``: target ids as strings for some scopes and ints for
    others, because real Graph answers mix the two."""
    st = engine.state
    person = st.person(tok.user) if tok.user else None
    out: list[dict[str, Any]] = []
    for scope in sorted(tok.granted):
        entry: dict[str, Any] = {"scope": scope}
        if person is not None:
            accounts = [a[4:] for a in person.ad_accounts]
            if scope == "ads_read":
                entry["target_ids"] = accounts
            elif scope == "ads_management":
                entry["target_ids"] = [int(a) for a in accounts]
            elif scope == "business_management":
                entry["target_ids"] = [person.business_id]
            elif scope.startswith("pages_") and person.page_id:
                entry["target_ids"] = [int(person.page_id)]
        out.append(entry)
    return out


def describe(engine: Engine, tok: Token) -> dict[str, Any]:
    """The ``data`` object ``debug_token`` returns for a known token."""
    app = engine.state.app
    data: dict[str, Any] = {"app_id": tok.app_id, "type": _TYPES[tok.kind], "application": app.name}
    if tok.kind == "app":
        data["scopes"] = []
        return data
    data["data_access_expires_at"] = int(tok.data_access_expires_at)
    data["expires_at"] = int(tok.expires_at)
    if not tok.short_lived:
        data["issued_at"] = int(tok.issued_at)
    data["scopes"] = sorted(tok.granted)
    data["granular_scopes"] = _granular(engine, tok)
    person = engine.state.person(tok.user) if tok.user else None
    if person is not None:
        data["user_id"] = person.id
        if tok.kind == "page":
            data["profile_id"] = person.page_id
    if tok.kind in ("user", "page"):
        meta: dict[str, Any] = {"sso": "web"}
        if tok.auth_type:
            meta["auth_type"] = tok.auth_type
        if tok.auth_nonce:
            meta["auth_nonce"] = tok.auth_nonce
        data["metadata"] = meta
    return data


def debug_token(engine: Engine, req: Request) -> Response:
    """``GET /debug_token?input_token=T``: HTTP 200 even for invalid input."""
    caller = authenticate(engine, req)
    # The app token, a system user of the app's business, or a person with a role on the app.
    person_without_role = caller.kind in ("user", "page") and engine.app_setup.role(caller.user) is None
    if caller.app_id != engine.state.app.app_id or person_without_role:
        raise GraphError(MSG_NEEDS_ROLE, 100, "OAuthException")
    value = req.params.get("input_token")
    if not value:
        raise GraphError("(#100) The parameter input_token is required", 100, "OAuthException")
    tok, err = engine.state.inspect(value)
    data = describe(engine, tok) if tok is not None else {}
    data["is_valid"] = err is None
    if err is not None:
        data["error"] = err.debug_error()
    data.setdefault("scopes", [])
    return Response(body={"data": data})


# ---- revoke / system users --------------------------------------------------
def revoke(engine: Engine, req: Request) -> Response:
    """``GET|POST /oauth/revoke``: the token stops working (190, no subcode)."""
    p = req.params
    _client(engine, p)
    value = p.get("revoke_token")
    if not value:
        raise missing_param("revoke_token")
    caller = p.get("access_token") or req.bearer
    if caller and caller != value:
        engine.state.resolve(caller)
    tok, err = engine.state.inspect(value)
    if tok is None:
        assert err is not None
        raise err
    if tok.kind == "app":
        raise GraphError("(#100) App access tokens cannot be revoked", 100, "OAuthException")
    engine.state.revoke(tok)
    return Response(body={"success": True})


def system_user_tokens(engine: Engine, req: Request, user_id: str) -> Response:
    """``POST /{system_user_id}/access_tokens`` by the admin system user."""
    st = engine.state
    target = st.person_by_id(user_id)
    if target is None or not target.is_system:
        raise unsupported(req.method, user_id)
    caller = authenticate(engine, req)
    if caller.kind != "system_user" or caller.user != target.name:
        raise GraphError(
            "(#200) Only an admin system user of the business can generate this system user's access tokens",
            200,
            "OAuthException",
        )
    p = req.params
    if "appsecret_proof" not in p:
        raise GraphError(MSG_PROOF_REQUIRED, 100, "GraphMethodException")
    app_id = p.get("business_app")
    if not app_id:
        raise GraphError("(#100) The parameter business_app is required", 100, "OAuthException")
    if app_id != st.app.app_id:
        raise GraphError(
            f"(#100) Param business_app must be an app of this business, not {app_id}", 100, "OAuthException"
        )
    scopes = {s.strip() for s in p.get("scope", "").split(",") if s.strip()}
    if not scopes:
        raise GraphError("(#100) The parameter scope is required", 100, "OAuthException")
    sixty = p.get("set_token_expires_in_60_days", "").lower() in _TRUE
    tok = st.issue(target.name, "system_user", scopes, LONG_LIFETIME_S if sixty else 0)
    return Response(body={"access_token": tok.value})
