"""``meta-auth logout``: forget a stored profile, optionally revoking its token at Graph first."""

from __future__ import annotations

import argparse

from .._base.errors import CommandError, GraphConnectionError, GraphError, RateLimited, TransientError
from .common import EXIT_INVALID, EXIT_OK, Command, CommandContext, add_profile, describe, note, out

__all__ = ["COMMAND"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    describe(
        parser,
        "Forget a stored profile: delete its token (and app secret) from the keyring and its facts from the "
        "index. With --revoke the token is first revoked at Graph so it stops working everywhere: through "
        "oauth/revoke when the app secret is known (stored, or META_APP_SECRET of the same app), else by "
        "DELETE /me/permissions, which removes the app for the user and so ends every token that user has "
        "for the app.",
        "exit codes: 0 done; 2 Graph refused the revocation (the profile is kept);\n"
        "3 usage or setup error (no such profile, Graph unreachable; the profile\nis kept).",
    )
    add_profile(parser, "the profile to forget")
    parser.add_argument("--revoke", action="store_true", help="revoke the token at Graph before forgetting it")


def run(args: argparse.Namespace, context: CommandContext) -> int:
    from ..auth.profiles import logout_profile

    store = context.store()
    name = args.profile or store.default_profile
    try:
        result = logout_profile(store, name, revoke=args.revoke, **context.options)
    except (GraphConnectionError, TransientError, RateLimited) as exc:
        raise CommandError(
            f"Could not reach Graph to revoke the token: {exc} Profile {name!r} was kept; "
            "retry, or run logout without --revoke to only forget it."
        ) from None
    except GraphError as exc:
        raise CommandError(
            f"Graph refused to revoke the token: {exc} Profile {name!r} was kept; "
            "run logout without --revoke to only forget it.",
            EXIT_INVALID,
        ) from None
    if result.remains and not result.done:
        raise CommandError(result.remains[0].upper() + result.remains[1:] + ".")
    out(f"Logged out of {name}: {'; '.join(result.done)}.")
    if result.remains:
        note(f"meta-auth: note: {result.remains}.")
    return EXIT_OK


COMMAND: Command = ("forget a stored profile, optionally revoking its token at Graph first", add_arguments, run)
