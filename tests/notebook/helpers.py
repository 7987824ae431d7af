"""Driving the panel like a person does, and looking for leaked secrets."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

import httpx
from IPython.utils.capture import capture_output

from meta_auth_nb.notebook.kernel_sandbox import KERNEL as kernel_sandbox
from meta_auth_nb.notebook.panel.controller import LoginPanel


def login(shell: Any, args: str = "--sandbox --local") -> tuple[LoginPanel | None, Any]:
    """Run ``%meta_login args``; return the panel it opened (None on the fast path) and the captured output."""
    with capture_output() as captured:
        result = shell.run_cell(f"%meta_login {args}")
    assert result.error_in_exec is None, result.error_in_exec
    return shell.magics_manager.registry["MetaAuthMagics"].panel, captured


def sandbox() -> Any:
    assert kernel_sandbox.box is not None, "run %meta_login --sandbox first"
    return kernel_sandbox.box


def start_facebook_login(panel: LoginPanel) -> str:
    """Scopes step -> Facebook tab -> click "Log in with Facebook"; returns the dialog URL the click opens.

    The link is made when the tab shows. Where the redirect is caught, the link is the catcher's own
    address, which sends the browser on to the dialog (so the panel knows the login page was opened).
    """
    if panel.step == "scopes":
        panel.scopes_next.click()
    panel.select_method("facebook")
    request = panel.wait_for_login_link()
    assert request is not None, panel.message_text
    return open_login_link(panel)


def open_login_link(panel: LoginPanel) -> str:
    """What a click on the panel's login link does in a browser, up to the dialog: returns the dialog URL."""
    address = panel.login_address
    assert address is not None, panel.message_text
    if not panel.catching:
        return address
    answer = httpx.get(address, follow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def browser_follows(redirected: str) -> httpx.Response:
    """What the browser does with the dialog's redirect (the fragment stays in the browser)."""
    return httpx.get(redirected.split("#", 1)[0], timeout=10)


def paste_redirect(panel: LoginPanel, url: str) -> None:
    panel.redirect_paste.value = url
    panel.redirect_submit.click()
    assert panel.wait_idle()


def paste_token(panel: LoginPanel, token: str, method: str = "explorer") -> None:
    if panel.step == "scopes":
        panel.scopes_next.click()
    panel.select_method(method)
    field = panel.explorer_token if method == "explorer" else panel.system_token
    submit = panel.explorer_submit if method == "explorer" else panel.system_submit
    field.value = token
    submit.click()
    assert field.value == "", "a secret field must be emptied as soon as it is read"
    assert panel.wait_idle()


def wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def all_widget_states() -> str:
    """Every live widget's synced state, as JSON text (what a saved notebook could keep)."""
    from ipywidgets.widgets import widget as widget_module

    instances = getattr(widget_module, "_instances", None)
    if instances is None:  # ipywidgets 7
        import ipywidgets

        instances = ipywidgets.Widget.widgets
    return json.dumps([w.get_state() for w in list(instances.values())], default=str, ensure_ascii=False)


def leaks(secrets: Iterable[str], *texts: str) -> list[str]:
    """The secrets (masked in the answer) found in any of the texts."""
    return [f"{s[:4]}…" for s in secrets if s and any(s in t for t in texts)]


def captured_text(captured: Any) -> str:
    parts = [captured.stdout, captured.stderr]
    for output in captured.outputs:
        parts.extend(str(v) for v in output.data.values())
    return "\n".join(parts)
