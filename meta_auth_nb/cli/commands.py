"""The token commands of ``meta-auth``: inspect, extend, check, profiles (login and logout: :mod:`meta_auth_nb.cli_login`).

Each command is a thin layer over the functions a notebook uses
(:mod:`meta_auth_nb.health`, :mod:`meta_auth_nb.lifecycle`,
:mod:`meta_auth_nb.oauth`, :class:`meta_auth_nb.store.TokenStore`). Heavy
imports (httpx, keyring) happen when a command runs, not when the parser is built.

Exit codes (all commands)
-------------------------
0  healthy / done
1  something needs attention soon (``check``: expiring, data access expiring)
2  a token is invalid or expired, a required permission is missing, or a login failed
3  usage or setup error: bad flag, no such profile, no keyring, missing
   META_APP_ID/META_APP_SECRET/META_SMTP_HOST, Graph or the mail server unreachable

Output
------
Human output is a small table on stdout; notes and errors go to stderr.
``--json`` prints one JSON object on stdout (keys listed in each command's
``--help`` and in :data:`JSON_KEYS`). A token is only ever shown masked
(``EAAB…x7Qz``); the app secret is never shown.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

EXIT_OK, EXIT_ATTENTION, EXIT_INVALID, EXIT_USAGE = 0, 1, 2, 3

DEFAULT_OAUTH_PORT = 8765
DEFAULT_OAUTH_SCOPES = "ads_read"
#: A user token expiring sooner than this is taken for a short-lived one.
SHORT_LIVED_DAYS = 2

#: The stable keys of ``--json`` output, per command (documented in --help).
JSON_KEYS: dict[str, tuple[str, ...]] = {
    "check": ("exit_code", "checked_at", "warn_days", "reports"),
    "check.reports[]": (
        "profile", "token", "status", "severity", "reason", "advice", "type", "app_id", "user_id", "valid",
        "expires_at", "data_access_expires_at", "scopes", "missing_scopes", "declined_scopes", "checked_at",
    ),
    "inspect": (
        "profile", "source", "token", "valid", "reason", "type", "app_id", "application", "user_id",
        "issued_at", "expires_at", "never_expires", "data_access_expires_at", "scopes", "granular_scopes",
        "permissions", "checked_at",
    ),
    "profiles": ("profiles",),
    "profiles.profiles[]": (
        "profile", "token", "type", "backend", "app_id", "has_app_secret", "expires_at", "status", "reason",
        "scopes", "required_scopes", "checked_at", "saved_at",
    ),
    "extend": ("profile", "before", "after"),
}

_EXIT_CODES_TEXT = """exit codes:
  0  healthy
  1  needs attention soon (expires within --warn-days, or data access does)
  2  invalid or expired token, or a required permission missing
  3  usage or setup error (bad flag, no such profile, no keyring, Graph or
     the mail server unreachable, email not sent)"""


class CommandError(Exception):
    """Stop a command with one line on stderr and an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


# --- seams (tests replace these) ---------------------------------------------------


def open_store() -> Any:
    """The token store every command uses."""
    from ..store.token_store import TokenStore

    return TokenStore()


def open_browser(url: str) -> bool:
    """Open ``url`` in the user's browser; False when none could be started."""
    import webbrowser

    try:
        return bool(webbrowser.open(url, new=2))
    except Exception:  # no display, no browser: the URL is printed anyway
        return False


# --- small helpers ---------------------------------------------------------------------


def _out(text: str = "") -> None:
    from .._base.redact import redact

    # Everything shown is built from masked values; redact() is the last guard.
    print(redact(text), file=sys.stdout, flush=True)


def _note(text: str) -> None:
    from .._base.redact import redact

    print(redact(text), file=sys.stderr, flush=True)


def _dump(payload: Any) -> None:
    _out(json.dumps(payload, indent=2, ensure_ascii=False))


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat() if moment else None


def _settings() -> Any:
    from .._base.settings import get_settings

    return get_settings()


