"""``meta-auth insights``: the same pull as ``meta.insights``, from a terminal, cron or a scheduled job.

It loads the stored profile (or ``META_ACCESS_TOKEN``), checks it once as
``mab.session()`` does, pulls with the same planner (paced, split, retried,
resumable with ``--checkpoint``) and writes the tidy rows to a CSV or
Parquet file. A progress line goes to stderr on a terminal (a few lines and
a summary in a log).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .._base.errors import CommandError
from .._base.insights_errors import InsightsIncomplete, InsightsQueryRefused
from .common import (
    EXIT_ATTENTION,
    EXIT_OK,
    EXIT_USAGE,
    Command,
    CommandContext,
    add_profile,
    describe,
    note,
)

__all__ = ["COMMAND"]

_FORMATS = (".csv", ".parquet")


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    describe(
        parser,
        "Pull insights for ad accounts (or campaigns, ad sets, ads) into a CSV or Parquet file: the same rows as "
        "meta.insights in a notebook, paced to the rate limits, split when Meta finds a call too large, retried, "
        "and resumable with --checkpoint. Names and days are checked before any call.",
        "exit codes:\n"
        "  0  every row written\n"
        "  1  some slices are missing: the rows that arrived were written; run the same\n"
        "     command again with the same --checkpoint to fetch only what is missing\n"
        "  2  invalid or expired token, or a permission missing\n"
        "  3  usage or setup error (bad flag, unknown field, an id the token does not\n"
        "     reach, a query Meta refuses, Graph unreachable)\n\n"
        "example:\n"
        "  meta-auth insights all --since 2025-01-01 --until 2025-03-31 --level ad \\\n"
        "      --fields impressions,clicks,spend,actions --time-increment 1 -o q1.parquet \\\n"
        "      --checkpoint q1.checkpoint",
    )
    parser.add_argument(
        "accounts",
        nargs="+",
        metavar="ACCOUNTS",
        help="'all', or ad account ids (act_123 or 123), campaign, ad set or ad ids; space or comma separated",
    )
    days = parser.add_argument_group("days (a range or a preset)")
    days.add_argument("--since", metavar="YYYY-MM-DD", help="first day (with --until)")
    days.add_argument("--until", metavar="YYYY-MM-DD", help="last day (with --since)")
    days.add_argument("--preset", metavar="NAME", help="a date preset (last_7d, last_30d, this_month...)")
    parser.add_argument("--level", default=None, help="account (default), campaign, adset or ad")
    parser.add_argument("--fields", type=_names, default=None, metavar="a,b", help="insights fields")
    parser.add_argument("--breakdowns", type=_names, default=None, metavar="a,b", help="breakdowns (age,gender...)")
    parser.add_argument("--action-breakdowns", type=_names, default=None, metavar="a,b", help="action breakdowns")
    parser.add_argument("--time-increment", default=None, metavar="N", help="days per row (1-90), monthly, all_days")
    parser.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FILE", help="where the rows go: a .csv or .parquet file"
    )
    parser.add_argument("--checkpoint", type=Path, default=None, metavar="F", help="record the pull here, to resume")
    add_profile(parser, "the stored profile whose token pulls")


def _options(args: argparse.Namespace) -> dict[str, Any]:
    if bool(args.since) != bool(args.until):
        raise CommandError("--since and --until go together (or use --preset).")
    options: dict[str, Any] = {
        "level": args.level,
        "fields": args.fields,
        "breakdowns": args.breakdowns,
        "action_breakdowns": args.action_breakdowns,
        "time_increment": args.time_increment,
        "date_preset": args.preset,
        "checkpoint": args.checkpoint,
    }
    if args.since:
        options["time_range"] = {"since": args.since, "until": args.until}
    return {k: v for k, v in options.items() if v is not None}


def _write(frame: Any, path: Path) -> None:
    if path.suffix.lower() == ".csv":
        frame.to_csv(path, index=False)
        return
    try:
        frame.to_parquet(path, index=False)
    except ImportError:
        raise CommandError("-o FILE.parquet needs pyarrow: pip install 'meta_auth_nb[parquet]'") from None


def run(args: argparse.Namespace, context: CommandContext) -> int:
    from ..auth.headless import session

    if args.output.suffix.lower() not in _FORMATS:
        raise CommandError(f"-o {args.output}: the file ends in .csv or .parquet")
    if not args.output.parent.is_dir():
        raise CommandError(f"-o {args.output}: the folder {args.output.parent} does not exist")
    accounts = [name for given in args.accounts for name in _names(given)]
    target: Any = "all" if accounts == ["all"] else accounts
    options = _options(args)
    from ..graph.insights.arguments import InsightsArguments

    InsightsArguments.of(target, **options)  # every argument checked before the token is
    meta = session(args.profile, store=context.store(), **context.options)
    code = EXIT_OK
    try:
        with meta:
            frame = meta.insights(target, **options)
    except InsightsIncomplete as incomplete:
        frame, code = incomplete.partial, EXIT_ATTENTION
        note(f"meta-auth: {incomplete}")
    except InsightsQueryRefused as refused:
        raise CommandError(str(refused), EXIT_USAGE) from None
    _write(frame, args.output)
    accounts_done = frame["account_id"].nunique() if len(frame) and "account_id" in frame else 0
    note(f"meta-auth: {len(frame):,} rows of {accounts_done} ad account(s) written to {args.output}.")
    return code


COMMAND: Command = (
    "pull insights into a CSV or Parquet file (paced, split, resumable); exit 0 done, 1 slices missing",
    add_arguments,
    run,
)
