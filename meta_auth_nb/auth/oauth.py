"""The OAuth code flow: build the login-dialog URL, read the redirect, exchange the code.

Auth layer. :func:`login_url` and :func:`parse_redirect` are pure;
:func:`exchange_code` makes one Graph call, sending the app secret in a POST
body so it never appears in a URL.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from .._base.errors import CodeExchangeFailed, LoginDenied, OAuthError, StateMismatch
from .._base.settings import PASTE_REDIRECT_URI, Settings, check_base_url, check_version, get_settings
from .._base.tokens import AccessToken
from .._base.urls import check_http_url

AUTH_TYPES = ("rerequest", "reauthenticate", "reauthorize")
_SCOPE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_APP_ID_RE = re.compile(r"^\d{1,20}$")


@dataclass(frozen=True)
class LoginRequest:
    """One login attempt: the dialog URL and the ``state`` that must come back.

    Attributes
    ----------
    url : str
        Open this in a browser.
    state : str
        Random value checked by :func:`parse_redirect` (CSRF protection).
    redirect_uri : str
        Must be passed unchanged to :func:`exchange_code`.
    """

    url: str
    state: str
    redirect_uri: str
    app_id: str
    scopes: tuple[str, ...] = ()
    auth_type: str | None = None
    config_id: str | None = None

    def __repr__(self) -> str:
        return f"LoginRequest(app_id={self.app_id!r}, scopes={list(self.scopes)!r}, redirect_uri={self.redirect_uri!r})"


def normalize_scopes(scopes: str | Iterable[str] | None) -> tuple[str, ...]:
    """Split, trim, dedupe and check permission names (``"ads_read, ads_management"``)."""
    if scopes is None:
        return ()
    items = scopes.split(",") if isinstance(scopes, str) else list(scopes)
    out: list[str] = []
    for raw in items:
        name = str(raw).strip().lower()
        if not name:
            continue
        if not _SCOPE_RE.match(name):
            raise ValueError(f"{raw!r} is not a permission name (expected names like 'ads_read')")
        if name not in out:
            out.append(name)
    return tuple(out)


def check_redirect_uri(redirect_uri: str) -> str:
    """A redirect URI must be absolute and HTTPS, or HTTP on a loopback host."""
    check_http_url(redirect_uri, what="redirect_uri", example=PASTE_REDIRECT_URI)
    if urlsplit(redirect_uri).fragment:
        raise ValueError("redirect_uri cannot contain a #fragment")
    return redirect_uri


def login_url(
    app_id: str,
    redirect_uri: str,
    scopes: str | Iterable[str] | None,
    *,
    state: str | None = None,
    auth_type: str | None = None,
    config_id: str | None = None,
    auth_nonce: str | None = None,
    settings: Settings | None = None,
    dialog_url: str | None = None,
    version: str | None = None,
) -> LoginRequest:
    """Build the Facebook Login dialog URL for the code flow.

    Parameters
    ----------
    app_id : str
        The Meta app's id.
    redirect_uri : str
        Where the dialog sends the browser back; must be registered in the
        app's "Valid OAuth Redirect URIs".
    scopes : str or iterable of str
        Permissions to ask for; ask for the fewest that work (``ads_read``).
    state : str, optional
        Defaults to a fresh random value.
    auth_type : {"rerequest", "reauthenticate", "reauthorize"}, optional
        ``rerequest`` asks again for declined permissions.
    config_id : str, optional
        Facebook Login for Business configuration; scopes are then optional.

    Returns
    -------
    LoginRequest
    """
    settings = settings or get_settings()
    app_id = str(app_id or "").strip()
    if not _APP_ID_RE.match(app_id):
        raise ValueError("app_id must be the numeric id of a Meta app (App settings > Basic)")
    check_redirect_uri(redirect_uri)
    scope_list = normalize_scopes(scopes)
    if not scope_list and not config_id:
        raise ValueError("ask for at least one permission (for example 'ads_read'), or pass config_id")
    if auth_type is not None and auth_type not in AUTH_TYPES:
        raise ValueError(f"auth_type must be one of {', '.join(AUTH_TYPES)}")
    state = state or secrets.token_urlsafe(24)
    query: dict[str, Any] = {
        "client_id": app_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "response_type": "code",
    }
    if scope_list:
        query["scope"] = ",".join(scope_list)
    if auth_type:
        query["auth_type"] = auth_type
    if auth_nonce:
        query["auth_nonce"] = auth_nonce
    if config_id:
        query["config_id"] = str(config_id)
    root = check_base_url(dialog_url or settings.dialog_url, setting="dialog_url")
    version = check_version(version or settings.graph_version)
    url = f"{root}/{version}/dialog/oauth?{urlencode(query)}"
    return LoginRequest(url, state, redirect_uri, app_id, scope_list, auth_type, config_id)


def parse_redirect(url: str, expected_state: str) -> str:
    """Read the code from the URL the login dialog redirected to.

    Accepts the whole redirected URL (with the ``#_=_`` fragment Facebook
    appends) or just its query string.

    Returns
    -------
    str
        The authorization code.

    Raises
    ------
    LoginDenied
        The user pressed Cancel (``error=access_denied``).
    StateMismatch
        ``state`` is missing or not the expected one.
    OAuthError
        The URL holds no code.
    """
    if not isinstance(url, str) or not url.strip():
        raise OAuthError(
            "Nothing was pasted", hint="Paste the whole address from the browser's address bar after logging in."
        )
    text = url.strip()
    parts = urlsplit(text)
    query = parts.query if (parts.scheme or parts.netloc or parts.path.startswith("/")) else text.lstrip("?")
    query = query.split("#", 1)[0]
    params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if "error" in params or "error_reason" in params:
        reason = params.get("error_reason") or params.get("error") or "denied"
        description = params.get("error_description") or "The login was cancelled"
        raise LoginDenied(f"{description} ({reason[:80]})", code=_int(params.get("error_code")), type="OAuthException")
    state = params.get("state")
    if not state or not expected_state or not hmac.compare_digest(state.encode(), str(expected_state).encode()):
        raise StateMismatch(
            "The redirect's state does not match this login attempt" if state else "The redirect carries no state",
        )
    code = params.get("code", "").strip()
    if not code:
        raise OAuthError(
            "The redirect URL holds no code",
            hint="Paste the whole address the browser shows after you press Continue/Allow.",
        )
    return code


def exchange_code(
    code: str,
    *,
    app_id: str,
    app_secret: str,
    redirect_uri: str,
    **options: Any,
) -> AccessToken:
    """Exchange an authorization code for a (short-lived) user token.

    Parameters
    ----------
    code : str
        From :func:`parse_redirect`.
    app_id, app_secret : str
    redirect_uri : str
        Exactly the one used in :func:`login_url`.
    **options
        Passed to :class:`~meta_auth_nb.graph.sync.GraphSession` (``base_url``,
        ``version``, ``transport``, ``retry``, ``settings``).

    Raises
    ------
    CodeExchangeFailed
        Used (36009) or expired (36007) code, redirect_uri mismatch (36008),
        malformed code, wrong app secret or app id.
    """
    from ..graph.sync import GraphSession

    if not code or not isinstance(code, str) or any(c.isspace() for c in code.strip()):
        raise CodeExchangeFailed("The authorization code is empty or malformed", hint="Paste the whole redirected URL.")
    if not app_secret:
        raise CodeExchangeFailed(
            "An app secret is needed to exchange the code", hint="Set META_APP_SECRET or pass app_secret."
        )
    with GraphSession(None, **options) as session:
        payload = session.post(
            "oauth/access_token",
            client_id=app_id,
            redirect_uri=redirect_uri,
            client_secret=app_secret,
            code=code.strip(),
        )
    return token_from_reply(payload, source="login")


def token_from_reply(payload: Any, *, source: str) -> AccessToken:
    """The token of an ``oauth/access_token``-style reply, or OAuthError if it has none."""
    if not isinstance(payload, dict) or not payload.get("access_token"):
        raise OAuthError("The Graph API answered without an access token")
    return AccessToken.from_oauth_response(payload, source=source)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
