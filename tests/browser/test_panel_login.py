"""The login panel in a real browser: JupyterLab 4 and Notebook 7, headless Chromium, the sandbox.

A person's path, clicked for real: ``%load_ext``, ``%meta_login --sandbox``,
"Log in with Facebook", Allow in the sandbox's dialog in a new tab, the
redirect caught by the kernel, the inspected token in the panel, extend,
save, then ``%meta_tokens`` as a table. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    NOTEBOOK,
    cell_output,
    code_cell,
    extend_and_save,
    log_in_with_facebook,
    open_advanced,
    run_cell,
    run_code_cell,
    wait_for_kernel_idle,
    wait_for_notebook_idle,
    write_notebook,
)

pytestmark = pytest.mark.browser

REPO_NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
TOKEN_PATTERN = re.compile(r"EAA[A-Za-z0-9]{20,}")


def test_lab_panel_login_then_tokens_table(jupyter_server, page, artifacts):
    name = write_notebook(
        jupyter_server.root, "panel-login.ipynb", ["%load_ext meta_auth_nb", "%meta_login --sandbox", "%meta_tokens"]
    )
    # reset: a fresh workspace, without the notebooks earlier tests left open in other tabs
    page.goto(jupyter_server.url(f"lab/tree/{name}") + "&reset")
    wait_for_kernel_idle(page)
    wait_for_notebook_idle(page)
    run_cell(page, 0)
    run_cell(page, 1)
    panel = cell_output(page, 1).locator(".meta-auth-panel")
    expect(panel).to_contain_text("No sandbox token for profile sandbox in this kernel yet")

    dialog = log_in_with_facebook(page, panel)
    expect(dialog.locator("body")).to_contain_text("Login received")
    card = panel.locator(".meta-auth-token-card")
    for fact in ("USER", "Sandbox Marketing App", "ads_read", "in 2 hours", "Data access expires"):
        expect(card).to_contain_text(fact)
    expect(panel.locator(".meta-auth-message")).to_contain_text("Token received and checked.")
    # The README's picture: the magic and the panel showing the inspected token.
    page.mouse.move(0, 0)
    page.locator(f"{NOTEBOOK} .jp-Cell").nth(1).screenshot(path=str(artifacts / "panel.png"))

    extend_and_save(panel)
    expect(panel.locator(".meta-auth-message")).to_contain_text("Saved as profile sandbox")
    run_cell(page, 2)
    table = cell_output(page, 2).locator("table")
    expect(table).to_contain_text("sandbox")
    expect(table).to_contain_text("USER")
    page.screenshot(path=str(artifacts / "lab-meta-tokens.png"))
    assert not TOKEN_PATTERN.search(page.content())  # masks only, in every output and widget


def test_notebook7_quickstart_login(jupyter_server, page, artifacts):
    shutil.copy(REPO_NOTEBOOKS / "01_quickstart.ipynb", jupyter_server.root / "quickstart-nb7.ipynb")
    page.goto(jupyter_server.url("notebooks/quickstart-nb7.ipynb"))
    wait_for_notebook_idle(page)
    expect(page.locator("#jp-top-panel, .jp-NotebookPanel").first).to_be_visible()
    run_code_cell(page, '"google.colab" in sys.modules')  # the Colab install: nothing to do here
    run_code_cell(page, "%load_ext meta_auth_nb")
    login = run_code_cell(page, "%meta_login --sandbox")
    panel = login.locator(".meta-auth-panel")
    expect(panel).to_contain_text("sandbox")

    log_in_with_facebook(page, panel)
    expect(panel.locator(".meta-auth-token-card")).to_contain_text("ads_read")
    extend_and_save(panel)
    shown = run_code_cell(page, "%meta_tokens")
    expect(shown.locator("table")).to_contain_text("sandbox")
    page.screenshot(path=str(artifacts / "notebook7-quickstart.png"))
    assert not TOKEN_PATTERN.search(page.content())
    assert code_cell(page, "%meta_login --sandbox").is_visible()


def _open_panel(jupyter_server, page, name: str, cells: list[str]):
    write_notebook(jupyter_server.root, name, cells)
    page.goto(jupyter_server.url(f"lab/tree/{name}") + "&reset")
    wait_for_kernel_idle(page)
    wait_for_notebook_idle(page)
    for index in range(len(cells)):
        run_cell(page, index)
        wait_for_notebook_idle(page)


def _type_into(panel, css: str, value: str) -> None:
    """Type into a panel field and press Enter (the fields sync on Enter or when left)."""
    field = panel.locator(f"{css} input")
    field.fill(value)
    field.press("Enter")


def test_lab_panel_with_a_login_for_business_configuration(jupyter_server, page, artifacts):
    cells = [
        "%load_ext meta_auth_nb",
        "%meta_login --sandbox --profile business",
        "import meta_auth_nb as mab\nprint('config', mab.kernel_sandbox().config_id('user'))",
    ]
    _open_panel(jupyter_server, page, "panel-business.ipynb", cells)
    config = cell_output(page, 2).inner_text().split("config", 1)[1].strip()
    assert config.isdigit()
    panel = cell_output(page, 1).locator(".meta-auth-panel")
    _type_into(panel, ".meta-auth-config-id", config)
    expect(panel.locator(".meta-auth-scopes-note")).to_contain_text("decides the permissions")
    expect(panel.locator(".meta-auth-scope-ads_read input")).to_be_disabled()

    dialog = log_in_with_facebook(page, panel)
    expect(dialog.locator("body")).to_contain_text("Login received")
    card = panel.locator(".meta-auth-token-card")
    expect(card).to_contain_text("USER")
    expect(card).to_contain_text("ads_read")
    # The configuration decided: the panel says so, and what it granted.
    expect(panel.locator(".meta-auth-message")).to_contain_text(f"configuration {config} granted ads_read")
    page.mouse.move(0, 0)
    page.locator(f"{NOTEBOOK} .jp-Cell").nth(1).screenshot(path=str(artifacts / "panel-login-for-business.png"))
    assert not TOKEN_PATTERN.search(page.content())


def test_lab_panel_with_a_registered_https_redirect_pasted_back(jupyter_server, page, artifacts):
    cells = [
        "%load_ext meta_auth_nb",
        "%meta_login --sandbox --profile live",
        # The app goes live: localhost is refused, Meta's login_success.html is registered.
        "import meta_auth_nb as mab\nbox = mab.kernel_sandbox()\nbox.register_redirect_uri(box.login_success_url)\n"
        "box.set_app_mode('live')",
    ]
    _open_panel(jupyter_server, page, "panel-live.ipynb", cells)
    panel = cell_output(page, 1).locator(".meta-auth-panel")
    panel.locator(".meta-auth-scopes-next").click()
    panel.locator(".lm-TabBar-tab, .p-TabBar-tab").filter(has_text="Facebook Login").click()
    open_advanced(panel)
    panel.locator(".meta-auth-use-login-success").click()
    info = panel.locator(".meta-auth-redirect-info")
    expect(info).to_contain_text("registered HTTPS redirect")
    expect(panel.locator(".meta-auth-redirect-uri input")).to_have_value(re.compile(r"/connect/login_success\.html$"))
    expect(panel.locator("button.meta-auth-copy")).to_be_visible()
    page.mouse.move(0, 0)
    page.locator(f"{NOTEBOOK} .jp-Cell").nth(1).screenshot(path=str(artifacts / "panel-redirect-mode.png"))

    link = panel.locator("a.meta-auth-login-link")
    link.wait_for()
    with page.context.expect_page() as new_tab:
        link.click()
    dialog = new_tab.value
    dialog.wait_for_load_state()
    dialog.locator("button#allow").click()
    dialog.wait_for_url("**/connect/login_success.html?**")
    expect(dialog.locator("body")).to_contain_text("Success")
    landed = dialog.locator("#final-url").inner_text()  # what the person copies
    assert "code=" in landed and "state=" in landed
    dialog.close()

    _type_into(panel, ".meta-auth-redirect-paste", landed)
    panel.locator(".meta-auth-redirect-submit").click()
    card = panel.locator(".meta-auth-token-card")
    expect(card).to_contain_text("USER")
    expect(panel.locator(".meta-auth-message")).to_contain_text("Token received and checked.")
    page.mouse.move(0, 0)
    page.locator(f"{NOTEBOOK} .jp-Cell").nth(1).screenshot(path=str(artifacts / "panel-registered-redirect.png"))
    assert not TOKEN_PATTERN.search(page.content())
