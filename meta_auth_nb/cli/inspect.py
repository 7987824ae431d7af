"""``meta-auth inspect``: what Graph says about a token (debug_token and /me/permissions)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from .._base.errors import CommandError
from .._base.settings import env_value
from .._base.timefmt import describe_delta, to_iso, utcnow
from .._base.tokens import AccessToken, Permission, TokenInfo
from .._base.words import data_access_expiry_of, expiry_of, moment_words, type_words
from .common import (
    EXIT_INVALID,
    EXIT_OK,
    Command,
    CommandContext,
    add_profile,
    describe,
    dump,
    env_name_arg,
    format_table,
    keys_text,
    note,
    out,
    reference_now,
)

__all__ = ["COMMAND", "JSON_KEYS"]

JSON_KEYS = (
    "profile", "source", "token", "valid", "reason", "type", "app_id", "application", "user_id",
    "issued_at", "expires_at", "never_expires", "expiry_known", "data_access_expires_at", "scopes", "granular_scopes",
    "permissions", "checked_at",
)  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    describe(
        parser,
        "Inspect a token with debug_token and /me/permissions: its app, type (USER, PAGE, APP, SYSTEM_USER), "
        "user, when it was issued and expires, data-access expiry, whether it is valid (and why not), its "
        "scopes with their target ids, and granted/declined/expired permissions. The token is read from a "
        "stored profile or from an environment variable, and only ever shown masked. With META_APP_ID and "
        "META_APP_SECRET set (or an app secret stored with the profile) the app token asks, which also "
        "explains invalid tokens. A token whose owner has no role on the app cannot inspect itself: without the "
        "app secret its scopes come from /me/permissions and its expiry is shown as unknown.",
        "JSON keys:\n" + keys_text(JSON_KEYS) + "\nTimes are ISO 8601 UTC (null = never or unknown).\n"
        "exit codes: 0 valid, 2 invalid or expired, 3 usage or setup error.",
    )
    source = parser.add_mutually_exclusive_group()
    add_profile(source, "inspect this stored profile")
    source.add_argument(
        "--token-env",
        type=env_name_arg,
        metavar="VAR",
        help="inspect the token held in environment variable VAR (e.g. META_ACCESS_TOKEN)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (stable keys, see below)")


def payload_of(
    info: TokenInfo,
    token: AccessToken,
    *,
    profile: str | None,
    source: str,
    perms: list[Permission] | None,
    now: datetime | None,
) -> dict[str, Any]:
    """The ``--json`` object."""
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
        "issued_at": to_iso(info.issued_at),
        "expires_at": to_iso(info.expires_at),
        "never_expires": info.never_expires,
        "expiry_known": info.expiry_known,
        "data_access_expires_at": to_iso(info.data_access_expires_at),
        "scopes": list(info.scopes),
        "granular_scopes": [{"scope": g.scope, "target_ids": list(g.target_ids)} for g in info.granular_scopes],
        "permissions": None if perms is None else [{"permission": p.name, "status": p.status} for p in perms],
        "checked_at": to_iso(now or utcnow()),
    }


def run(args: argparse.Namespace, context: CommandContext) -> int:
    from ..auth.profiles import inspect_token_of
    from ..auth.verdict import EXPIRY_UNKNOWN_REASON, expiry_unknown_advice

    settings = context.settings
    store = stored = None
    if args.token_env:
        raw = env_value(args.token_env)
        if not raw:
            raise CommandError(f"The environment variable {args.token_env} is not set or is empty.")
        token = AccessToken(raw, source="env")
        profile, source = None, f"env:{args.token_env}"
    else:
        store = context.store()
        stored = store.load(args.profile)
        token, profile, source = stored.token, stored.name, f"profile:{stored.backend}"
    now = reference_now(settings)
    found = inspect_token_of(token, stored=stored, store=store, now=now, **context.options)
    info = found.facts.info
    for said in found.notes:
        note(f"meta-auth: note: {said}.")
    if info.is_valid and not info.expiry_known:
        note(f"meta-auth: note: {EXPIRY_UNKNOWN_REASON}. {expiry_unknown_advice(settings.place, profile)}")
    payload = payload_of(info, token, profile=profile, source=source, perms=found.permissions, now=now)
    if args.json:
        dump(payload)
    else:
        _print(payload, info, now or found.facts.server_time)
    return EXIT_OK if info.is_valid else EXIT_INVALID


def _print(payload: dict[str, Any], info: TokenInfo, now: datetime | None) -> None:
    def perms_of(status: str) -> str:
        names = [p["permission"] for p in payload["permissions"] or () if p["status"] == status]
        return ", ".join(names) or "-"

    rows: list[tuple[str, str]] = [
        ("profile", payload["profile"] or "-"),
        ("source", payload["source"]),
        ("token", payload["token"]),
        ("valid", "yes" if info.is_valid else f"no: {info.invalid_reason}"),
        ("type", type_words(info)),
        ("app", f"{info.application or '-'} ({info.app_id or '?'})"),
        ("user id", info.user_id or "-"),
        ("issued", f"{describe_delta(info.issued_at - (now or utcnow()))} ({moment_words(info.issued_at)})"
         if info.issued_at else "-"),
        ("expires", expiry_of(info, now=now).cell),
        ("data access expires", data_access_expiry_of(info, now).cell),
        ("scopes", ", ".join(info.scopes) or "-"),
    ]  # fmt: skip
    for granular in info.granular_scopes:
        rows.append((f"  {granular.scope}", ", ".join(granular.target_ids) or "all"))
    if payload["permissions"] is not None:
        rows += [("granted", perms_of("granted")), ("declined", perms_of("declined")), ("expired", perms_of("expired"))]
    out(format_table(("FIELD", "VALUE"), rows))


COMMAND: Command = ("show what Graph says about a token: app, type, expiry, scopes, permissions", add_arguments, run)
