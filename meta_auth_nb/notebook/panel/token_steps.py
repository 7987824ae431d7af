"""The login panel's steps once a token is in hand: inspect, extend, save, use.

Notebook layer. The token card and "ask again" for declined permissions; the
exchange for a long-lived token (or a system user token's 60-day refresh),
shown before -> after; saving to the store under a profile, with the app
secret only when ticked; and the session put into the notebook. Which app
secret goes with the token is decided by
:meth:`~meta_auth_nb.notebook.panel.state.FlowState.app_for_token`.
"""

from __future__ import annotations

from typing import Any

from ..._base.commands import notebook_login
from ...auth.health import validate
from ...auth.lifecycle import extend_token, refresh_system_user_token
from ...auth.oauth import CONFIG_REREQUEST_ADVICE
from ...store import validate_profile
from .. import render as display
from ..kernel_sandbox import scenario_description
from ..session import inject
from .base import PanelBase
from .state import EXPLORER_APP_ID, FACEBOOK, METHOD, USE, needs_extension
from .steps import LOGIN_START

#: Permissions that can read ad accounts (the Use step's examples need one).
_ADS_SCOPES = frozenset({"ads_read", "ads_management"})

__all__ = ["TokenSteps"]


class TokenSteps(PanelBase):
    """Inspect, extend, save and use the token the earlier steps got."""

    # --- step 3: inspect -------------------------------------------------------------------------
    def _enter_inspect(self) -> None:
        state = self.state
        if state.info is None:
            return
        now = state.report.checked_at if state.report is not None else None
        self.token_card.value = display.token_card(
            state.info,
            token=state.token,
            permissions=state.permissions,
            requested=state.scopes,
            now=now,
            warn_days=self.warn_days,
        )
        self.rerequest_button.layout.display = "" if state.declined_requested() else "none"

    def _on_rerequest(self, _: Any = None) -> None:
        if self.state.config_id:  # classic Login's tool: a configuration asks for everything every time
            self.say("info", "Not with a Login for Business configuration.", CONFIG_REREQUEST_ADVICE)
            return
        self.state.auth_type = "rerequest"
        self.go(METHOD)
        self.select_method(FACEBOOK)
        self.say(
            "info",
            f"Press {LOGIN_START}:",
            "the dialog asks again for "
            + ", ".join(self.state.declined_requested() or self.state.scopes)
            + " (auth_type=rerequest).",
        )

    # --- step 4: extend --------------------------------------------------------------------------
    def _enter_extend(self) -> None:
        state, info = self.state, self.state.info
        self.extend_result.value = ""
        kind = needs_extension(info)
        app_id, secret = state.app_for_token()
        now = state.report.checked_at if state.report is not None else None
        expiry = display.expiry_words(state.token, info, now) if state.token is not None else "unknown"
        can_extend = kind is not None and (info is None or info.app_id != EXPLORER_APP_ID)
        if info is not None and info.app_id == EXPLORER_APP_ID and kind is not None:
            text = (
                f"This token was made for the Graph API Explorer's own app, which cannot be extended; it expires "
                f"{expiry}. For a 60-day token, pick your own app in the Explorer and paste its token instead."
            )
        elif kind is None:
            text = f"Nothing to extend: this token expires {expiry}."
        elif info is not None and not info.expiry_known:
            text = (
                "Its expiry cannot be read here (debug_token needs the app token or a role on the app). With the "
                "app secret of the token's app, extending gives a 60-day token whose expiry is known; without it, "
                "skip this step."
            )
        elif kind == "system_user":
            text = f"This 60-day system user token expires {expiry}; refreshing gives it another 60 days."
        else:
            text = (
                f"This token expires {expiry}. Extending exchanges it for a long-lived one (about 60 days); "
                "it needs the app secret of the token's app."
            )
        self.extend_info.value = display.render("extend_intro.html", text=text)
        self.extend_button.layout.display = "" if can_extend else "none"
        self.extend_button.description = "Refresh for 60 days" if kind == "system_user" else "Extend to 60 days"
        self.extend_next.description = "Skip" if can_extend else "Next: save"
        need_secret = can_extend and not secret
        self.extend_app_row.layout.display = "" if need_secret else "none"
        if app_id:
            self.app_id_field.value = app_id

    def _on_extend(self, _: Any = None) -> None:
        state = self.state
        app_id, secret = state.app_for_token()
        secret = self._take_typed_secret() or secret
        if not app_id or not secret:
            name = (state.info.application if state.info else None) or app_id or "the token's app"
            self.say("error", f"Enter the app secret of {name}.", "App settings > Basic > App secret.")
            self.extend_app_row.layout.display = ""
            self.app_id_field.layout.display = self.app_secret_field.layout.display = ""
            return
        state.app_id, state.app_secret = app_id, secret
        self._run(self._extend, app_id, secret)

    def _extend(self, app_id: str, secret: str) -> None:
        state = self.state
        before, before_info = state.token, state.info
        assert before is not None
        call = refresh_system_user_token if needs_extension(before_info) == "system_user" else extend_token
        after = call(before, app_id=app_id, app_secret=secret)
        report = validate(
            after, app_id=app_id, app_secret=secret, warn_days=self.warn_days, config_id=state.token_config
        )
        state.take_token(after, report, state.method or "extended", state.token_config)
        state.before, state.before_info = before, before_info
        now = report.checked_at
        self.extend_result.value = display.extend_html(
            before, before_info, after, report.info, now=now, warn_days=self.warn_days
        )
        self.extend_button.layout.display = "none"
        self.extend_app_row.layout.display = "none"
        self.extend_next.description = "Next: save"
        # The words follow the new expiry: "long-lived" only when it is.
        expiry = display.expiry_words(after, report.info, now)
        left = report.info.expires_in(now)
        if left is not None and left.total_seconds() <= self.warn_days * 86400:
            why = (
                f"This sandbox runs the {self.scenario} scenario: {scenario_description(self.scenario)}"
                if self.scenario
                else "Graph gave it a short life; the next extension may not give more."
            )
            self.extend_info.value = display.render(
                "extend_intro.html", text=f"Extended, but the new token is still short-lived: it expires {expiry}."
            )
            self.say(
                "warn",
                "Extended, but still short-lived.",
                f"The new token expires {expiry}, not in about 60 days.",
                why,
            )
        else:
            lived = "never expires" if left is None else f"expires {expiry}"
            self.extend_info.value = display.render("extend_intro.html", text=f"Done: the new token {lived}.")
            self.say("ok", "Extended.", f"The new token {lived}.")

    # --- step 5: save ------------------------------------------------------------------------------
    def _enter_save(self) -> None:
        store, state = self.store, self.state
        self.profile_field.value = state.profile
        if self.sandbox:
            text = (
                "Saving keeps the token in this kernel's memory, so re-running "
                f"{notebook_login(state.profile)} in this kernel finds it. Sandbox tokens are never written to "
                "your keyring or config folder: the sandbox restarts with the kernel and its tokens end with it, so "
                "after a restart you log in again (about 10 s)."
            )
        elif store.persistent:
            try:
                label = store.keyring_label
            except Exception:  # the label is a nicety
                label = "the system keyring"
            text = (
                f"Saving puts the token in the system keyring ({label}): it survives kernel restarts and only "
                "your user account can read it. The config folder keeps only facts (masked token, expiry)."
            )
        else:
            # The full notice (why, how to get a keyring) once per kernel; the fact itself every time.
            text = store.claim_notice() or (
                "The token is kept in this kernel's memory only (no system keyring here), so it is gone when the "
                "kernel stops."
            )
        self.save_info.value = display.render("save_info.html", text=display.rich(text))
        _, secret = state.app_for_token()
        known = bool(secret)
        self.store_secret_box.disabled = not known
        self.store_secret_box.value = state.store_app_secret and known

    def _on_save(self, _: Any = None) -> None:
        try:
            name = validate_profile(self.profile_field.value.strip())
        except ValueError as error:
            self._fail(error)
            return
        self.state.store_app_secret = bool(self.store_secret_box.value)
        self._run(self._save, name)

    def _save(self, name: str) -> None:
        state = self.state
        assert state.token is not None and state.info is not None
        app_id, secret = state.app_for_token()
        granted = [s for s in state.scopes if s in state.info.scopes]
        checked = state.report.checked_at if state.report is not None else None
        saved = self.store.save(
            name,
            state.token,
            app_id=app_id,
            app_secret=secret if state.store_app_secret else None,
            info=state.info,
            required_scopes=granted,
            checked_at=checked,
            keep_app_secret=False,  # the checkbox says it all: unticked means "do not keep one"
            config_id=state.config_id,
            redirect_uri=state.redirect_uri,
        )
        state.saved, state.profile = saved, name
        self._render_header()
        self.go(USE)
        again = notebook_login(name)
        if saved.persistent:
            self.say("ok", f"Saved as profile {name} in the {saved.backend}.", f"Next time, {again} picks it up.")
        else:
            self.say(
                "ok" if self.sandbox else "warn",
                f"Saved as profile {name} for this kernel.",
                f"Re-running {again} in this kernel picks it up; it ends with the kernel.",
            )

    # --- step 6: use ----------------------------------------------------------------------------------
    def _enter_use(self) -> None:
        state = self.state
        if state.token is None:
            return
        _, secret = state.app_for_token()
        saved = state.saved
        self.session = inject(
            self.namespace,
            state.session_name,
            state.token,
            profile=saved.name if saved else None,
            info=state.info,
            app_secret=secret,
            owner=self.owner,
            sandbox=self.sandbox,
            checked_at=state.report.checked_at if state.report is not None else None,
        )
        if saved is None:
            stored = f"Not saved: the token ends with the kernel ({notebook_login(state.profile)} again to save it)."
        elif saved.persistent:
            stored = f"Stored as profile {saved.name} in the {saved.backend}."
        else:
            stored = f"Stored as profile {saved.name} in this kernel's memory."
        self.use_info.value = display.render(
            "use_info.html",
            name=state.session_name,
            summary=self.session.summary(),
            examples=self._examples(),
            stored=display.rich(stored),
        )
        self.say("ok", f"Ready: {state.session_name} is an authenticated Graph API session.")

    def _examples(self) -> list[str]:
        """Lines to try that work here: ads calls only with an ads permission, ``await`` only where cells can."""
        name, info = self.state.session_name, self.state.info
        scopes = set(info.scopes) if info is not None else set()
        lines = [f'{name}.get("me")']
        path = "me/adaccounts" if scopes & _ADS_SCOPES else "me"
        if path != "me":
            lines.append(f'df = {name}.frame("me/adaccounts", fields="id,name")')
        # Top-level await works where IPython runs cells on an event loop (autoawait, on by default).
        if getattr(self.owner, "autoawait", False):
            lines.append(f'reply = await {name}.aget("{path}")')
        return lines
