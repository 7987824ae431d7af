"""``meta-auth profiles``: the stored profiles and their status, from cached facts (no network)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from .._base.errors import StoreError
from .._base.redact import redact
from .._base.settings import DEFAULT_WARN_DAYS
from .._base.timefmt import describe_delta, to_iso, utcnow
from .._base.words import expiry_of, kept_words, type_words
from .common import EXIT_OK, Command, CommandContext, days_arg, describe, dump, format_table, keys_text, note, out

__all__ = ["COMMAND", "PROFILE_KEYS"]

PROFILE_KEYS = (
    "profile", "token", "type", "backend", "app_id", "has_app_secret", "expires_at", "expires", "status", "reason",
    "scopes", "required_scopes", "checked_at", "saved_at",
)  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    describe(
        parser,
        "List the stored profiles with their masked token, type, expiry and status, from the facts cached at "
        "the last check or login. Makes no network call: run `meta-auth check --all` for a fresh verdict.",
        "JSON: {profiles: [...]}, each with the keys\n" + keys_text(PROFILE_KEYS) + "\n"
        "expires is the expiry in words, as the table shows it. status is ok,\nexpiry_unknown, expiring, "
        "data_access_expiring, missing_scopes, expired,\ninvalid, unchecked or unreadable.\n"
        "exit codes: 0 listed (even if empty), 3 setup error.",
    )
    parser.add_argument(
        "--warn-days",
        type=days_arg,
        default=DEFAULT_WARN_DAYS,
        metavar="N",
        help=f"call a token expiring within N days 'expiring' (default {DEFAULT_WARN_DAYS:g})",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def profile_row(stored: Any, warn_days: float, now: datetime) -> dict[str, Any]:
    """One profile's row, judged from its cached facts."""
    from ..auth.verdict import judge

    info = stored.info
    expiry = expiry_of(info, stored.token, now)
    verdict = judge(info, required_scopes=stored.required_scopes, warn_days=warn_days, now=now, profile=stored.name)
    return {
        "profile": stored.name,
        "token": stored.token.masked,
        "type": info.type if info is not None else None,
        "backend": stored.backend,
        "app_id": stored.app_id,
        "has_app_secret": stored.has_app_secret,
        "expires_at": to_iso(expiry.when),
        "expires": expiry.cell,
        "status": verdict.status.value,
        "reason": verdict.reason,
        "scopes": list(info.scopes) if info is not None else [],
        "required_scopes": list(stored.required_scopes),
        "checked_at": to_iso(stored.checked_at),
        "saved_at": to_iso(stored.saved_at),
    }


def _unreadable_row(name: str, error: Exception) -> dict[str, Any]:
    from ..auth.verdict import Status

    row: dict[str, Any] = dict.fromkeys(PROFILE_KEYS)
    row.update(profile=name, has_app_secret=False, status=Status.UNREADABLE.value, reason=redact(str(error)))
    row.update(scopes=[], required_scopes=[], expires=expiry_of(None).cell)
    return row


def _cells(stored: Any, row: dict[str, Any], now: datetime) -> tuple[str, ...]:
    """One table line, in the words every front end uses."""
    moment = stored.checked_at if stored is not None else None
    return (
        row["profile"],
        row["token"] or "-",
        type_words(stored.info if stored is not None else None),
        row["expires"],
        row["status"],
        describe_delta(moment - now) if moment else "never",
        kept_words(row["backend"]),
    )


def run(args: argparse.Namespace, context: CommandContext) -> int:
    store = context.store()
    # No call to Graph at all: cached facts, judged by this machine's clock.
    now = utcnow()
    rows: list[dict[str, Any]] = []
    lines: list[tuple[str, ...]] = []
    for name in store.profiles():
        try:
            stored = store.load(name)
            row = profile_row(stored, args.warn_days, now)
        except StoreError as exc:
            stored, row = None, _unreadable_row(name, exc)
        rows.append(row)
        lines.append(_cells(stored, row, now))
    place = context.settings.place
    if not store.persistent:
        note(
            "meta-auth: note: no usable system keyring here, so no profile is stored; "
            f"{place.command('login')} needs one (or use META_ACCESS_TOKEN)."
        )
    if args.json:
        dump({"profiles": rows})
    elif not rows:
        out(f"No profiles are stored. Save one with {place.command('login', None, '--profile', 'NAME')}.")
    else:
        out(format_table(("PROFILE", "TOKEN", "TYPE", "EXPIRES", "STATUS", "CHECKED", "STORED IN"), lines))
    return EXIT_OK


COMMAND: Command = (
    "list stored profiles with masked token, type, expiry and status (no network)",
    add_arguments,
    run,
)
