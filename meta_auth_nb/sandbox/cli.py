"""Command line: ``meta-auth sandbox`` / ``python -m meta_auth_nb.sandbox``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from .core import Sandbox
from .ratelimit import TIERS, get_tier
from .versions import NEWEST

__all__ = ["build_parser", "main"]


def build_parser(prog: str = "meta-auth sandbox") -> argparse.ArgumentParser:
    """The argument parser (also used by the ``meta-auth`` CLI for ``--help``)."""
    p = argparse.ArgumentParser(prog=prog, description="Run a local Meta Graph API sandbox (Ctrl-C stops it).")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("--latency-ms", type=float, default=0, help="delay before every Graph answer")
    p.add_argument("--fault-rate", type=float, default=0.0, help="share of Graph calls that fail (0-1)")
    p.add_argument("--scenario", choices=sorted(Sandbox.scenarios), default=None, help="workshop scenario")
    p.add_argument("--seed", type=int, default=0, help="fixes ids, app secret, data and faults")
    p.add_argument("--insights-rows", type=int, default=1000, help="insights rows per ad account")
    p.add_argument("--ad-accounts", type=int, default=None, help="alice's ad accounts (default 2)")
    p.add_argument(
        "--insights-sync-limit",
        type=int,
        default=None,
        metavar="ROWS",
        help="most rows of a synchronous insights report; more gets 'Please reduce the amount of data' (default 1000)",
    )
    p.add_argument(
        "--app-mode",
        choices=("development", "live"),
        default="development",
        help="development: http://localhost redirects work unregistered, only app roles log in; "
        "live: every redirect must be registered (HTTPS)",
    )
    p.add_argument(
        "--redirect-uri",
        action="append",
        default=[],
        metavar="URL",
        help="register an HTTPS redirect URI in the app (repeat for more)",
    )
    p.add_argument(
        "--strict-versions",
        action="store_true",
        help="refuse Marketing API calls on ended Graph versions (error 2635) instead of upgrading them",
    )
    p.add_argument(
        "--tier",
        choices=sorted(TIERS),
        default=None,
        help="Marketing API rate-limit tier (default standard; development: 60 points, 300 s blocks)",
    )
    p.add_argument(
        "--rate-limit-speed",
        type=float,
        default=None,
        metavar="X",
        help="run the rate-limit clock X times faster than real time (headers still say real seconds)",
    )
    return p


def _banner(sb: Sandbox) -> str:
    users = ", ".join(f"{u} ({sb.user_id(u)})" for u in sb.users)
    note = f"{sb.scenario} - {Sandbox.scenarios[sb.scenario]}" if sb.scenario else "none (normal behaviour)"
    env = sb.env()
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    return "\n".join(
        [
            f"Meta Graph API sandbox running on {sb.graph_url}",
            f"  graph URL   {sb.graph_url}",
            f"  dialog URL  {sb.dialog_url}/{NEWEST}/dialog/oauth",
            f"  app id      {sb.app_id}",
            f"  app secret  {sb.app_secret}   (a sandbox secret, not a real one)",
            f"  users       {users}",
            f"  system user admin ({sb.system_user_id})",
            f"  app mode    {sb.app_mode}"
            + ("  (http://localhost redirects work unregistered)" if sb.app_mode == "development" else ""),
            f"  redirects   {', '.join(sb.redirect_uris) or 'none registered'}",
            f"  Login for Business configurations: user {sb.config_id('user')}, "
            f"system user {sb.config_id('system_user')}",
            f"Scenario: {note}",
            f"Rate limits: {_limits(sb)}",
            "",
            "Point the extension at it (shell, before starting Jupyter):",
            f"  export {exports}",
            "or in a notebook cell:",
            *[f"  %env {k}={v}" for k, v in env.items()],
            "",
            "Press Ctrl-C to stop.",
        ]
    )


def _limits(sb: Sandbox) -> str:
    tier = get_tier(sb.tier)
    speed = f", clock {sb.rate_limit_speed:g}x real time" if sb.rate_limit_speed != 1 else ""
    return (
        f"{tier.name} tier: per ad account a score of at most {tier.max_score:g} points (read 1, write 3) "
        f"that decays to zero over 300 s; going over blocks the account {tier.block_s:g} s{speed}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sandbox until Ctrl-C (or SIGTERM); returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        sb = Sandbox(
            port=args.port,
            latency_ms=args.latency_ms,
            fault_rate=args.fault_rate,
            insights_rows=args.insights_rows,
            ad_accounts=args.ad_accounts,
            insights_sync_limit=args.insights_sync_limit,
            seed=args.seed,
            scenario=args.scenario,
            app_mode=args.app_mode,
            redirect_uris=args.redirect_uri,
            strict_versions=args.strict_versions,
            tier=args.tier,
            rate_limit_speed=args.rate_limit_speed,
        ).start()
    except (OSError, ValueError) as exc:
        print(f"meta-auth sandbox: cannot start: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (e.g. from a test or a process manager) stops as cleanly as Ctrl-C.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(_banner(sb), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sb.stop()
    print("Sandbox stopped.", flush=True)
    return 0
