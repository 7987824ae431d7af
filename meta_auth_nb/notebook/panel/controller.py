"""The ``%meta_login`` panel: permissions -> a way to get a token -> inspect -> extend -> save -> use.

UI layer. :class:`LoginPanel` wires the widgets of :mod:`.panel_steps` to the
flows (oauth, lifecycle, health, store, redirect catcher). Nothing blocks
the kernel: Graph calls run in a daemon thread per click, the redirect
catcher is awaited in another, and the panel updates itself from there
(ipywidgets syncs trait changes made from any thread).

Secrets never stay in a widget: a pasted token or app secret is read and
the field emptied in the same callback, and the value kept in
:class:`~meta_auth_nb.panel_state.FlowState`; the panel shows masks only.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import fields
from typing import Any

import ipywidgets as w

from ..._base.redact import get_logger, remember_secret
from ..._base.settings import get_settings
from ..._base.tokens import AccessToken
from ...auth.health import DEFAULT_WARN_DAYS, HealthReport, validate
from ...auth.lifecycle import extend_token, refresh_system_user_token
from ...auth.location import CATCH, KernelLocation
from ...auth.oauth import LoginRequest, exchange_code, login_url, normalize_scopes, parse_redirect
from ...store import validate_profile
from .. import render as display
from ..session import inject
from .state import (
    EXPLORER,
    EXPLORER_APP_ID,
    EXTEND,
    FACEBOOK,
    INSPECT,
    METHOD,
    METHODS,
    SAVE,
    SCOPES,
    STEPS,
    SYSTEM_USER,
    USE,
    FlowState,
    fix_for,
    needs_extension,
)
from .steps import (
    LOGIN_AGAIN,
    LOGIN_START,
    build_app_fields,
    build_chrome,
    build_extend,
    build_inspect,
    build_method,
    build_save,
    build_scopes,
    build_use,
)

__all__ = ["BUSINESS_URL", "EXPLORER_URL", "PASTE_REDIRECT_URI", "LoginPanel"]

log = get_logger(__name__)

EXPLORER_URL = "https://developers.facebook.com/tools/explorer/"
BUSINESS_URL = "https://business.facebook.com/settings/system-users"
#: Where the dialog sends a remote kernel's user: nothing listens there, the
#: address bar keeps the code. Localhost is allowed for apps in development mode.
PASTE_REDIRECT_URI = "http://localhost:8765/callback"
CALLBACK_PATH = "/callback"
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_.|-]+$")
_TOKEN_IN_TEXT = re.compile(r"access_token=([^&#\s]+)")


def parse_pasted_token(raw: str, source: str) -> AccessToken:
    """A token from what was pasted; the message never repeats the value.

    Accepts the bare token, ``Bearer <token>``, quotes around it, or a URL /
    query string holding ``access_token=...``.

    Raises
    ------
    ValueError
        Nothing pasted, or it cannot be a token (spaces, odd characters, too short).
    """
    text = (raw or "").strip().strip("\"'").strip()
    if text.lower().startswith("bearer "):
        text = text[7:].strip()
    found = _TOKEN_IN_TEXT.search(text)
    if found:
        text = found.group(1)
    if not text:
        raise ValueError("Nothing was pasted: copy the token (the copy icon next to it) and paste it in the field.")
    if any(c.isspace() for c in text):
        raise ValueError(
            "That is not an access token: it has spaces or line breaks. Copy only the token and paste again."
        )
    if not _TOKEN_CHARS.match(text):
        raise ValueError("That is not an access token: it has characters tokens never contain. Copy it again.")
    if len(text) < 32:
        raise ValueError("That is too short to be an access token (was the copy cut off?). Copy the whole token again.")
    return AccessToken(text, source=source)


class LoginPanel:
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
        Catch the redirect on 127.0.0.1, or ask for it to be pasted.
    session_name : str
        Name of the injected session.
    app_id : str, optional
        The app for "Log in with Facebook" (else ``META_APP_ID`` or the field).
    sandbox : bool
        Everything points at the built-in sandbox (shown in the header).
    warn_days : float
        Warn this many days before expiry.
    redirect_port : int
        Port of the catcher for a real app (it must be registered); the
        sandbox uses any free port.
    redirect_timeout : float
        Seconds the catcher waits for the login.
    paste_redirect_uri : str
        Redirect URI used when the redirect is pasted back.

    Notes
    -----
    Attributes named like the widgets (``login_button``, ``explorer_token``,
    ``extend_button``...) are the widgets themselves, for tests and custom
    layouts; ``step`` is the current step, ``message_text`` / ``message_level``
    the last message in plain words. :meth:`wait_idle` waits for work started
    by a click or by the redirect.
    """

    # The widgets, set from the panel_steps builders (CSS class in brackets).
    widget: w.VBox  # [meta-auth-panel] the whole panel
    header: w.HTML  # [meta-auth-header]
    progress: w.HTML  # [meta-auth-progress-box]
    message: w.HTML  # [meta-auth-message]
    body: w.VBox  # [meta-auth-body] holds the current step
    restart_button: w.Button  # [meta-auth-restart]
    scope_boxes: dict[str, w.Checkbox]  # [meta-auth-scope-<permission>]
    extra_scopes: w.Text  # [meta-auth-scopes-extra]
    scopes_next: w.Button  # [meta-auth-scopes-next]
    method_tabs: w.Tab  # [meta-auth-method-tabs]
    explorer_steps: w.HTML  # [meta-auth-explorer-steps] (link a.meta-auth-explorer-link)
    explorer_token: w.Password  # [meta-auth-explorer-token]
    explorer_submit: w.Button  # [meta-auth-explorer-submit]
    login_intro: w.HTML  # [meta-auth-login-intro]
    app_id_field: w.Text  # [meta-auth-app-id]
    app_secret_field: w.Password  # [meta-auth-app-secret]
    login_button: w.Button  # [meta-auth-login-start]
    redirect_info: w.HTML  # [meta-auth-redirect-info]
    redirect_uri_field: w.Text  # [meta-auth-redirect-uri]
    copy_button: w.HTML  # [meta-auth-copy-box] (button.meta-auth-copy)
    redirect_uri_row: w.HBox
    login_link: w.HTML  # [meta-auth-login-link-box] (a.meta-auth-login-link, target=_blank)
    login_status: w.HTML  # [meta-auth-login-status]
    paste_info: w.HTML  # [meta-auth-paste-info]
    redirect_paste: w.Text  # [meta-auth-redirect-paste]
    redirect_submit: w.Button  # [meta-auth-redirect-submit]
    paste_row: w.VBox
    system_steps: w.HTML  # [meta-auth-system-steps] (link a.meta-auth-business-link)
    system_token: w.Password  # [meta-auth-system-token]
    system_submit: w.Button  # [meta-auth-system-submit]
    token_card: w.HTML  # [meta-auth-token-card]
    inspect_next: w.Button  # [meta-auth-inspect-next]
    rerequest_button: w.Button  # [meta-auth-rerequest]
    extend_info: w.HTML  # [meta-auth-extend-info]
    extend_app_row: w.VBox
    extend_button: w.Button  # [meta-auth-extend]
    extend_next: w.Button  # [meta-auth-extend-next]
    extend_result: w.HTML  # [meta-auth-extend-result]
    profile_field: w.Text  # [meta-auth-profile]
    store_secret_box: w.Checkbox  # [meta-auth-store-secret]
    save_info: w.HTML  # [meta-auth-save-info]
    save_button: w.Button  # [meta-auth-save]
    save_skip: w.Button  # [meta-auth-save-skip]
    use_info: w.HTML  # [meta-auth-use-info]
    close_button: w.Button  # [meta-auth-close]

    def __init__(
        self,
        *,
        store: Any,
        profile: str,
        scopes: Sequence[str],
        namespace: MutableMapping[str, Any],
        location: KernelLocation,
        owner: Any = None,
        session_name: str = "meta",
        app_id: str | None = None,
        sandbox: bool = False,
        warn_days: float = DEFAULT_WARN_DAYS,
        redirect_port: int = 8765,
        redirect_timeout: float = 300.0,
        paste_redirect_uri: str = PASTE_REDIRECT_URI,
    ) -> None:
        settings = get_settings()
        self.store = store
        self.namespace = namespace
        self.owner = owner
        self.location = location
        self.sandbox = sandbox
        self.warn_days = warn_days
        self.redirect_port = redirect_port
        self.redirect_timeout = redirect_timeout
        self.paste_redirect_uri = paste_redirect_uri
        self.state = FlowState(
            profile=profile,
            scopes=list(scopes) or ["ads_read"],
            app_id=app_id or settings.app_id,
            session_name=session_name,
        )
        self.step = SCOPES
        self.message_text = ""
        self.message_level = ""
        self.session: Any = None
        self._catcher: Any = None
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._closed = False
        #: Tokens pasted but not yet submitted, by field: kernel memory, never a widget.
        self._pasted: dict[int, str] = {}
        self._build()
        self.go(SCOPES)

    # --- construction ---------------------------------------------------------------
    def _build(self) -> None:
        chrome = build_chrome()
        self._expose(chrome)
        app_id_field, app_secret_field = build_app_fields()
        app_id_field.value = self.state.app_id or ""
        if get_settings().app_secret:
            app_secret_field.placeholder = "using META_APP_SECRET from the environment"
        scopes = build_scopes(display.permission_catalog(), self.state.scopes)
        method = build_method(app_id_field, app_secret_field)
        inspect = build_inspect()
        extend = build_extend(app_id_field, app_secret_field)
        save = build_save(self.state.profile)
        use = build_use()
        for step in (scopes, method, inspect, extend, save, use):
            self._expose(step)
        self._boxes: dict[str, w.VBox] = {
            SCOPES: scopes.box,
            METHOD: method.box,
            INSPECT: inspect.box,
            EXTEND: extend.box,
            SAVE: save.box,
            USE: use.box,
        }
        self._enter: dict[str, Callable[[], None]] = {
            SCOPES: lambda: None,
            METHOD: self._enter_method,
            INSPECT: self._enter_inspect,
            EXTEND: self._enter_extend,
            SAVE: self._enter_save,
            USE: self._enter_use,
        }
        self._render_header()
        self._wire()

    def _expose(self, parts: Any) -> None:
        """Make the widgets of a builder's dataclass attributes of the panel (``box`` aside)."""
        for item in fields(parts):
            if item.name != "box":
                setattr(self, item.name, getattr(parts, item.name))

    def _wire(self) -> None:
        clicks: Iterable[tuple[w.Button, Callable[[Any], None]]] = (
            (self.restart_button, self._on_restart),
            (self.scopes_next, self._on_scopes_next),
            (self.explorer_submit, lambda _: self._on_paste_token(self.explorer_token, EXPLORER)),
            (self.system_submit, lambda _: self._on_paste_token(self.system_token, SYSTEM_USER)),
            (self.login_button, self._on_login_start),
            (self.redirect_submit, self._on_redirect_submit),
            (self.inspect_next, lambda _: self.go(EXTEND)),
            (self.rerequest_button, self._on_rerequest),
            (self.extend_button, self._on_extend),
            (self.extend_next, lambda _: self.go(SAVE)),
            (self.save_button, self._on_save),
            (self.save_skip, lambda _: self.go(USE)),
            (self.close_button, lambda _: self.close()),
        )
        for button, handler in clicks:
            button.on_click(handler)
        # The URI field is there to be selected and copied, not edited.
        self.redirect_uri_field.observe(self._keep_redirect_uri, names="value")
        # A secret leaves its field the moment it arrives, even if no button is
        # ever pressed, so no widget state (and no saved notebook) can hold it.
        self.app_secret_field.observe(self._on_secret_arrived, names="value")
        for field in (self.explorer_token, self.system_token):
            field.observe(self._on_token_arrived, names="value")

    def _render_header(self) -> None:
        badge = display.Safe("")
        if self.sandbox:
            badge = display.render(
                "badge.html", text="sandbox", title="Everything goes to the built-in Graph API emulator"
            )
        self.header.value = display.render("header.html", profile=self.state.profile, badge=badge)

    def _ipython_display_(self) -> None:
        from IPython.display import display as show

        show(self.widget)

    def __repr__(self) -> str:
        return f"<LoginPanel profile={self.state.profile!r} step={self.step!r} token={self.state.token!r}>"

    # --- navigation and messages ------------------------------------------------------
    def go(self, step: str) -> None:
        """Show ``step`` (one of :data:`~meta_auth_nb.panel_state.STEPS`) and clear the message."""
        self.step = step
        self.body.children = (self._boxes[step],)
        self.progress.value = display.progress_html(STEPS, step)
        self.say("", "")
        self._enter[step]()

    def say(self, level: str, title: str, text: str = "", hint: str = "") -> None:
        """Show a message (level info, ok, warn or error); empty title and text clear it."""
        self.message.value = display.message_html(level, title, text, hint)
        self.message_level = level
        self.message_text = " ".join(part for part in (title, text, hint) if part)

    def _fail(self, error: BaseException) -> None:
        title, text, hint = display.describe_error(error)
        if not isinstance(error, ValueError):
            log.info("panel step %s failed: %s", self.step, type(error).__name__)
        self.say("error", title, text, hint)

    # --- threads -------------------------------------------------------------------------
    def _run(self, work: Callable[..., None], *args: Any) -> None:
        """Run ``work`` in a daemon thread, one at a time; errors become panel messages."""
        if not self._lock.acquire(blocking=False):
            self.say("info", "Still working on the previous step\u2026")
            return
        self.say("info", "Working\u2026")

        def target() -> None:
            try:
                self._guarded(work, *args)
            finally:
                self._lock.release()

        self._spawn(target, "meta-auth-panel")

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _guarded(self, work: Callable[..., None], *args: Any) -> None:
        try:
            work(*args)
        except Exception as error:  # shown in the panel: nothing is raised into a dead thread
            self._fail(error)

    def wait_idle(self, timeout: float = 15.0) -> bool:
        """Wait until work started by clicks or the redirect is done; True when idle."""
        import time

        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads)

    # --- step 1: permissions ---------------------------------------------------------------
    def _read_scopes(self) -> list[str]:
        ticked = [name for name, box in self.scope_boxes.items() if box.value]
        scopes = list(normalize_scopes([*ticked, *self.extra_scopes.value.split(",")]))
        if not scopes:
            raise ValueError("Tick at least one permission: ads_read is enough to read ads data.")
        return scopes

    def _set_scopes(self, scopes: Sequence[str]) -> None:
        self.state.scopes = list(scopes)
        for name, box in self.scope_boxes.items():
            box.value = name in scopes
        self.extra_scopes.value = ",".join(s for s in scopes if s not in self.scope_boxes)

    def _on_scopes_next(self, _: Any = None) -> None:
        try:
            self.state.scopes = self._read_scopes()
        except ValueError as error:
            self._fail(error)
            return
        self.go(METHOD)

    def _on_restart(self, _: Any = None) -> None:
        self._stop_catcher()
        self.state.forget_token()
        self.login_button.description = LOGIN_START
        self.go(SCOPES)

    # --- step 2: get a token ----------------------------------------------------------------
    def select_method(self, method: str) -> None:
        """Open the tab of ``explorer``, ``facebook`` or ``system_user``."""
        self.method_tabs.selected_index = [name for name, _ in METHODS].index(method)

    def _enter_method(self) -> None:
        scopes = ",".join(self.state.scopes)
        self.explorer_steps.value = display.render("explorer_steps.html", explorer_url=EXPLORER_URL, scopes=scopes)
        self.system_steps.value = display.render("system_user_steps.html", business_url=BUSINESS_URL, scopes=scopes)
        note = display.Safe("")
        if self.sandbox:
            # A remote browser cannot open the sandbox dialog on the kernel's 127.0.0.1: point at the autopilot.
            remote = self.location.remote
            note = display.render(
                "sandbox_remote_note.html" if remote else "sandbox_note.html", where=self.location.reason
            )
        self.login_intro.value = display.render("login_intro.html", scopes=scopes, sandbox_note=note)

    def _on_secret_arrived(self, change: Any) -> None:
        if change["new"]:
            self._take_typed_secret()

    def _on_token_arrived(self, change: Any) -> None:
        field = change["owner"]
        if change["new"]:
            self._pasted[id(field)] = change["new"]
            field.value = ""
            field.placeholder = "token received: press the button to check it"

    def _on_paste_token(self, field: w.Password, method: str) -> None:
        raw = field.value or self._pasted.pop(id(field), "")
        field.value = ""  # out of the widget (and the saved notebook) at once
        self.state.method = method
        self._run(self._adopt_pasted, raw, method)

    def _adopt_pasted(self, raw: str, method: str) -> None:
        source = "Graph API Explorer" if method == EXPLORER else "system user"
        token = parse_pasted_token(raw, f"pasted ({source})")
        # The token inspects itself: the app secret at hand may belong to another app.
        report = validate(token, warn_days=self.warn_days)
        self._adopt(token, report, method)

    def _adopt(self, token: AccessToken, report: HealthReport, method: str) -> None:
        info = report.info
        if not info.is_valid:
            hint = "Generate a new one and paste it right away." if method != FACEBOOK else "Start the login again."
            self.say("error", "This token cannot be used:", f"{info.invalid_reason}.", hint)
            return
        self.state.take_token(token, report, method)
        if not self.state.app_id:
            self.state.app_id = info.app_id
        self.go(INSPECT)
        note = ""
        if method == SYSTEM_USER and info.type != "SYSTEM_USER":
            note = f"Note: this is a {info.type or 'non-system-user'} token, not a system user token."
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
        else:
            self.say("ok", "Token received and checked.", note)

    def _read_app_id(self) -> str:
        app_id = self.app_id_field.value.strip() or (self.state.app_id or "")
        if not app_id:
            raise ValueError("Enter your app id (App settings > Basic in the Meta app dashboard).")
        if not app_id.isdigit():
            raise ValueError("The app id is the number shown in App settings > Basic (digits only).")
        self.state.app_id = app_id
        return app_id

    def _take_typed_secret(self) -> str | None:
        """The app secret typed in the field, which is emptied at once."""
        typed = self.app_secret_field.value.strip()
        self.app_secret_field.value = ""
        if not typed:
            return None
        remember_secret(typed)  # masked wherever it might show up from now on
        self.state.app_secret = typed
        self.app_secret_field.placeholder = "received (kept in this kernel's memory only)"
        return typed

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

    def _stop_catcher(self) -> None:
        catcher, self._catcher = self._catcher, None
        if catcher is not None:
            catcher.stop()

    def _keep_redirect_uri(self, change: dict[str, Any]) -> None:
        expected = self.state.login.redirect_uri if self.state.login is not None else ""
        if change["new"] != expected and expected:
            self.redirect_uri_field.value = expected

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
        report = validate(after, app_id=app_id, app_secret=secret, warn_days=self.warn_days)
        state.take_token(after, report, state.method or "extended")
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
        app_id, secret = state.app_for_token()
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

    # --- fixing a stored profile -------------------------------------------------------------------
    def open_for(self, report: HealthReport, stored: Any) -> None:
        """Open at the step that fixes ``report``'s problem, saying why."""
        fix = fix_for(report)
        state = self.state
        state.app_id = stored.app_id or state.app_id
        state.app_secret = stored.app_secret or state.app_secret
        state.store_app_secret = bool(stored.app_secret)
        if stored.app_id:
            self.app_id_field.value = stored.app_id
        if fix.keep_token:
            state.take_token(stored.token, report, "stored")
            state.saved = None
        if fix.scopes:
            self._set_scopes(fix.scopes)
        state.auth_type = fix.auth_type
        self.go(fix.step)
        if fix.method:
            self.select_method(fix.method)
        self.say(fix.level, fix.title, fix.text)

    def open_missing(self, profile: str) -> None:
        """Start at the beginning, saying no token is stored yet."""
        self.go(SCOPES)
        self.say(
            "info", f"No token is stored for profile {profile} yet.", "Let's get one: choose the permissions first."
        )

    # --- closing -------------------------------------------------------------------------------------
    def close(self, note: str | None = None) -> None:
        """Stop the catcher and shrink the panel to one line (its other widgets are closed).

        Parameters
        ----------
        note : str, optional
            The line left in the output; default says where the session is.
        """
        if self._closed:
            return
        self._closed = True
        self._stop_catcher()
        if note is None:
            state = self.state
            note = (
                f"Done: {state.session_name} is ready ({state.token.masked})."
                if self.session is not None and state.token is not None
                else "Login panel closed."
            )
        style, summary = self.widget.children[0], w.HTML(value=display.render("closed.html", text=note))
        parts = [*self.widget.children[1:], *self._boxes.values()]  # steps not on show are not children
        self.widget.children = (style, summary)
        for part in parts:
            _close_tree(part)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def catching(self) -> bool:
        """True while the local redirect catcher waits for the login (else the URL is pasted back)."""
        return self._catcher is not None


def _close_tree(widget: w.Widget) -> None:
    # Shared widgets (the app fields) are met twice; close() is idempotent.
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if isinstance(part, w.Widget):
            part.close()
    widget.close()
