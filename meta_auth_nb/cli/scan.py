"""``meta-auth scan``: find tokens and app secrets left in notebooks and files (``--fix`` masks them)."""

from __future__ import annotations

import argparse

from .common import Command, CommandContext

__all__ = ["COMMAND", "USAGE_EXIT"]

#: scan's own exit code for a bad command line (1 means "found" there).
USAGE_EXIT = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..scan import scanner

    first = (scanner.__doc__ or "").split("\n", 1)[0].replace("``meta-auth scan``: ", "").strip()
    parser.description = first[:1].upper() + first[1:] if first else None
    parser.epilog = "Exit codes: 0 nothing found, 1 secrets found, 2 usage error or a file that could not be scanned."
    scanner.add_arguments(parser)


def run(args: argparse.Namespace, context: CommandContext) -> int:
    from ..scan import scanner

    return scanner.run(args)


COMMAND: Command = ("find tokens and app secrets left in notebooks and files (--fix masks them)", add_arguments, run)
