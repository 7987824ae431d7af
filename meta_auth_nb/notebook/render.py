"""HTML for the notebook UI: the panel's templates filled in, token facts, messages.

Notebook layer. The markup lives in ``meta_auth_nb/notebook/templates`` and is
rendered by one jinja2 environment, created on first use (importing this
module does not import jinja2). Autoescaping is on for every template, so
each value is HTML-escaped; a name a template uses but is not given raises
instead of rendering empty. Tokens appear masked only: nothing here is ever
handed a raw token. Sentences may quote commands in backticks and name web
addresses: :func:`rich` shows those as code and links.

The coloured DataFrame view of ``%meta_tokens`` / ``%meta_scopes`` is in
:mod:`.frame_view`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .._base.redact import redact
from .._base.timefmt import describe_delta, utcnow
from .._base.tokens import AccessToken, Permission, TokenInfo
from .._base.words import Expiry, data_access_expiry_of, expiry_of, moment_words, type_words

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

    from ..auth.health import HealthReport

__all__ = [
    "BAD",
    "COLORS",
    "GOOD",
    "SOON",
    "STATUS_CLASS",
    "StatusLine",
    "describe_error",
    "environment",
    "expiry_class",
    "extend_html",
    "message_html",
    "panel_style",
    "permission_catalog",
    "progress_html",
    "render",
    "rich",
    "status_line",
    "token_card",
    "version_notice_line",
]

GOOD, SOON, BAD = "good", "soon", "bad"


def _theme_color(variable: str, fallback: str) -> str:
    # The theme's colour mixed with its text colour: darker in a light theme, lighter in a dark one, so the
    # text keeps at least 4.5:1 against the page (measured by the browser tests in both themes).
    return f"color-mix(in srgb, var({variable}, {fallback}) 60%, var(--jp-content-font-color1, rgba(0, 0, 0, 0.87)))"


#: Status colours as CSS values from JupyterLab's theme variables (the light theme's where there are none).
COLORS = {
    GOOD: _theme_color("--jp-success-color1", "#388e3c"),
    SOON: _theme_color("--jp-warn-color1", "#f57c00"),
    BAD: _theme_color("--jp-error-color1", "#d32f2f"),
}
#: Status words (tokens frame, health report, scopes frame) -> colour class.
STATUS_CLASS = {
    "ok": GOOD,
    "granted": GOOD,
    "expiry_unknown": SOON,
    "expiring": SOON,
    "data_access_expiring": SOON,
    "unchecked": SOON,
    "expired": BAD,
    "invalid": BAD,
    "unreadable": BAD,
    "error": BAD,
    "missing_scopes": BAD,
    "declined": BAD,
}
_PACKAGE = "meta_auth_nb.notebook"
_FOLDER = "templates"
_CODE = re.compile(r"`([^`\n]+)`")
_URL = re.compile(r"https?://[^\s<>()`\"']+[^\s<>()`\"'.,;:]")


# --- templates ---------------------------------------------------------------------


def _blank_none(value: Any) -> Any:
    # An absent optional fact (None) shows as nothing, not as the word "None".
    return "" if value is None else value


@cache
def environment() -> jinja2.Environment:
    """The jinja2 environment for the package's templates (created once, on first use)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader(_PACKAGE, _FOLDER),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_blank_none,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template_name: str, /, **values: Any) -> str:
    """Render ``templates/<template_name>`` with ``values``, each HTML-escaped.

    Parameters
    ----------
    template_name : str
        File name in the templates folder, e.g. ``"message.html"``.
    **values
        The names the template uses. Only :class:`markupsafe.Markup` passes
        unescaped.

    Raises
    ------
    jinja2.UndefinedError
        The template uses a name that was not given.
    """
    return environment().get_template(template_name).render(**values)


def rich(text: str) -> Markup:
    """``text`` as safe HTML: commands in backticks become ``<code>``, web addresses become links.

    Everything else is escaped; a link opens in a new tab.
    """
    from markupsafe import Markup, escape

    parts: list[str] = []
    position = 0
    for found in _CODE.finditer(text):
        parts.append(_linked(text[position : found.start()]))
        parts.append(f"<code>{escape(found.group(1))}</code>")
        position = found.end()
    parts.append(_linked(text[position:]))
    return Markup("".join(parts))