def reference_now(settings: Any) -> datetime | None:
    """The time tokens are judged by: a loopback Graph's own clock, else None (this machine's).

    A Graph server on loopback (the sandbox, a test double) may run its own
    clock, moved forward by tests and workshops; its ``Date`` header says
    what time it is there. Real Graph is never on loopback, and its clock is
    this machine's to within seconds, so no call is made for it.
    """
    from urllib.parse import urlsplit

    from .._base.settings import is_loopback_host

    if not is_loopback_host(urlsplit(settings.graph_url).hostname):
        return None
    try:
        import httpx

        from ..graph.core import server_time

        return server_time(httpx.get(f"{settings.graph_url}/", timeout=2.0, trust_env=False).headers)
    except Exception:
        return None


def _scopes_arg(text: str) -> tuple[str, ...]:
    from ..auth.oauth import normalize_scopes

    try:
        return normalize_scopes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _profile_arg(text: str) -> str:
    from ..store.backends import InvalidProfileName, validate_profile

    try:
        return validate_profile(text)
    except InvalidProfileName as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _days_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of days, got {text!r}") from None
    if not 0 <= value <= 3650:
        raise argparse.ArgumentTypeError("must be between 0 and 3650 days")
    return value


def _port_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be 0 (any free port) or 1-65535")
    return value


