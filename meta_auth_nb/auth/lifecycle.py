"""Token lifecycle calls: extend, inspect, permissions, revoke, system-user tokens.

Auth layer. Each function opens a short-lived session; ``**options`` are
passed to :class:`~meta_auth_nb.graph.drivers.sync.GraphSession` (``base_url``,
``version``, ``transport``, ``retry``, ``settings``). Secrets travel in
headers or POST bodies, never in URLs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .._base.errors import GraphError
from .._base.login_errors import OAuthError
from .._base.tokens import AccessToken, Permission, TokenInfo, as_token
from .oauth import normalize_scopes, token_from_reply

if TYPE_CHECKING:
    from ..graph.drivers.sync import GraphSession


def graph_session(token: AccessToken | str | None, **options: Any) -> GraphSession:
    """A sync :class:`~meta_auth_nb.graph.drivers.sync.GraphSession`; httpx is imported with the first one.

    The auth layer's modules are imported to show a panel or a status line, which makes no Graph call
    (``%meta_login`` opens its panel faster without the HTTP client).
    """
    from ..graph.drivers.sync import GraphSession

    return GraphSession(token, **options)


def app_token(app_id: str, app_secret: str, *, fetch: bool = False, **options: Any) -> AccessToken:
    """An app access token.

    By default ``APP_ID|APP_SECRET``, which Graph accepts as an app token;
    with ``fetch=True`` one is requested through ``client_credentials``.
    """
    if not app_id or not app_secret:
        raise OAuthError(
            "An app id and app secret are needed for an app token", hint="Set META_APP_ID and META_APP_SECRET."
        )
    if not fetch:
        return AccessToken(f"{app_id}|{app_secret}", source="app")
    with graph_session(None, **options) as session:
        payload = session.post(
            "oauth/access_token", grant_type="client_credentials", client_id=app_id, client_secret=app_secret
        )
    return token_from_reply(payload, source="app")


def extend_token(token: AccessToken | str, *, app_id: str, app_secret: str, **options: Any) -> AccessToken:
    """Exchange a short-lived user token for a long-lived (about 60 days) one.

    Raises
    ------
    TokenExpired
        An expired token cannot be extended: log in again.
    CodeExchangeFailed
        Wrong app secret or app id.
    """
    return _exchange(token, app_id=app_id, app_secret=app_secret, extra={}, source="extended", options=options)


def refresh_system_user_token(token: AccessToken | str, *, app_id: str, app_secret: str, **options: Any) -> AccessToken:
    """Refresh a 60-day system user token for another 60 days."""
    return _exchange(
        token,
        app_id=app_id,
        app_secret=app_secret,
        extra={"set_token_expires_in_60_days": True},
        source="refreshed",
        options=options,
    )


def _exchange(
    token: AccessToken | str,
    *,
    app_id: str,
    app_secret: str,
    extra: dict[str, Any],
    source: str,
    options: dict[str, Any],
) -> AccessToken:
    token = as_token(token)
    if not app_id or not app_secret:
        raise OAuthError(
            "Extending a token needs the app id and app secret", hint="Set META_APP_ID and META_APP_SECRET."
        )
    with graph_session(None, **options) as session:
        payload = session.post(
            "oauth/access_token",
            grant_type="fb_exchange_token",
            client_id=app_id,
            client_secret=app_secret,
            fb_exchange_token=token.get_secret_value(),
            **extra,
        )
    return token_from_reply(payload, source=source)


def inspect_token(
    token: AccessToken | str,
    *,
    app_id: str | None = None,
    app_secret: str | None = None,
    **options: Any,
) -> TokenInfo:
    """What ``debug_token`` says about a token.

    With ``app_id`` and ``app_secret`` the app token asks (works for any of
    the app's tokens, even invalid ones); otherwise the token inspects itself.
    An invalid token gives a TokenInfo with ``is_valid=False`` and
    ``invalid_reason``; it is not raised.
    """
    token = as_token(token)
    caller = app_token(app_id, app_secret) if app_id and app_secret else token
    with graph_session(caller, **options) as session:
        return _debug(session, token)


def _debug(session: GraphSession, token: AccessToken) -> TokenInfo:
    # POST with method=get keeps input_token out of the URL (Graph's method override).
    payload = session.post("debug_token", input_token=token.get_secret_value(), method="get")
    return TokenInfo.from_debug_token(payload)


def inspect_tokens(
    tokens: Sequence[AccessToken | str],
    *,
    app_id: str,
    app_secret: str,
    **options: Any,
) -> list[TokenInfo | GraphError]:
    """Inspect many tokens concurrently with the app token.

    Returns one TokenInfo per token, in order; a call that failed gives its
    GraphError in that place instead of stopping the others.
    """
    from ..graph.drivers.aio import AsyncGraphSession, run_sync

    items = [as_token(t) for t in tokens]
    caller = app_token(app_id, app_secret)

    async def run() -> list[Any]:
        async with AsyncGraphSession(caller, **options) as session:
            calls = [session.post("debug_token", input_token=t.get_secret_value(), method="get") for t in items]
            return await session.gather(calls, return_exceptions=True)

    results = run_sync(run())
    out: list[TokenInfo | GraphError] = []
    for result in results:
        if isinstance(result, GraphError):
            out.append(result)
        elif isinstance(result, BaseException):
            raise result
        else:
            out.append(TokenInfo.from_debug_token(result))
    return out


def permissions(token: AccessToken | str, *, app_secret: str | None = None, **options: Any) -> list[Permission]:
    """The user's permissions for the app: granted, declined or expired."""
    with graph_session(token, app_secret=app_secret, **options) as session:
        rows = list(session.pages("me/permissions"))
    return [Permission(str(r.get("permission")), str(r.get("status"))) for r in rows if isinstance(r, dict)]


def revoke_permission(
    token: AccessToken | str, permission: str | None = None, *, app_secret: str | None = None, **options: Any
) -> bool:
    """Remove one permission, or (``permission=None``) the whole app, for the user.

    Removing the app invalidates all the user's tokens for it.
    """
    path = "me/permissions" if permission is None else f"me/permissions/{normalize_scopes([permission])[0]}"
    with graph_session(token, app_secret=app_secret, **options) as session:
        payload = session.delete(path)
    return bool(payload.get("success")) if isinstance(payload, dict) else bool(payload)


def revoke_token(token: AccessToken | str, *, app_id: str, app_secret: str, **options: Any) -> bool:
    """Revoke a token (``oauth/revoke``) so it stops working at once."""
    token = as_token(token)
    with graph_session(token, **options) as session:
        payload = session.post(
            "oauth/revoke", client_id=app_id, client_secret=app_secret, revoke_token=token.get_secret_value()
        )
    return bool(payload.get("success")) if isinstance(payload, dict) else bool(payload)


def create_system_user_token(
    admin_token: AccessToken | str,
    system_user_id: str,
    *,
    app_id: str,
    app_secret: str,
    scopes: str | Iterable[str],
    expires_in_60_days: bool = False,
    **options: Any,
) -> AccessToken:
    """Create a system user token (server-to-server).

    Parameters
    ----------
    admin_token : AccessToken or str
        A token of an admin system user of the business.
    expires_in_60_days : bool
        Ask for the 60-day kind (some businesses must); refresh it with
        :func:`refresh_system_user_token`.
    """
    scope_list = normalize_scopes(scopes)
    with graph_session(admin_token, app_secret=app_secret, **options) as session:
        payload = session.post(
            f"{system_user_id}/access_tokens",
            business_app=app_id,
            scope=",".join(scope_list),
            set_token_expires_in_60_days=expires_in_60_days or None,
        )
    return token_from_reply(payload, source="system user")
