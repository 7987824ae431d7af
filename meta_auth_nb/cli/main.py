"""The ``meta-auth`` command line.

Sits on top of the package beside the notebook UI: every command calls the
same public functions a notebook would. Run ``meta-auth --help`` or
``meta-auth COMMAND --help``.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, Sequence

from . import commands as cli_commands
from .commands import EXIT_ATTENTION, EXIT_INVALID, EXIT_OK, EXIT_USAGE, CommandError

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_ATTENTION", "EXIT_INVALID", "EXIT_USAGE"]

#: name -> (help, add_arguments(parser), run(args) -> exit code)
_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


def _sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay every Graph answer by this many ms")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of calls that fail (0..1): 5xx, drops, rate limits")
    parser.add_argument("--scenario", default=None, help="a workshop scenario (see the list below)")
    parser.add_argument("--seed", type=int, default=0, help="seed for data and faults")
    parser.add_argument("--insights-rows", type=int, default=1000, help="insights rows per ad account")
    from ..sandbox import Sandbox

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "scenarios:\n" + "\n".join(f"  {name:<20} {text}" for name, text in Sandbox.scenarios.items())


def _run_sandbox(args: argparse.Namespace) -> int:
    from ..sandbox.cli import main as sandbox_main

    argv = ["--port", str(args.port), "--latency-ms", str(args.latency_ms), "--fault-rate", str(args.fault_rate),
            "--seed", str(args.seed), "--insights-rows", str(args.insights_rows)]
    if args.scenario:
        argv += ["--scenario", args.scenario]
    return sandbox_main(argv)


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--execute", action="store_true",
                        help="run the quickstart headless against the sandbox and print the results")


def _run_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(execute=args.execute)


_COMMANDS["sandbox"] = ("run the built-in Graph API sandbox in the foreground", _sandbox_arguments, _run_sandbox)
_COMMANDS["demo"] = ("try the whole flow against the sandbox", _demo_arguments, _run_demo)
# login, inspect, extend, check, logout, profiles (meta_auth_nb/cli_commands.py)
cli_commands.register(_COMMANDS)


def _scan_arguments(parser: argparse.ArgumentParser) -> None:
    from ..scan import scanner as scan

    first = (scan.__doc__ or "").split("\n", 1)[0].replace("``meta-auth scan``: ", "").strip()
    parser.description = first[:1].upper() + first[1:] if first else None
    parser.epilog = "Exit codes: 0 nothing found, 1 secrets found, 2 usage error or a file that could not be scanned."
    scan.add_arguments(parser)


def _run_scan(args: argparse.Namespace) -> int:
    from ..scan import scanner as scan

    return scan.run(args)


_COMMANDS["scan"] = ("find tokens and app secrets left in notebooks and files (--fix masks them)", _scan_arguments, _run_scan)
#: Commands whose own exit codes say "usage error" differently (scan: 1 means "found").
_USAGE_EXIT = {"scan": 2}


class _UsageError(Exception):
    """A bad command line (argparse would exit 2, which means "invalid token" here)."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    usage_exit = EXIT_USAGE

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message} (see `{self.prog} --help`)", self.usage_exit)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = _Parser(
        prog="meta-auth",
        description="Get, extend, inspect and safely store Meta Marketing API access tokens.",
        epilog="Settings come from META_GRAPH_URL, META_DIALOG_URL, META_GRAPH_VERSION, META_APP_ID, "
        "META_APP_SECRET, META_ACCESS_TOKEN and META_AUTH_PROFILE. Exit codes: 0 ok, 1 needs attention soon, "
        "2 invalid or expired token (or a failed login), 3 usage or setup error.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_arguments, run) in _COMMANDS.items():
        child = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        child.usage_exit = _USAGE_EXIT.get(name, EXIT_USAGE)
        add_arguments(child)
        child.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``meta-auth``; returns the exit code.

    Exit codes: 0 ok, 1 needs attention soon, 2 invalid or expired token
    (or a failed login), 3 usage or setup error. Errors are one redacted
    line on stderr, never a traceback (set ``META_AUTH_DEBUG=1`` to get one).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return exc.code
    except SystemExit as exc:  # --help / --version
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line and an exit code
        code, message = _classify_failure(exc)
        from .._base.redact import redact

        print(f"meta-auth: {redact(message)}", file=sys.stderr)
        if os.environ.get("META_AUTH_DEBUG", "") not in ("", "0"):
            import traceback

            print(redact("".join(traceback.format_exception(exc))), file=sys.stderr)
        return code


def _classify_failure(exc: BaseException) -> tuple[int, str]:
    """(exit code, message) for an exception that ended a command."""
    from .._base.settings import ConfigError
    from .._base.errors import GraphConnectionError, MetaAuthError, RateLimited, TransientError

    if isinstance(exc, CommandError):
        return exc.code, str(exc)
    try:
        from ..store.backends import StoreError
    except Exception:  # pragma: no cover - keyring missing entirely
        StoreError = ConfigError  # type: ignore[misc,assignment]
    try:
        from .notify import NotifyError
    except Exception:  # pragma: no cover
        NotifyError = ConfigError  # type: ignore[misc,assignment]
    if isinstance(exc, (ConfigError, StoreError, NotifyError)):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, (GraphConnectionError, TransientError, RateLimited)):
        return EXIT_USAGE, f"could not get an answer from Graph: {exc}"
    if isinstance(exc, MetaAuthError):
        return EXIT_INVALID, str(exc)
    if isinstance(exc, ValueError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, OSError):
        return EXIT_USAGE, f"{type(exc).__name__}: {exc}"
    return EXIT_USAGE, f"unexpected error ({type(exc).__name__}: {exc}); set META_AUTH_DEBUG=1 for details"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
