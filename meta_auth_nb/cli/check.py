"""``meta-auth check``: are the stored tokens healthy? For cron and CI, with an exit code and email."""

from __future__ import annotations

import argparse
from typing import Any

from .._base.commands import Place
from .._base.errors import CommandError, MetaAuthError, NotifyError
from .._base.redact import redact
from .._base.settings import DEFAULT_WARN_DAYS, SmtpSettings
from .._base.timefmt import from_iso, to_iso, utcnow
from .._base.versions import version_notice
from .._base.words import expiry_of
from .common import (
    EXIT_ATTENTION,
    EXIT_CODES_TEXT,
    EXIT_EXPIRY_UNKNOWN,
    EXIT_OK,
    EXIT_USAGE,
    Command,
    CommandContext,
    add_profile,
    days_arg,
    describe,
    dump,
    keys_text,
    note,
    out,
    scopes_arg,
)

__all__ = ["COMMAND", "JSON_KEYS", "REPORT_KEYS"]

JSON_KEYS = ("exit_code", "checked_at", "warn_days", "graph_version", "version_notice", "reports")
REPORT_KEYS = (
    "profile", "token", "status", "severity", "reason", "advice", "type", "app_id", "user_id", "valid",
    "expiry_known", "expires_at", "expires", "data_access_expires_at", "scopes", "missing_scopes", "declined_scopes",
    "checked_at",
)  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    describe(
        parser,
        "Check stored tokens against Graph (debug_token and /me/permissions in one round trip) and say "
        "whether they are healthy, expire within --warn-days, lack a required permission, or are invalid "
        "(expired, password changed, app removed...), with renewal instructions a person can follow. "
        "Meant for cron and CI: the exit code says how things are, and --email mails the instructions.",
        EXIT_CODES_TEXT
        + "\n\nJSON: {exit_code, checked_at, warn_days, graph_version, version_notice,\nreports: [...]}; "
        "each report has the keys\n"
        + keys_text(REPORT_KEYS)
        + "\nexpires is the expiry in words, as the table shows it.\n"
        "status is ok, expiry_unknown, expiring, data_access_expiring, missing_scopes,\n"
        "expired, invalid, or error (could not be checked; severity 3). Times are ISO\n8601 UTC, null = never "
        "(or unknown, when expiry_known is false).\nversion_notice says when the pinned META_GRAPH_VERSION ends "
        "for the\nMarketing API within 90 days, or has ended (null otherwise).\n\n"
        "email settings: META_SMTP_HOST (required), META_SMTP_PORT, META_SMTP_USER,\n"
        "META_SMTP_PASSWORD, META_SMTP_FROM, META_SMTP_STARTTLS=auto|always|never,\n"
        "META_SMTP_SSL=1, META_SMTP_CAFILE. A password is only sent over TLS unless\n"
        "META_SMTP_ALLOW_PLAIN_AUTH=1. Mail goes out only when something needs\nattention, unless --email-always.",
    )
    which = parser.add_mutually_exclusive_group()
    add_profile(which, "check this stored profile (META_ACCESS_TOKEN serves the default profile)")
    which.add_argument("--all", action="store_true", help="check every stored profile; the exit code is the worst")
    parser.add_argument(
        "--warn-days",
        type=days_arg,
        default=DEFAULT_WARN_DAYS,
        metavar="N",
        help=f"warn when a token or its data access expires within N days (default {DEFAULT_WARN_DAYS:g})",
    )
    parser.add_argument(
        "--require-scopes",
        type=scopes_arg,
        default=None,
        metavar="a,b",
        help="permissions the work needs; one missing makes the token unusable (exit 2). "
        "Default: the scopes recorded with the profile",
    )
    parser.add_argument(
        "--auto-extend",
        action="store_true",
        help="extend (or refresh) an expiring token when the app secret is known, then check again",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (stable keys, see below)")
    parser.add_argument(
        "--email",
        action="append",
        metavar="ADDR",
        help="mail the renewal instructions to ADDR (repeat or comma-separate for more) when something needs attention",
    )
    parser.add_argument("--email-always", action="store_true", help="with --email: mail even when all is healthy")


def error_row(name: str | None, message: str, place: Place) -> dict[str, Any]:
    """The report of a profile that could not be checked (status ``error``)."""
    from ..auth.verdict import Status

    return {
        "profile": name,
        "token": None,
        "status": Status.ERROR.value,
        "severity": Status.ERROR.severity,
        "reason": message,
        "advice": f"Fix the problem above, then check again: {place.check(name)}.",
        "type": None,
        "app_id": None,
        "user_id": None,
        "valid": None,
        "expiry_known": None,
        "expires_at": None,
        "expires": expiry_of(None).cell,
        "data_access_expires_at": None,
        "scopes": [],
        "missing_scopes": [],
        "declined_scopes": [],
        "checked_at": to_iso(utcnow()),
    }


def run(args: argparse.Namespace, context: CommandContext) -> int:
    from ..auth.profiles import check_profile
    from .notify import parse_recipients, render_reports, send_renewal_email

    recipients: list[str] = []
    if args.email_always and not args.email:
        raise CommandError("--email-always needs --email ADDR.")
    if args.email:
        recipients = parse_recipients(args.email)
        SmtpSettings.from_env()  # a missing META_SMTP_HOST stops us before any network call
    store = context.store()
    if args.all:
        names: list[str | None] = list(store.profiles())
        if not names:
            raise CommandError(
                "No profiles are stored here (or the system keyring cannot be used). "
                f"Save one with {context.settings.place.command('login', None, '--profile', 'NAME')}, or check "
                f"META_ACCESS_TOKEN with {context.settings.place.command('check')}."
            )
    else:
        names = [args.profile]
    # Each report is judged by Graph's own clock (its Date header): no separate time lookup here.
    rows: list[dict[str, Any]] = []
    for name in names:
        try:
            report = check_profile(
                store,
                name,
                required_scopes=args.require_scopes,
                warn_days=args.warn_days,
                auto_extend=args.auto_extend,
                **context.options,
            )
        except MetaAuthError as exc:
            if not (args.all or args.json or args.email):
                raise  # one line on stderr, exit 3 (a cron job with --email gets the mail instead)
            message = redact(str(exc))
            note(f"meta-auth: {name or store.default_profile}: {message}")
            rows.append(error_row(name or store.default_profile, message, context.settings.place))
            continue
        rows.append(report.to_dict())
    code = exit_code_of(rows)
    checked = max((r["checked_at"] for r in rows if r.get("checked_at")), default=None)
    version = context.settings.graph_version
    notice = version_notice(version, (from_iso(checked) or utcnow()).date())
    if notice and not args.json:
        note(f"meta-auth: note: {notice}")
    if args.email and (args.email_always or code > EXIT_OK):
        try:
            send_renewal_email(recipients, rows)
            note(f"meta-auth: renewal instructions mailed to {', '.join(recipients)}.")
        except NotifyError as exc:
            note(f"meta-auth: the email was not sent: {exc}")
            code = max(code, EXIT_USAGE)
    if args.json:
        dump(
            {
                "exit_code": code,
                "checked_at": checked or to_iso(utcnow()),
                "warn_days": args.warn_days,
                "graph_version": version,
                "version_notice": notice,
                "reports": rows,
            }
        )
    else:
        out(render_reports(rows))
        if code == EXIT_OK:
            out("\nAll healthy: nothing to do." if len(rows) > 1 else "\nHealthy: nothing to do.")
    return code


def exit_code_of(rows: list[dict[str, Any]]) -> int:
    """The worst row decides; "valid, expiry unknown" has its own code, used only when nothing is worse."""
    from ..auth.verdict import Status

    worst = max(int(row["severity"]) for row in rows)
    attention = [row["status"] for row in rows if int(row["severity"]) == EXIT_ATTENTION]
    if worst == EXIT_ATTENTION and all(status == Status.EXPIRY_UNKNOWN.value for status in attention):
        return EXIT_EXPIRY_UNKNOWN
    return worst


COMMAND: Command = (
    "check stored tokens; exit 0 healthy, 1 expiring soon, 2 invalid, 3 setup error, 4 valid but expiry unknown",
    add_arguments,
    run,
)
