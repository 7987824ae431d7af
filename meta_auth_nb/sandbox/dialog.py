"""The login dialog: ``/vNN.N/dialog/oauth`` and the Allow/Cancel form it posts.

Whatever a request sends comes back into HTML only through
:func:`html.escape`, and nothing redirects until client_id, redirect_uri
and state have been checked, so the dialog is not an open redirector.
"""

from __future__ import annotations

import re
from html import escape
from string import Template
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from .wire import HTML_TYPE, Request, Response

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["CONFIG_SCOPES", "DIALOG_PATHS", "handle_dialog"]

DIALOG_PATHS = ("/dialog/oauth", "/dialog/oauth/decide")
# Facebook Login for Business: a config_id stands for a set of permissions.
CONFIG_SCOPES = ("ads_read", "ads_management", "business_management")
_SCOPE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_CONFIG = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
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
    state = p.get("state", "")
    if not state:
        raise _DialogError("Missing state parameter: the app must send a state value to protect the login.")
    if p.get("response_type", "code") not in ("", "code"):
        raise _DialogError("Unsupported response_type: the sandbox only does response_type=code.")
    auth_type = p.get("auth_type", "")
    if auth_type not in _AUTH_TYPES:
        raise _DialogError(f"Invalid auth_type: {auth_type}")
    config_id = p.get("config_id", "")
    if config_id and not _CONFIG.match(config_id):
        raise _DialogError(f"Invalid config_id: {config_id}")
    scopes = [s for s in re.split(r"[,\s]+", p.get("scope", "")) if s]
    bad = [s for s in scopes if not _SCOPE.match(s)]
    if bad:
        raise _DialogError("Invalid Scopes: " + ", ".join(bad))
    if config_id:
        scopes += [s for s in CONFIG_SCOPES if s not in scopes]
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


def _show(engine: Engine, req: Request, info: dict[str, object]) -> Response:
    scopes: list[str] = info["scopes"]  # type: ignore[assignment]
    perms = []
    for s in scopes:
        if s == "public_profile":
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
        note = f" (declines {', '.join(refused)})" if refused else ""
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
    redirect_uri, state = str(info["redirect_uri"]), str(info["state"])
    if p.get("decision") == "allow":
        scopes: list[str] = info["scopes"]  # type: ignore[assignment]
        chosen = {s for s in scopes if p.get(f"grant_{s}")} if p.get("choices") else set(scopes)
        granted = (chosen | {"public_profile"}) - _declines(engine, user, str(info["auth_type"]))
        declined = set(scopes) - granted
        code = engine.state.new_code(
            user, redirect_uri, granted, declined, str(info["auth_type"]) or None, str(info["auth_nonce"]) or None
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
