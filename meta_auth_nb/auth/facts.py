"""What Graph says about a token, in one round trip: ``debug_token``, ``/me/permissions`` and who ``/me`` is.

Auth layer. ``debug_token`` answers only the app token and people with a
role on the app; a person without one (an agency analyst on a client's live
app) gets code 100 for their own token. With the app secret at hand the app
token asks instead; without it the facts come from one batch of ``/me`` and
``/me/permissions``: the token is valid (the calls worked) with those
scopes, and its expiry is unknown (``TokenInfo.expiry_known`` is False).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .._base.errors import GraphConnectionError, GraphError, RateLimited, TokenError, TransientError
from .._base.tokens import AccessToken, Permission, TokenInfo
from .app_choice import AppChoice
from .lifecycle import app_token, graph_session

__all__ = ["NO_ROLE_CODE", "Facts", "facts_without_debug_token", "fetch_facts", "inspect_facts"]

#: debug_token's code for "you may not inspect this token" (no app token, no role on the app).
NO_ROLE_CODE = 100


def fetch_facts(
    token: AccessToken,
    *,
    app_id: str | None = None,
    app_secret: str | None = None,
    **options: Any,
) -> tuple[TokenInfo, tuple[Permission, ...], datetime | None]:
    """``debug_token``, ``/me/permissions`` and ``/me``'s name in one batch round trip.

    The token inspects itself inside the batch. When Graph refuses that
    (an invalid token, or a person without a role on the app), the app token
    asks ``debug_token`` when the app id and secret are known; a refusal for
    want of a role, without them, falls back to
    :func:`facts_without_debug_token`.

    Returns
    -------
    (info, permissions, server_time)
        ``server_time`` is Graph's clock (its Date header), or None.
    """
    try:
        with graph_session(token, app_secret=app_secret, **options) as session:
            debug, perms, me = session.batch(
                [
                    {
                        "method": "POST",
                        "relative_url": "debug_token",
                        "body": {"input_token": token.get_secret_value(), "method": "get"},
                    },
                    {"method": "GET", "relative_url": "me/permissions?limit=500"},
                    {"method": "GET", "relative_url": "me?fields=id,name"},
                ]
            )
            server_now = session.server_time
    except TokenError as error:
        debug, perms, me, server_now = error, None, None, None
    known_app = bool(app_id and app_secret)
    if isinstance(debug, TokenError) and not known_app:
        return info_from_error(debug), (), server_now
    if isinstance(debug, GraphError) and not known_app and debug.code == NO_ROLE_CODE:
        return facts_without_debug_token(token, app_id=app_id, app_secret=app_secret, **options)
    if isinstance(debug, GraphError):
        # Ask outside the batch: with the app token when known (it can say why a
        # token is invalid, and needs no role), else the token inspects itself.
        caller = app_token(app_id, app_secret) if app_id and app_secret else token
        with graph_session(caller, **options) as session:
            payload = session.post("debug_token", input_token=token.get_secret_value(), method="get")
            info = TokenInfo.from_debug_token(payload)
            if not info.is_valid:
                return info, (), session.server_time
            return replace(info, user_name=_name(me)), _permissions(perms), session.server_time
    info = TokenInfo.from_debug_token(debug)
    return (replace(info, user_name=_name(me)) if info.is_valid else info), _permissions(perms), server_now


@dataclass(frozen=True)
class Facts:
    """What Graph said about a token, and with which app secret it was asked.

    Attributes
    ----------
    info : TokenInfo
    permissions : tuple of Permission
    server_time : datetime or None
        Graph's clock (its Date header), or None.
    secret_used : bool
        The app secret at hand took part (it belongs to the token's app).
    note : str or None
        Why the secret at hand was not used, when it was tried and failed.
    """

    info: TokenInfo
    permissions: tuple[Permission, ...]
    server_time: datetime | None
    secret_used: bool = False
    note: str | None = None


def inspect_facts(token: AccessToken, app: AppChoice, **options: Any) -> Facts:
    """:func:`fetch_facts` with the app chosen for the token; a secret Graph refuses is dropped, and said so.

    A wrong ``META_APP_SECRET``, or another app's, makes Graph refuse the
    app token and the ``appsecret_proof``: the token then inspects itself, as
    it would without a secret, and :attr:`Facts.note` says why.

    Raises
    ------
    GraphConnectionError, TransientError, RateLimited
        Graph could not give an answer.
    """
    try:
        info, perms, now = fetch_facts(token, app_id=app.app_id, app_secret=app.secret, **options)
    except (GraphConnectionError, TransientError, RateLimited):
        raise
    except GraphError as error:
        if not app.secret:
            raise
        info, perms, now = fetch_facts(token, app_id=app.app_id, **options)
        note = (
            f"the app secret of app {app.app_id} (from {app.source}) could not inspect the token "
            f"({error.message}), so the app secret is not used"
        )
        return Facts(info, perms, now, False, note)
    fits = bool(app.secret) and info.app_id in (None, app.app_id)
    return Facts(info, perms, now, fits)


def facts_without_debug_token(
    token: AccessToken, *, app_id: str | None = None, app_secret: str | None = None, **options: Any
) -> tuple[TokenInfo, tuple[Permission, ...], datetime | None]:
    """The facts a token can give about itself without ``debug_token``: one batch of ``me`` and ``me/permissions``.

    Returns
    -------
    (info, permissions, server_time)
        ``info`` is valid with the granted permissions as scopes, the user
        id, and ``expiry_known=False`` (type, app and expiry are not known);
        invalid, with Graph's reason, when the token no longer works.
    """
    try:
        with graph_session(token, app_secret=app_secret, **options) as session:
            me, perms = session.batch(
                [
                    {"method": "GET", "relative_url": "me?fields=id,name"},
                    {"method": "GET", "relative_url": "me/permissions?limit=500"},
                ]
            )
            server_now = session.server_time
    except TokenError as error:
        return info_from_error(error), (), None
    if isinstance(me, TokenError):
        return info_from_error(me), (), server_now
    if isinstance(me, GraphError):
        raise me
    permissions = _permissions(perms)
    me = me if isinstance(me, dict) else {}
    info = TokenInfo(
        is_valid=True,
        app_id=app_id,
        user_id=str(me["id"]) if me.get("id") else None,
        scopes=tuple(p.name for p in permissions if p.granted),
        metadata={"checked_with": "me, me/permissions (debug_token needs a role on the app or the app secret)"},
        expiry_known=False,
        user_name=_name(me),
    )
    return info, permissions, server_now


def info_from_error(error: GraphError) -> TokenInfo:
    """The facts of a token Graph refused outright (invalid, expired...)."""
    return TokenInfo(is_valid=False, error_code=error.code, error_subcode=error.subcode, error_message=error.message)


def _name(me: Any) -> str | None:
    """The ``name`` in a ``/me`` reply (None for an error or a token that has no ``me``)."""
    name = me.get("name") if isinstance(me, dict) else None
    return str(name) if name else None


def _permissions(perms: Any) -> tuple[Permission, ...]:
    if not isinstance(perms, dict):
        return ()
    return tuple(
        Permission(str(p.get("permission")), str(p.get("status"))) for p in perms.get("data", ()) if isinstance(p, dict)
    )
