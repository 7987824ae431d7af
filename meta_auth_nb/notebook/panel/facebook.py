"""The login panel's "Log in with Facebook" tab: one login link at a time, and every way a login ends.

Notebook layer. When the tab shows (and the app's id and secret are known)
the panel checks what Graph lets the app know about itself
(:func:`~meta_auth_nb.auth.login_check.check_login`), starts the catcher when
the redirect comes back here, and shows one link, "Log in with Facebook": a
click opens the login page at once. How the redirect comes back is decided by
:func:`~meta_auth_nb.auth.redirects.plan_redirect` and told under "Advanced",
with the exact address the login uses.

Only one attempt is live: a new link (after "Ask again", a cancel, an error
page, a timeout, another redirect) retires the old one, whose link then gets
a page saying so. The login's end always reaches the panel: a redirect
(Allow, Cancel, an ``error_reason``) is read at once; Meta's error pages,
which never come back, are named while the panel waits, with a button for
each, and the wait ends after ``redirect_timeout`` seconds with what to do.
Either way the ``state`` is checked before the code is exchanged, and the new
token goes through :meth:`~meta_auth_nb.notebook.panel.intake.TokenIntake._adopt`.
"""

from __future__ import annotations

from typing import Any

from ..._base.login_errors import CatcherTimeout, CodeExchangeFailed, LoginDenied, RedirectPortBusy
from ..._base.settings import LOGIN_LINK_IDLE_S, check_app_id
from ...auth.catcher import new_state
from ...auth.dialog_pages import DialogPage, dialog_pages
from ...auth.login_check import check_login
from ...auth.oauth import LoginRequest, exchange_code, login_url, parse_redirect
from ...auth.redirects import (
    RedirectPlan,
    guard_loopback_paste,
    open_catcher,
    plan_redirect,
    registered_redirect,
)
from .. import render as display
from ..kernel_sandbox import KERNEL
from .attempt import Attempt, MissingApp
from .intake import TokenIntake
from .state import FACEBOOK, METHOD, METHODS
from .steps import LOGIN_AGAIN, LOGIN_START, page_button

__all__ = ["FacebookLogin"]

_FACEBOOK_TAB = [name for name, _ in METHODS].index(FACEBOOK)
#: Seconds a login link waits unused before its catcher lets the port go (the panel then offers a new one).
LINK_IDLE_S = LOGIN_LINK_IDLE_S


