"""IPython magics: ``%meta_login``, ``%meta_tokens``, ``%meta_scopes``, ``%meta_logout``.

``%meta_usage`` (rate-limit usage as bars) lives in :mod:`.usage_view`, registered with these.

Notebook layer. ``%load_ext meta_auth_nb`` only registers :class:`MetaAuthMagics`:
pandas, ipywidgets and httpx are imported when a magic first runs. Bad
arguments raise :class:`~IPython.core.error.UsageError` (shown as one line,
no traceback). Settings are traitlets, e.g. in ``ipython_config.py``::

    c.MetaAuthMagics.warn_days = 14
    c.MetaAuthMagics.default_scopes = "ads_read,read_insights"

or in a cell: ``%config MetaAuthMagics.session_name = "fb"``.

Frames: ``%meta_tokens`` and ``%meta_scopes`` return a
:class:`~meta_auth_nb.notebook.frame_view.StatusFrame`, a DataFrame whose notebook view
colours the status cells; ``df = %meta_tokens`` keeps it, and every
operation on it gives a plain DataFrame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from traitlets import Bool, Float, Int, Unicode

from .._base.settings import DEFAULT_WARN_DAYS, REDIRECT_PORT, REDIRECT_TIMEOUT_S
from .kernel_sandbox import KERNEL, SANDBOX_PROFILE

if TYPE_CHECKING:
    from .._base.settings import Settings
    from ..store import TokenStore
    from .panel.controller import LoginPanel

__all__ = ["MetaAuthMagics", "load_ipython_extension", "unload_ipython_extension"]


def _usage(error: BaseException | str) -> UsageError:
    from .._base.redact import redact

    return UsageError(redact(str(error)))


@magics_class
class MetaAuthMagics(Magics):
    """Magics that get, check, list and remove Meta Marketing API tokens."""

    warn_days = Float(DEFAULT_WARN_DAYS, help="Warn this many days before a token (or its data access) expires.").tag(
        config=True
    )
    default_scopes = Unicode("ads_read", help="Permissions ticked at the start (comma-separated).").tag(config=True)
    session_name = Unicode("meta", help="Name of the session put into the notebook namespace.").tag(config=True)
    leak_guard = Bool(
        True, help="Mask tokens and app secrets in all cell output once %meta_login runs (mab.leak_guard)."
    ).tag(config=True)
    redirect_port = Int(
        REDIRECT_PORT,
        help="Port of the localhost redirect, http://localhost:PORT/callback: caught on a local kernel, pasted back "
        "from a remote one (apps in development mode accept it without registering it).",
    ).tag(config=True)
    redirect_timeout = Float(
        REDIRECT_TIMEOUT_S,
        help="Seconds the local redirect catcher waits for the login once its page is open (a login that ends on "
        "one of Meta's error pages never comes back, so the panel says so after this long).",
    ).tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self._store: TokenStore | None = None
        #: The last panel opened by %meta_login (None when the fast path ran).
        self.panel: LoginPanel | None = None

    @property
    def ip(self) -> Any:
        """The shell the magics run in (given when they are registered; every magic runs inside one)."""
        assert self.shell is not None
        return self.shell

    # --- where every magic starts -------------------------------------------------------
    def settings(self) -> Settings:
        """The settings a magic starts from, read once as it runs: the kernel sandbox's while it runs."""
        from .._base.commands import NOTEBOOK
        from .._base.settings import current_settings

        try:
            base = KERNEL.settings if KERNEL.running else current_settings()
        except ValueError as error:  # a META_* variable that cannot be used
            raise _usage(error) from None
        return base.at(NOTEBOOK)

    # --- the store seam -------------------------------------------------------------
    @property
    def store(self) -> TokenStore:
        """The :class:`~meta_auth_nb.store.TokenStore` the magics use: the sandbox's while it runs.

        Settable (tests, a custom config folder); the kernel's sandbox always
        uses its own store, in this kernel's memory.
        """
        if KERNEL.running:
            return KERNEL.store
        if self._store is None:
            from ..store import TokenStore

            self._store = TokenStore(place=self.settings().place)
        return self._store

    @store.setter
    def store(self, value: TokenStore | None) -> None:
        self._store = value

    def _profile(self, given: str | None) -> str:
        from ..store import validate_profile

        if given:
            try:
                return validate_profile(given)
            except ValueError as error:
                raise _usage(error) from None
        if KERNEL.running:
            return SANDBOX_PROFILE
        try:
            return self.store.default_profile
        except ValueError as error:
            raise _usage(error) from None

    # --- %meta_login ------------------------------------------------------------------
    @magic_arguments()
    @argument("--profile", "-p", metavar="P", help="store profile (default: META_AUTH_PROFILE or 'default')")
    @argument("--app-id", metavar="ID", help="your Meta app's id (default: META_APP_ID)")
    @argument("--scopes", "-s", metavar="a,b", help="permissions to ask for (default: ads_read)")
    @argument("--as", dest="as_name", metavar="NAME", help="name of the injected session (default: meta)")
    @argument(
        "--sandbox",
        action="store_true",
        help="use the built-in Graph API sandbox (no Meta app needed); it stays on in this kernel until "
        "--no-sandbox, and its tokens are kept in this kernel's memory only",
    )
    @argument(
        "--no-sandbox",
        action="store_true",
        help="leave the sandbox: stop it (its tokens and sessions end) and log in to Meta",
    )
    @argument(
        "--config-id",
        metavar="ID",
        help="Facebook Login for Business configuration (business apps; default: the profile's, else "
        "META_AUTH_CONFIG_ID): the configuration decides the permissions",
    )
    @argument(
        "--redirect-uri",
        metavar="URL",
        help="a redirect registered in your app, e.g. an HTTPS page (live apps need one; default: the profile's, "
        "else META_AUTH_REDIRECT_URI): the browser lands there and you paste the address back",
    )
    @argument(
        "--port",
        type=int,
        metavar="N",
        help="the localhost redirect's port, http://localhost:N/callback (default 8765, or "
        "MetaAuthMagics.redirect_port): another one when a program holds 8765",
    )
    @argument("--remote", action="store_true", help="the kernel is remote: paste the redirected URL back")
    @argument("--local", action="store_true", help="the kernel is local: catch the redirect on localhost")
    @argument("--no-guard", action="store_true", help="do not install the output leak guard")
    @argument(
        "--scenario",
        metavar="NAME",
        help="with --sandbox: a workshop scenario (declined-ads-read, expiring-token, insights-at-scale, "
        "password-changed, rate-limited) or none; switching starts a fresh sandbox",
    )
    @argument(
        "--autopilot",
        nargs="?",
        const="on",
        metavar="USER",
        help="with --sandbox: the panel clicks through the login by itself as sandbox USER (default alice), "
        "for workshops and CI; META_AUTH_SANDBOX_AUTOPILOT=USER does the same, --autopilot=off stops it",
    )
    @line_magic
    def meta_login(self, line: str = "") -> None:
        """Get a checked Marketing API token and put a session in the notebook.

        With a healthy stored token: one status line, and the session is in
        ``meta`` (or ``--as NAME``). Otherwise a panel guides you: choose
        permissions, get a token (Graph API Explorer, Log in with Facebook,
        or a system user token), inspect it, extend it to 60 days, save it
        to the OS keyring, use it. An expired or expiring token opens the
        panel at the step that fixes it. A token whose owner has no role on
        the app is used with its expiry unknown, and the line says how to see it.

        Log in with Facebook: one click on the panel's link opens the login
        page; the redirect comes back to ``http://localhost:8765/callback``
        (``--port N`` for another port, e.g. when a program holds 8765),
        caught on a local kernel and pasted back from a remote one (apps in
        development mode accept it unregistered); a live app needs a registered HTTPS redirect
        (``--redirect-uri``, or Meta's login_success.html registered in the
        app). Business apps using Facebook Login for Business give
        ``--config-id``. Both are remembered with the profile.

        The sandbox: ``--sandbox`` starts a Graph API emulator in this kernel
        (no Meta app needed) and every magic works with it until you leave
        it: a plain ``%meta_login`` is then refused with both ways on,
        ``--sandbox`` to stay and ``--no-sandbox`` to stop it and log in to
        Meta. Sandbox tokens are saved in this kernel's memory only, never in
        the keyring: the sandbox restarts with the kernel and its tokens end
        with it, so after a restart you log in again (about 10 s).

        Workshop and CI aids, sandbox only: ``--scenario NAME`` restarts the
        sandbox with a twist (``expiring-token``: tokens that live 5 minutes;
        ``declined-ads-read``; ``password-changed``; ``rate-limited``;
        ``insights-at-scale``: 12 ad accounts, slow answers and small pages);
        ``--autopilot[=USER]`` (or
        ``META_AUTH_SANDBOX_AUTOPILOT=USER``) makes the panel play the
        attendee: it logs in as USER through the same steps and buttons,
        and the cell ends with ``meta`` ready, so notebooks run top to
        bottom headless (nbclient, ``meta-auth demo --execute``).
        """
        args = parse_argstring(self.meta_login, line)
        from .login_args import read_login_args
        from .login_flow import leave_sandbox, run_login

        checked = read_login_args(
            args, session_name=self.session_name, sandbox_running=KERNEL.running, settings=self.settings(), line=line
        )
        pilot = checked.autopilot
        if checked.leave_sandbox:
            leave_sandbox(self)
        if args.sandbox:
            KERNEL.start(checked.scenario)
        box = KERNEL.box
        if pilot is not None and box is not None and pilot not in box.users:
            raise UsageError(f"The autopilot logs in as a sandbox user: {', '.join(box.users)}; not {pilot!r}.")
        if self.leak_guard and not args.no_guard:
            from . import leak_guard

            leak_guard.install(self.shell)
        run_login(self, self._profile(args.profile), checked, self.settings())

    # --- %meta_tokens / %meta_scopes ------------------------------------------------------
    @magic_arguments()
    @argument(
        "--all",
        action="store_true",
        help="every column, typed (the same as mab.tokens_frame()), instead of the summary a person reads",
    )
    @line_magic
    def meta_tokens(self, line: str = "") -> Any:
        """One row per stored profile (facts from its last check; no network call).

        Shows profile, masked token, type, status, expiry in words, the
        permissions by name and where the token is kept; ``--all`` gives
        every column, typed (UTC datetimes, timedeltas, booleans), as
        ``mab.tokens_frame()`` does for code. Returns a DataFrame (status
        cells coloured in the notebook): ``df = %meta_tokens --all``.
        """
        args = parse_argstring(self.meta_tokens, line)
        from .._base.errors import MetaAuthError
        from ..frames import tokens_frame, tokens_summary
        from .frame_view import status_frame
        from .login_flow import graph_now

        build = tokens_frame if args.all else tokens_summary
        login = self.settings().place.login()
        if KERNEL.running:
            empty = f"No saved profiles in the sandbox yet: {login} gets a token and saves it for this kernel."
            caption = "The sandbox's profiles, kept in this kernel's memory (yours are back after --no-sandbox)"
        else:
            empty = f"No saved profiles yet: {login} gets a token and saves it at its Save step."
            caption = None
        try:
            return status_frame(build(self.store, now=graph_now()), empty_text=empty, caption=caption)
        except MetaAuthError as error:
            raise _usage(error) from None

    @magic_arguments()
    @argument("--profile", "-p", metavar="P", help="store profile (default: META_AUTH_PROFILE or 'default')")
    @line_magic
    def meta_scopes(self, line: str = "") -> Any:
        """One row per permission and granular target of a stored profile's token.

        Asks Graph (debug_token, /me/permissions). Returns a DataFrame:
        ``df = %meta_scopes --profile client-a``.
        """
        args = parse_argstring(self.meta_scopes, line)
        profile = self._profile(args.profile)
        from .._base.errors import MetaAuthError
        from ..frames import scopes_frame
        from .frame_view import status_frame

        try:
            return status_frame(scopes_frame(profile, store=self.store, settings=self.settings()))
        except MetaAuthError as error:
            raise _usage(error) from None

    # --- %meta_logout --------------------------------------------------------------------------
    @magic_arguments()
    @argument("--profile", "-p", metavar="P", help="store profile (default: META_AUTH_PROFILE or 'default')")
    @argument(
        "--revoke",
        action="store_true",
        help="revoke the token at Meta first (with the app secret; without it, remove the app for the user)",
    )
    @line_magic
    def meta_logout(self, line: str = "") -> None:
        """Delete a stored profile and remove its session; ``--revoke`` first revokes the token at Meta.

        Revoking uses ``oauth/revoke`` when the app secret of the token's app
        is at hand; without it, it removes the app for the user (``DELETE
        /me/permissions``), which ends every token of theirs for the app.
        """
        args = parse_argstring(self.meta_logout, line)
        profile = self._profile(args.profile)
        from .._base.errors import GraphError, MetaAuthError
        from ..auth.profiles import logout_profile
        from .session import remove_injected

        try:
            result = logout_profile(self.store, profile, revoke=args.revoke, settings=self.settings())
        except GraphError as error:
            raise _usage(f"{error} Profile {profile!r} was kept; drop --revoke to only delete it.") from None
        except MetaAuthError as error:
            raise _usage(error) from None
        done = list(result.done)
        if result.remains:
            done.append(result.remains)
        removed = remove_injected(self.ip.user_ns, self.ip, profile)
        if removed:
            done.append("removed " + ", ".join(f"`{n}`" for n in removed))
        print(f"{result.token}: " + "; ".join(done or ["nothing to do"]) + ".")


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics (and ``%meta_usage`` with its usage bars); nothing heavy is imported here."""
    from .usage_view import register

    ipython.register_magics(MetaAuthMagics(shell=ipython))
    register(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the magics, turn the leak guard off, stop the kernel sandbox."""
    manager = ipython.magics_manager
    instance = manager.registry.pop("MetaAuthMagics", None)
    if instance is not None:
        for kind, names in instance.magics.items():
            for name in names:
                manager.magics[kind].pop(name, None)
        if instance.panel is not None:
            instance.panel.close()
    import sys

    from .usage_view import unregister

    unregister(ipython)
    guard = sys.modules.get("meta_auth_nb.notebook.leak_guard")
    if guard is not None:
        guard.uninstall()
    KERNEL.stop()
