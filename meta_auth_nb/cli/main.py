"""The ``meta-auth`` command line: the parser, the commands, and what a failure exits with.

Every command calls the same public functions a notebook would; each lives
in its own module (:mod:`.login`, :mod:`.inspect`...) and is given a
:class:`~meta_auth_nb.cli.common.CommandContext` (the store, the browser,
Graph options). Run ``meta-auth --help`` or ``meta-auth COMMAND --help``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .._base.errors import (
    CommandError,
    ConfigError,
    GraphConnectionError,
    MetaAuthError,
    NotifyError,
    RateLimited,
    StoreError,
    TransientError,
)
from .._base.redact import redact
from .._base.settings import get_settings
from . import check, demo, extend, insights, inspect, login, logout, profiles, sandbox, scan
from .common import EXIT_INVALID, EXIT_USAGE, Command, CommandContext

__all__ = ["COMMANDS", "build_parser", "main"]

COMMANDS: dict[str, Command] = {
    "login": login.COMMAND,
    "inspect": inspect.COMMAND,
    "extend": extend.COMMAND,
    "check": check.COMMAND,
    "insights": insights.COMMAND,
    "logout": logout.COMMAND,
    "profiles": profiles.COMMAND,
    "scan": scan.COMMAND,
    "sandbox": sandbox.COMMAND,
    "demo": demo.COMMAND,
}
#: Commands whose own exit codes say "usage error" differently (scan: 1 means "found").
_USAGE_EXIT = {"scan": scan.USAGE_EXIT}


class _Parser(argparse.ArgumentParser):
    usage_exit = EXIT_USAGE

    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse would exit 2, which means "invalid token" here.
        raise CommandError(f"{self.prog}: {message} (see `{self.prog} --help`)", self.usage_exit)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = _Parser(
        prog="meta-auth",
        description="Get, extend, inspect and safely store Meta Marketing API access tokens.",
        epilog="Settings come from META_GRAPH_URL, META_DIALOG_URL, META_GRAPH_VERSION, META_APP_ID, "
        "META_APP_SECRET, META_ACCESS_TOKEN and META_AUTH_PROFILE. Exit codes: 0 ok, 1 needs attention soon, "
        "2 invalid or expired token (or a failed login), 3 usage or setup error, 4 (check) valid but its expiry "
        "unknown.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_arguments, run) in COMMANDS.items():
        child = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        child.usage_exit = _USAGE_EXIT.get(name, EXIT_USAGE)
        add_arguments(child)
        child.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None, *, context: CommandContext | None = None) -> int:
    """Entry point of ``meta-auth``; returns the exit code.

    Exit codes: 0 ok, 1 needs attention soon, 2 invalid or expired token
    (or a failed login), 3 usage or setup error. Errors are one redacted
    line on stderr, never a traceback (set ``META_AUTH_DEBUG=1`` to get one).

    Parameters
    ----------
    argv : sequence of str, optional
        Default ``sys.argv[1:]``.
    context : CommandContext, optional
        The store, browser and Graph options the commands use.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except CommandError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    except SystemExit as exc:  # --help / --version
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args, (context or CommandContext()).started()) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        code, message = exit_code_for(exc)
        print(f"meta-auth: {redact(message)}", file=sys.stderr)
        if _debug():
            import traceback

            print(redact("".join(traceback.format_exception(exc))), file=sys.stderr)
        return code


def _debug() -> bool:
    try:
        return get_settings().debug
    except ConfigError:
        return False


def exit_code_for(exc: BaseException) -> tuple[int, str]:
    """(exit code, message) for an exception that ended a command."""
    if isinstance(exc, CommandError):
        return exc.exit_code, str(exc)
    if isinstance(exc, (ConfigError, StoreError, NotifyError)):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, (GraphConnectionError, TransientError, RateLimited)):
        return EXIT_USAGE, f"could not get an answer from Graph: {exc}"
    if isinstance(exc, MetaAuthError):
        return EXIT_INVALID, str(exc)
    if isinstance(exc, ValueError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, OSError):
        return EXIT_USAGE, str(exc) or "a file or network operation failed"
    said = f" ({exc})" if str(exc) else ""
    return EXIT_USAGE, f"unexpected error{said}; set META_AUTH_DEBUG=1 for details"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
