"""Rendering for the notebook UI: HTML snippets, the token card, styled frames.

UI layer. The HTML lives in ``meta_auth_nb/templates`` and is filled with
:class:`string.Template`; every value is HTML-escaped unless it is already
rendered markup (:class:`Safe`). Tokens appear masked only: nothing here is
ever handed a raw token.

Frames returned by ``%meta_tokens`` / ``%meta_scopes`` are
:class:`StatusFrame` objects: ordinary DataFrames (same columns, dtypes and
values) whose only difference is a notebook HTML view with status cells
coloured green / amber / red. Any operation on one gives back a plain
``pandas.DataFrame``, and it pickles as one. :func:`styled` gives the pandas
Styler for any tokens or scopes frame.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from html import escape
from importlib import resources
from string import Template
from typing import TYPE_CHECKING, Any

import pandas as pd

from .._base.redact import redact
from .._base.timefmt import describe_delta, utcnow
from .._base.tokens import AccessToken, Permission, TokenInfo

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

    from ..auth.health import HealthReport

__all__ = [
    "Safe",
    "StatusFrame",
    "StatusLine",
    "describe_error",
    "extend_html",
    "message_html",
    "permission_catalog",
    "progress_html",
    "render",
    "status_color",
    "status_frame",
    "status_line",
    "styled",
    "template",
    "token_card",
]

GOOD, SOON, BAD = "good", "soon", "bad"
COLORS = {GOOD: "#1e7e34", SOON: "#a15c00", BAD: "#b00020"}
#: Status words (tokens frame, health report, scopes frame) -> colour class.
STATUS_CLASS = {
    "ok": GOOD,
    "granted": GOOD,
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
_STATUS_COLUMNS = ("status",)


class Safe(str):
    """Markup that is already escaped and may be inserted as is."""


# --- templates ---------------------------------------------------------------------


@cache
def template(name: str) -> str:
    """The text of ``templates/<name>`` (read once per process)."""
    return resources.files("meta_auth_nb.notebook").joinpath("templates", name).read_text(encoding="utf-8")


def render(template_name: str, /, **values: Any) -> Safe:
    """Fill a template; values are escaped unless they are :class:`Safe`."""
    filled = {k: (v if isinstance(v, Safe) else escape("" if v is None else str(v))) for k, v in values.items()}
    return Safe(Template(template(template_name)).substitute(filled))


def join(parts: Iterable[str]) -> Safe:
    """Concatenate rendered snippets."""
    return Safe("".join(parts))


@cache
def permission_catalog() -> tuple[tuple[str, str], ...]:
    """``(permission, what it allows)`` pairs for the picker, least powerful first."""
    data = json.loads(template("permissions.json"))
    return tuple((str(name), str(text)) for name, text in data["permissions"])


def panel_style() -> Safe:
    """The panel's scoped ``<style>`` block."""
    return render("style.html", css=Safe(template("panel.css")))


# --- messages and progress ---------------------------------------------------------------


def message_html(level: str, title: str, text: str = "", hint: str = "") -> Safe:
    """A coloured message box; ``level`` is info, ok, warn or error. Text is redacted."""
    if not (title or text):
        return Safe("")
    return render("message.html", level=level, title=redact(title), text=redact(text), hint=redact(hint))


def progress_html(steps: Sequence[tuple[str, str]], current: str) -> Safe:
    """The step list with the current step highlighted and earlier ones ticked."""
    names = [name for name, _ in steps]
    position = names.index(current) if current in names else -1
    items = []
    for number, (name, label) in enumerate(steps, start=1):
        css = "meta-auth-current" if name == current else ("meta-auth-done" if number - 1 < position else "")
        items.append(render("progress_item.html", css=css, number=number, label=label))
    return render("progress.html", items=join(items))


