"""``meta-auth sandbox``: the built-in Graph API sandbox in the foreground (workshops, manual tries)."""

from __future__ import annotations

import argparse

from .common import Command, CommandContext

__all__ = ["COMMAND"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..sandbox import Sandbox

    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay every Graph answer by this many ms")
    parser.add_argument(
        "--fault-rate", type=float, default=0.0, help="share of calls that fail (0..1): 5xx, drops, rate limits"
    )
    parser.add_argument("--scenario", default=None, help="a workshop scenario (see the list below)")
    parser.add_argument("--seed", type=int, default=0, help="seed for data and faults")
    parser.add_argument("--insights-rows", type=int, default=1000, help="insights rows per ad account")
    parser.add_argument(
        "--app-mode",
        choices=("development", "live"),
        default="development",
        help="development: http://localhost redirects work unregistered and only people with a role on the app log "
        "in; live: every redirect must be registered (HTTPS)",
    )
    parser.add_argument(
        "--redirect-uri", action="append", default=[], metavar="URL", help="register an HTTPS redirect (repeatable)"
    )
    parser.add_argument(
        "--strict-versions",
        action="store_true",
        help="refuse Marketing API calls on ended Graph versions (error 2635) instead of upgrading them",
    )
    parser.add_argument(
        "--tier",
        choices=("standard", "development"),
        default=None,
        help="Marketing API rate-limit tier (default standard; development: 60 points, 300 s blocks)",
    )
    parser.add_argument(
        "--rate-limit-speed",
        type=float,
        default=None,
        metavar="X",
        help="run the rate-limit clock X times faster than real time (headers still say real seconds)",
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "scenarios:\n" + "\n".join(f"  {name:<20} {text}" for name, text in Sandbox.scenarios.items())


def run(args: argparse.Namespace, context: CommandContext) -> int:
    from ..sandbox.cli import main as sandbox_main

    argv = [
        "--port", str(args.port), "--latency-ms", str(args.latency_ms), "--fault-rate", str(args.fault_rate),
        "--seed", str(args.seed), "--insights-rows", str(args.insights_rows),
    ]  # fmt: skip
    if args.scenario:
        argv += ["--scenario", args.scenario]
    argv += ["--app-mode", args.app_mode, *(f"--redirect-uri={uri}" for uri in args.redirect_uri)]
    if args.strict_versions:
        argv.append("--strict-versions")
    if args.tier:
        argv += ["--tier", args.tier]
    if args.rate_limit_speed is not None:
        argv += ["--rate-limit-speed", str(args.rate_limit_speed)]
    return sandbox_main(argv)


COMMAND: Command = ("run the built-in Graph API sandbox in the foreground", add_arguments, run)