def _linked(text: str) -> str:
    from markupsafe import escape

    out, position = [], 0
    for found in _URL.finditer(text):
        url = found.group(0)
        out.append(str(escape(text[position : found.start()])))
        out.append(f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{escape(url)}</a>')
        position = found.end()
    out.append(str(escape(text[position:])))
    return "".join(out)


@cache
def permission_catalog() -> tuple[tuple[str, str], ...]:
    """``(permission, what it allows)`` pairs for the picker, least powerful first."""
    text = (resources.files(_PACKAGE) / _FOLDER / "permissions.json").read_text(encoding="utf-8")
    return tuple((str(name), str(what)) for name, what in json.loads(text)["permissions"])


def panel_style() -> str:
    """The panel's scoped ``<style>`` block."""
    return render("style.html", colors=COLORS)


# --- messages and progress ---------------------------------------------------------------


def message_html(level: str, title: str, text: str = "", hint: str = "") -> str:
    """A coloured message box; ``level`` is info, ok, warn or error. Text is redacted."""
    if not (title or text):
        return ""
    return render(
        "message.html", level=level, title=rich(redact(title)), text=rich(redact(text)), hint=rich(redact(hint))
    )


def progress_html(steps: Sequence[tuple[str, str]], current: str) -> str:
    """The step list with the current step highlighted and earlier ones ticked."""
    names = [name for name, _ in steps]
    position = names.index(current) if current in names else -1
    return render("progress.html", steps=steps, current=current, position=position)


def describe_error(error: BaseException) -> tuple[str, str, str]:
    """``(title, text, hint)`` for an exception, in plain words and redacted."""
    from .._base.errors import GraphConnectionError, GraphError, MetaAuthError, TokenError
    from .._base.login_errors import (
        CodeExchangeFailed,
        LoginBlocked,
        LoginDenied,
        NotARedirect,
        OAuthError,
        RedirectPortBusy,
        StateMismatch,
    )

    if isinstance(error, LoginDenied):  # its sentence says it all: no title repeating it
        return f"{error.message}.", "", error.hint
    if isinstance(error, GraphConnectionError):  # the network, never a refusal by Graph
        return error.headline, f"{error.message}.", error.hint
    titles: tuple[tuple[type[BaseException], str], ...] = (
        (LoginBlocked, "The login cannot work as set up."),
        (StateMismatch, "This address is not from this login."),
        (NotARedirect, "That is not the address to paste."),
        (RedirectPortBusy, "The localhost redirect cannot be used here."),
        (CodeExchangeFailed, "The login code could not be used."),
        (OAuthError, "The login did not work."),
        (TokenError, "The token cannot be used."),
        (GraphError, "The Graph API refused the call."),
    )
    for kind, title in titles:
        if isinstance(error, kind):
            assert isinstance(error, GraphError)
            return title, error.message, error.hint
    if isinstance(error, (ValueError, MetaAuthError)):
        return "That did not work.", str(error), ""
    # Not one of ours: its words may help, its class name would not (the log has it).
    return "Something went wrong.", str(error) or "An unexpected error, with no message.", ""


# --- token facts -----------------------------------------------------------------------


def expiry_class(expiry: Expiry, warn_days: float) -> str:
    """The colour of an expiry: good (never, or beyond ``warn_days``), soon (within them, or unknown), bad (past)."""
    if expiry.left is None:
        return SOON if expiry.relative == "unknown" else GOOD
    left = expiry.left.total_seconds()
    return BAD if left <= 0 else (SOON if left <= warn_days * 86400 else GOOD)


def _card_rows(
    info: TokenInfo,
    *,
    token: AccessToken | None = None,
    permissions: Iterable[Permission] = (),
    requested: Sequence[str] = (),
    now: datetime | None = None,
    warn_days: float = 7.0,
) -> list[tuple[str, str, str]]:
    """The token card's ``(label, value, colour class)`` rows (see :func:`token_card`)."""
    now = now or utcnow()
    perms = tuple(permissions)
    declined = sorted({p.name for p in perms if p.status == "declined"})
    expired = sorted({p.name for p in perms if p.status == "expired"})
    missing = [s for s in requested if s not in info.scopes]
    rows: list[tuple[str, str, str]] = []
    if token is not None:
        rows.append(("Token", token.masked, ""))
    rows.append(("Valid", "yes" if info.is_valid else f"no: {info.invalid_reason}", GOOD if info.is_valid else BAD))
    rows.append(("Type", type_words(info), ""))
    app = info.application or "?"
    rows.append(("App", f"{app} (id {info.app_id})" if info.app_id else app, ""))
    if info.user_id:
        rows.append(("User id", info.user_id, ""))
    if info.issued_at:
        rows.append(("Issued", f"{describe_delta(info.issued_at - now)} ({moment_words(info.issued_at)})", ""))
    expiry = expiry_of(info, token, now)
    if info.is_valid and not info.expiry_known:
        unknown = (
            f"{expiry.cell} (only the app token or someone with a role on the app may read it; enter the app secret)"
        )
        rows.append(("Expires", unknown, SOON))
    elif info.is_valid:
        access = data_access_expiry_of(info, now)
        rows.append(("Expires", expiry.cell, expiry_class(expiry, warn_days)))
        rows.append(("Data access expires", access.cell, expiry_class(access, warn_days)))
    else:
        rows.append(("Expires", expiry.cell, BAD if expiry.past else ""))
    rows.append(("Scopes granted", ", ".join(info.scopes) or "none", GOOD if info.scopes else SOON))
    for granular in info.granular_scopes:
        if granular.target_ids:
            rows.append((f"\u2026 {granular.scope} on", ", ".join(granular.graph_ids), ""))
    if declined:
        rows.append(("Declined", ", ".join(declined), BAD))
    if expired:
        rows.append(("Expired permissions", ", ".join(expired), SOON))
    if missing and info.is_valid:
        rows.append(("Asked for, not granted", ", ".join(missing), BAD))
    return rows


def token_card(
    info: TokenInfo,
    *,
    token: AccessToken | None = None,
    permissions: Iterable[Permission] = (),
    requested: Sequence[str] = (),
    now: datetime | None = None,
    warn_days: float = 7.0,
) -> str:
    """``debug_token`` facts as a readable table (the token masked).

    Parameters
    ----------
    info : TokenInfo
        The facts.
    token : AccessToken, optional
        Shown masked in the first row.
    permissions : iterable of Permission
        From ``/me/permissions``: declined and expired ones get a row each.
    requested : sequence of str
        Permissions asked for; those not granted get a row.
    now : datetime, optional
        The moment "in 58 days" is counted from (default now).
    warn_days : float
        Expiry dates closer than this are amber.
    """
    rows = _card_rows(info, token=token, permissions=permissions, requested=requested, now=now, warn_days=warn_days)
    return render("card.html", rows=rows)


def extend_html(
    before: AccessToken,
    before_info: TokenInfo | None,
    after: AccessToken,
    after_info: TokenInfo | None,
    now: datetime | None = None,
    warn_days: float = 7.0,
) -> str:
    """Before -> after of an extension, both masked, each expiry coloured by how far off it is."""
    now = now or utcnow()
    was, will = expiry_of(before_info, before, now), expiry_of(after_info, after, now)
    return render(
        "extend_result.html",
        before=before.masked,
        before_expiry=was.cell,
        before_class=expiry_class(was, warn_days),
        after=after.masked,
        after_expiry=will.cell,
        after_class=expiry_class(will, warn_days),
    )


# --- the fast path's one line -------------------------------------------------------------


class StatusLine:
    """The one-line status of a stored profile (fast path of ``%meta_login``)."""

    def __init__(self, text: str, status: str) -> None:
        self.text = redact(text)
        self.status = status

    def _repr_html_(self) -> str:
        color = COLORS[STATUS_CLASS.get(self.status, SOON)]
        return render("status_line.html", status=self.status, color=color, text=rich(self.text))

    def __repr__(self) -> str:
        return self.text


def status_line(report: HealthReport, session_name: str | None = None, *, sandbox: bool = False) -> StatusLine:
    """The fast-path line: who, app, type, expiry, scopes, and where the session is (and, if needed, what to do).

    ``sandbox``: the line starts by saying the token is the kernel sandbox's.
    """
    text = ("Sandbox: " if sandbox else "") + report.summary()
    if session_name:
        text += f" \u00b7 session in `{session_name}`"
    if report.severity:
        text += f". {report.advice}"
    return StatusLine(text, report.status)


def version_notice_line(version: str, now: datetime | None = None) -> StatusLine | None:
    """A line when the pinned Graph ``version``'s Marketing API calls end within 90 days or have ended, else None."""
    from .._base.versions import version_notice

    notice = version_notice(version, (now or utcnow()).date())
    return StatusLine(notice, "version") if notice else None
