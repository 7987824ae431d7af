"""What every ``meta-auth`` command shares: exit codes, output, argument types, and its :class:`CommandContext`.

Exit codes (all commands)
-------------------------
0  healthy / done
1  something needs attention soon (``check``: expiring, data access expiring)
2  a token is invalid or expired, a required permission is missing, or a login failed
3  usage or setup error: bad flag, no such profile, no keyring, missing
   META_APP_ID/META_APP_SECRET/META_SMTP_HOST, Graph or the mail server unreachable
4  (``check``) valid, but its expiry is unknown: its owner has no role on the app, so
   only the app token may read the expiry (set META_APP_ID and META_APP_SECRET)

Output
------
Human output is a small table on stdout; notes and errors go to stderr.
``--json`` prints one JSON object on stdout (keys listed in each command's
``--help``). A token is only ever shown masked (``EAAB…x7Qz``); the app
secret is never shown. Everything printed passes :func:`redact` last.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._base.commands import TERMINAL
from .._base.redact import redact
from .._base.settings import Settings, check_app_id, current_settings

if TYPE_CHECKING:
    from ..store import TokenStore

__all__ = [
    "EXIT_ATTENTION",
    "EXIT_CODES_TEXT",
    "EXIT_EXPIRY_UNKNOWN",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "Command",
    "CommandContext",
    "add_profile",
    "app_id_arg",
    "days_arg",
    "describe",
    "dump",
    "env_name_arg",
    "format_table",
    "keys_text",
    "note",
    "out",
    "port_arg",
    "profile_arg",
    "reference_now",
    "scopes_arg",
    "seconds_arg",
]

EXIT_OK, EXIT_ATTENTION, EXIT_INVALID, EXIT_USAGE = 0, 1, 2, 3
#: ``check``: valid, with its scopes, but no expiry could be read (no role on the app, no app secret).
EXIT_EXPIRY_UNKNOWN = 4

EXIT_CODES_TEXT = """exit codes:
  0  healthy
  1  needs attention soon (expires within --warn-days, or data access does)
  2  invalid or expired token, or a required permission missing
  3  usage or setup error (bad flag, no such profile, no keyring, Graph or
     the mail server unreachable, email not sent)
  4  valid, but its expiry is unknown: the token's owner has no role on the
     app, so debug_token refuses it; set META_APP_ID and META_APP_SECRET to
     see the expiry (only when nothing is worse: 1, 2 and 3 come first)"""


def terminal_settings() -> Settings:
    """The settings of now, for a command in a terminal (its messages name ``meta-auth`` commands)."""
    return current_settings().at(TERMINAL)


def _default_store() -> TokenStore:
    from ..store import TokenStore

    return TokenStore(place=terminal_settings().place)


def _default_browser(url: str) -> bool:
    import webbrowser

    try:
        return bool(webbrowser.open(url, new=2))
    except Exception:  # no display, no browser: the URL is printed anyway
        return False


@dataclass(frozen=True)
class CommandContext:
    """What a command is given besides its arguments (tests pass their own).

    Attributes
    ----------
    open_store : callable
        Returns the token store the command uses.
    open_browser : callable
        Opens a URL in the user's browser; False when none could be started.
    graph_options : mapping
        Passed to every Graph call (``retry=``, ``transport=``...).
    resolved : Settings, optional
        The settings, read once when the command starts (:meth:`started`).
    """

    open_store: Callable[[], TokenStore] = _default_store
    open_browser: Callable[[str], bool] = _default_browser
    graph_options: Mapping[str, Any] = field(default_factory=dict)
    resolved: Settings | None = None

    def started(self) -> CommandContext:
        """This context with the settings read now, once, for the command about to run."""
        return self if self.resolved is not None else replace(self, resolved=terminal_settings())

    def store(self) -> TokenStore:
        """The token store, its messages naming the commands of a terminal."""
        store = self.open_store()
        store.place = self.settings.place
        return store

    @property
    def settings(self) -> Settings:
        """The command's settings (read when it started), for a terminal."""
        return self.resolved if self.resolved is not None else terminal_settings()

    @property
    def options(self) -> dict[str, Any]:
        """What every Graph call of the command is given: :attr:`graph_options` and the settings."""
        return {**self.graph_options, "settings": self.settings}


