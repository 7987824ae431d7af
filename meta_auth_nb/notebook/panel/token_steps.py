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

from ...auth.health import validate
from ...auth.lifecycle import extend_token, refresh_system_user_token
from ...auth.oauth import CONFIG_REREQUEST_ADVICE
from ...store import validate_profile
from .. import render as display
from ..session import inject
from .base import PanelBase
from .state import EXPLORER_APP_ID, FACEBOOK, METHOD, USE, needs_extension
from .steps import LOGIN_START

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
        self.extend_result.value = display.extend_html(before, before_info, after, report.info, now=report.checked_at)
        self.extend_info.value = display.render("extend_intro.html", text="Done: the token is long-lived now.")
        self.extend_button.layout.display = "none"
        self.extend_app_row.layout.display = "none"
        self.extend_next.description = "Next: save"
        self.say(
            "ok", "Extended.", f"The new token expires {display.expiry_words(after, report.info, report.checked_at)}."
        )

    # --- step 5: save ------------------------------------------------------------------------------
    def _enter_save(self) -> None:
        store, state = self.store, self.state
        self.profile_field.value = state.profile
        if store.backend_name == "keyring":
            try:
                label = store.keyring_label
            except Exception:  # the label is a nicety
                label = "the system keyring"
            text = (
                f"Saving puts the token in the system keyring ({label}): it survives kernel restarts and only "
                "your user account can read it. The config folder keeps only facts (masked token, expiry)."
            )
        else:
            text = store.notice or "The token is kept in this kernel's memory only."
        self.save_info.value = display.render("save_info.html", text=text)
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
        if saved.persistent:
            self.say(
                "ok",
                f"Saved as profile {name} in the {saved.backend}.",
                f"Next time, %meta_login{'' if name == 'default' else ' --profile ' + name} picks it up.",
            )
        else:
            self.say("warn", f"Saved as profile {name} for this kernel only.", self.store.notice or "")

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
        )
        if saved is not None:
            stored = f"Stored as profile {saved.name} ({saved.backend})."
        else:
            stored = "Not saved: the token is gone when the kernel stops (run %meta_login again to save it)."
        self.use_info.value = display.render(
            "use_info.html", name=state.session_name, summary=repr(self.session), stored=stored
        )
        self.say("ok", f"Ready: {state.session_name} is an authenticated Graph API session.")
