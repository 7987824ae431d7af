"""The login panel's widgets, one builder per step. No behaviour here.

Each builder returns a dataclass whose field names are the attribute names
the panel exposes (``login_button``, ``explorer_token``...); ``box`` is the
step's container.

Notebook layer. Core ipywidgets only, and only what both 7.7+ and 8.x have
(``description``, ``layout``, ``HTML``, ``Button``, ``Text``, ``Password``,
``Checkbox``, ``Tab`` with ``set_title``, ``VBox``/``HBox``). Every widget a
person clicks or types into gets a stable CSS class ``meta-auth-...`` so
browser tests (and user CSS) can find it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import ipywidgets as w

from .. import render as display
from .state import METHODS

__all__ = [
    "Chrome",
    "ExtendStep",
    "InspectStep",
    "MethodStep",
    "SaveStep",
    "ScopesStep",
    "UseStep",
    "build_chrome",
    "build_extend",
    "build_inspect",
    "build_method",
    "build_save",
    "build_scopes",
    "build_use",
    "classed",
    "page_button",
]

W = TypeVar("W", bound=w.DOMWidget)
LOGIN_START = "Log in with Facebook"
#: The button that makes a fresh login link when the last one expired or could not be made.
LOGIN_AGAIN = "Make a new login link"
# Every labelled field has the same label width, so their inputs line up; a field shrinks with the output area.
_DESCRIPTION = {"description_width": "11em"}


def _field_layout(max_width: str = "36em") -> w.Layout:
    return w.Layout(width="100%", max_width=max_width)


def _row(children: Sequence[w.Widget]) -> w.HBox:
    """Widgets side by side that wrap under each other when the output area is narrow."""
    return classed(w.HBox(list(children), layout=w.Layout(width="100%")), "row")


def classed(widget: W, name: str) -> W:
    """Add the CSS class ``meta-auth-<name>`` and return the widget."""
    widget.add_class(f"meta-auth-{name}")
    return widget


def _button(label: str, name: str, style: str = "") -> w.Button:
    # flex-start: a button in a VBox would otherwise stretch across the panel
    return classed(
        w.Button(description=label, button_style=style, layout=w.Layout(width="auto", align_self="flex-start")), name
    )


def _html(name: str, value: str = "") -> w.HTML:
    return classed(w.HTML(value=value), name)


def _secret(name: str, label: str, placeholder: str) -> w.Password:
    # Synced as it is pasted, so the kernel takes it and empties the field at once. Synced only
    # when the field is left, it would reach the browser's widget model in the very moment a
    # click on Save collects the widget state to save, before the kernel could empty it.
    return classed(
        w.Password(
            description=label,
            placeholder=placeholder,
            style=_DESCRIPTION,
            layout=_field_layout(),
            continuous_update=True,
        ),
        name,
    )


def _step_box(name: str, children: Sequence[w.Widget]) -> w.VBox:
    return classed(w.VBox(list(children)), f"step-{name}")


@dataclass
class Chrome:
    """Parts around the steps: style, header, banner, progress, message, body, footer."""

    widget: w.VBox
    header: w.HTML
    banner: w.HTML
    progress: w.HTML
    message: w.HTML
    body: w.VBox
    restart_button: w.Button


def build_chrome() -> Chrome:
    header = _html("header")
    banner = _html("banner-box")
    progress = _html("progress-box")
    message = _html("message")
    body = classed(w.VBox([]), "body")
    restart = _button("Start over", "restart")
    style = w.HTML(value=display.panel_style())
    root = classed(w.VBox([style, header, banner, progress, message, body, w.HBox([restart])]), "panel")
    return Chrome(root, header, banner, progress, message, body, restart)


@dataclass
class ScopesStep:
    box: w.VBox
    scope_boxes: dict[str, w.Checkbox]
    scope_rows: list[w.HBox]
    extra_scopes: w.Text
    config_field: w.Text
    scopes_note: w.HTML
    scopes_next: w.Button


def build_scopes(catalog: Sequence[tuple[str, str]], chosen: Sequence[str], config_id: str = "") -> ScopesStep:
    boxes: dict[str, w.Checkbox] = {}
    rows: list[w.HBox] = []
    for name, text in catalog:
        # Wide enough for the longest name (pages_read_engagement) in full; the help wraps beside it or below.
        box = classed(
            w.Checkbox(
                value=name in chosen, description=name, indent=False, layout=w.Layout(width="17em", flex="0 0 auto")
            ),
            f"scope-{name}",
        )
        boxes[name] = box
        help_text = w.HTML(
            value=display.render("scope_help.html", text=text), layout=w.Layout(flex="1 1 16em", min_width="0")
        )
        rows.append(_row([box, help_text]))
    others = [s for s in chosen if s not in boxes]
    extra = classed(
        w.Text(
            value=",".join(others),
            description="Other permissions",
            placeholder="e.g. instagram_basic",
            style=_DESCRIPTION,
            layout=_field_layout(),
        ),
        "scopes-extra",
    )
    config = classed(
        w.Text(
            value=config_id,
            description="Configuration ID",
            placeholder="Login for Business only",
            style=_DESCRIPTION,
            layout=_field_layout(),
            continuous_update=False,
        ),
        "config-id",
    )
    note = _html("scopes-note")
    next_button = _button("Next: choose how to get the token", "scopes-next", "primary")
    intro = w.HTML(value=display.render("scopes_intro.html"))
    help_line = w.HTML(value=display.render("config_help.html"))
    box = _step_box("scopes", [intro, *rows, extra, help_line, config, note, next_button])
    return ScopesStep(box, boxes, rows, extra, config, note, next_button)


@dataclass
class MethodStep:
    box: w.VBox
    method_tabs: w.Tab
    explorer_steps: w.HTML
    explorer_token: w.Password
    explorer_submit: w.Button
    login_intro: w.HTML
    app_id_field: w.Text
    app_secret_field: w.Password
    login_button: w.Button
    login_link: w.HTML
    login_status: w.HTML
    page_buttons: w.HBox
    advanced: w.Accordion
    registered_field: w.Text
    login_success_button: w.Button
    redirect_info: w.HTML
    redirect_uri_field: w.Text
    copy_button: w.HTML
    redirect_uri_row: w.HBox
    paste_info: w.HTML
    redirect_paste: w.Text
    redirect_submit: w.Button
    paste_row: w.VBox
    system_steps: w.HTML
    system_token: w.Password
    system_submit: w.Button


def build_app_fields() -> tuple[w.Text, w.Password]:
    """The app id and app secret fields (shared by the login tab and the extend step)."""
    app_id = classed(
        w.Text(
            description="App id",
            placeholder="App settings > Basic",
            style=_DESCRIPTION,
            layout=_field_layout(),
            continuous_update=False,  # the login link is made for the whole id, once
        ),
        "app-id",
    )
    secret = _secret("app-secret", "App secret", "App settings > Basic")
    return app_id, secret


def build_method(
    app_id_field: w.Text, app_secret_field: w.Password, login_success_url: str, sandbox: bool = False
) -> MethodStep:
    explorer_steps = _html("explorer-steps")
    explorer_token = _secret(
        "explorer-token",
        "Access token",
        "a sandbox token" if sandbox else "the Explorer's token",
    )
    explorer_submit = _button("Use this token", "explorer-submit", "primary")
    explorer = w.VBox([explorer_steps, explorer_token, explorer_submit])

    login_intro = _html("login-intro")
    # The login link is an <a> (a click opens the dialog in a new tab at once); this button only makes a new one.
    login_button = _button(LOGIN_AGAIN, "login-start", "primary")
    login_button.layout.display = "none"
    login_link = _html("login-link-box")
    login_status = _html("login-status")
    page_buttons = classed(w.HBox([], layout=w.Layout(width="100%")), "row")
    page_buttons.add_class("meta-auth-page-buttons")
    paste_info = _html("paste-info")
    redirect_paste = classed(
        w.Text(
            description="Address it ended on",
            placeholder="http://…?code=…&state=…",
            style=_DESCRIPTION,
            layout=_field_layout(),
        ),
        "redirect-paste",
    )
    redirect_submit = _button("Finish login", "redirect-submit", "primary")
    paste_row = w.VBox([paste_info, redirect_paste, redirect_submit])
    paste_row.layout.display = "none"

    registered_help = w.HTML(
        value=display.render("registered_help.html", login_success_url=login_success_url, sandbox=sandbox)
    )
    registered_field = classed(
        w.Text(
            description="Registered redirect",
            placeholder="https://…",
            style=_DESCRIPTION,
            layout=w.Layout(flex="1 1 24em", max_width="36em", min_width="0"),
            continuous_update=False,
        ),
        "registered-redirect",
    )
    login_success_button = _button(
        "Use the sandbox's login_success.html" if sandbox else "Use Meta's login_success.html", "use-login-success"
    )
    redirect_info = _html("redirect-info")
    redirect_uri_field = classed(
        w.Text(
            description="Redirect URI",
            style=_DESCRIPTION,
            layout=w.Layout(flex="1 1 24em", max_width="36em", min_width="0"),
        ),
        "redirect-uri",
    )
    copy_button = _html("copy-box")
    redirect_uri_row = _row([redirect_uri_field, copy_button])
    # Where the login comes back, and how to change that: set-up words an analyst rarely needs, folded away.
    advanced = classed(
        w.Accordion(
            children=[
                w.VBox(
                    [redirect_info, redirect_uri_row, registered_help, _row([registered_field, login_success_button])]
                )
            ]
        ),
        "advanced",
    )
    advanced.set_title(0, "Advanced: where the login comes back")
    advanced.selected_index = None
    facebook = w.VBox(
        [
            login_intro,
            app_id_field,
            app_secret_field,
            login_link,
            login_button,
            login_status,
            page_buttons,
            paste_row,
            advanced,
        ]
    )

    system_steps = _html("system-steps")
    system_token = _secret("system-token", "System user token", "the system user token")
    system_submit = _button("Use this token", "system-submit", "primary")
    system = w.VBox([system_steps, system_token, system_submit])

    tabs = classed(w.Tab(children=[explorer, facebook, system]), "method-tabs")
    for index, (_, title) in enumerate(METHODS):
        tabs.set_title(index, title)
    box = _step_box("method", [tabs])
    return MethodStep(
        box,
        tabs,
        explorer_steps,
        explorer_token,
        explorer_submit,
        login_intro,
        app_id_field,
        app_secret_field,
        login_button,
        login_link,
        login_status,
        page_buttons,
        advanced,
        registered_field,
        login_success_button,
        redirect_info,
        redirect_uri_field,
        copy_button,
        redirect_uri_row,
        paste_info,
        redirect_paste,
        redirect_submit,
        paste_row,
        system_steps,
        system_token,
        system_submit,
    )


def page_button(label: str, key: str) -> w.Button:
    """A button saying the login page showed one of Meta's error pages (``key``: see :mod:`...auth.dialog_pages`)."""
    return _button(label, f"page-{key.replace('_', '-')}")


