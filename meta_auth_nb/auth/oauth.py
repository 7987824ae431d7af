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

from .._base.login_errors import CodeExchangeFailed, LoginDenied, NotARedirect, OAuthError, StateMismatch
from .._base.settings import Settings, check_app_id, check_base_url, check_config_id, check_version, get_settings
from .._base.tokens import AccessToken
from .._base.urls import check_redirect_uri as redirect_policy

AUTH_TYPES = ("rerequest", "reauthenticate", "reauthorize")
#: ``auth_type=rerequest`` is classic Facebook Login's; what to do instead with a Login for Business configuration.
CONFIG_REREQUEST_ADVICE = (
    "Re-asking single declined permissions (auth_type=rerequest) belongs to classic Facebook Login. "
    "A Login for Business configuration asks for all of its permissions at every login, and a person grants "
    "all of them or none: log in again with the configuration, and if a permission is missing from the "
    "token, add it to the configuration in the App Dashboard (Facebook Login for Business > Configurations) first."
)
_SCOPE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


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
    """A redirect URI must be absolute and HTTPS, or HTTP on a loopback host, without a fragment."""
    return redirect_policy(redirect_uri, what="redirect_uri")


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
        ``rerequest`` asks again for declined permissions (classic Login
        only: not with ``config_id``).
    config_id : str, optional
        Facebook Login for Business configuration: the dialog asks for the
        configuration's permissions and ignores ``scope``, so none is sent.

    Returns
    -------
    LoginRequest
    """
    settings = settings or get_settings()
    app_id = check_app_id(app_id, setting="app_id")
    check_redirect_uri(redirect_uri)
    config_id = check_config_id(config_id, setting="config_id") if config_id else None
    scope_list = () if config_id else normalize_scopes(scopes)
    if not scope_list and not config_id:
        raise ValueError("ask for at least one permission (for example 'ads_read'), or pass config_id")
    if auth_type is not None and auth_type not in AUTH_TYPES:
        raise ValueError(f"auth_type must be one of {', '.join(AUTH_TYPES)}")
    if config_id and auth_type == "rerequest":
        raise ValueError(CONFIG_REREQUEST_ADVICE)
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
        query["config_id"] = config_id
    root = check_base_url(dialog_url or settings.dialog_url, setting="dialog_url")
    version = check_version(version or settings.graph_version)
    url = f"{root}/{version}/dialog/oauth?{urlencode(query)}"
    return LoginRequest(url, state, redirect_uri, app_id, scope_list, auth_type, config_id)


def parse_redirect(url: str, expected_state: str, *, redirect_uri: str | None = None) -> str:
    """Read the code from the URL the login dialog redirected to.

    Accepts the whole redirected URL (with the ``#_=_`` fragment Facebook
    appends) or just its query string. ``state`` is checked before anything
    else is read, so a forged address (a denial with words of someone
    else's choosing, say) is refused as not belonging to this login.

    Parameters
    ----------
    url : str
        What came back (caught) or was pasted.
    expected_state : str
        The ``state`` of this login attempt.
    redirect_uri : str, optional
        This login's redirect: a whole URL that goes elsewhere (another app's
        redirect, the dialog's own address) is refused with what to paste.

    Returns
    -------
    str
        The authorization code.

    Raises
    ------
    NotARedirect
        Nothing, a token, the dialog's URL, an address elsewhere, or no code.
    StateMismatch
        ``state`` is missing or not the expected one.
    LoginDenied
        The user pressed Cancel (``error=access_denied``), with this login's state.
    """
    text = url.strip() if isinstance(url, str) else ""
    if not text:
        raise NotARedirect("Nothing was pasted")
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed "[" where an IPv6 host would go
        raise NotARedirect("That is not an address the login could have ended on") from None
    whole = bool(parts.scheme or parts.netloc)
    if not whole and "=" not in text:
        what = "an access token" if text.startswith("EAA") else "not an address"
        raise NotARedirect(
            f"That is {what}, not the address the login ended on",
            hint="Paste the whole address from the browser's address bar after you press Continue/Allow "
            "(a token goes in a token field instead).",
        )
    if whole and parts.path.rstrip("/").endswith("/dialog/oauth"):
        raise NotARedirect(
            "That is the login dialog's own address, not the one it sends you to",
            hint="Open it, log in and press Continue/Allow, then paste the address the browser ends on"
            + (f" (it starts with {redirect_uri})." if redirect_uri else "."),
        )
    if whole and redirect_uri and _endpoint(text) != _endpoint(redirect_uri):
        raise NotARedirect(
            "That address is not where this login sends the browser",
            hint=f"Paste the address that starts with {redirect_uri}, from this login; another app's or "
            "another page's address cannot be used.",
        )
    query = parts.query if whole or parts.path.startswith("/") else text.lstrip("?")
    params = {k: v[0] for k, v in parse_qs(query.split("#", 1)[0], keep_blank_values=True).items()}
    if not ({"code", "error", "error_reason", "state"} & params.keys()):
        raise NotARedirect(
            "That address holds no login code",
            hint="Paste the address the browser shows after you press Continue/Allow; it contains code= and state=.",
        )
    state = params.get("state")
    if not state or not expected_state or not hmac.compare_digest(state.encode(), str(expected_state).encode()):
        if not state:
            raise StateMismatch(
                "That address is incomplete: the part that ties it to this login (state=...) is missing",
                hint="Copy the whole address from the browser's address bar again, from http to the very end, "
                "and paste it here.",
            )
        raise StateMismatch(
            "That address comes from another login attempt (an earlier one, or someone else's), not from this one"
        )
    if "error" in params or "error_reason" in params:
        reason = params.get("error_reason") or params.get("error") or "denied"
        if reason == "user_denied":
            said = "The login was cancelled in the login dialog, so the app was granted nothing"
        else:  # another reason Meta gave: quoted, it may help
            description = params.get("error_description") or reason
            said = f"The login dialog ended without granting anything ({description[:120]}; {reason[:80]})"
        raise LoginDenied(said, code=_int(params.get("error_code")), type="OAuthException")
    code = params.get("code", "").strip()
    if not code:
        raise NotARedirect("That address holds no login code")
    return code


def _endpoint(url: str) -> tuple[str, str, int | None, str]:
    """Scheme, host, port and path of a URL (default ports filled in), for comparing redirects."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ("", "", -1, url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    port = port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").rstrip("."), port, parts.path or "/"


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
        Passed to :class:`~meta_auth_nb.graph.drivers.sync.GraphSession` (``base_url``,
        ``version``, ``transport``, ``retry``, ``settings``).

    Raises
    ------
    CodeExchangeFailed
        Used (36009) or expired (36007) code, redirect_uri mismatch (36008),
        malformed code, wrong app secret or app id.
    """
    from ..graph.drivers.sync import GraphSession

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