def _seconds_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _env_name_arg(text: str) -> str:
    if not text or not all(c.isalnum() or c == "_" for c in text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an environment variable name")
    return text


def _keys_text(keys: Iterable[str]) -> str:
    import textwrap

    return textwrap.fill(", ".join(keys) + ".", width=78, initial_indent="  ", subsequent_indent="  ")


def _add_profile(parser: argparse.ArgumentParser | Any, what: str) -> None:
    parser.add_argument("--profile", "-p", type=_profile_arg, default=None, metavar="P",
                        help=f"{what} (default: META_AUTH_PROFILE, else 'default')")


def _describe(parser: argparse.ArgumentParser, description: str, epilog: str | None = None) -> None:
    import textwrap

    parser.description = textwrap.fill(description, width=78)
    parser.epilog = epilog
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def _when(moment: datetime | None, now: datetime | None, *, none: str = "never") -> str:
    from .notify import describe_expiry

    return describe_expiry(_iso(moment), _iso(now), valid=True) if moment else none


# --- inspect ---------------------------------------------------------------------------------


def _inspect_arguments(parser: argparse.ArgumentParser) -> None:
    _describe(
        parser,
        "Inspect a token with debug_token and /me/permissions: its app, type (USER, PAGE, APP, SYSTEM_USER), "
        "user, when it was issued and expires, data-access expiry, whether it is valid (and why not), its "
        "scopes with their target ids, and granted/declined/expired permissions. The token is read from a "
        "stored profile or from an environment variable, and only ever shown masked. With META_APP_ID and "
        "META_APP_SECRET set (or an app secret stored with the profile) the app token asks, which also "
        "explains invalid tokens.",
        "JSON keys:\n" + _keys_text(JSON_KEYS["inspect"]) + "\nTimes are ISO 8601 UTC (null = never or unknown).\n"
        "exit codes: 0 valid, 2 invalid or expired, 3 usage or setup error.",
    )
    source = parser.add_mutually_exclusive_group()
    _add_profile(source, "inspect this stored profile")
    source.add_argument("--token-env", type=_env_name_arg, metavar="VAR",
                        help="inspect the token held in environment variable VAR (e.g. META_ACCESS_TOKEN)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (stable keys, see below)")


def _inspect_payload(info: Any, token: Any, *, profile: str | None, source: str, perms: list[Any] | None,
                     now: datetime | None) -> dict[str, Any]:
    return {
        "profile": profile,
        "source": source,
        "token": token.masked,
        "valid": info.is_valid,
        "reason": info.invalid_reason,
        "type": info.type,
        "app_id": info.app_id,
        "application": info.application,
        "user_id": info.user_id,
        "issued_at": _iso(info.issued_at),
        "expires_at": _iso(info.expires_at),
        "never_expires": info.never_expires,
        "data_access_expires_at": _iso(info.data_access_expires_at),
        "scopes": list(info.scopes),
        "granular_scopes": [{"scope": g.scope, "target_ids": list(g.target_ids)} for g in info.granular_scopes],
        "permissions": None if perms is None else [{"permission": p.name, "status": p.status} for p in perms],
        "checked_at": _iso(now or datetime.now(timezone.utc)),
    }


def _run_inspect(args: argparse.Namespace) -> int:
    from .._base.errors import GraphConnectionError, GraphError
    from ..auth.lifecycle import inspect_token, permissions
    from .._base.tokens import AccessToken

    settings = _settings()
    store = None
    if args.token_env:
        raw = (os.environ.get(args.token_env) or "").strip()
        if not raw:
            raise CommandError(f"The environment variable {args.token_env} is not set or is empty.")
        token = AccessToken(raw, source="env")
        profile, source = None, f"env:{args.token_env}"
        app_id, app_secret = settings.app_id, settings.app_secret
    else:
        from ..auth.health import usable_app_secret

        store = open_store()
        stored = store.load(args.profile)
        token, profile, source = stored.token, stored.name, f"profile:{stored.backend}"
        app_id = stored.app_id or settings.app_id
        app_secret = usable_app_secret(dataclasses.replace(stored, app_id=app_id))
    now = reference_now(settings)
    if app_id and app_secret and not token.is_app_token:
        try:
            info = inspect_token(token, app_id=app_id, app_secret=app_secret)
        except GraphConnectionError:
            raise
        except GraphError as exc:
            # A wrong app secret, or another app's: let the token inspect itself.
            _note(f"meta-auth: note: the app token could not inspect it ({exc.message}); the token inspects itself.")
            info = inspect_token(token)
            app_secret = None
    else:
        info = inspect_token(token)
    perms = None
    if info.is_valid and info.type not in ("APP", "PAGE"):
        try:
            perms = permissions(token, app_secret=app_secret if info.app_id == app_id else None)
        except GraphError as exc:
            _note(f"meta-auth: could not list the permissions: {exc}")
    if store is not None and profile is not None:
        try:
            store.update_info(profile, info, checked_at=now)
        except Exception as exc:  # caching is a courtesy; the inspection stands
            _note(f"meta-auth: note: the facts were not cached ({exc})")
    payload = _inspect_payload(info, token, profile=profile, source=source, perms=perms, now=now)
    if args.json:
        _dump(payload)
    else:
        _print_inspection(payload, info, now)
    return EXIT_OK if info.is_valid else EXIT_INVALID


def _print_inspection(payload: dict[str, Any], info: Any, now: datetime | None) -> None:
    from .notify import format_table

    def perms_of(status: str) -> str:
        names = [p["permission"] for p in payload["permissions"] or () if p["status"] == status]
        return ", ".join(names) or "-"

    rows: list[tuple[str, str]] = [
        ("profile", payload["profile"] or "-"),
        ("source", payload["source"]),
        ("token", payload["token"]),
        ("valid", "yes" if info.is_valid else f"no: {info.invalid_reason}"),
        ("type", info.type or "-"),
        ("app", f"{info.application or '-'} ({info.app_id or '?'})"),
        ("user id", info.user_id or "-"),
        ("issued", _when(info.issued_at, now, none="-")),
        ("expires", _when(info.expires_at, now, none="never" if info.is_valid else "-")),
        ("data access expires", _when(info.data_access_expires_at, now, none="never" if info.is_valid else "-")),
        ("scopes", ", ".join(info.scopes) or "-"),
    ]
    for granular in info.granular_scopes:
        rows.append((f"  {granular.scope}", ", ".join(granular.target_ids) or "all"))
    if payload["permissions"] is not None:
        rows += [("granted", perms_of("granted")), ("declined", perms_of("declined")), ("expired", perms_of("expired"))]
    _out(format_table(("FIELD", "VALUE"), rows))


# --- extend -----------------------------------------------------------------------------------


def _extend_arguments(parser: argparse.ArgumentParser) -> None:
    _describe(
        parser,
        "Extend a stored token: a short-lived user token becomes a long-lived one (about 60 days; "
        "grant_type=fb_exchange_token), and a 60-day system user token is refreshed for another 60 days. "
        "Needs the app secret: stored with the profile, or META_APP_SECRET for the same META_APP_ID "
        "(used, not stored). Shows before -> after; the new token replaces the old one in the profile.",
        "JSON keys: profile, before {token, expires_at}, after {token, expires_at}.\n"
        "exit codes: 0 extended; 2 the token cannot be extended (expired, invalid,\n"
        "wrong secret); 3 usage or setup error (no such profile, no app secret).",
    )
    _add_profile(parser, "extend this stored profile")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _run_extend(args: argparse.Namespace) -> int:
    from .._base.errors import OAuthError
    from ..auth.health import extend_profile, usable_app_secret

    settings = _settings()
    store = open_store()
    stored = store.load(args.profile)
    if not (stored.app_id and usable_app_secret(stored)):
        raise CommandError(
            f"Extending profile {stored.name!r} needs its app's secret, and none is stored with it: set "
            f"META_APP_ID={stored.app_id or '<the app id>'} and META_APP_SECRET (App settings > Basic), or "
            f"save it again with `meta-auth login --profile {stored.name} --save-app-secret`."
        )
    now = reference_now(settings)
    before_expiry = stored.info.expires_at if stored.info and stored.info.is_valid else stored.token.expires_at
    try:
        before, after = extend_profile(store, stored.name)
    except OAuthError as exc:
        raise CommandError(str(exc), EXIT_INVALID) from None
    fresh = store.load(stored.name)
    after_expiry = fresh.info.expires_at if fresh.info else after.expires_at
    payload = {
        "profile": stored.name,
        "before": {"token": before.masked, "expires_at": _iso(before_expiry)},
        "after": {"token": after.masked, "expires_at": _iso(after_expiry)},
    }
    if args.json:
        _dump(payload)
    else:
        _out(
            f"Extended profile {stored.name}: {before.masked} (expires {_when(before_expiry, now, none='never')}) -> "
            f"{after.masked} (expires {_when(after_expiry, now, none='never')})"
        )
    return EXIT_OK


# --- check -----------------------------------------------------------------------------------------


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    _describe(
        parser,
        "Check stored tokens against Graph (debug_token and /me/permissions in one round trip) and say "
        "whether they are healthy, expire within --warn-days, lack a required permission, or are invalid "
        "(expired, password changed, app removed...), with renewal instructions a person can follow. "
        "Meant for cron and CI: the exit code says how things are, and --email mails the instructions.",
        _EXIT_CODES_TEXT
        + "\n\nJSON: {exit_code, checked_at, warn_days, reports: [...]}; each report has\nthe keys\n"
        + _keys_text(JSON_KEYS["check.reports[]"])
        + "\nstatus is ok, expiring, data_access_expiring, missing_scopes, expired,\n"
        "invalid, or error (could not be checked; severity 3). Times are ISO 8601\nUTC, null = never.\n\n"
        "email settings: META_SMTP_HOST (required), META_SMTP_PORT, META_SMTP_USER,\n"
        "META_SMTP_PASSWORD, META_SMTP_FROM, META_SMTP_STARTTLS=auto|always|never,\n"
        "META_SMTP_SSL=1, META_SMTP_CAFILE. A password is only sent over TLS unless\n"
        "META_SMTP_ALLOW_PLAIN_AUTH=1. Mail goes out only when something needs\nattention, unless --email-always.",
    )
    which = parser.add_mutually_exclusive_group()
    _add_profile(which, "check this stored profile (META_ACCESS_TOKEN serves the default profile)")
    which.add_argument("--all", action="store_true", help="check every stored profile; the exit code is the worst")
    parser.add_argument("--warn-days", type=_days_arg, default=7.0, metavar="N",
                        help="warn when a token or its data access expires within N days (default 7)")
    parser.add_argument("--require-scopes", type=_scopes_arg, default=None, metavar="a,b",
                        help="permissions the work needs; one missing makes the token unusable (exit 2). "
                        "Default: the scopes recorded with the profile")
    parser.add_argument("--auto-extend", action="store_true",
                        help="extend (or refresh) an expiring token when the app secret is known, then check again")
    parser.add_argument("--json", action="store_true", help="print one JSON object (stable keys, see below)")
    parser.add_argument("--email", action="append", metavar="ADDR",
                        help="mail the renewal instructions to ADDR (repeat or comma-separate for more) "
                        "when something needs attention")
    parser.add_argument("--email-always", action="store_true", help="with --email: mail even when all is healthy")


def _error_row(name: str | None, message: str, *, token: str | None = None, now: datetime | None = None,
               advice: str | None = None) -> dict[str, Any]:
    return {
        "profile": name,
        "token": token,
        "status": "error",
        "severity": EXIT_USAGE,
        "reason": message,
        "advice": advice or "Fix the problem above, then run meta-auth check again.",
        "type": None,
        "app_id": None,
        "user_id": None,
        "valid": None,
        "expires_at": None,
        "data_access_expires_at": None,
        "scopes": [],
        "missing_scopes": [],
        "declined_scopes": [],
        "checked_at": _iso(now or datetime.now(timezone.utc)),
    }


def _run_check(args: argparse.Namespace) -> int:
    from .._base.errors import MetaAuthError
    from ..auth.health import check_profile
    from .notify import NotifyError, SmtpSettings, parse_recipients, render_reports, send_renewal_email
    from .._base.redact import redact

    recipients: list[str] = []
    if args.email_always and not args.email:
        raise CommandError("--email-always needs --email ADDR.")
    if args.email:
        recipients = parse_recipients(args.email)
        SmtpSettings.from_env()  # a missing META_SMTP_HOST stops us before any network call
    store = open_store()
    if args.all:
        names: list[str | None] = list(store.profiles())
        if not names:
            raise CommandError(
                "No profiles are stored here (or the system keyring cannot be used). "
                "Save one with `meta-auth login --profile NAME`, or check META_ACCESS_TOKEN with `meta-auth check`."
            )
    else:
        names = [args.profile]
    # Each report is judged by Graph's own clock (its Date header): no separate time lookup here.
    rows: list[dict[str, Any]] = []
    for name in names:
        try:
            report = check_profile(
                store, name, required_scopes=args.require_scopes, warn_days=args.warn_days,
                auto_extend=args.auto_extend,
            )
        except MetaAuthError as exc:
            if not (args.all or args.json or args.email):
                raise  # one line on stderr, exit 3 (a cron job with --email gets the mail instead)
            message = redact(str(exc))
            _note(f"meta-auth: {name or store.default_profile}: {message}")
            rows.append(_error_row(name or store.default_profile, message))
            continue
        rows.append(report.to_dict())
    code = max(int(row["severity"]) for row in rows)
    if args.email and (args.email_always or code > EXIT_OK):
        try:
            send_renewal_email(recipients, rows)
            _note(f"meta-auth: renewal instructions mailed to {', '.join(recipients)}.")
        except NotifyError as exc:
            _note(f"meta-auth: the email was not sent: {exc}")
            code = max(code, EXIT_USAGE)
    if args.json:
        checked = max((r["checked_at"] for r in rows if r.get("checked_at")), default=None)
        _dump({"exit_code": code, "checked_at": checked or _iso(datetime.now(timezone.utc)),
               "warn_days": args.warn_days, "reports": rows})
    else:
        _out(render_reports(rows))
        if code == EXIT_OK:
            _out("\nAll healthy: nothing to do." if len(rows) > 1 else "\nHealthy: nothing to do.")
    return code


# --- profiles ----------------------------------------------------------------------------------------


def _profiles_arguments(parser: argparse.ArgumentParser) -> None:
    _describe(
        parser,
        "List the stored profiles with their masked token, type, expiry and status, from the facts cached at "
        "the last check or login. Makes no network call: run `meta-auth check --all` for a fresh verdict.",
        "JSON: {profiles: [...]}, each with the keys\n" + _keys_text(JSON_KEYS["profiles.profiles[]"]) + "\n"
        "status is ok, expiring, data_access_expiring, missing_scopes, expired,\ninvalid, unchecked or unreadable.\n"
        "exit codes: 0 listed (even if empty), 3 setup error.",
    )
    parser.add_argument("--warn-days", type=_days_arg, default=7.0, metavar="N",
                        help="call a token expiring within N days 'expiring' (default 7)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _profile_row(stored: Any, warn_days: float, now: datetime) -> dict[str, Any]:
    from ..auth.health import EXPIRED, INVALID, classify_health

    info = stored.info
    expires = info.expires_at if info is not None and info.is_valid else stored.token.expires_at
    if info is None:
        status, reason = "unchecked", "not checked yet"
    elif not info.is_valid:
        status = EXPIRED if info.error_subcode == 463 else INVALID
        reason = info.invalid_reason
    elif expires is not None and expires <= now:
        status, reason = EXPIRED, "the token has expired"
    else:
        status, reason, *_ = classify_health(info, (), required_scopes=stored.required_scopes,
                                             warn_days=warn_days, now=now, profile=stored.name)
    return {
        "profile": stored.name,
        "token": stored.token.masked,
        "type": info.type if info is not None else None,
        "backend": stored.backend,
        "app_id": stored.app_id,
        "has_app_secret": stored.has_app_secret,
        "expires_at": _iso(expires),
        "status": status,
        "reason": reason,
        "scopes": list(info.scopes) if info is not None else [],
        "required_scopes": list(stored.required_scopes),
        "checked_at": _iso(stored.checked_at),
        "saved_at": _iso(stored.saved_at),
    }


_UNKNOWN_EXPIRY = ("unchecked", "unreadable", "invalid", "expired")


def _run_profiles(args: argparse.Namespace) -> int:
    from .notify import describe_expiry, format_table
    from .._base.redact import redact
    from ..store.backends import StoreError
    from .._base.tokens import describe_delta

    store = open_store()
    # No call to Graph at all: cached facts, judged by this machine's clock.
    now = datetime.now(timezone.utc)
    rows: list[dict[str, Any]] = []
    for name in store.profiles():
        try:
            rows.append(_profile_row(store.load(name), args.warn_days, now))
        except StoreError as exc:
            rows.append({"profile": name, "token": None, "type": None, "backend": None, "app_id": None,
                         "has_app_secret": False, "expires_at": None, "status": "unreadable",
                         "reason": redact(str(exc)), "scopes": [], "required_scopes": [], "checked_at": None,
                         "saved_at": None})
    if not store.persistent:
        _note("meta-auth: note: no usable system keyring here, so no profile is stored; "
              "`meta-auth login` needs one (or use META_ACCESS_TOKEN).")
    if args.json:
        _dump({"profiles": rows})
        return EXIT_OK
    if not rows:
        _out("No profiles are stored. Save one with `meta-auth login --profile NAME`.")
        return EXIT_OK

    def checked(value: str | None) -> str:
        if not value:
            return "never"
        return describe_delta(datetime.fromisoformat(value) - now)

    _out(format_table(
        ("PROFILE", "TOKEN", "TYPE", "EXPIRES", "STATUS", "CHECKED", "STORED IN"),
        [
            (r["profile"], r["token"] or "-", r["type"] or "-",
             describe_expiry(r["expires_at"], _iso(now), valid=r["status"] not in _UNKNOWN_EXPIRY) if r["expires_at"]
             else ("never" if r["status"] not in _UNKNOWN_EXPIRY else "unknown"),
             r["status"], checked(r["checked_at"]), r["backend"] or "-")
            for r in rows
        ],
    ))
    return EXIT_OK


from .login import _login_arguments, _logout_arguments, _run_login, _run_logout  # noqa: E402


# --- registration ---------------------------------------------------------------------------------------

Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]

COMMANDS: dict[str, Command] = {
    "login": ("get a token (paste one, or log in with Facebook) and save it under a profile", _login_arguments, _run_login),
    "inspect": ("show what Graph says about a token: app, type, expiry, scopes, permissions", _inspect_arguments, _run_inspect),
    "extend": ("turn a short-lived token into a 60-day one, or refresh a 60-day system user token", _extend_arguments, _run_extend),
    "check": ("check stored tokens; exit 0 healthy, 1 expiring soon, 2 invalid, 3 setup error", _check_arguments, _run_check),
    "logout": ("forget a stored profile, optionally revoking its token at Graph first", _logout_arguments, _run_logout),
    "profiles": ("list stored profiles with masked token, type, expiry and status (no network)", _profiles_arguments, _run_profiles),
}


def register(registry: dict[str, Command], names: Iterable[str] | None = None) -> None:
    """Add the token commands to ``meta_auth_nb.cli``'s registry."""
    for name in names or COMMANDS:
        registry.setdefault(name, COMMANDS[name])
