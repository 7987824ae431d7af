"""The login panel's steps once a token is in hand: inspect, extend, save, use.

Notebook layer. The token card and "ask again" for declined permissions; the
exchange for a long-lived token (or a system user token's 60-day refresh),
shown before -> after; saving to the store under a profile, with the app
secret only when ticked; and the session put into the notebook. Which app
secret goes with the token is decided by
:meth:`~meta_auth_nb.notebook.panel.state.FlowState.app` (one rule for every front end), and what is
offered and stored by :mod:`meta_auth_nb.auth.new_token`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..._base.words import expiry_of, kept_words
from ...auth.new_token import extend_new_token, save_token
from ...auth.oauth import CONFIG_REREQUEST_ADVICE
from ...store import validate_profile
from .. import render as display
from ..kernel_sandbox import scenario_description
from .base import PanelBase
from .state import EXTEND, FACEBOOK, METHOD, SAVE, USE
from .steps import LOGIN_START

#: Permissions that can read ad accounts (the Use step's examples need one).
_ADS_SCOPES = frozenset({"ads_read", "ads_management"})

__all__ = ["TokenSteps"]


def _sentence(text: str) -> str:
    """``text`` as a sentence: capitalised, with a final stop."""
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


class TokenSteps(PanelBase):
    """Inspect, extend, save and use the token the earlier steps got."""

    # --- step 3: inspect -------------------------------------------------------------------------
    def _enter_inspect(self) -> None:
        state = self.state
        if state.info is None:
            return
        now = state.report.checked_at if state.report is not None else None
        offer = state.new.offer if state.new is not None else None
        card = display.token_card(
            state.info,
            token=state.token,
            permissions=state.permissions,
            requested=state.scopes,
            now=now,
            warn_days=self.warn_days,
        )
        if offer is not None and not offer.offered and state.info.is_valid:  # the Extend step is skipped: say why
            card += display.render("help.html", text=f"Nothing to extend: {offer.why}.")
        self.token_card.value = card
        self.rerequest_button.layout.display = "" if state.declined_requested() else "none"
        # The next step is worth its name only when extending does something (not for a 60-day system user token).
        if offer is not None and offer.offered:
            self.inspect_next.description = "Next: make it long-lived" if offer.short_lived else f"Next: {offer.action}"
        else:
            self.inspect_next.description = "Next: save"

    def _on_inspect_next(self, _: Any = None) -> None:
        offer = self.state.new.offer if self.state.new is not None else None
        self.go(EXTEND if offer is not None and offer.offered else SAVE)

    def _on_rerequest(self, _: Any = None) -> None:
        if self.state.config_id:  # classic Login's tool: a configuration asks for everything every time
            self.say("info", "Not with a Login for Business configuration.", CONFIG_REREQUEST_ADVICE)
            return
        declined = self.state.declined_requested() or self.state.scopes
        self.state.auth_type = "rerequest"
        self.go(METHOD)  # a fresh login link, which asks again: the one from the first try is gone
        self.select_method(FACEBOOK)
        self.say(
            "info",
            f"Press {LOGIN_START}:",
            f"the login page asks again for {', '.join(declined)}, which you declined the first time.",
        )

    # --- step 4: extend --------------------------------------------------------------------------
    def _enter_extend(self) -> None:
        state, new = self.state, self.state.new
        self.extend_result.value = ""
        if new is None:
            return
        offer, app = new.offer, state.app()
        text = _sentence(offer.why) if offer.offered else f"Nothing to extend: {offer.why}."
        self.extend_info.value = display.render("extend_intro.html", text=text)
        self.extend_button.layout.display = "" if offer.offered else "none"
        self.extend_button.description = offer.action
        self._next_is_save(not offer.offered)
        self.extend_app_row.layout.display = "" if offer.offered and not app.usable else "none"
        if app.app_id:
            self.app_id_field.value = app.app_id

    def _on_extend(self, _: Any = None) -> None:
        state = self.state
        typed_app = self.app_id_field.value.strip()
        if typed_app and typed_app != (state.app().app_id or ""):
            state.app_id = typed_app
        self._take_typed_secret()
        app = state.app()
        if not app.usable:
            name = (state.info.application if state.info else None) or app.app_id or "the token's app"
            self.say("error", f"Enter the app secret of {name}.", "App settings > Basic > App secret.")
            self.extend_app_row.layout.display = ""
            self.app_id_field.layout.display = self.app_secret_field.layout.display = ""
            return
        self._run(self._extend)

    def _extend(self) -> None:
        state = self.state
        assert state.new is not None
        new = replace(state.new, app=state.app())
        after = extend_new_token(new, warn_days=self.warn_days, settings=self.settings)
        state.take_token(after, state.method or "extended")
        now = after.report.checked_at
        self.extend_result.value = display.extend_html(
            new.token, new.info, after.token, after.info, now=now, warn_days=self.warn_days
        )
        self.extend_button.layout.display = "none"
        self.extend_app_row.layout.display = "none"
        self._next_is_save(True)
        # One message says it (the table shows before and after); the words follow the new expiry.
        self.extend_info.value = ""
        expiry = expiry_of(after.info, after.token, now)
        if expiry.left is not None and expiry.left.total_seconds() <= self.warn_days * 86400:
            why = (
                f"This sandbox runs the {self.scenario} scenario: {scenario_description(self.scenario)}"
                if self.scenario
                else "Graph gave it a short life; the next extension may not give more."
            )
            self.say(
                "warn",
                "Extended, but still short-lived.",
                f"The new token {expiry.sentence}, not in about 60 days.",
                why,
            )
        else:
            self.say("ok", f"Extended: the new token {expiry.sentence}.")

    def _next_is_save(self, done: bool) -> None:
        """The extend step's second button: "Skip" beside an offer, else the step's way on, styled as every Next."""
        self.extend_next.description = "Next: save" if done else "Skip"
        self.extend_next.button_style = "primary" if done else ""

    # --- step 5: save ------------------------------------------------------------------------------
    def _enter_save(self) -> None:
        store, state = self.store, self.state
        self.profile_field.value = state.profile
        place = self.settings.place
        if self.sandbox:
            text = (
                "Saving keeps the token in this kernel's memory, so re-running "
                f"{place.login(state.profile)} in this kernel finds it. Sandbox tokens are never written to "
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
        known = state.app().usable
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
        assert state.new is not None
        new = replace(state.new, app=state.app())
        saved = save_token(
            self.store,
            name,
            new,
            keep_secret=state.store_app_secret,  # the box says it all: unticked means "do not keep one"
            config_id=state.config_id,
            redirect_uri=state.redirect_uri,
            previous=state.stored if state.stored is not None and state.stored.name == name else None,
            warn_days=self.warn_days,
            settings=self.settings,
        )
        state.saved, state.profile = saved.stored, name
        self._render_header()
        self.go(USE)
        again = self.settings.place.login(name)
        kept = kept_words(saved.stored.backend)
        if saved.stored.persistent:
            self.say("ok", f"Saved as profile {name} ({kept}).", f"Next time, {again} picks it up.")
        else:
            self.say(
                "ok" if self.sandbox else "warn",
                f"Saved as profile {name} for this kernel.",
                f"Re-running {again} in this kernel picks it up; it ends with the kernel.",
            )

    def _on_save_later(self, _: Any = None) -> None:
        """Use step, not saved: back to Save, with the same token (a new login would make another)."""
        self.go(SAVE)

    # --- step 6: use ----------------------------------------------------------------------------------
    def _enter_use(self) -> None:
        from ..session import inject  # the HTTP client comes with the session, not with the panel

        state = self.state
        if state.token is None:
            return
        secret = state.app().secret
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
            settings=self.settings,
        )
        # Saved: the Save step's message said where. Not saved: say so, with the one way to keep this very token.
        stored = "" if saved is not None else "Not saved: this token ends with the kernel. To keep it, press Save it."
        self.save_later.layout.display = "none" if saved is not None else ""
        self.use_info.value = display.render(
            "use_info.html",
            name=state.session_name,
            summary=self.session.summary(),
            examples=self._examples(),
            stored=display.rich(stored),
        )
        if saved is None:
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
