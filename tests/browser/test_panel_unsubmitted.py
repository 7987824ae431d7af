"""A token typed into the panel but never submitted stays out of the saved notebook, in real JupyterLab.

The widget state a notebook saves comes from the browser's widget models,
not from the kernel, so this is clicked for real: JupyterLab set to save
widget state, a token pasted into the panel's password field with no Enter
and no button, the notebook saved with the field still focused and with a
click on Save (which takes the focus from the field in the same moment);
then the file on disk is searched.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.lab import cell_output, run_cell, set_lab_settings, wait_for_kernel_idle, write_notebook
from tests.conftest import make_canary

pytestmark = pytest.mark.browser

WIDGETS_PLUGIN = "@jupyter-widgets/jupyterlab-manager:plugin"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: JupyterLab's save shortcut pressed on the page itself, so the focused field keeps its focus.
SAVE_KEEPING_FOCUS = """() => document.body.dispatchEvent(new KeyboardEvent('keydown', {
  key: 's', code: 'KeyS', keyCode: 83, which: 83, ctrlKey: true, bubbles: true, cancelable: true}))"""


def _saved_widget_state(path: Path, since: float, timeout: float = 30) -> str:
    """The notebook's text once it has been saved with widget state after ``since``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.stat().st_mtime > since:
            text = path.read_text(encoding="utf-8")
            if WIDGET_STATE in text:
                return text
        time.sleep(0.2)
    raise AssertionError(f"{path.name} was not saved with its widget state")


@pytest.fixture
def widget_state_saved(jupyter_server):
    set_lab_settings(jupyter_server, WIDGETS_PLUGIN, {"saveState": True})
    yield
    set_lab_settings(jupyter_server, WIDGETS_PLUGIN, {"saveState": False})


def test_a_token_typed_but_never_submitted_is_not_in_the_saved_notebook(jupyter_server, page, widget_state_saved):
    token = make_canary()
    name = write_notebook(jupyter_server.root, "unsubmitted.ipynb", ["%load_ext meta_auth_nb", "%meta_login --sandbox"])
    path = jupyter_server.root / name
    page.goto(jupyter_server.url(f"lab/tree/{name}") + "&reset")
    wait_for_kernel_idle(page)
    run_cell(page, 0)
    run_cell(page, 1)
    panel = cell_output(page, 1).locator(".meta-auth-panel")
    panel.locator(".meta-auth-scopes-next").click()
    panel.locator(".lm-TabBar-tab, .p-TabBar-tab").filter(has_text="Graph API Explorer").click()
    field = panel.locator(".meta-auth-explorer-token input")
    field.fill(token)  # pasted: no Enter, no button, and the field keeps the focus
    # The kernel has it (and the field is empty) while the person has not even left the field.
    expect(field).to_have_attribute("placeholder", "token received: press below")
    expect(field).to_have_value("")

    # Saved with the field still focused (the widget keeps Ctrl+S to itself, so the shortcut goes to the page).
    since = time.time()
    page.evaluate(SAVE_KEEPING_FOCUS)
    assert token not in _saved_widget_state(path, since)
    assert page.evaluate("document.activeElement.type") == "password"  # it never left the field

    # Saved with a click on Save, which takes the focus from the field in the same moment.
    field.fill(token)
    expect(field).to_have_value("")
    since = time.time()
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) [data-command='docmanager:save']").first.click()
    saved = _saved_widget_state(path, since)
    assert token not in saved and token[4:-4] not in saved

    states = json.loads(path.read_text(encoding="utf-8"))["metadata"]["widgets"][WIDGET_STATE]["state"]
    assert any(model["model_name"] == "PasswordModel" for model in states.values())  # the fields were saved
