"""``meta-auth login``: get a token (paste one, or log in with Facebook) and save it under a profile."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from .._base.errors import CommandError, GraphError, ProfileNotFound
from .._base.login_errors import CatcherTimeout, LoginBlocked, RedirectPortBusy
from .._base.settings import (
    DEFAULT_SCOPES,
    ENV_APP_ID,
    LOOPBACK_REDIRECT_URI,
    REDIRECT_PORT,
    REDIRECT_TIMEOUT_S,
    check_config_id,
    check_registered_redirect,
)
from .._base.tokens import AccessToken
from .._base.words import expiry_of, kept_words
from .common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    Command,
    CommandContext,
    add_profile,
    app_id_arg,
    describe,
    note,
    out,
    port_arg,
    scopes_arg,
    seconds_arg,
)

if TYPE_CHECKING:
    from ..auth.app_choice import AppChoice
    from ..auth.new_token import NewToken

__all__ = ["COMMAND"]

DEFAULT_SCOPES_TEXT = ",".join(DEFAULT_SCOPES)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    describe(
        parser,
        "Get a token and save it under a profile in the system keyring. By default, paste a token (from "
        "the Graph API Explorer, or a system user token): it is read without echo, or from stdin when "
        "stdin is not a terminal. It is inspected, extended to a 60-day token when it is short-lived and the "
        "app secret is known (--extend), and saved. With --oauth, log in with Facebook instead (META_APP_ID and "
        "META_APP_SECRET needed): the login URL is printed (and opened in a browser), and the redirect comes "
        f"back one of three ways. Here (a local machine) it is caught on {LOOPBACK_REDIRECT_URI}; over SSH, on "
        "JupyterHub and with --paste you paste the address the browser ends on (that localhost address works for "
        "apps in development mode without registering it). A live app needs a registered HTTPS redirect "
        "(--redirect-uri, META_AUTH_REDIRECT_URI): the browser lands there and you paste the address. Business apps "
        "using Facebook Login for Business pass --config-id (or META_AUTH_CONFIG_ID): the configuration decides "
        "the permissions. The configuration id and the registered redirect are remembered with the profile. "
        "The app secret is stored only with --save-app-secret.",
        "examples:\n"
        "  meta-auth login --profile work                      # paste a token (no echo)\n"
        "  printf '%s' \"$TOKEN\" | meta-auth login --profile ci --token-stdin --extend\n"
        "  meta-auth login --profile work --oauth --scopes ads_read,ads_management\n"
        "  meta-auth login --profile colab --oauth --paste      # no local browser redirect\n"
        "  meta-auth login --profile live --oauth --redirect-uri https://example.com/meta-login\n"
        "  meta-auth login --profile biz --oauth --config-id 1234567890123456\n\n"
        "which redirect to register:\n"
        f"  app in development mode, any machine   nothing ({LOOPBACK_REDIRECT_URI} is accepted)\n"
        "  live app                                an HTTPS page of yours, or Meta's\n"
        "                                          https://www.facebook.com/connect/login_success.html\n\n"
        "exit codes: 0 saved; 2 the token is invalid or the login failed (denied,\n"
        "state mismatch, timeout, a wrong address pasted); 3 usage or setup error (no\n"
        "keyring, no META_APP_ID/META_APP_SECRET, the redirect port held by another\n"
        "program).",
    )
    add_profile(parser, "save under this profile")
    parser.add_argument(
        "--token-stdin", action="store_true", help="read the token from stdin (one line) instead of a prompt"
    )
    parser.add_argument(
        "--extend",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="extend a short-lived token to a 60-day one (needs the app secret); "
        "default: ask in a terminal, extend after --oauth",
    )
    parser.add_argument(
        "--save-app-secret",
        action="store_true",
        help="also store META_APP_SECRET in the keyring (so `extend` and `check --auto-extend` work later)",
    )
    parser.add_argument(
        "--require-scopes",
        type=scopes_arg,
        default=None,
        metavar="a,b",
        help="record permissions the work needs; `check` then fails when one is missing",
    )
    parser.add_argument(
        "--app-id", type=app_id_arg, default=None, metavar="ID", help="the app id (default META_APP_ID)"
    )
    oauth = parser.add_argument_group("log in with Facebook (OAuth code flow)")
    oauth.add_argument("--oauth", action="store_true", help="run the login dialog instead of pasting a token")
    oauth.add_argument(
        "--scopes",
        type=scopes_arg,
        default=None,
        metavar="a,b",
        help=f"permissions to ask for (default {DEFAULT_SCOPES_TEXT}); ask for the fewest that work",
    )
    oauth.add_argument(
        "--auth-type",
        choices=("rerequest", "reauthenticate", "reauthorize"),
        default=None,
        help="rerequest asks again for permissions declined before",
    )
    oauth.add_argument(
        "--config-id",
        type=config_arg,
        default=None,
        metavar="ID",
        help="a Facebook Login for Business configuration id (default: the profile's, else META_AUTH_CONFIG_ID); "
        "the configuration decides the permissions",
    )
    oauth.add_argument(
        "--redirect-uri",
        type=redirect_arg,
        default=None,
        metavar="URL",
        help="a redirect registered in the app, e.g. an HTTPS page of yours (default: the profile's, else "
        f"META_AUTH_REDIRECT_URI); live apps need one. {LOOPBACK_REDIRECT_URI} goes back to the localhost redirect",
    )
    oauth.add_argument(
        "--port",
        type=port_arg,
        default=REDIRECT_PORT,
        help=f"local port of the localhost redirect (default {REDIRECT_PORT}; 0 = any free one)",
    )
    oauth.add_argument(
        "--paste",
        action="store_true",
        help="do not listen: paste the whole address the browser ends on (found by itself over SSH, on JupyterHub; "
        "META_AUTH_REDIRECT=catch|paste decides too)",
    )
    oauth.add_argument("--no-browser", action="store_true", help="only print the login URL; do not open a browser")
    oauth.add_argument(
        "--timeout",
        type=seconds_arg,
        default=REDIRECT_TIMEOUT_S,
        metavar="S",
        help=f"give up after S seconds without the login page opened, or without the login coming back once it is "
        f"(default {REDIRECT_TIMEOUT_S:g}); a page that shows an error never comes back",
    )


def config_arg(text: str) -> str:
    """A Login for Business configuration id."""
    try:
        return check_config_id(text, setting="--config-id")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def redirect_arg(text: str) -> str:
    """A registered redirect URI."""
    try:
        return check_registered_redirect(text, setting="--redirect-uri")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _read_line(prompt: str) -> str:
    if prompt:
        print(prompt, file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    return line.strip()


def _read_token(args: argparse.Namespace) -> str:
    if args.token_stdin or not _interactive():
        text = sys.stdin.readline().strip()
    else:
        import getpass

        print(
            "Paste an access token: make one in the Graph API Explorer "
            "(https://developers.facebook.com/tools/explorer/): pick your app, add the permissions "
            "(e.g. ads_read), press Generate Access Token and copy it.",
            file=sys.stderr,
            flush=True,
        )
        text = getpass.getpass("Access token (not shown): ").strip()
    if not text:
        raise CommandError("No token was given; nothing was saved.")
    return text


def _ask_yes(question: str) -> bool:
    if not _interactive():
        return False
    print(f"{question} [Y/n] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    return answer in ("", "y", "yes")


def _require_keyring(store: Any) -> None:
    if store.persistent:
        return
    raise CommandError(
        "No usable system keyring here, so a token saved by this command would be gone as soon as it exits; "
        "nothing was asked or saved. Install and unlock one (e.g. gnome-keyring or KWallet on Linux; macOS and "
        "Windows have one), or choose a backend with PYTHON_KEYRING_BACKEND / keyringrc.cfg. "
        "Scripts can instead pass the token in META_ACCESS_TOKEN."
    )


def _check_flags(args: argparse.Namespace, app: AppChoice) -> None:
    """Flags that cannot work together, or without the app's secret: said before anything is asked."""
    needs = "the app's id and secret: set META_APP_ID and META_APP_SECRET (App settings > Basic)"
    if not app.usable and app.app_id and app.source != ENV_APP_ID:
        needs += f" (the app is {app.app_id}, from {app.source}; META_APP_SECRET is used only for META_APP_ID's app)"
    if args.save_app_secret and not app.usable:
        raise CommandError(f"--save-app-secret needs {needs}.")
    if args.extend and not app.usable:
        raise CommandError(f"--extend needs {needs}.")
    if args.oauth and not app.usable:
        raise CommandError(f"login --oauth needs {needs}; or paste a token instead (meta-auth login).")
    if not args.oauth and (
        args.paste or args.scopes or args.auth_type or args.config_id or args.no_browser or args.redirect_uri
    ):
        raise CommandError(
            "--paste, --scopes, --auth-type, --config-id, --redirect-uri and --no-browser go with --oauth."
        )


