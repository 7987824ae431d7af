"""``meta-auth extend``: a short-lived token becomes a 60-day one; a 60-day system user token is refreshed."""

from __future__ import annotations

import argparse

from .._base.errors import CommandError
from .._base.login_errors import OAuthError
from .._base.timefmt import to_iso
from .._base.words import expiry_of
from .common import (
    EXIT_INVALID,
    EXIT_OK,
    Command,
    CommandContext,
    add_profile,
    describe,
    dump,
    out,
    reference_now,
)

__all__ = ["COMMAND", "JSON_KEYS"]

JSON_KEYS = ("profile", "before", "after")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    describe(
        parser,
        "Extend a stored token: a short-lived user token becomes a long-lived one (about 60 days; "
        "grant_type=fb_exchange_token), and a 60-day system user token is refreshed for another 60 days. "
        "Needs the app secret: stored with the profile, or META_APP_SECRET for the same META_APP_ID "
        "(used, not stored). Shows before -> after; the new token replaces the old one in the profile.",
        "JSON keys: profile, before {token, expires_at}, after {token, expires_at}.\n"
        "exit codes: 0 extended; 2 the token cannot be extended (expired, invalid,\n"
        "wrong secret); 3 usage or setup error (no such profile, no app secret).",
    )
    add_profile(parser, "extend this stored profile")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace, context: CommandContext) -> int:
    from ..auth.profiles import extend_stored

    store = context.store()
    name = args.profile or store.default_profile
    try:
        after = extend_stored(store, name, **context.options)
    except OAuthError as exc:  # no secret at hand is a ConfigError: exit 3, by main()
        raise CommandError(str(exc), EXIT_INVALID) from None
    assert after.before is not None
    before = after.before.token
    now = reference_now(context.settings) or after.report.checked_at
    before_expiry = expiry_of(after.before.info, before, now)
    after_expiry = expiry_of(after.info, after.token, now)
    if args.json:
        dump(
            {
                "profile": name,
                "before": {"token": before.masked, "expires_at": to_iso(before_expiry.when)},
                "after": {"token": after.token.masked, "expires_at": to_iso(after_expiry.when)},
            }
        )
    else:
        out(
            f"Extended profile {name}: {before.masked} ({before_expiry.sentence}) -> "
            f"{after.token.masked} ({after_expiry.sentence})"
        )
    return EXIT_OK


COMMAND: Command = (
    "turn a short-lived token into a 60-day one, or refresh a 60-day system user token",
    add_arguments,
    run,
)
