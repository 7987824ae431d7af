"""The login panel's first steps: choosing permissions, and taking a pasted token.

Notebook layer. The scopes step, the texts of the "Get a token" tabs, the
Graph API Explorer and system user paste fields, and :meth:`TokenIntake._adopt`,
where any new token (pasted or from Facebook Login, :mod:`.facebook`) is
checked and the panel moves on to "Inspect".

A pasted token leaves its field in the callback that receives it and waits
in kernel memory for its button; the panel shows masks only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as w

from ..._base.settings import check_config_id
from ..._base.tokens import AccessToken
from ...auth.new_token import NewToken, receive_token
from ...auth.oauth import normalize_scopes
from .. import render as display
from .base import PanelBase
from .pasted import parse_pasted_token
from .state import EXPLORER, FACEBOOK, INSPECT, METHOD, SYSTEM_USER

__all__ = ["BUSINESS_URL", "EXPLORER_URL", "TokenIntake"]

EXPLORER_URL = "https://developers.facebook.com/tools/explorer/"
BUSINESS_URL = "https://business.facebook.com/settings/system-users"


class TokenIntake(PanelBase):
    """Permissions, the "Get a token" tabs' texts, pasted tokens, and adopting a new token."""

    # --- step 1: permissions ---------------------------------------------------------------
    def _read_scopes(self) -> list[str]:
        ticked = [name for name, box in self.scope_boxes.items() if box.value]
        scopes = list(normalize_scopes([*ticked, *self.extra_scopes.value.split(",")]))
        if not scopes and not self.state.config_id:
            raise ValueError("Tick at least one permission: ads_read is enough to read ads data.")
        return scopes or self.state.scopes

    def _read_config_id(self) -> str | None:
        text = self.config_field.value.strip()
        return check_config_id(text, setting="The configuration ID") if text else None

    def _on_config_changed(self, _: Any = None) -> None:
        """A configuration decides the permissions: the boxes are greyed out and a note says so."""
        try:
            self.state.config_id = self._read_config_id()
        except ValueError as error:
            self.state.config_id = None
            self._fail(error)
        config = self.state.config_id
        # A configuration decides the permissions: boxes that would not be sent are not shown either.
        for box in self.scope_boxes.values():
            box.disabled = bool(config)
        for row in self.scope_rows:
            row.layout.display = "none" if config else ""
        self.extra_scopes.layout.display = "none" if config else ""
        self.scopes_note.value = display.render("scopes_config_note.html", config_id=config) if config else ""

    def _on_scopes_next(self, _: Any = None) -> None:
        try:
            self.state.config_id = self._read_config_id()
            self.state.scopes = self._read_scopes()
        except ValueError as error:
            self._fail(error)
            return
        self.go(METHOD)

    # --- step 2: get a token ----------------------------------------------------------------
    def _enter_method(self) -> None:
        scopes = ",".join(self.state.scopes)
        sandbox = self.sandbox
        self.explorer_steps.value = display.render(
            "explorer_steps.html", explorer_url=EXPLORER_URL, scopes=scopes, sandbox=sandbox
        )
        self.system_steps.value = display.render(
            "system_user_steps.html", business_url=BUSINESS_URL, scopes=scopes, sandbox=sandbox
        )
        # On a remote kernel the browser cannot open the sandbox dialog on the
        # kernel's 127.0.0.1: the note there points at the autopilot instead.
        self.login_intro.value = display.render(
            "login_intro.html",
            scopes=scopes,
            config_id=self.state.config_id,
            sandbox=sandbox,
            remote=self.location.remote,
            where=self.location.reason,
            autopilot=display.rich(self.settings.place.magic("login", self.state.profile, "--autopilot")),
        )
        if sandbox and not self._method_shown:
            # The sandbox's way in is its own login dialog: the other tabs are Meta's tools.
            self.select_method(FACEBOOK)
        self._method_shown = True

    def _on_token_arrived(self, change: Any) -> None:
        field = change["owner"]
        if change["new"]:
            self._pasted[id(field)] = change["new"]
            self._placeholders.setdefault(id(field), field.placeholder)
            field.value = ""
            field.placeholder = "token received: press below"

    def _on_paste_token(self, field: w.Password, method: str) -> None:
        raw = field.value or self._pasted.pop(id(field), "")
        field.value = ""  # out of the widget (and the saved notebook) at once
        # Whatever becomes of it, the field no longer holds a token waiting to be checked.
        field.placeholder = self._placeholders.pop(id(field), field.placeholder)
        self.state.method = method
        self._run(self._adopt_pasted, raw, method)

    def _adopt_pasted(self, raw: str, method: str) -> None:
        source = "Graph API Explorer" if method == EXPLORER else "system user"
        token = parse_pasted_token(raw, f"pasted ({source})")
        self._adopt(self._receive(token, asked=self.state.scopes), method)

    def _receive(self, token: AccessToken, *, asked: Sequence[str] = (), config_id: str | None = None) -> NewToken:
        """A new token inspected with the app that fits it, judged, and whether extending it helps."""
        state = self.state
        return receive_token(
            token,
            settings=self.settings,
            app=state.login_app(),
            profile=state.profile,
            config_id=config_id,
            asked=asked,
            warn_days=self.warn_days,
        )

    def _adopt(self, new: NewToken, method: str) -> None:
        """Work on ``new`` from now on if it is valid, and show its facts.

        A token from a Login for Business configuration had its permissions
        decided by it (nothing is "missing" or to be re-asked then).
        """
        token, report, info, config = new.token, new.report, new.info, new.config_id
        if not info.is_valid:
            if method == FACEBOOK:
                hint = "Start the login again."
            elif self.sandbox:
                hint = "Only tokens this sandbox issued work here: log in on the Facebook Login tab instead."
            else:
                hint = "Copy it again in full, or generate a new one and paste it right away."
            said = f" Graph said: {info.error_message}" if info.error_message else ""
            self.say("error", f"The token {token.masked} cannot be used:", f"{info.invalid_reason}.{said}", hint)
            return
        self.state.take_token(new, method)
        self.go(INSPECT)
        note = ""
        if method == SYSTEM_USER and info.type != "SYSTEM_USER":
            note = f"Note: this is a {info.type or 'non-system-user'} token, not a system user token."
        if config and info.type == "SYSTEM_USER":
            note = f"Configuration {config} gives system user tokens (server-to-server, no person behind them)" + (
                f"; {new.offer.why}." if not new.offer.offered else ": the next step refreshes it for 60 days."
            )
        if not info.expiry_known:
            note = f"{note} {report.reason}. {report.advice}".strip()
        for said in new.notes:
            note = f"{note} Note: {said}.".strip()
        declined = self.state.declined_requested()
        missing = self.state.missing_requested()
        if declined or missing:
            how = (
                "Ask again below (the dialog re-asks declined ones)"
                if declined
                else "Get a token that has them (tick them where you made it)"
            )
            self.say(
                "warn",
                "Token received, but some permissions are missing:",
                ", ".join(dict.fromkeys([*declined, *missing])) + ".",
                f"{how}, or continue with what was granted. {note}".strip(),
            )
        elif config:
            granted = ", ".join(s for s in info.scopes if s != "public_profile") or "no permission"
            self.say("ok", f"Token received and checked: configuration {config} granted {granted}.", note)
        else:
            self.say("ok", "Token received and checked.", note)