def run(args: argparse.Namespace, context: CommandContext) -> int:
    from ..auth.app_choice import app_for
    from ..auth.new_token import login_setup, receive_token, save_token

    settings = context.settings
    store = context.store()
    name = args.profile or store.default_profile
    try:
        previous = store.load(name)
    except ProfileNotFound:
        previous = None
    app = app_for(settings, given=args.app_id, stored=previous)
    _check_flags(args, app)
    _require_keyring(store)
    config_id, redirect = login_setup(
        settings, config_id=args.config_id, redirect_uri=args.redirect_uri, previous=previous
    )
    asked: tuple[str, ...] = ()
    if args.oauth:
        asked = () if config_id else (args.scopes or DEFAULT_SCOPES)
        token = _oauth_token(args, context, app, config_id=config_id, registered=redirect, scopes=asked, profile=name)
    else:
        token = AccessToken(_read_token(args), source="pasted")
    new = receive_token(
        token,
        settings=settings,
        app=app,
        profile=name,
        config_id=config_id if args.oauth else None,
        asked=asked,
        **context.graph_options,
    )
    for said in new.notes:
        note(f"meta-auth: note: {said}.")
    if not new.info.is_valid:
        raise CommandError(
            f"The token is not valid: {new.info.invalid_reason}. Nothing was saved; get a new one (the Graph "
            f"API Explorer, or {settings.place.command('login', name, '--oauth')}).",
            EXIT_INVALID,
        )
    if (args.save_app_secret or args.extend) and not new.app.usable:
        raise CommandError("META_APP_SECRET does not work for this token's app; nothing was saved.")
    # A login's token is extended unless --no-extend; a pasted one when --extend says, else after asking.
    new = _maybe_extend(new, args.extend, name, context, unasked=True if args.oauth else None)
    saved = save_token(
        store,
        name,
        new,
        keep_secret=True if args.save_app_secret else None,
        required_scopes=args.require_scopes,
        config_id=config_id,
        redirect_uri=redirect,
        previous=previous,
        settings=settings,
    )
    out(f"Saved profile {name} ({kept_words(saved.stored.backend)}): {saved.report.summary()}")
    if saved.report.severity:
        note(f"meta-auth: note: {saved.report.reason}. {saved.report.advice}")
    return EXIT_OK


