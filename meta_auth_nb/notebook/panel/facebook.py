"""The login panel's "Log in with Facebook" tab: the redirect's mode, the dialog link, the code exchanged.

Notebook layer. How the redirect comes back is decided by
:func:`~meta_auth_nb.auth.redirects.plan_redirect` and shown before the
login starts, with the exact address to register and a copy button: caught
on ``http://localhost:8765/callback`` on a local kernel, pasted back from
there on a remote one, or pasted back from a registered HTTPS redirect
(live apps; Meta's login_success.html is one click away). A loopback port
another program holds is never used, not even for pasting. Either way the
``state`` is checked before the code is exchanged, and the new token goes
through :meth:`~meta_auth_nb.notebook.panel.intake.TokenIntake._adopt`. The
pasted address holds a one-time code, so its field is emptied at once.
"""

from __future__ import annotations

from typing import Any

from ..._base.errors import RedirectPortBusy
from ..._base.settings import check_app_id, get_settings
from ...auth.catcher import new_state
from ...auth.health import validate
from ...auth.oauth import LoginRequest, exchange_code, login_url, parse_redirect
from ...auth.redirects import (
    REGISTERED,
    RedirectPlan,
    guard_loopback_paste,
    open_catcher,
    plan_redirect,
    registered_redirect,
)
from .. import render as display
from .intake import TokenIntake
from .state import FACEBOOK
from .steps import LOGIN_AGAIN, LOGIN_START

__all__ = ["FacebookLogin"]

_PORT_HINT = (
    "Enter your app's registered HTTPS redirect in the field above (live apps need one anyway; Meta's "
    "login_success.html works once registered), or stop the program holding the port; then press "
    f"{LOGIN_START} again."
)


