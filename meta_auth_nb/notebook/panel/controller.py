"""The ``%meta_login`` panel put together: permissions -> a way to get a token -> inspect -> extend -> save -> use.

Notebook layer. :class:`LoginPanel` joins the step groups (:mod:`.intake`,
:mod:`.facebook`, :mod:`.token_steps`, on the frame of :mod:`.base`),
wires every button and field to its handler in one place, and opens at the
step that fixes a stored profile's problem. Nothing blocks the kernel:
work started by a click runs in a daemon thread (see :mod:`.base`).

Secrets never stay in a widget: a pasted token or app secret is read and
the field emptied in the same callback, and the value kept in
:class:`~meta_auth_nb.notebook.panel.state.FlowState`; the panel shows masks only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as w

from ...auth.extension import extension_offer
from ...auth.health import HealthReport
from ...auth.new_token import NewToken, login_setup
from .facebook import FacebookLogin
from .state import EXPLORER, EXTEND, INSPECT, METHOD, SAVE, SCOPES, SYSTEM_USER, USE, fix_for
from .token_steps import TokenSteps

__all__ = ["LoginPanel"]


class LoginPanel(FacebookLogin, TokenSteps):
    """The guided token panel opened by ``%meta_login``.

    Parameters
    ----------
    store : TokenStore
        Where "Save" puts the token.
    profile : str
        Profile name proposed in the save step.
    scopes : sequence of str
        Permissions ticked at the start.
    namespace : mutable mapping
        Where the session is injected (the notebook's ``user_ns``).
    owner : object, optional
        Keeps the record of injected names (the shell), for ``%meta_logout``.
    location : KernelLocation
        Catch the redirect on localhost, or ask for it to be pasted.
    session_name : str
        Name of the injected session.
    app_id : str, optional
        The app for "Log in with Facebook" (else ``META_APP_ID`` or the field).
    sandbox : bool
        Everything points at the built-in sandbox (said in the header and a
        banner; the texts speak of the sandbox only).
    scenario : str, optional
        The sandbox's workshop scenario, which explains short-lived tokens.
    warn_days : float
        Warn this many days before expiry.
    redirect_port : int
        Port of the localhost redirect (``--port``, else 8765 for a real app;
        0, any free port, for the sandbox's).
    redirect_timeout : float
        Seconds the catcher waits for the login.
    config_id : str, optional
        A Facebook Login for Business configuration (``--config-id``; else
        the stored profile's, else ``META_AUTH_CONFIG_ID``).
    redirect_uri : str, optional
        A registered redirect (``--redirect-uri``; else the stored
        profile's, else ``META_AUTH_REDIRECT_URI``); none: the localhost one.

    Notes
    -----
    Attributes named like the widgets (``login_button``, ``explorer_token``,
    ``extend_button``...) are the widgets themselves, for tests and custom
    layouts; ``step`` is the current step, ``message_text`` / ``message_level``
    the last message in plain words. :meth:`wait_idle` waits for work started
    by a click or by the redirect.
    """

    def _step_entries(self) -> dict[str, Callable[[], None]]:
        return {
            SCOPES: lambda: None,
            METHOD: self._enter_method,
            INSPECT: self._enter_inspect,
            EXTEND: self._enter_extend,
            SAVE: self._enter_save,
            USE: self._enter_use,
        }

    def _wire(self) -> None:
        clicks: Iterable[tuple[w.Button, Callable[[Any], None]]] = (
            (self.restart_button, self._on_restart),
            (self.scopes_next, self._on_scopes_next),
            (self.explorer_submit, lambda _: self._on_paste_token(self.explorer_token, EXPLORER)),
            (self.system_submit, lambda _: self._on_paste_token(self.system_token, SYSTEM_USER)),
            (self.login_button, self._on_login_start),
            (self.login_success_button, self._on_use_login_success),
            (self.redirect_submit, self._on_redirect_submit),
            (self.inspect_next, self._on_inspect_next),
            (self.rerequest_button, self._on_rerequest),
            (self.extend_button, self._on_extend),
            (self.extend_next, lambda _: self.go(SAVE)),
            (self.save_button, self._on_save),
            (self.save_skip, lambda _: self.go(USE)),
            (self.save_later, self._on_save_later),
            (self.close_button, lambda _: self.close()),
        )
        for button, handler in clicks:
            button.on_click(handler)
        self.redirect_uri_field.observe(self._keep_redirect_uri, names="value")
        self.registered_field.observe(self._on_registered_changed, names="value")
        self.config_field.observe(self._on_config_changed, names="value")
        self.method_tabs.observe(self._on_tab_changed, names="selected_index")
        # A secret leaves its field the moment it arrives, even if no button is
        # ever pressed, so no widget state (and no saved notebook) can hold it;
        # with the app's id, it makes the login link.
        self.app_secret_field.observe(self._on_secret_arrived, names="value")
        self.app_id_field.observe(self._on_app_typed, names="value")
        for field in (self.explorer_token, self.system_token):
            field.observe(self._on_token_arrived, names="value")

    def _on_restart(self, _: Any = None) -> None:
        self._drop_login("the panel started over")
        self.state.forget_token()
        self.go(SCOPES)

    # --- opening for a stored profile -------------------------------------------------------------
    def open_for(self, report: HealthReport, stored: Any) -> None:
        """Open at the step that fixes ``report``'s problem, saying why."""
        state = self.state
        given = self.given_login
        self._set_login(
            *login_setup(
                self.settings, config_id=given["config_id"], redirect_uri=given["redirect_uri"], previous=stored
            )
        )
        self._on_config_changed()
        fix = fix_for(report, state.config_id, sandbox=self.sandbox)
        state.stored = stored
        state.store_app_secret = bool(stored.app_secret)
        self.app_id_field.value = state.app(report.info.app_id).app_id or ""
        if fix.keep_token:
            app = state.app(report.info.app_id)
            offer = extension_offer(report.info, now=report.checked_at, warn_days=self.warn_days)
            state.take_token(NewToken(stored.token, report, app, offer, stored.config_id), "stored")
        if fix.scopes:
            self._set_scopes(fix.scopes)
        state.auth_type = fix.auth_type
        self.go(fix.step)
        if fix.method:
            self.select_method(fix.method)
        self.say(fix.level, fix.title, fix.text)

    def open_missing(self, profile: str) -> None:
        """Start at the beginning, saying no token is stored yet (and, in the sandbox, why)."""
        self._on_config_changed()
        self.go(SCOPES)
        if self.sandbox:
            self.say(
                "info",
                f"No sandbox token for profile {profile} in this kernel yet.",
                "The sandbox restarts with the kernel and its tokens end with it, so log in (about 10 s): "
                "choose the permissions, then press Log in with Facebook.",
            )
            return
        self.say(
            "info", f"No token is stored for profile {profile} yet.", "Let's get one: choose the permissions first."
        )