def _maybe_extend(
    new: NewToken, flag: bool | None, name: str, context: CommandContext, unasked: bool | None
) -> NewToken:
    """Extend ``new`` when that helps and the person wants it: ``flag`` (--extend/--no-extend), else
    ``unasked``, else asked in a terminal."""
    from ..auth.new_token import extend_new_token

    offer, place = new.offer, context.settings.place
    want = flag if flag is not None else unasked
    if not offer.offered:
        if offer.later:
            note(f"meta-auth: note: {offer.why}; {place.extend(name)} extends it before it ends.")
        elif flag:
            note(f"meta-auth: note: not extended: {offer.why}.")
        return new
    if not new.app.usable:
        note(
            f"meta-auth: note: {offer.why}. To extend it, set META_APP_ID and META_APP_SECRET of its app, then "
            f"run {place.extend(name)}."
        )
        return new
    if want is None:
        want = _ask_yes(f"About this token: {offer.why}. {offer.action}?")
    if not want:
        note(f"meta-auth: note: {offer.why}; {place.extend(name)} does it later.")
        return new
    try:
        after = extend_new_token(new, **context.options)
    except GraphError as exc:
        raise CommandError(f"Could not extend the token: {exc} Nothing was saved.", EXIT_INVALID) from None
    expiry = expiry_of(after.info, now=after.report.checked_at).sentence
    note(f"meta-auth: extended {new.token.masked} -> {after.token.masked} ({expiry}).")
    return after


