"""``meta-auth scan``: find tokens and app secrets left in notebooks and files (``--fix`` masks them).

The options, the human-readable report and the exit code; the scanning
itself is :mod:`meta_auth_nb.scan`. The pre-commit hook runs it as
``meta-auth scan``.

Exit codes (scan's own: 1 means "found" here): 0 nothing found; 1 something
found (also with ``--fix``: a value that was in a file must be treated as
leaked and replaced); 2 usage error (a path that does not exist) or a file
that could not be read or rewritten; 3 nothing found, but files larger than
``--max-bytes`` were not read. Each file not read gets a line on stderr, also
with ``--quiet`` (what the pre-commit hook runs).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from .._base.commands import TERMINAL, Place
from ..scan.detect import KIND_LABELS
from ..scan.files import DEFAULT_MAX_BYTES, scan_paths
from ..scan.report import EXIT_ERROR, ScanReport
from .common import Command, CommandContext

__all__ = ["COMMAND", "USAGE_EXIT", "add_arguments", "render", "run"]

#: scan's own exit code for a bad command line (1 means "found" there).
USAGE_EXIT = EXIT_ERROR
DESCRIPTION = "Find Meta access tokens and app secrets in notebooks and text files."


def _add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="notebooks, text files or folders (walked)")
    parser.add_argument(
        "--fix", action="store_true", help="mask what is found in notebooks (other files are only reported)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only what needs attention: findings, files not read, errors (as the pre-commit hook does)",
    )
    parser.add_argument(
        "--no-store", action="store_true", help="do not read the token store; look for token-shaped values only"
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help="do not read files other than notebooks larger than N bytes; each is reported and the scan exits 3 "
        f"when nothing is found (default {DEFAULT_MAX_BYTES}: read every file whole)",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave out files or folders matching GLOB (repeatable)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Describe ``meta-auth scan`` on ``parser`` and add its options.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``scan`` sub-command's parser.
    """
    parser.description = DESCRIPTION
    parser.epilog = (
        "Exit codes: 0 nothing found, 1 secrets found, 2 usage error or a file that could not be scanned, "
        "3 nothing found but some files were not read (larger than --max-bytes)."
    )
    _add_options(parser)


def _emit(text: str, stream: TextIO) -> None:
    try:
        print(text, file=stream)
    except UnicodeEncodeError:  # a console that cannot show "…" gets "?" instead
        encoding = getattr(stream, "encoding", None) or "ascii"
        print(text.encode(encoding, "replace").decode(encoding), file=stream)


def render(report: ScanReport, *, fix: bool = False, quiet: bool = False, place: Place | None = None) -> str:
    """The human-readable report (masked previews only).

    Parameters
    ----------
    report : ScanReport
        What the scan found.
    fix : bool
        The scan ran with ``--fix``: say what was masked and what was not.
    quiet : bool
        Findings only, without the summary and advice.
    place : Place, optional
        Where it is read (default a terminal): the commands it names work there.

    Returns
    -------
    str
        One line per finding, then a summary; empty when there is nothing to
        say (only errors and files not read, which go to stderr).
    """
    place = place or Place(TERMINAL)
    lines: list[str] = []
    for f in report.findings:
        label = KIND_LABELS.get(f.kind, f.kind) + (
            " (known to the token store)" if f.known and f.kind != "known_secret" else ""
        )
        head = f"{f.path}:{f.line}:{f.column}" if f.cell is None and f.field is None else f"{f.path}: {f.location()}"
        status = ""
        if fix and f.fixed:
            status = " [masked]"
        elif fix:
            status = " [not changed: only notebooks are rewritten]" if f.field is None else " [not changed]"
        lines.append(f"{head}: {label} {f.preview}{status}")
    if quiet:
        return "\n".join(lines)
    if report.findings:
        files = len({f.path for f in report.findings})
        lines.append(
            f"meta-auth scan: {len(report.findings)} secret(s) in {files} file(s). Treat them as leaked if a file "
            f"was ever shared or committed: revoke the token ({place.logout(revoke=True)}) or reset the app "
            f"secret, then keep secrets in the token store ({place.login()}) or the environment."
        )
        if not fix:
            lines.append(
                f"Run {place.either(None, place.command('scan', None, '--fix', 'PATH'))} to mask them in notebooks."
            )
    elif not report.errors and not report.missing:
        binary = len(report.skipped) - len(report.unread)
        lines.append(
            f"meta-auth scan: no Meta tokens or app secrets in {len(report.files_scanned)} file(s)"
            + (f" ({binary} file(s) of a binary format, such as images and archives, not read)." if binary else ".")
        )
    return "\n".join(lines)


def run(args: argparse.Namespace, context: CommandContext) -> int:
    """Run ``meta-auth scan`` with parsed arguments.

    Parameters
    ----------
    args : argparse.Namespace
        From a parser given :func:`add_arguments`.
    context : CommandContext
        Unused: the scan reads the token store itself, and a failing store
        only narrows the scan to token-shaped values.

    Returns
    -------
    int
        0 nothing found, 1 secrets found, 2 a missing path or a file that
        could not be scanned or fixed, 3 nothing found but files not read.
    """
    report = scan_paths(
        args.paths,
        use_store=not getattr(args, "no_store", False),
        fix=bool(getattr(args, "fix", False)),
        max_bytes=getattr(args, "max_bytes", DEFAULT_MAX_BYTES) or None,
        exclude=getattr(args, "exclude", None) or (),
    )
    if getattr(args, "json", False):
        _emit(json.dumps(report.to_dict(), indent=2, ensure_ascii=False), sys.stdout)
        return report.exit_code
    text = render(
        report,
        fix=bool(getattr(args, "fix", False)),
        quiet=bool(getattr(args, "quiet", False)),
        place=context.settings.place,
    )
    if text:
        _emit(text, sys.stdout)
    for note in report.notes:
        _emit(f"meta-auth scan: {note}", sys.stderr)
    for skipped in report.unread:
        _emit(
            f"meta-auth scan: NOT SCANNED {skipped['path']}: larger than --max-bytes "
            f"{getattr(args, 'max_bytes', 0)}; scan it with --max-bytes 0, or leave it out with --exclude",
            sys.stderr,
        )
    for error in report.errors:
        _emit(f"meta-auth scan: {error['path']}: {error['error']}", sys.stderr)
    return report.exit_code


COMMAND: Command = ("find tokens and app secrets left in notebooks and files (--fix masks them)", add_arguments, run)
