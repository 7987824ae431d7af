"""The login panel's frame: its widgets, moving between steps, messages, worker threads, closing.

Notebook layer. :class:`PanelBase` builds the widgets of :mod:`.steps` and owns
what every step shares: the current step, the message line, the one worker
thread at a time, the redirect catcher's lifetime and the app secret field.
The step groups (:mod:`.intake`, :mod:`.facebook`, :mod:`.token_steps`)
extend it, and :class:`~meta_auth_nb.notebook.panel.controller.LoginPanel`
puts them together.

Nothing blocks the kernel: Graph calls run in a daemon thread per click,
and the panel updates itself from there (ipywidgets syncs trait changes
made from any thread). Secrets never stay in a widget: a typed app secret
is read and its field emptied in the same callback, the value kept in
:class:`~meta_auth_nb.notebook.panel.state.FlowState`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import fields
from typing import Any

import ipywidgets as w

from ..._base.redact import get_logger, remember_secret
from ..._base.settings import REDIRECT_PORT, REDIRECT_TIMEOUT_S, Settings, check_app_id
from ...auth.health import DEFAULT_WARN_DAYS
from ...auth.location import KernelLocation
from ...auth.new_token import login_setup
from .. import render as display
from .state import EXTEND, INSPECT, METHOD, METHODS, SAVE, SCOPES, STEPS, USE, FlowState
from .steps import (
    build_app_fields,
    build_chrome,
    build_extend,
    build_inspect,
    build_method,
    build_save,
    build_scopes,
    build_use,
)
from .text_form import panel_text

__all__ = ["PanelBase"]

log = get_logger(__name__)
#: Characters of a Meta app secret (32 hex digits): a typed one is taken once it is whole.
APP_SECRET_LENGTH = 32


class PanelBase:
    """What every step of the login panel shares (see ``LoginPanel`` for the parameters)."""

    # The widgets, set from the .steps builders (CSS class in brackets).
    widget: w.VBox  # [meta-auth-panel] the whole panel
    header: w.HTML  # [meta-auth-header]
    banner: w.HTML  # [meta-auth-banner-box] a standing note: the sandbox, or no Meta app set
    progress: w.HTML  # [meta-auth-progress-box]
    message: w.HTML  # [meta-auth-message]
    body: w.VBox  # [meta-auth-body] holds the current step
    restart_button: w.Button  # [meta-auth-restart]
    scope_boxes: dict[str, w.Checkbox]  # [meta-auth-scope-<permission>]
    scope_rows: list[w.HBox]  # each box with its help (hidden when a configuration decides)
    extra_scopes: w.Text  # [meta-auth-scopes-extra]
    config_field: w.Text  # [meta-auth-config-id] Facebook Login for Business configuration
    scopes_note: w.HTML  # [meta-auth-scopes-note]
    scopes_next: w.Button  # [meta-auth-scopes-next]
    method_tabs: w.Tab  # [meta-auth-method-tabs]
    explorer_steps: w.HTML  # [meta-auth-explorer-steps] (link a.meta-auth-explorer-link)
    explorer_token: w.Password  # [meta-auth-explorer-token]
    explorer_submit: w.Button  # [meta-auth-explorer-submit]
    login_intro: w.HTML  # [meta-auth-login-intro]
    app_id_field: w.Text  # [meta-auth-app-id]
    app_secret_field: w.Password  # [meta-auth-app-secret]
    login_link: w.HTML  # [meta-auth-login-link-box] (a.meta-auth-login-link "Log in with Facebook", target=_blank)
    login_button: w.Button  # [meta-auth-login-start] "Make a new login link", when there is no live link
    login_status: w.HTML  # [meta-auth-login-status] waiting, and the error pages the login may end on
    page_buttons: w.HBox  # [meta-auth-page-buttons] one button per error page (button.meta-auth-page-<key>)
    advanced: w.Accordion  # [meta-auth-advanced] where the login comes back, folded away
    registered_field: w.Text  # [meta-auth-registered-redirect]
    login_success_button: w.Button  # [meta-auth-use-login-success]
    redirect_info: w.HTML  # [meta-auth-redirect-info] the redirect's mode, why, what to register
    redirect_uri_field: w.Text  # [meta-auth-redirect-uri] the exact address the login uses
    copy_button: w.HTML  # [meta-auth-copy-box] (button.meta-auth-copy)
    redirect_uri_row: w.HBox
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
    save_later: w.Button  # [meta-auth-save-later] back to Save, for a token used without saving
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
        scenario: str | None = None,
        warn_days: float = DEFAULT_WARN_DAYS,
        redirect_port: int = REDIRECT_PORT,
        redirect_timeout: float = REDIRECT_TIMEOUT_S,
        config_id: str | None = None,
        redirect_uri: str | None = None,
        settings: Settings,
    ) -> None:
        self.settings = settings
        self.store = store
        self.namespace = namespace
        self.owner = owner
        self.location = location
        self.sandbox = sandbox
        #: The sandbox's workshop scenario, when it runs one (its description explains short-lived tokens).
        self.scenario = scenario if sandbox else None
        self.warn_days = warn_days
        self.redirect_port = redirect_port
        self.redirect_timeout = redirect_timeout
        #: Given with %meta_login (they beat what a stored profile remembers).
        self.given_login = {"config_id": config_id, "redirect_uri": redirect_uri}
        self.state = FlowState(
            profile=profile,
            settings=settings,
            scopes=list(scopes) or ["ads_read"],
            app_id=app_id,
            session_name=session_name,
        )
        self.state.config_id, self.state.redirect_uri = login_setup(
            settings, config_id=config_id, redirect_uri=redirect_uri
        )
        self.step = SCOPES
        self.message_text = ""
        self.message_level = ""
        self.session: Any = None
        self._catcher: Any = None
        self._attempt: Any = None  # the live login link (see .facebook)
        self._attempts = 0
        self._link_ready = threading.Event()
        self._link_ready.set()
        self._shown_uri = ""
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._closed = False
        #: Tokens pasted but not yet submitted, by field: kernel memory, never a widget.
        self._pasted: dict[int, str] = {}
        #: A paste field's own placeholder while it says a token was received.
        self._placeholders: dict[int, str] = {}
        self._method_shown = False
        self._build()
        self.go(SCOPES)

    # --- construction ---------------------------------------------------------------
    def _build(self) -> None:
        self._expose(build_chrome())
        app_id_field, app_secret_field = build_app_fields()
        app_id_field.value = self.state.app().app_id or ""
        if self.settings.app_secret and not self.sandbox:
            app_secret_field.placeholder = "from META_APP_SECRET"
        steps: dict[str, Any] = {
            SCOPES: build_scopes(display.permission_catalog(), self.state.scopes, self.state.config_id or ""),
            METHOD: build_method(app_id_field, app_secret_field, self.settings.login_success_url, self.sandbox),
            INSPECT: build_inspect(),
            EXTEND: build_extend(app_id_field, app_secret_field),
            SAVE: build_save(self.state.profile),
            USE: build_use(),
        }
        for parts in steps.values():
            self._expose(parts)
        self._boxes: dict[str, w.VBox] = {name: parts.box for name, parts in steps.items()}
        self.registered_field.value = self.state.redirect_uri or ""
        if self.sandbox and self.state.app().usable:
            # The sandbox sets its app's id and secret: nothing to type, so no fields to puzzle over.
            app_id_field.layout.display = app_secret_field.layout.display = "none"
        self._enter = self._step_entries()
        self._render_header()
        self._wire()

    def _expose(self, parts: Any) -> None:
        """Make the widgets of a builder's dataclass attributes of the panel (``box`` aside)."""
        for item in fields(parts):
            if item.name != "box":
                setattr(self, item.name, getattr(parts, item.name))

    def _step_entries(self) -> dict[str, Callable[[], None]]:
        """What showing each step does (the complete panel knows every step)."""
        raise NotImplementedError

    def _wire(self) -> None:
        """Connect the buttons and fields to their handlers (the complete panel knows them all)."""
        raise NotImplementedError

    def _render_header(self) -> None:
        self.header.value = display.render(
            "header.html",
            profile=self.state.profile,
            sandbox=self.sandbox,
            again=display.rich(self.settings.place.login(self.state.profile)),
        )
        self.banner.value = self._banner()

    def _banner(self) -> str:
        """The standing note under the title: in the sandbox, where everything goes; with no app, what to do."""
        if self.sandbox:
            text = (
                "Sandbox: this panel and the %meta_ magics talk to the built-in Graph API emulator in this kernel, "
                "never to Meta, and its tokens end with the kernel. Back to Meta: `%meta_login --no-sandbox`."
            )
            return display.render("banner.html", level="info", text=display.rich(text))
        if self.state.app().app_id:
            return ""
        text = (
            "META_APP_ID is not set, so no Meta app is known here. No app yet? `%meta_login --sandbox` tries every "
            "step with a built-in sandbox. With an app: set META_APP_ID and META_APP_SECRET (App settings > Basic) "
            "before starting Jupyter, or type its id on the Facebook Login tab; or paste a token made in the "
            "Graph API Explorer."
        )
        return display.render("banner.html", level="warn", text=display.rich(text))

    def _ipython_display_(self) -> None:
        from IPython.display import display as show

        # The widget's view, with a text form that says what the panel is where widgets cannot show.
        bundle = getattr(self.widget, "_repr_mimebundle_", lambda **_: None)()
        if bundle:
            show({**bundle, "text/plain": panel_text(self.step, self.state.profile, self.settings.place)}, raw=True)
        else:
            show(self.widget)

    def __repr__(self) -> str:
        return f"<LoginPanel profile={self.state.profile!r} step={self.step!r} token={self.state.token!r}>"

    # --- navigation and messages ------------------------------------------------------
    def go(self, step: str) -> None:
        """Show ``step`` (one of :data:`~meta_auth_nb.notebook.panel.state.STEPS`) and clear the message."""
        if self.step == METHOD and step != METHOD:
            self._drop_login("the panel moved on to another step")
        self.step = step
        self.body.children = (self._boxes[step],)
        self.progress.value = display.progress_html(STEPS, step)
        # "Start over" drops the token in hand: offered between the first step and the last.
        self.restart_button.layout.display = "none" if step in (SCOPES, USE) else ""
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

    def select_method(self, method: str) -> None:
        """Open the tab of ``explorer``, ``facebook`` or ``system_user``."""
        self.method_tabs.selected_index = [name for name, _ in METHODS].index(method)

    def _set_login(self, config_id: str | None, redirect_uri: str | None) -> None:
        """Log in with this configuration and registered redirect from now on (fields follow)."""
        self.state.config_id, self.state.redirect_uri = config_id, redirect_uri
        self.config_field.value = config_id or ""
        self.registered_field.value = redirect_uri or ""

    def _set_scopes(self, scopes: Sequence[str]) -> None:
        """Ask for ``scopes`` from now on, ticking their boxes (others go to the free-text field)."""
        self.state.scopes = list(scopes)
        for name, box in self.scope_boxes.items():
            box.value = name in scopes
        self.extra_scopes.value = ",".join(s for s in scopes if s not in self.scope_boxes)

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

    def _spawn(self, target: Callable[[], None], name: str, *, work: bool = True) -> None:
        """Run ``target`` in a daemon thread; ``work`` threads are what :meth:`wait_idle` waits for."""
        thread = threading.Thread(target=target, name=name, daemon=True)
        if work:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _guarded(self, work: Callable[..., None], *args: Any) -> None:
        try:
            work(*args)
        except Exception as error:  # shown in the panel: nothing is raised into a dead thread
            self._fail(error)

    def wait_idle(self, timeout: float = 15.0) -> bool:
        """Wait until work started by clicks or by a caught redirect is done (and a login link made); True when idle.

        A login link waiting for its login is not work: nothing is being done until the login comes back.
        """
        deadline = time.monotonic() + timeout
        while True:
            for thread in list(self._threads):
                thread.join(max(0.0, deadline - time.monotonic()))
            busy = any(t.is_alive() for t in self._threads) or self._work_pending() or not self._link_ready.is_set()
            if not busy or time.monotonic() >= deadline:
                return not busy
            time.sleep(0.02)

    def _work_pending(self) -> bool:
        """Work about to start in a thread of its own (a redirect just caught); see .facebook."""
        return False

    def _drop_login(self, why: str) -> None:
        """Retire the live login link (see .facebook)."""
        self._stop_catcher(why)

    # --- what several steps share -----------------------------------------------------------
    def _on_secret_arrived(self, change: Any) -> None:
        # Taken once whole (pasted, or typed to its 32nd character), so typing one in still works.
        if len(change["new"].strip()) >= APP_SECRET_LENGTH:
            self._take_typed_secret()
            self._on_app_typed()

    def _on_app_typed(self, _: Any = None) -> None:
        """The app's id or secret arrived (the login tab makes its link then)."""

    def _take_typed_secret(self) -> str | None:
        """The app secret typed in the field, which is emptied at once."""
        typed = self.app_secret_field.value.strip()
        self.app_secret_field.value = ""
        if not typed:
            return None
        remember_secret(typed)  # masked wherever it might show up from now on
        self.state.app_secret = typed
        # A secret belongs to the app typed beside it (else to META_APP_ID's, see FlowState.app).
        try:
            self.state.app_id = check_app_id(self.app_id_field.value) if self.app_id_field.value.strip() else None
        except ValueError:  # said when the id is used: the login or the extension reads the field again
            pass
        self.app_secret_field.placeholder = "received; kept in memory only"
        return typed

    def _stop_catcher(self, why: str = "a newer login link was made in the panel") -> None:
        """Stop waiting for the redirect; a login tab still open then gets a page saying ``why``."""
        catcher, self._catcher = self._catcher, None
        if catcher is not None:
            catcher.retire(
                "This login is no longer awaited",
                f"It was started from a login panel that moved on: {why}. Close this tab and use the "
                "newest panel in the notebook.",
            )

    # --- closing -------------------------------------------------------------------------------------
    def close(self, note: str | None = None, *, replaced: bool = False) -> None:
        """Stop the catcher and shrink the panel to one line (its other widgets are closed).

        Parameters
        ----------
        note : str, optional
            The line left in the output; default: a finished panel's summary
            (where the session is, its token and expiry), else why it closed.
        replaced : bool
            A newer ``%meta_login`` takes over (said on an unfinished panel).
        """
        if self._closed:
            return
        self._closed = True
        why = "a newer %meta_login replaced it" if replaced else "it was closed"
        self._attempts += 1  # a link being made now is never shown
        self._drop_login(why)
        if note is None:
            note = self.summary() or (
                "Replaced by a newer %meta_login before it was finished." if replaced else "Login panel closed."
            )
        style, summary = self.widget.children[0], w.HTML(value=display.render("closed.html", text=display.rich(note)))
        parts = [*self.widget.children[1:], *self._boxes.values()]  # steps not on show are not children
        self.widget.children = (style, summary)
        for part in parts:
            _close_tree(part)

    def summary(self) -> str | None:
        """One line for a finished panel (a session was made): its name, saved or not, and the session's summary."""
        if self.session is None or self.state.token is None:
            return None
        saved = self.state.saved
        where = f"saved as profile {saved.name}" if saved is not None else "not saved"
        return f"Done: `{self.state.session_name}` is ready ({where}): {self.session.summary()}."

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
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
