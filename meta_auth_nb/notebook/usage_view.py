"""Rate-limit usage in the notebook: a small bar per budget, and the ``%meta_usage`` magic.

Notebook layer. Once the extension is loaded, any
:class:`~meta_auth_nb._base.usage.Usage` (``meta.usage``,
``RateLimited.usage``) shows as one bar per budget the Graph headers
reported (app or page, ad account score, each business use case, the
insights throttle), coloured green / amber / red, with the tier and the time
to regain access; plain-text frontends get one line per budget.
``%meta_usage`` shows the injected session's. The markup is the
``usage.html`` template (jinja2, autoescaped).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from .._base.usage import Budget, Usage
from .render import BAD, COLORS, GOOD, SOON, render

__all__ = ["MetaUsageMagics", "budget_note", "register", "unregister", "usage_html", "usage_text"]

_TYPE = ("meta_auth_nb._base.usage", "Usage")


def _percent(value: float) -> str:
    return f"{value:.1f}%" if value < 10 else f"{value:.0f}%"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s" if seconds >= 1 else f"{seconds:.1f} s"
    return f"{seconds / 60:.0f} min"


def budget_note(budget: Budget) -> str:
    """What else to know about a budget, in words: blocked until when, or when the score is back to zero."""
    if budget.regain_s:
        return f"blocked: access back in {_duration(budget.regain_s)}"
    if budget.reset_s:
        return f"back to 0 in {_duration(budget.reset_s)}"
    return ""


def _clock(moment: float | None) -> str:
    """``12:03:04 UTC``: when figures were read."""
    if moment is None:
        return ""
    return datetime.fromtimestamp(moment, tz=timezone.utc).strftime("%H:%M:%S UTC")


def _level(budget: Budget) -> str:
    if budget.regain_s or budget.percent >= 95:
        return BAD
    return SOON if budget.percent >= 75 else GOOD


def usage_html(usage: Usage | None, title: str = "Graph API usage") -> str:
    """The bars for ``usage``, one row each, aligned (or a line saying nothing was reported yet).

    Each budget is named (which ad account, which business) and says when it was read.
    """
    latest = _clock(usage.last_read) if usage is not None else ""
    budgets = [
        {
            "name": b.name,
            "header": b.header,
            "width": f"{min(100.0, max(0.0, b.percent)):.1f}",
            "percent": _percent(b.percent),
            "color": COLORS[_level(b)],
            "note": budget_note(b),
            # The title says when the latest figures were read; a row read earlier says its own time.
            "read": "" if _clock(b.read_at) == latest else _clock(b.read_at),
        }
        for b in (usage.budgets() if usage is not None else [])
    ]
    return render(
        "usage.html",
        title=title,
        tier=usage.tier_name if usage is not None else None,
        read=latest,
        budgets=budgets,
        empty="No usage reported yet: the headers come with the first Graph call.",
    )


def usage_text(usage: Usage) -> str:
    """One line per budget, for plain-text frontends."""
    read = _clock(usage.last_read)
    lines = [f"Graph API usage{f' (tier {usage.tier_name})' if usage.tier else ''}{f', read {read}' if read else ''}:"]
    for b in usage.budgets():
        said = "  ".join(part for part in (budget_note(b), _clock(b.read_at)) if part)
        lines.append(f"  {b.name:<44} {_percent(b.percent):>6}" + (f"  {said}" if said else ""))
    if len(lines) == 1:
        lines.append("  nothing reported")
    return "\n".join(lines)


def _html(usage: Usage) -> str:
    return usage_html(usage)


def _pretty(usage: Usage, printer: Any, cycle: bool) -> None:
    printer.text(usage_text(usage))


def register(ipython: Any) -> None:
    """Show every Usage as bars (HTML) or lines (text) in this shell, and add ``%meta_usage``."""
    formatters = ipython.display_formatter.formatters
    formatters["text/html"].for_type_by_name(*_TYPE, _html)
    formatters["text/plain"].for_type_by_name(*_TYPE, _pretty)
    ipython.register_magics(MetaUsageMagics(shell=ipython))


def unregister(ipython: Any) -> None:
    """Undo :func:`register`."""
    for kind in ("text/html", "text/plain"):
        try:
            ipython.display_formatter.formatters[kind].pop(".".join(_TYPE))
        except KeyError:
            pass
    manager = ipython.magics_manager
    instance = manager.registry.pop("MetaUsageMagics", None)
    if instance is not None:
        for kind, names in instance.magics.items():
            for name in names:
                manager.magics[kind].pop(name, None)


@magics_class
class MetaUsageMagics(Magics):
    """``%meta_usage``: how much of each Graph rate-limit budget the notebook's session has used."""

    @magic_arguments()
    @argument(
        "--as",
        dest="as_name",
        metavar="NAME",
        help="the session to show (default: the one %%meta_login injected, usually meta)",
    )
    @line_magic
    def meta_usage(self, line: str = "") -> Usage | None:
        """Show the injected session's rate-limit usage: a bar per budget the Graph headers reported.

        App (or page), ad account score (with the time it takes to decay),
        each business use case (with the time to regain access when
        blocked), the insights throttle, and the access tier. Returns the
        :class:`~meta_auth_nb._base.usage.Usage` (``u = %meta_usage``);
        nothing before the session's first call.
        """
        from ..graph.core import SessionBase
        from .session import injected_names

        args = parse_argstring(self.meta_usage, line)
        shell = self.shell
        assert shell is not None
        live = [n for n in injected_names(shell) if n in shell.user_ns]
        name = args.as_name or self._default_name(live)
        session = shell.user_ns.get(name)
        if session is None:
            raise UsageError(f"There is no session named {name!r}: run %meta_login first, or give --as NAME.")
        if not isinstance(session, SessionBase):
            raise UsageError(f"{name!r} is not a Graph session: give the session's name with --as NAME.")
        if session.usage is None:
            print(f"{name}: no usage reported yet; the headers come with the first Graph call.")
            return None
        return session.usage  # a session made by a new login starts from the one it replaced

    def _default_name(self, live: list[str]) -> str:
        """The name %meta_login uses, or the one session it injected (still there) under another name."""
        login = self.shell.magics_manager.registry.get("MetaAuthMagics") if self.shell else None
        default = str(getattr(login, "session_name", "meta"))
        return live[0] if default not in live and len(live) == 1 else default
