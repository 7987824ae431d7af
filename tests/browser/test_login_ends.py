"""Every way a login ends, clicked for real: the sandbox's failing dialog pages, Ask again, Cancel, a kernel restart.

JupyterLab 4 in headless Chromium, the kernel's sandbox. The sandbox's error
pages do not redirect (Meta's do not either), so the panel names them while
it waits and has a button for each; a new attempt replaces the old link; a
panel whose kernel restarted says so instead of offering dead buttons.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    NOTEBOOK,
    cell_output,
    log_in_with_facebook,
    open_advanced,
    open_login_page,
    run_cell,
    wait_for_kernel_idle,
    write_notebook,
)

pytestmark = pytest.mark.browser


def _open(server, page, name: str, cells: list[str]) -> None:
    write_notebook(server.root, name, cells)
    page.goto(server.url(f"lab/tree/{name}") + "&reset")
    wait_for_kernel_idle(page)


def _run(page, index: int) -> None:
    run_cell(page, index)
    prompt = page.locator(f"{NOTEBOOK} .jp-Cell").nth(index).locator(".jp-InputArea-prompt")
    expect(prompt).to_have_text(re.compile(r"\[\d+\]"))


def _panel(page, index: int):
    return cell_output(page, index).locator(".meta-auth-panel")


def test_the_dialogs_error_pages_reach_the_panel(jupyter_server, page, artifacts):
    cells = [
        "%load_ext meta_auth_nb",
        "%meta_login --sandbox --local",
        "%meta_login --sandbox --local --profile cfg --config-id 999",
        "%meta_login --sandbox --local --profile live --redirect-uri https://example.com/cb",
    ]
    _open(jupyter_server, page, "login-ends.ipynb", cells)
    for index in (0, 1):
        _run(page, index)
    panel = _panel(page, 1)
    message = panel.locator(".meta-auth-message")

    # A person without a role on an app in development mode: Meta's "App not active", and nothing comes back.
    dialog = open_login_page(page, panel)
    dialog.locator("select#user").select_option("dana")
    dialog.locator("button#allow").click()
    expect(dialog.locator("body")).to_contain_text("App not active")
    dialog.close()
    status = panel.locator(".meta-auth-login-status")
    expect(status).to_contain_text("Waiting for the login to come back (up to 2 minutes)")
    expect(status).to_contain_text("App not active")
    expect(status).to_contain_text("URL Blocked")
    page.mouse.move(0, 0)
    page.locator(f"{NOTEBOOK} .jp-Cell").nth(1).screenshot(path=str(artifacts / "panel-waiting-error-pages.png"))
    stale = panel.locator("a.meta-auth-login-link").get_attribute("href")
    panel.locator(".meta-auth-page-app-not-active").click()
    expect(message).to_contain_text("The login page said “App not active”.")
    expect(message).to_contain_text("choose alice, bob or carol")
    fresh = panel.locator("a.meta-auth-login-link")
    expect(fresh).to_have_count(1)
    expect(fresh).not_to_have_attribute("href", stale)

    # The panel's own "Use the sandbox's login_success.html": the sandbox's app does not list that page.
    open_advanced(panel)
    panel.locator(".meta-auth-use-login-success").click()
    blocked = panel.locator(".meta-auth-page-url-blocked")
    expect(blocked).to_be_visible()  # pasted back: the pages are named from the start
    dialog = open_login_page(page, panel, from_permissions=False)
    expect(dialog.locator("body")).to_contain_text("URL Blocked")
    dialog.close()
    blocked.click()
    expect(message).to_contain_text("register_redirect_uri")

    # An unknown configuration: said before any login page opens.
    _run(page, 2)
    config = _panel(page, 2)
    config.locator(".meta-auth-scopes-next").click()
    expect(config.locator(".meta-auth-message")).to_contain_text("Configuration 999 is not one of")
    expect(config.locator("a.meta-auth-login-link")).to_have_count(0)
    expect(config.locator(".meta-auth-login-start")).to_be_visible()

    # A redirect the app does not list: Meta's "URL Blocked" (error 191).
    _run(page, 3)
    live = _panel(page, 3)
    dialog = open_login_page(page, live)
    expect(dialog.locator("body")).to_contain_text("URL Blocked")
    dialog.close()
    live.locator(".meta-auth-page-url-blocked").click()
    expect(live.locator(".meta-auth-message")).to_contain_text("register_redirect_uri('https://example.com/cb')")


def test_ask_again_and_cancel_replace_the_login_link(jupyter_server, page, artifacts):
    """Workshop exercise 4: alice declines ads_read; "Ask again" gives a new link, which asks again."""
    cells = ["%load_ext meta_auth_nb", "%meta_login --sandbox --scenario declined-ads-read"]
    _open(jupyter_server, page, "ask-again.ipynb", cells)
    for index in (0, 1):
        _run(page, index)
    panel = _panel(page, 1)
    header = panel.locator(".meta-auth-header")
    expect(header).to_contain_text("Sandbox Meta Marketing API token · profile sandbox")
    assert "sandboxsandbox" not in header.inner_text().replace(" ", "")

    # Cancel first: the panel says so once, and the link on show is a new one that works.
    dialog = open_login_page(page, panel)
    first = panel.locator("a.meta-auth-login-link").get_attribute("href")
    dialog.locator("button#cancel").click()
    expect(dialog.locator("body")).to_contain_text("Login not completed")
    dialog.close()
    message = panel.locator(".meta-auth-message")
    expect(message).to_contain_text("The login was cancelled in the login dialog")
    assert message.inner_text().count("cancelled") == 1
    link = panel.locator("a.meta-auth-login-link")
    expect(link).to_have_count(1)
    expect(link).not_to_have_attribute("href", first)

    with page.context.expect_page() as new_tab:
        link.click()
    dialog = new_tab.value
    dialog.wait_for_load_state()
    dialog.locator("button#allow").click()  # alice unticks ads_read: the scenario
    dialog.close()
    expect(message).to_contain_text("some permissions are missing")
    ask = panel.locator(".meta-auth-rerequest")
    declined = panel.locator("a.meta-auth-login-link")
    expect(declined).to_have_count(0)  # the used link left with its step
    ask.click()
    expect(message).to_contain_text("the login page asks again for ads_read")
    expect(message).not_to_contain_text("auth_type")
    again = panel.locator("a.meta-auth-login-link")
    expect(again).to_have_count(1)  # only the new link, never the first try's
    with page.context.expect_page() as new_tab:
        again.click()
    dialog = new_tab.value
    dialog.wait_for_load_state()
    expect(dialog.locator("body")).to_contain_text("Asking again for permissions declined before")
    dialog.locator("button#allow").click()
    dialog.wait_for_url("**/callback?**")
    dialog.close()
    expect(message).to_contain_text("Token received and checked.")
    expect(panel.locator(".meta-auth-token-card")).to_contain_text("ads_read")


def test_a_panel_whose_kernel_restarted_says_so(jupyter_server, page, artifacts):
    cells = ["%load_ext meta_auth_nb", "%meta_login --sandbox"]
    _open(jupyter_server, page, "restart.ipynb", cells)
    for index in (0, 1):
        _run(page, index)
    panel = _panel(page, 1)
    log_in_with_facebook(page, panel).close()
    expect(panel.locator(".meta-auth-message")).to_contain_text("Token received and checked.")
    stale = panel.locator(".meta-auth-stale")
    expect(stale).to_be_hidden()
    # Kernel > Restart Kernel..., as a person does it.
    page.locator(".lm-MenuBar-itemLabel").filter(has_text=re.compile(r"^Kernel$")).click()
    page.locator(".lm-Menu-itemLabel").filter(has_text=re.compile(r"^Restart Kernel")).first.click()
    page.locator(".jp-Dialog-button.jp-mod-accept").click()
    expect(stale).to_be_visible(timeout=30_000)
    expect(stale).to_contain_text("This panel's kernel restarted or stopped")
    expect(stale).to_contain_text("%meta_login --sandbox")
    for gone in (".meta-auth-body", ".meta-auth-message", ".meta-auth-restart"):
        expect(panel.locator(gone)).to_be_hidden()
    assert "Token received" not in panel.inner_text()
    page.mouse.move(0, 0)
    page.locator(f"{NOTEBOOK} .jp-Cell").nth(1).screenshot(path=str(artifacts / "panel-after-restart.png"))