class FacebookLogin(TokenIntake):
    """Log in with Facebook: the OAuth code flow, the redirect caught on localhost or pasted back."""

    _attempt: Attempt | None = None
    _attempts = 0
    _finishing = False

    def _read_app(self) -> tuple[str, str]:
        """The app id and secret to log in with; every missing or wrong one is said at once.

        Raises
        ------
        ConfigError
            The app id typed is not one (the rule's sentence).
        MissingApp
            What to enter, for all the fields at once.
        """
        typed = self.app_id_field.value.strip()
        if typed:
            self.state.app_id = check_app_id(typed, setting="The app id")
        self._take_typed_secret()
        app = self.state.login_app()
        app_id, secret = app.app_id or "", app.secret
        problems = []
        if not app_id:
            problems.append("the app id")
        if not secret:
            problems.append("the app secret (it turns the login code into a token)")
        if problems:
            self.app_id_field.layout.display = self.app_secret_field.layout.display = ""
            where = "both are" if len(problems) > 1 else "it is"
            raise MissingApp(f"Enter {' and '.join(problems)}: {where} in App settings > Basic of your Meta app.")
        assert secret is not None  # a missing one is among the problems
        return str(app_id), secret

    # --- when a link is made ----------------------------------------------------------------------
    def _enter_method(self) -> None:
        super()._enter_method()
        if self.method_tabs.selected_index == _FACEBOOK_TAB and self._no_live_link():
            self._prepare_login()

    def _on_tab_changed(self, change: dict[str, Any]) -> None:
        if change["new"] == _FACEBOOK_TAB and self.step == METHOD and self._no_live_link():
            self._prepare_login()

    def _no_live_link(self) -> bool:
        """No link shown, and none being made."""
        return self._attempt is None and self._link_ready.is_set()

    def _on_app_typed(self, _: Any = None) -> None:
        """The app id or secret arrived: a link for that app (the secret is read and its field emptied first)."""
        if self.step == METHOD and self.method_tabs.selected_index == _FACEBOOK_TAB:
            self._prepare_login()

    def _redirect_plan(self) -> RedirectPlan:
        """How this login's redirect gets back (port 0: the catcher takes any free one, as the sandbox's does)."""
        registered = registered_redirect(self.state.redirect_uri)
        return plan_redirect(self.location, registered, port=self.redirect_port, settings=self.settings)

    def _on_registered_changed(self, change: dict[str, Any]) -> None:
        value = (change["new"] or "").strip()
        try:
            self.state.redirect_uri = registered_redirect(value) if value else None
        except ValueError as error:
            self.state.redirect_uri = None
            self._fail(error)
            return
        if self.step == METHOD:
            self._prepare_login()

    def _on_use_login_success(self, _: Any = None) -> None:
        self.registered_field.value = self.settings.login_success_url

    def _on_login_start(self, _: Any = None) -> None:
        """The button that makes a fresh link (the last one expired, or could not be made)."""
        self._prepare_login()

    def _prepare_login(self) -> None:
        """Retire the live attempt and make a new link (checks and the catcher run in a thread)."""
        self._drop_login("a newer login link was made in the panel")
        self._attempts += 1
        number = self._attempts
        try:
            app_id, secret = self._read_app()
        except MissingApp as error:  # the fields show; the link comes once they are filled in
            self._no_link()
            self.login_button.layout.display = "none"
            self.login_status.value = display.render("help.html", text=str(error))
            return
        except ValueError as error:  # an app id that cannot be one: said as an error
            self._fail(error)
            self._no_link()
            return
        self.state.login_secret = secret
        self.login_status.value = display.render("help.html", text="Making the login link\u2026")
        self._link_ready.clear()
        self._spawn(lambda: self._make_attempt(number, app_id), "meta-auth-login-link", work=False)

    def _make_attempt(self, number: int, app_id: str) -> None:
        def current() -> bool:  # a newer link (or a closed panel, another step) made this one moot
            return number == self._attempts and not self._closed and self.step == METHOD

        try:
            attempt = self._open_attempt(number, app_id)
        except RedirectPortBusy as error:
            if current():  # said first: the link's waiters wake up when _no_link() is done
                self._clear_address()
                self.say("error", "The localhost redirect cannot be used here.", error.message, error.hint)
                self._no_link()
            return
        except Exception as error:
            if current():
                self._fail(error)
                self._no_link()
            return
        if not current():
            if attempt.catcher is not None:
                attempt.catcher.stop()
            return
        self._attempt, self._catcher = attempt, attempt.catcher
        self._show_attempt(attempt)
        self._link_ready.set()
        if attempt.catcher is not None:
            self._wait_for_redirect(attempt)

    def _open_attempt(self, number: int, app_id: str) -> Attempt:
        """Check the app with Graph, start the catcher (when the redirect comes back here), build the URL.

        Raises
        ------
        LoginBlocked
            The app's settings would stop the dialog (a wrong secret, an unknown configuration).
        RedirectPortBusy
            Another program holds the loopback port (no fallback to pasting the same address).
        """
        secret = self.state.login_secret or ""
        facts = check_login(app_id, secret, config_id=self.state.config_id, settings=self.settings)
        plan = self._redirect_plan()
        state = new_state()
        place = self.settings.place
        catcher = None
        if plan.catches:
            catcher = open_catcher(plan, state, timeout=self.redirect_timeout, idle_timeout=LINK_IDLE_S, place=place)
        else:
            guard_loopback_paste(plan, place=place)
        try:
            redirect_uri = catcher.redirect_uri if catcher is not None else plan.redirect_uri
            request = login_url(
                app_id,
                redirect_uri,
                self.state.scopes,
                state=state,
                auth_type=self.state.auth_type,
                config_id=self.state.config_id,
                settings=self.settings,
            )
        except Exception:
            if catcher is not None:
                catcher.stop()
            raise
        if catcher is not None:
            catcher.send_to(request.url)
        with_role, without_role = self._sandbox_people()
        pages = dialog_pages(
            plan,
            config_id=self.state.config_id,
            place=place,
            roles=facts.roles,
            with_role=with_role,
            without_role=without_role,
        )
        return Attempt(number, request, plan, catcher, pages)

    def _sandbox_people(self) -> tuple[list[str], list[str]]:
        """The kernel sandbox's users with and without a role on its app (named in the fixes); none against Meta."""
        box = KERNEL.box if self.sandbox else None
        if box is None:
            return [], []
        return [n for n in box.users if box.role(n)], [n for n in box.users if not box.role(n)]

    # --- what the panel shows of an attempt --------------------------------------------------------
    def _show_attempt(self, attempt: Attempt) -> None:
        self.state.login = attempt.request
        self.login_link.value = display.render(
            "login_link.html", url=attempt.address, label=LOGIN_START, comes_back=attempt.catcher is not None
        )
        self.login_button.layout.display = "none"
        self._show_plan(attempt.plan, attempt.request.redirect_uri)
        if attempt.catcher is None:  # the address is pasted back: it may show an error page instead
            self.paste_info.value = display.render("paste_prompt.html", lands=attempt.plan.redirect_uri)
            self.paste_row.layout.display = ""
            self._show_pages(attempt, waiting=False)
        else:
            self.paste_info.value = display.render("redirect_fallback.html")
            self.paste_row.layout.display = "none"
            self.login_status.value = ""

    def _show_pages(self, attempt: Attempt, *, waiting: bool) -> None:
        """The error pages this login may end on, with a button for each (nothing comes back from them)."""
        minutes = self.redirect_timeout / 60
        self.login_status.value = display.render(
            "waiting.html",
            waiting=waiting,
            limit=f"{minutes:.0f} minutes" if minutes >= 2 else f"{self.redirect_timeout:.0f} seconds",
            pages=[(page.says, display.rich(page.fix)) for page in attempt.pages],
        )
        buttons = []
        for page in attempt.pages:
            button = page_button(f"It said: {page.says}", page.key)
            button.on_click(lambda _, page=page: self._on_error_page(page))
            buttons.append(button)
        self._set_page_buttons(buttons)

    def _set_page_buttons(self, buttons: list[Any]) -> None:
        """Show ``buttons`` under the waiting words; those of an earlier attempt are closed (no widget lingers)."""
        old, self.page_buttons.children = self.page_buttons.children, tuple(buttons)
        for button in old:
            if button not in buttons:
                button.close()

    def _show_plan(self, plan: RedirectPlan, redirect_uri: str) -> None:
        """Under "Advanced": the redirect's mode, why, what to register, and the exact address with a copy button."""
        register = plan.register
        if self.sandbox:  # the sandbox's own app, not one in Meta's App Dashboard
            register = (
                "The sandbox's app is in development mode and takes this localhost address as is: nothing to register."
                if plan.catches or plan.mode == "paste"
                else "The sandbox's app must list it too (mab.kernel_sandbox().register_redirect_uri), as a live app "
                "lists it in its Valid OAuth Redirect URIs."
            )
        self.redirect_info.value = display.render(
            "redirect_plan.html", label=plan.label, why=plan.why, register=register
        )
        self._shown_uri = redirect_uri
        self.redirect_uri_field.value = redirect_uri
        self.copy_button.value = display.render("copy_button.html", text=redirect_uri)

    def _clear_address(self) -> None:
        """No address to offer (another program holds the port): none is shown, nor copied."""
        self._shown_uri = ""
        self.redirect_uri_field.value = ""
        self.copy_button.value = ""
        self.redirect_info.value = ""

    def _no_link(self) -> None:
        """No live link: the button that makes one shows instead."""
        self.login_link.value = ""
        self.login_status.value = ""
        self._set_page_buttons([])
        self.login_button.layout.display = ""
        self._link_ready.set()

    def _drop_login(self, why: str) -> None:
        """Retire the live attempt: its link leaves the panel, and a login tab still open is told ``why``."""
        attempt, self._attempt = self._attempt, None
        if attempt is not None:
            attempt.end()
        self._stop_catcher(why)
        self.state.login = None
        self.login_link.value = ""
        self.login_status.value = ""
        self._set_page_buttons([])
        self.paste_row.layout.display = "none"
        self._link_ready.set()  # nothing is being made any more (a new link clears it again)

    def _work_pending(self) -> bool:
        attempt = self._attempt
        caught = bool(attempt and attempt.catcher and attempt.catcher.result is not None and not attempt.over)
        return caught or self._finishing

    def wait_for_login_link(self, timeout: float = 15.0) -> LoginRequest | None:
        """Wait until the login link is made (or could not be); its request, or None (the message says why)."""
        self._link_ready.wait(timeout)
        return self.state.login if self._attempt is not None else None

    @property
    def login_address(self) -> str | None:
        """What "Log in with Facebook" opens now (None: no live link)."""
        return self._attempt.address if self._attempt is not None else None

    # --- how a login ends --------------------------------------------------------------------------
    def _wait_for_redirect(self, attempt: Attempt) -> None:
        catcher = attempt.catcher
        assert catcher is not None
        if catcher.wait_opened() and not attempt.over and catcher.result is None:
            self._show_pages(attempt, waiting=True)
        try:
            url = catcher.wait()
        except CatcherTimeout as error:
            if attempt.end() and not self._closed:
                self._wait_ended(attempt, error)
            return
        self._finishing = True  # work from here on (wait_idle waits for it)
        try:
            if not attempt.end() or self._closed:
                return  # a newer attempt (or a pasted URL) took over
            self._attempt = self._catcher = None
            catcher.stop()
            with self._lock:
                self._guarded(self._finish_login, url, attempt.request)
        finally:
            self._finishing = False

    def _wait_ended(self, attempt: Attempt, error: CatcherTimeout) -> None:
        """Nothing came back in time: say why that may be, and offer a fresh link."""
        catcher = attempt.catcher
        assert catcher is not None
        if error.opened:
            catcher.retire(
                "This login is no longer awaited",
                f"Nothing came back to the notebook within {self.redirect_timeout:.0f} seconds. Close this tab and "
                f"press {LOGIN_START} in the notebook again.",
            )
            self._attempt = self._catcher = None
            pages = " ".join(page.sentence for page in attempt.pages[:1])
            self.say(
                "warn",
                f"No login came back within {self.redirect_timeout:.0f} seconds of opening the login page.",
                "If the page showed an error, press the button below that names it. " + pages,
                f"Then press {LOGIN_START} again: it is a fresh link.",
            )
            self._prepare_login()
            return
        self._attempt = self._catcher = None
        catcher.stop()
        self._no_link()
        self.say(
            "info",
            "The login link was put away unused.",
            f"It waited {catcher.idle_timeout / 60:.0f} minutes with port {catcher.port} held for it.",
            f"Press {LOGIN_AGAIN} for a fresh one.",
        )

    def _on_error_page(self, page: DialogPage) -> None:
        """The person says the login page showed ``page``: stop waiting, say the fix, offer a fresh link."""
        attempt = self._attempt
        if attempt is None or not attempt.end():
            return
        self._drop_login("the login page showed an error, so the notebook stopped waiting for it")
        self.say("error", f"The login page said \u201c{page.says}\u201d.", page.fix, f"Then press {LOGIN_START} again.")
        self._prepare_login()

    def _on_redirect_submit(self, _: Any = None) -> None:
        url = self.redirect_paste.value
        self.redirect_paste.value = ""  # it holds a one-time code
        request = self.state.login
        if request is None:
            self.say("error", f"Press {LOGIN_START} first.", "The pasted address must come from this panel's login.")
            return
        self._run(self._finish_login, url, request)

    def _finish_login(self, url: str, request: LoginRequest) -> None:
        try:
            code = parse_redirect(url, request.state, redirect_uri=request.redirect_uri)
            token = exchange_code(
                code,
                app_id=request.app_id,
                app_secret=self.state.login_secret or "",
                redirect_uri=request.redirect_uri,
                settings=self.settings,
            )
        except (LoginDenied, CodeExchangeFailed) as error:
            # This attempt is over (cancelled, or its code spent): say so, and offer a fresh link at once.
            self._fail(error)
            if not self._closed and self.step == METHOD:
                self._prepare_login()
            return
        self._drop_login("the login finished")
        self.state.auth_type = None
        token.source = "Facebook Login" + (" for Business" if request.config_id else "")
        self._adopt(self._receive(token, asked=request.scopes, config_id=request.config_id), FACEBOOK)

    def _keep_redirect_uri(self, change: dict[str, Any]) -> None:
        # The URI field is there to be selected and copied, not edited.
        expected = getattr(self, "_shown_uri", "")
        if change["new"] != expected and expected:
            self.redirect_uri_field.value = expected