def _oauth_token(
    args: argparse.Namespace,
    context: CommandContext,
    app: AppChoice,
    *,
    config_id: str | None,
    registered: str | None,
    scopes: tuple[str, ...],
    profile: str | None = None,
) -> AccessToken:
    """Run the login dialog; the redirect is caught here or pasted back (see :mod:`meta_auth_nb.auth.redirects`).

    Before the dialog opens, what Graph tells the app about itself is checked
    (:func:`~meta_auth_nb.auth.login_check.check_login`); while it waits, the
    error pages the login may end on are named with their fixes, since nothing
    comes back from them.
    """
    from ..auth.catcher import new_state
    from ..auth.dialog_pages import dialog_pages
    from ..auth.location import redirect_location
    from ..auth.login_check import check_login
    from ..auth.oauth import CONFIG_REREQUEST_ADVICE, exchange_code, login_url, parse_redirect
    from ..auth.redirects import guard_loopback_paste, open_catcher, plan_redirect, registered_redirect

    if config_id and args.auth_type == "rerequest":
        raise CommandError(CONFIG_REREQUEST_ADVICE, EXIT_USAGE)
    assert app.app_id is not None and app.secret is not None  # checked before: --oauth needs both
    app_id, secret = app.app_id, app.secret
    settings = context.settings
    place = settings.place
    location = redirect_location("remote" if args.paste else None, flag="--paste", settings=settings)
    plan = plan_redirect(location, registered_redirect(registered), port=args.port, settings=settings)
    try:
        facts = check_login(app_id, secret, config_id=config_id, **context.options)
    except LoginBlocked as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    pages = dialog_pages(plan, config_id=config_id, place=place, roles=facts.roles)
    note(f"meta-auth: {plan.why} {plan.register}")
    state = new_state()
    options = {"state": state, "auth_type": args.auth_type, "config_id": config_id, "settings": settings}
    try:
        if plan.catches:
            # In a terminal the browser opens at once: the link and the login share the one limit.
            catcher = open_catcher(plan, state, timeout=args.timeout, idle_timeout=args.timeout, place=place)
        else:
            guard_loopback_paste(plan, place=place)
    except RedirectPortBusy as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    if plan.catches:
        with catcher:
            request = login_url(app_id, catcher.redirect_uri, scopes, **options)
            catcher.send_to(request.url)
            _show_login_url(context, catcher.login_address, args.no_browser)
            note(
                f"meta-auth: waiting for the login to come back to {catcher.redirect_uri} (up to {args.timeout:.0f} s "
                "once the login page is open; Ctrl-C stops)..."
            )
            _note_pages(pages)
            try:
                url = catcher.wait()
            except CatcherTimeout as exc:
                said = f"{exc.message}."
                if exc.opened:  # it may have ended on an error page, which never comes back
                    said += " If the login page showed an error: " + " ".join(page.sentence for page in pages)
                again = place.command("login", profile, "--oauth")
                raise CommandError(f"{said} Then run {again} again.", EXIT_INVALID) from None
    else:
        request = login_url(app_id, plan.redirect_uri, scopes, **options)
        _show_login_url(context, request.url, args.no_browser)
        _note_pages(pages)
        lands = "a page that may not load" if plan.mode != "registered" else "your registered page"
        url = _read_line(
            f"After you press Continue/Allow, the browser goes to {lands} ({plan.redirect_uri}...). "
            "Copy the whole address from the address bar and paste it here, then press Enter:"
        )
    # StateMismatch / LoginDenied / NotARedirect: exit 2 with a sentence saying what to do.
    code = parse_redirect(url, request.state, redirect_uri=request.redirect_uri)
    return exchange_code(code, app_id=app_id, app_secret=secret, redirect_uri=request.redirect_uri, **context.options)


def _note_pages(pages: Any) -> None:
    """The error pages the login may end on, each with its fix (nothing comes back from them)."""
    note("meta-auth: if the login page shows one of these errors instead, nothing can come back here:")
    for page in pages:
        note(f"  - \u201c{page.says}\u201d: {page.fix}")


def _show_login_url(context: CommandContext, url: str, no_browser: bool) -> None:
    out("Open this address in a browser, log in and press Continue/Allow:")
    out("")
    out(f"  {url}")
    out("")
    if not no_browser and not context.open_browser(url):
        note("meta-auth: no browser could be opened here; open the address above yourself.")


COMMAND: Command = (
    "get a token (paste one, or log in with Facebook) and save it under a profile",
    add_arguments,
    run,
)
