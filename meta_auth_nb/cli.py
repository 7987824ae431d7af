"""The ``meta-auth`` command line.

Sits on top of the package beside the notebook UI: every command calls the
same public functions a notebook would. Run ``meta-auth --help`` or
``meta-auth COMMAND --help``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

EXIT_OK, EXIT_ATTENTION, EXIT_INVALID, EXIT_USAGE = 0, 1, 2, 3

#: name -> (help, add_arguments(parser), run(args) -> exit code)
_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


def _sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay every Graph answer by this many ms")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of calls that fail (0..1): 5xx, drops, rate limits")
    parser.add_argument("--scenario", default=None, help="a workshop scenario (see the list below)")
    parser.add_argument("--seed", type=int, default=0, help="seed for data and faults")
    parser.add_argument("--insights-rows", type=int, default=1000, help="insights rows per ad account")


def _run_sandbox(args: argparse.Namespace) -> int:
    from .sandbox.cli import main as sandbox_main

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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="meta-auth",
        description="Get, extend, inspect and safely store Meta Marketing API access tokens.",
        epilog="Settings come from META_GRAPH_URL, META_DIALOG_URL, META_GRAPH_VERSION, META_APP_ID, "
        "META_APP_SECRET, META_ACCESS_TOKEN and META_AUTH_PROFILE.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_arguments, run) in _COMMANDS.items():
        child = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        add_arguments(child)
        child.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``meta-auth``; returns the exit code."""
    from .config import ConfigError
    from .errors import MetaAuthError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (ConfigError, ValueError) as exc:
        print(f"meta-auth: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except MetaAuthError as exc:
        print(f"meta-auth: {exc}", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