class FacebookLogin(TokenIntake):
    """Log in with Facebook: the OAuth code flow, the redirect caught on localhost or pasted back."""

    def _read_app(self) -> tuple[str, str]:
        """The app id and secret to log in with; every missing or wrong one is said at once.

        Raises
        ------
        ValueError
            What to enter, for all the fields at once.
        """
        app_id = self.app_id_field.value.strip() or (self.state.app_id or "")
        problems = []
        if not app_id:
            problems.append("the app id")
        else:
            app_id = check_app_id(app_id, setting="The app id")
            self.state.app_id = app_id
        secret = self._take_typed_secret() or self.state.secret_for(app_id or None)
        if not secret:
            problems.append("the app secret (it turns the login code into a token)")
        if problems:
            self.app_id_field.layout.display = self.app_secret_field.layout.display = ""
            where = "both are" if len(problems) > 1 else "it is"
            raise ValueError(f"Enter {' and '.join(problems)}: {where} in App settings > Basic of your Meta app.")
        assert secret is not None  # a missing one is among the problems
        return str(app_id), secret

    # --- the redirect's mode -----------------------------------------------------------------
    def _enter_method(self) -> None:
        super()._enter_method()
        if self.state.login is None:
            self._refresh_plan()

    def _redirect_plan(self) -> RedirectPlan:
        """How this login's redirect gets back (the sandbox's catcher takes any free port)."""
        registered = registered_redirect(self.state.redirect_uri)
        return plan_redirect(self.location, registered, port=0 if self.sandbox else self.redirect_port)

    def _show_plan(self, plan: RedirectPlan, redirect_uri: str | None = None) -> None:
        """Say which mode, why, what to register, and the exact address with a copy button."""
        uri = redirect_uri or plan.redirect_uri
        register = plan.register
        if self.sandbox:  # the sandbox's own app, not one in Meta's App Dashboard
            register = (
                "The sandbox's app must list it too (mab.kernel_sandbox().register_redirect_uri), as a live app "
                "lists it in its Valid OAuth Redirect URIs."
                if plan.mode == REGISTERED
                else "The sandbox's app is in development mode and takes this localhost address as is: "
                "nothing to register."
            )
        self.redirect_info.value = display.render(
            "redirect_plan.html", label=plan.label, why=plan.why, register=register
        )
        self._shown_uri = uri
        self.redirect_uri_field.value = uri
        self.copy_button.value = display.render("copy_button.html", text=uri)

    def _refresh_plan(self) -> None:
        try:
            self._show_plan(self._redirect_plan())
        except ValueError as error:  # a registered redirect that cannot be one
            self._fail(error)

    def _on_registered_changed(self, change: dict[str, Any]) -> None:
        value = (change["new"] or "").strip()
        try:
            self.state.redirect_uri = registered_redirect(value) if value else None
        except ValueError as error:
            self.state.redirect_uri = None
            self._fail(error)
            return
        if self.state.login is None:
            self._refresh_plan()
        else:
            self.say("info", "The redirect changed.", f"Press {LOGIN_AGAIN} to log in with it.")

    def _on_use_login_success(self, _: Any = None) -> None:
        self.registered_field.value = get_settings().login_success_url

    # --- the login -------------------------------------------------------------------------------
    def _on_login_start(self, _: Any = None) -> None:
        try:
            app_id, secret = self._read_app()
            self.state.app_secret = secret
            self._stop_catcher()
            request = self._start_login(app_id)
        except RedirectPortBusy as error:
            self.say("error", "The localhost redirect cannot be used here.", error.message, _PORT_HINT)
            return
        except Exception as error:
            self._fail(error)
            return
        self.state.login = request
        self.login_button.description = LOGIN_AGAIN
        self.login_link.value = display.render("login_link.html", url=request.url)
        self.paste_row.layout.display = ""
        self.say(
            "info",
            "Open the login dialog with the button below.",
            "Log in, check the permissions and press Continue/Allow.",
        )

    def _start_login(self, app_id: str) -> LoginRequest:
        """Build the dialog URL; start the catcher first when the redirect is caught here.

        Raises
        ------
        RedirectPortBusy
            Another program holds the loopback port (no fallback to pasting the same address).
        """
        plan = self._redirect_plan()
        state = new_state()
        catcher = open_catcher(plan, state, timeout=self.redirect_timeout) if plan.catches else None
        try:
            if catcher is None:
                guard_loopback_paste(plan)
            redirect_uri = catcher.redirect_uri if catcher is not None else plan.redirect_uri
            request = login_url(
                app_id,
                redirect_uri,
                self.state.scopes,
                state=state,
                auth_type=self.state.auth_type,
                config_id=self.state.config_id,
            )
        except Exception:
            if catcher is not None:
                catcher.stop()
            raise
        self._show_plan(plan, request.redirect_uri)
        if catcher is not None:
            self._catcher = catcher
            self.paste_info.value = display.render("redirect_fallback.html")
            minutes = max(1, round(self.redirect_timeout / 60))
            self.login_status.value = display.render("waiting.html", minutes=minutes)
            self._spawn(lambda: self._wait_for_redirect(catcher, request), "meta-auth-redirect")
        else:
            self.paste_info.value = display.render("paste_prompt.html")
            self.login_status.value = ""
        return request

    def _wait_for_redirect(self, catcher: Any, request: LoginRequest) -> None:
        try:
            url = catcher.wait()
        except Exception as error:
            if self._catcher is catcher and not self._closed:
                catcher.stop()
                self.login_status.value = ""
                self.say("warn", "No login came back in time.", str(error), f"Press {LOGIN_AGAIN} to retry.")
            return  # else it was retired: it keeps telling a late login tab why, until its timeout
        catcher.stop()
        if self._catcher is not catcher or self._closed:
            return  # a newer login attempt (or a pasted URL) took over
        self._catcher = None
        with self._lock:
            self._guarded(self._finish_login, url, request)

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
            secret = self.state.app_secret
            token = exchange_code(
                code, app_id=request.app_id, app_secret=secret or "", redirect_uri=request.redirect_uri
            )
        finally:
            self.login_status.value = ""
        self._stop_catcher()
        self.state.login = None
        self.login_button.description = LOGIN_START
        self.state.auth_type = None
        report = validate(
            token,
            app_id=request.app_id,
            app_secret=secret,
            warn_days=self.warn_days,
            config_id=request.config_id,
            profile=self.state.profile,
        )
        token.source = "Facebook Login" + (" for Business" if request.config_id else "")
        self._adopt(token, report, FACEBOOK, config=request.config_id)

    def _keep_redirect_uri(self, change: dict[str, Any]) -> None:
        # The URI field is there to be selected and copied, not edited.
        expected = getattr(self, "_shown_uri", "")
        if change["new"] != expected and expected:
            self.redirect_uri_field.value = expected
