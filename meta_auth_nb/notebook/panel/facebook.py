"""The login panel's "Log in with Facebook" tab: the dialog link, the redirect caught or pasted, the code exchanged.

Notebook layer. On a local kernel a one-shot catcher on 127.0.0.1 is started
first and awaited in a daemon thread; elsewhere (or when its port is busy)
the user pastes the address the dialog ended on. Either way the ``state``
is checked before the code is exchanged, and the new token goes through
:meth:`~meta_auth_nb.notebook.panel.intake.TokenIntake._adopt`. The pasted
address holds a one-time code, so its field is emptied at once.
"""

from __future__ import annotations

from typing import Any

from ...auth.health import validate
from ...auth.location import CATCH
from ...auth.oauth import LoginRequest, exchange_code, login_url, parse_redirect
from .. import render as display
from .intake import TokenIntake
from .state import FACEBOOK
from .steps import LOGIN_AGAIN, LOGIN_START

__all__ = ["CALLBACK_PATH", "FacebookLogin"]

CALLBACK_PATH = "/callback"


class FacebookLogin(TokenIntake):
    """Log in with Facebook: the OAuth code flow, the redirect caught on 127.0.0.1 or pasted back."""

    def _read_app_id(self) -> str:
        app_id = self.app_id_field.value.strip() or (self.state.app_id or "")
        if not app_id:
            raise ValueError("Enter your app id (App settings > Basic in the Meta app dashboard).")
        if not app_id.isdigit():
            raise ValueError("The app id is the number shown in App settings > Basic (digits only).")
        self.state.app_id = app_id
        return app_id

    def _on_login_start(self, _: Any = None) -> None:
        try:
            app_id = self._read_app_id()
            secret = self._take_typed_secret() or self.state.secret_for(app_id)
            if not secret:
                raise ValueError("Enter the app secret too: it is needed to turn the login code into a token.")
            self.state.app_secret = secret
            self._stop_catcher()
            request = self._start_login(app_id)
        except Exception as error:
            self._fail(error)
            return
        self.state.login = request
        self.login_button.description = LOGIN_AGAIN
        self.login_link.value = display.render("login_link.html", url=request.url)
        self.redirect_uri_field.value = request.redirect_uri
        self.copy_button.value = display.render("copy_button.html", text=request.redirect_uri)
        self.redirect_uri_row.layout.display = ""
        self.paste_row.layout.display = ""
        self.say(
            "info",
            "Open the login dialog with the button below.",
            "Log in, check the permissions and press Continue/Allow.",
        )

    def _start_login(self, app_id: str) -> LoginRequest:
        """Build the dialog URL; start the catcher first when the kernel is local."""
        redirect_uri, catcher = self.paste_redirect_uri, None
        where = self.location.reason
        if self.location.redirect_mode == CATCH:
            from ...auth.catcher import RedirectCatcher

            port = 0 if self.sandbox else self.redirect_port
            try:
                catcher = RedirectCatcher(port=port, path=CALLBACK_PATH, timeout=self.redirect_timeout).start()
            except OSError as error:
                where = f"but port {port} on 127.0.0.1 is busy ({error.strerror or error}), so paste instead"
            else:
                redirect_uri = catcher.redirect_uri
        request = login_url(app_id, redirect_uri, self.state.scopes, auth_type=self.state.auth_type)
        if catcher is not None:
            self._catcher = catcher
            self.redirect_info.value = display.render("redirect_catch.html", where=where)
            self.paste_info.value = display.render("redirect_fallback.html")
            minutes = max(1, round(self.redirect_timeout / 60))
            self.login_status.value = display.render("waiting.html", minutes=minutes)
            self._spawn(lambda: self._wait_for_redirect(catcher, request), "meta-auth-redirect")
        else:
            self.redirect_info.value = display.render("redirect_paste.html", where=where, redirect_uri=redirect_uri)
            self.paste_info.value = display.render("paste_prompt.html")
            self.login_status.value = ""
        return request

    def _wait_for_redirect(self, catcher: Any, request: LoginRequest) -> None:
        try:
            url = catcher.wait()
        except Exception as error:
            if self._catcher is catcher and not self._closed:
                self.login_status.value = ""
                self.say("warn", "No login came back in time.", str(error), f"Press {LOGIN_AGAIN} to retry.")
            return
        finally:
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
            code = parse_redirect(url, request.state)
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
        report = validate(token, app_id=request.app_id, app_secret=secret, warn_days=self.warn_days)
        token.source = "Facebook Login"
        self._adopt(token, report, FACEBOOK)

    def _keep_redirect_uri(self, change: dict[str, Any]) -> None:
        # The URI field is there to be selected and copied, not edited.
        expected = self.state.login.redirect_uri if self.state.login is not None else ""
        if change["new"] != expected and expected:
            self.redirect_uri_field.value = expected
