"""``meta-auth extend``: a short-lived token becomes a 60-day one; a 60-day system user token is refreshed."""

from __future__ import annotations

import argparse

from .._base.errors import CommandError, OAuthError
from .._base.timefmt import describe_moment, to_iso
from .common import EXIT_INVALID, EXIT_OK, Command, CommandContext, add_profile, describe, dump, out, reference_now

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
    from ..auth.app_secret import profile_app
    from ..auth.health import extend_profile

    store = context.open_store()
    stored = store.load(args.profile)
    app_id, secret = profile_app(stored)
    if not (app_id and secret):
        raise CommandError(
            f"Extending profile {stored.name!r} needs its app's secret, and none is stored with it: set "
            f"META_APP_ID={app_id or '<the app id>'} and META_APP_SECRET (App settings > Basic), or "
            f"save it again with `meta-auth login --profile {stored.name} --save-app-secret`."
        )
    now = reference_now(context.settings)
    before_expiry = stored.info.expires_at if stored.info and stored.info.is_valid else stored.token.expires_at
    try:
        before, after = extend_profile(store, stored.name, **context.graph_options)
    except OAuthError as exc:
        raise CommandError(str(exc), EXIT_INVALID) from None
    fresh = store.load(stored.name)
    after_expiry = fresh.info.expires_at if fresh.info else after.expires_at
    if args.json:
        dump(
            {
                "profile": stored.name,
                "before": {"token": before.masked, "expires_at": to_iso(before_expiry)},
                "after": {"token": after.masked, "expires_at": to_iso(after_expiry)},
            }
        )
    else:
        out(
            f"Extended profile {stored.name}: {before.masked} (expires {describe_moment(before_expiry, now)}) -> "
            f"{after.masked} (expires {describe_moment(after_expiry, now)})"
        )
    return EXIT_OK


COMMAND: Command = (
    "turn a short-lived token into a 60-day one, or refresh a 60-day system user token",
    add_arguments,
    run,
)
