"""Who is calling: token look-up, ``appsecret_proof`` checks, scope checks."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from .errors import MSG_BAD_PROOF, MSG_NO_ADS_PERMISSION, MSG_NO_TOKEN, GraphError, token_error
from .state import Token, User
from .wire import Request

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["PROOF_WINDOW_S", "appsecret_proof", "authenticate", "check_proof", "require_ads", "require_person"]

PROOF_WINDOW_S = 300  # appsecret_time may be this many seconds off the sandbox clock


def appsecret_proof(token: str, app_secret: str, appsecret_time: int | str | None = None) -> str:
    """``hex(HMAC-SHA256(app_secret, token))``, or of ``token|time`` when timed.

    Examples
    --------
    >>> appsecret_proof("abc123", "xyz789")
    '4dad02ff1693df832f9c183fe400fc4f601360be06514acb4a73edb783eec345'
    """
    msg = token if appsecret_time is None else f"{token}|{appsecret_time}"
    return hmac.new(app_secret.encode("utf-8"), msg.encode("utf-8"), hashlib.sha256).hexdigest()


def check_proof(engine: Engine, req: Request, token: str) -> None:
    """Reject a present but wrong (or stale) ``appsecret_proof``.

    Raises
    ------
    GraphError
        Code 100 "Invalid appsecret_proof provided in the API argument".
    """
    proof = req.params.get("appsecret_proof")
    if proof is None:
        return
    bad = GraphError(MSG_BAD_PROOF, 100, "GraphMethodException")
    when = req.params.get("appsecret_time")
    if when is not None:
        try:
            t = int(when)
        except ValueError:
            raise bad from None
        if abs(engine.clock.now() - t) > PROOF_WINDOW_S:
            raise bad
    expected = appsecret_proof(token, engine.state.app.secret, when)
    if not hmac.compare_digest(expected, proof.strip().lower()):
        raise bad


def authenticate(engine: Engine, req: Request) -> Token:
    """The caller's valid token; its proof checked when one was sent.

    Raises
    ------
    GraphError
        104 without a token, 190 for a bad one, 100 for a wrong proof.
    """
    value = req.token
    if not value:
        raise token_error(MSG_NO_TOKEN, code=104)
    tok = engine.state.resolve(value)
    check_proof(engine, req, value)
    return tok


def require_person(engine: Engine, tok: Token) -> User:
    """The user behind a non-app token (2500 for app tokens on ``/me``)."""
    if tok.kind == "app" or tok.user is None:
        raise GraphError(
            "An active access token must be used to query information about the current user.", 2500, "OAuthException"
        )
    return engine.state.person(tok.user)


def require_ads(tok: Token) -> None:
    """Ads calls need ``ads_read`` or ``ads_management`` granted (else #200)."""
    if tok.kind == "app" or not ({"ads_read", "ads_management"} & tok.granted):
        raise GraphError(MSG_NO_ADS_PERMISSION, 200, "OAuthException")