def describe_error(error: BaseException) -> tuple[str, str, str]:
    """``(title, text, hint)`` for an exception, in plain words and redacted."""
    from .._base.errors import (
        CodeExchangeFailed,
        GraphError,
        LoginDenied,
        MetaAuthError,
        OAuthError,
        StateMismatch,
        TokenError,
    )

    titles: tuple[tuple[type[BaseException], str], ...] = (
        (LoginDenied, "The login was cancelled."),
        (StateMismatch, "This redirect does not belong to this login attempt."),
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
    return "Something went wrong.", f"{type(error).__name__}: {error}", ""


# --- token facts -----------------------------------------------------------------------


def _when(value: datetime | None, now: datetime, never: str = "never") -> str:
    if value is None:
        return never
    return f"{describe_delta(value - now)} ({value:%Y-%m-%d %H:%M} UTC)"


def _expiry_class(value: datetime | None, now: datetime, warn_days: float) -> str:
    if value is None:
        return GOOD
    left = (value - now).total_seconds()
    return BAD if left <= 0 else (SOON if left <= warn_days * 86400 else GOOD)


def token_card(
    info: TokenInfo,
    *,
    token: AccessToken | None = None,
    permissions: Iterable[Permission] = (),
    requested: Sequence[str] = (),
    now: datetime | None = None,
    warn_days: float = 7.0,
) -> Safe:
    """``debug_token`` facts as a readable table (the token masked)."""
    now = now or utcnow()
    perms = tuple(permissions)
    declined = sorted({p.name for p in perms if p.status == "declined"})
    expired = sorted({p.name for p in perms if p.status == "expired"})
    missing = [s for s in requested if s not in info.scopes]
    rows: list[tuple[str, str, str]] = []
    if token is not None:
        rows.append(("Token", token.masked, ""))
    rows.append(("Valid", "yes" if info.is_valid else f"no: {info.invalid_reason}", GOOD if info.is_valid else BAD))
    rows.append(("Type", info.type or "unknown", ""))
    app = info.application or "?"
    rows.append(("App", f"{app} (id {info.app_id})" if info.app_id else app, ""))
    if info.user_id:
        rows.append(("User id", info.user_id, ""))
    if info.issued_at:
        rows.append(("Issued", _when(info.issued_at, now), ""))
    if info.is_valid:
        rows.append(("Expires", _when(info.expires_at, now), _expiry_class(info.expires_at, now, warn_days)))
        rows.append(
            (
                "Data access expires",
                _when(info.data_access_expires_at, now),
                _expiry_class(info.data_access_expires_at, now, warn_days),
            )
        )
    rows.append(("Scopes granted", ", ".join(info.scopes) or "none", GOOD if info.scopes else SOON))
    for granular in info.granular_scopes:
        if granular.target_ids:
            rows.append((f"\u2026 {granular.scope} on", ", ".join(granular.target_ids), ""))
    if declined:
        rows.append(("Declined", ", ".join(declined), BAD))
    if expired:
        rows.append(("Expired permissions", ", ".join(expired), SOON))
    if missing and info.is_valid:
        rows.append(("Asked for, not granted", ", ".join(missing), BAD))
    body = join(
        render("card_row.html", label=label, value=value, css=f"meta-auth-{css}" if css else "")
        for label, value, css in rows
    )
    return render("card.html", rows=body)


def expiry_words(token: AccessToken, info: TokenInfo | None, now: datetime | None = None) -> str:
    """``in 58 days`` / ``never`` for a token, preferring debug_token's word."""
    now = now or utcnow()
    expires = info.expires_at if info is not None and info.is_valid else token.expires_at
    if info is not None and info.never_expires:
        return "never"
    return describe_delta(expires - now) if expires else "unknown"


def extend_html(
    before: AccessToken,
    before_info: TokenInfo | None,
    after: AccessToken,
    after_info: TokenInfo | None,
    now: datetime | None = None,
) -> Safe:
    """Before -> after of an extension, both masked."""
    return render(
        "extend_result.html",
        before=before.masked,
        before_expiry=expiry_words(before, before_info, now),
        after=after.masked,
        after_expiry=expiry_words(after, after_info, now),
    )


class StatusLine:
    """The one-line status of a stored profile (fast path of ``%meta_login``)."""

    def __init__(self, text: str, status: str) -> None:
        self.text = redact(text)
        self.status = status

    def _repr_html_(self) -> str:
        color = COLORS[STATUS_CLASS.get(self.status, SOON)]
        return render("status_line.html", status=self.status, color=color, text=self.text)

    def __repr__(self) -> str:
        return self.text


def status_line(report: HealthReport, session_name: str | None = None) -> StatusLine:
    """The fast-path line: who, app, type, expiry, scopes, and where the session is."""
    text = report.summary()
    if session_name:
        text += f" \u00b7 session in `{session_name}`"
    return StatusLine(text, report.status)


# --- frames -----------------------------------------------------------------------------


def status_color(value: Any) -> str:
    """CSS for one status cell."""
    kind = STATUS_CLASS.get(str(value)) if isinstance(value, str) else None
    return f"color: {COLORS[kind]}; font-weight: 600" if kind else ""


def styled(frame: pd.DataFrame) -> Styler:
    """A Styler showing ``status`` cells green / amber / red (values unchanged)."""
    styler = pd.DataFrame(frame).style
    columns = [c for c in _STATUS_COLUMNS if c in frame.columns]
    if columns:
        apply = getattr(styler, "map", None) or styler.applymap  # type: ignore[attr-defined]  # pandas < 2.1
        styler = apply(status_color, subset=columns)
    return styler


class StatusFrame(pd.DataFrame):
    """A DataFrame whose notebook view colours its status cells.

    Everything else is a plain :class:`pandas.DataFrame`: derived frames are
    plain ones, and it pickles as a plain one.
    """

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def _repr_html_(self) -> str | None:
        try:
            return styled(self).to_html()
        except Exception:  # Styler needs jinja2; fall back to pandas' own table
            return pd.DataFrame._repr_html_(self)  # type: ignore[attr-defined]

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Unpickles as a plain DataFrame, so a pickle never needs this package.
        return (pd.DataFrame, (pd.DataFrame(self),))


def status_frame(frame: pd.DataFrame) -> StatusFrame:
    """Wrap a tokens or scopes frame for coloured display (no copy of the data semantics)."""
    return StatusFrame(frame)
