"""The login dialog: ``/vNN.N/dialog/oauth``, the Allow/Cancel form it posts, and ``login_success.html``.

Whatever a request sends comes back into HTML only through
:func:`html.escape`, and nothing redirects until client_id, redirect_uri
(registered, or localhost in development mode: :mod:`.app_setup`) and state
have been checked, so the dialog is not an open redirector. With a
``config_id`` (Facebook Login for Business) ``scope`` is ignored and the
configuration's permissions are granted all together or not at all.
"""

from __future__ import annotations

import re
from html import escape
from string import Template
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from .app_setup import LOGIN_SUCCESS_PATH, LoginConfig
from .wire import HTML_TYPE, Request, Response

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["DIALOG_PATHS", "handle_dialog"]

DIALOG_PATHS = ("/dialog/oauth", "/dialog/oauth/decide", LOGIN_SUCCESS_PATH)
_SCOPE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_CONFIG = re.compile(r"^\d{1,20}$")
_AUTH_TYPES = ("", "rerequest", "reauthenticate", "reauthorize")
_HEADERS = [
    ("Cache-Control", "no-store"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
]

_PAGE = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;
  background:#f0f2f5;margin:0;color:#1c1e21}
main{max-width:30rem;margin:3rem auto;background:#fff;border-radius:8px;
  box-shadow:0 2px 8px rgba(0,0,0,.15);padding:1.5rem 2rem}
.badge{display:inline-block;background:#fff3cd;color:#664d03;border-radius:4px;padding:.15rem .5rem;font-size:.8rem}
h1{font-size:1.35rem;margin:.75rem 0}
fieldset{border:1px solid #dddfe2;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
fieldset label{display:block;margin:.3rem 0}
.hint{color:#606770;font-size:.85rem}
.buttons{display:flex;gap:.75rem;justify-content:flex-end;margin-top:1.25rem}
button{font-size:1rem;border-radius:6px;border:0;padding:.55rem 1.4rem;cursor:pointer}
#allow{background:#1877f2;color:#fff}#cancel{background:#e4e6eb;color:#1c1e21}
code{word-break:break-all}
.error{color:#b00020}
</style></head>
<body><main>
<span class="badge">Meta Graph API sandbox &mdash; not Facebook</span>
$content
</main></body></html>
""")

_FORM = Template("""<h1>$app_name</h1>
<p><strong>$app_name</strong> is requesting access to:</p>
<form method="post" action="$action">
<fieldset><legend>Permissions</legend>
$permissions</fieldset>
<p><label for="user">Continue as</label>
<select id="user" name="user">
$users</select></p>
$hidden
<p class="hint">$auth_note</p>
<div class="buttons">
<button type="submit" id="cancel" name="decision" value="cancel">Cancel</button>
<button type="submit" id="allow" name="decision" value="allow">Allow</button>
</div>
</form>
<p class="hint">You will be sent back to <code>$redirect_uri</code></p>
""")


def _page(title: str, content: str, status: int = 200) -> Response:
    html = _PAGE.substitute(title=escape(title), content=content)
    return Response(status, raw=html.encode("utf-8"), headers=list(_HEADERS), content_type=HTML_TYPE)


def _error_page(message: str, status: int = 400) -> Response:
    content = f'<h1>Sorry, something went wrong</h1>\n<p class="error">{escape(message)}</p>\n'
    return _page("Login error (sandbox)", content, status)


class _DialogError(Exception):
    """A dialog request that must get an error page, never a redirect."""


def _check_redirect_uri(value: str | None) -> str:
    if not value:
        raise _DialogError("Missing redirect_uri parameter.")
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.fragment
        or any(c.isspace() or ord(c) < 32 for c in value)
    ):
        raise _DialogError(
            "URL Blocked: This redirect failed because the redirect URI is not valid: "
            f"{value}. It must be an absolute http(s) URL without a fragment."
        )
    return value


def _validate(engine: Engine, p: dict[str, str]) -> dict[str, object]:
    """Check a dialog request; returns the cleaned fields or raises :class:`_DialogError`."""
    client_id = p.get("client_id", "")
    if client_id != engine.state.app.app_id:
        raise _DialogError(f"Invalid App ID: {client_id or '(missing)'} is not an app this sandbox knows.")
    redirect_uri = _check_redirect_uri(p.get("redirect_uri"))
    refusal = engine.app_setup.redirect_refusal(redirect_uri)
    if refusal:
        raise _DialogError(f"{refusal} Redirect URI: {redirect_uri}")
    state = p.get("state", "")
    if not state:
        raise _DialogError("Missing state parameter: the app must send a state value to protect the login.")
    if p.get("response_type", "code") not in ("", "code"):
        raise _DialogError("Unsupported response_type: the sandbox only does response_type=code.")
    auth_type = p.get("auth_type", "")
    if auth_type not in _AUTH_TYPES:
        raise _DialogError(f"Invalid auth_type: {auth_type}")
    config_id = p.get("config_id", "")
    if config_id and (not _CONFIG.match(config_id) or config_id not in engine.app_setup.configs):
        raise _DialogError(f"Invalid config_id: {config_id} is not a Login for Business configuration of this app.")
    if config_id and auth_type == "rerequest":
        raise _DialogError(
            "auth_type=rerequest cannot be used with config_id: a configuration asks for all its permissions."
        )
    scopes = [s for s in re.split(r"[,\s]+", p.get("scope", "")) if s]
    bad = [s for s in scopes if not _SCOPE.match(s)]
    if bad:
        raise _DialogError("Invalid Scopes: " + ", ".join(bad))
    if config_id:
        scopes = list(engine.app_setup.configs[config_id].scopes)  # scope is ignored
    wanted = ["public_profile"] + [s for s in dict.fromkeys(scopes) if s != "public_profile"]
    return {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "scopes": wanted,
        "auth_type": auth_type,
        "config_id": config_id,
        "auth_nonce": p.get("auth_nonce", ""),
    }


def handle_dialog(engine: Engine, req: Request) -> Response:
    """Answer a dialog request (``req.path`` is one of :data:`DIALOG_PATHS`)."""
    if req.path == LOGIN_SUCCESS_PATH:
        return _login_success(engine, req)
    decide = req.path.endswith("/decide")
    if decide and req.method != "POST":
        return _error_page("This address only takes the Allow/Cancel form.", 405)
    try:
        info = _validate(engine, req.params)
        if decide:
            return _decide(engine, req, info)
    except _DialogError as exc:
        return _error_page(str(exc))
    return _show(engine, req, info)


def _declines(engine: Engine, user: str, auth_type: str) -> set[str]:
    """Scopes ``user`` refuses in the dialog (scenario ones give way to rerequest)."""
    out = set(engine.state.person(user).always_declines)
    if auth_type != "rerequest":
        out |= engine.scenario.dialog_declines.get(user, frozenset())
    return out


def _config_of(engine: Engine, info: dict[str, object]) -> LoginConfig | None:
    return engine.app_setup.configs.get(str(info["config_id"])) if info["config_id"] else None


def _user_note(engine: Engine, name: str, refused: list[str]) -> str:
    notes = [f"declines {', '.join(refused)}"] if refused else []
    if engine.app_setup.role(name) is None:
        notes.append("no role on the app")
    return f" ({'; '.join(notes)})" if notes else ""


def _show(engine: Engine, req: Request, info: dict[str, object]) -> Response:
    scopes: list[str] = info["scopes"]  # type: ignore[assignment]
    config = _config_of(engine, info)
    perms = []
    for s in scopes:
        if config is not None:
            perms.append(f'<label><input type="checkbox" checked disabled> {escape(s)}</label>')
        elif s == "public_profile":
            perms.append(
                '<label><input type="checkbox" checked disabled> public_profile '
                '<span class="hint">(always granted)</span></label>'
            )
        else:
            e = escape(s)
            perms.append(f'<label><input type="checkbox" name="grant_{e}" value="1" checked> {e}</label>')
    users = []
    for name in engine.state.users:
        refused = sorted(_declines(engine, name, str(info["auth_type"])) & set(scopes))
        note = _user_note(engine, name, refused)
        selected = " selected" if name == "alice" else ""
        users.append(f'<option value="{escape(name)}"{selected}>{escape(name + note)}</option>')
    hidden = {
        "client_id": info["client_id"],
        "redirect_uri": info["redirect_uri"],
        "state": info["state"],
        "scope": ",".join(scopes),
        "response_type": "code",
        "auth_type": info["auth_type"],
        "config_id": info["config_id"],
        "auth_nonce": info["auth_nonce"],
        "choices": "1",
    }
    hidden_html = "\n".join(f'<input type="hidden" name="{k}" value="{escape(str(v))}">' for k, v in hidden.items())
    auth_note = {
        "rerequest": "Asking again for permissions declined before (auth_type=rerequest).",
        "reauthenticate": "You are asked to log in again (auth_type=reauthenticate).",
    }.get(str(info["auth_type"]), "Untick a permission to decline it.")
    if config is not None:
        kind = "a system user token" if config.token_type == "system_user" else "a user token"
        auth_note = (
            f"Facebook Login for Business: configuration \u201c{config.name}\u201d gives {kind} with all of "
            "these permissions, or none of them."
        )
    prefix = f"/{req.version}" if req.version else ""
    content = _FORM.substitute(
        app_name=escape(engine.state.app.name),
        action=escape(f"{prefix}/dialog/oauth/decide"),
        permissions="\n".join(perms) + "\n",
        users="\n".join(users) + "\n",
        hidden=hidden_html,
        auth_note=escape(auth_note),
        redirect_uri=escape(str(info["redirect_uri"])),
    )
    return _page(f"Log in to {engine.state.app.name} (sandbox)", content)


def _redirect_to(redirect_uri: str, params: list[tuple[str, str]]) -> str:
    """``redirect_uri`` plus ``params`` (its own query kept) plus ``#_=_``."""
    parts = urlsplit(redirect_uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")) + "#_=_"


def _decide(engine: Engine, req: Request, info: dict[str, object]) -> Response:
    p = req.params
    user = p.get("user") or "alice"
    if user not in engine.state.users:
        raise _DialogError(f"Unknown sandbox user: {user}")
    refusal = engine.app_setup.login_refusal(user)
    if refusal:
        raise _DialogError(refusal)
    redirect_uri, state = str(info["redirect_uri"]), str(info["state"])
    scopes: list[str] = info["scopes"]  # type: ignore[assignment]
    config = _config_of(engine, info)
    refused = _declines(engine, user, str(info["auth_type"]))
    # Login for Business: every permission of the configuration, or none (a refusal is a denial).
    allowed = p.get("decision") == "allow" and not (config is not None and refused & set(scopes))
    if allowed:
        chosen = {s for s in scopes if p.get(f"grant_{s}")} if p.get("choices") and config is None else set(scopes)
        granted = (chosen | ({"public_profile"} if config is None else set())) - refused
        declined = set(scopes) - granted
        code = engine.state.new_code(
            user,
            redirect_uri,
            granted,
            declined,
            str(info["auth_type"]) or None,
            str(info["auth_nonce"]) or None,
            config.id if config is not None else None,
        )
        location = _redirect_to(redirect_uri, [("code", code.value), ("state", state)])
    else:
        location = _redirect_to(
            redirect_uri,
            [
                ("error", "access_denied"),
                ("error_code", "200"),
                ("error_description", "Permissions error"),
                ("error_reason", "user_denied"),
                ("state", state),
            ],
        )
    body = f'<p>Redirecting to <a href="{escape(location)}">{escape(redirect_uri)}</a></p>'
    resp = _page("Redirecting", body, 302)
    resp.headers.append(("Location", location))
    return resp


def _login_success(engine: Engine, req: Request) -> Response:
    """``/connect/login_success.html``: Meta's page for desktop apps, showing the address it was opened with.

    The browser keeps the ``#_=_`` fragment to itself; the page shows the
    address with the query it received, ready to copy (that is what the
    person pastes back).
    """
    query = urlencode([(k, req.params[k]) for k in req.query_keys])
    shown = f"{engine.graph_url}{LOGIN_SUCCESS_PATH}" + (f"?{query}" if query else "")
    content = (
        "<h1>Success</h1>\n"
        '<p class="hint">SECURITY WARNING: Please treat the URL below as you would your password and do not '
        "share it with anyone.</p>\n"
        f'<p><code id="final-url">{escape(shown)}</code></p>\n'
    )
    return _page("Success", content)