#: name -> (help, add_arguments(parser), run(args, context) -> exit code)
Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace, CommandContext], int]]


# --- output ------------------------------------------------------------------------------


def out(text: str = "") -> None:
    """A line on stdout; everything shown is built from masked values, redact() is the last guard."""
    print(redact(text), file=sys.stdout, flush=True)


def note(text: str) -> None:
    """A line on stderr, redacted."""
    print(redact(text), file=sys.stderr, flush=True)


def dump(payload: Any) -> None:
    """One JSON object on stdout."""
    out(json.dumps(payload, indent=2, ensure_ascii=False))


def format_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A small plain-text table: left-aligned columns, two spaces apart."""
    text_rows = [["" if cell is None else str(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in text_rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


# --- help text ------------------------------------------------------------------------------


def keys_text(keys: Iterable[str]) -> str:
    """JSON keys wrapped for an epilog."""
    return textwrap.fill(", ".join(keys) + ".", width=78, initial_indent="  ", subsequent_indent="  ")


def describe(parser: argparse.ArgumentParser, description: str, epilog: str | None = None) -> None:
    """A command's description (wrapped) and epilog (as written)."""
    parser.description = textwrap.fill(description, width=78)
    parser.epilog = epilog
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


# --- argument types ---------------------------------------------------------------------------


def app_id_arg(text: str) -> str:
    """A Meta app id (the one rule, :func:`~meta_auth_nb._base.settings.check_app_id`)."""
    try:
        return check_app_id(text, setting="--app-id")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def scopes_arg(text: str) -> tuple[str, ...]:
    """``a,b`` -> checked permission names."""
    from ..auth.oauth import normalize_scopes

    try:
        return normalize_scopes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def profile_arg(text: str) -> str:
    """A valid profile name."""
    from ..store import InvalidProfileName, validate_profile

    try:
        return validate_profile(text)
    except InvalidProfileName as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def days_arg(text: str) -> float:
    """A number of days, 0 to 3650."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of days, got {text!r}") from None
    if not 0 <= value <= 3650:
        raise argparse.ArgumentTypeError("must be between 0 and 3650 days")
    return value


def port_arg(text: str) -> int:
    """A TCP port, or 0 for any free one."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be 0 (any free port) or 1-65535")
    return value


def seconds_arg(text: str) -> float:
    """A positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def env_name_arg(text: str) -> str:
    """An environment variable name."""
    if not text or not all(c.isalnum() or c == "_" for c in text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an environment variable name")
    return text


def add_profile(parser: argparse.ArgumentParser | Any, what: str) -> None:
    """The ``--profile/-p`` option."""
    parser.add_argument(
        "--profile",
        "-p",
        type=profile_arg,
        default=None,
        metavar="P",
        help=f"{what} (default: META_AUTH_PROFILE, else 'default')",
    )


# --- time ---------------------------------------------------------------------------------------


def reference_now(settings: Settings) -> datetime | None:
    """The time tokens are judged by: a loopback Graph's own clock, else None (this machine's).

    A Graph server on loopback (the sandbox, a test double) may run its own
    clock, moved forward by tests and workshops; its ``Date`` header says
    what time it is there. Real Graph is never on loopback, and its clock is
    this machine's to within seconds, so no call is made for it.
    """
    from urllib.parse import urlsplit

    from .._base.timefmt import from_http_date
    from .._base.urls import is_loopback_host

    if not is_loopback_host(urlsplit(settings.graph_url).hostname):
        return None
    try:
        import httpx

        return from_http_date(httpx.get(f"{settings.graph_url}/", timeout=2.0, trust_env=False).headers.get("date"))
    except Exception:
        return None