@dataclass
class InspectStep:
    box: w.VBox
    token_card: w.HTML
    inspect_next: w.Button
    rerequest_button: w.Button


def build_inspect() -> InspectStep:
    card = _html("token-card")
    next_button = _button("Next: make it long-lived", "inspect-next", "primary")
    rerequest = _button("Ask again for declined permissions", "rerequest", "warning")
    rerequest.layout.display = "none"
    return InspectStep(_step_box("inspect", [card, _row([next_button, rerequest])]), card, next_button, rerequest)


@dataclass
class ExtendStep:
    box: w.VBox
    extend_info: w.HTML
    extend_app_row: w.VBox
    extend_button: w.Button
    extend_next: w.Button
    extend_result: w.HTML


def build_extend(app_id_field: w.Text, app_secret_field: w.Password) -> ExtendStep:
    info = _html("extend-info")
    app_row = w.VBox([app_id_field, app_secret_field])
    extend_button = _button("Extend to 60 days", "extend", "primary")
    next_button = _button("Skip", "extend-next")
    result = _html("extend-result")
    box = _step_box("extend", [info, app_row, result, _row([extend_button, next_button])])
    return ExtendStep(box, info, app_row, extend_button, next_button, result)


@dataclass
class SaveStep:
    box: w.VBox
    profile_field: w.Text
    store_secret_box: w.Checkbox
    save_info: w.HTML
    save_button: w.Button
    save_skip: w.Button


def build_save(profile: str) -> SaveStep:
    profile_field = classed(
        w.Text(value=profile, description="Profile", style=_DESCRIPTION, layout=_field_layout("24em")), "profile"
    )
    store_secret = classed(
        w.Checkbox(
            value=False,
            description="Also store the app secret (lets you extend later)",
            indent=False,
            layout=w.Layout(width="auto", max_width="100%"),
        ),
        "store-secret",
    )
    info = _html("save-info")
    save_button = _button("Save", "save", "success")
    skip_button = _button("Use without saving", "save-skip")
    box = _step_box("save", [info, profile_field, store_secret, _row([save_button, skip_button])])
    return SaveStep(box, profile_field, store_secret, info, save_button, skip_button)


@dataclass
class UseStep:
    box: w.VBox
    use_info: w.HTML
    save_later: w.Button
    close_button: w.Button


def build_use() -> UseStep:
    info = _html("use-info")
    save_later = _button("Save it", "save-later", "success")
    close_button = _button("Close this panel", "close")
    return UseStep(_step_box("use", [info, _row([save_later, close_button])]), info, save_later, close_button)
