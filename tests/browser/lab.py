"""Small helpers to drive JupyterLab / Notebook 7 pages with Playwright."""

from __future__ import annotations

from pathlib import Path

import nbformat

#: The notebook on show: JupyterLab keeps notebooks of earlier tests open in hidden tabs.
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"


def write_notebook(root: Path, name: str, cells: list[str]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / name)
    return name


def wait_for_kernel_idle(page, timeout: float = 90_000) -> None:
    page.wait_for_selector(f"{NOTEBOOK} .jp-Cell", timeout=timeout)
    # The status bar says "Python 3 (ipykernel) | Idle" once the kernel is connected.
    page.wait_for_function(
        """() => /\\|\\s*Idle/.test((document.querySelector('#jp-main-statusbar') || {}).textContent || '')""",
        timeout=timeout,
    )


def run_cell(page, index: int) -> None:
    """Select cell ``index`` (0-based) and run it with Shift+Enter."""
    cell = page.locator(f"{NOTEBOOK} .jp-Cell").nth(index)
    cell.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Shift+Enter")
    # The prompt turns from "[ ]:" to "[*]:" or "[n]:" once the kernel took it.
    cell.locator(".jp-InputArea-prompt").filter(has_text="[").filter(has_not_text="[ ]").wait_for()


def cell_output(page, index: int):
    return page.locator(f"{NOTEBOOK} .jp-Cell").nth(index).locator(".jp-OutputArea")


def wait_for_notebook_idle(page, timeout: float = 90_000) -> None:
    """Wait for the shown notebook's kernel to be idle; JupyterLab 4 and Notebook 7 (the toolbar indicator)."""
    page.wait_for_selector(f"{NOTEBOOK} .jp-Cell", timeout=timeout)
    page.wait_for_selector(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status="idle"]',
        state="attached",
        timeout=timeout,
    )


def code_cell(page, text: str):
    """The first code cell whose text contains ``text`` (indexes shift with markdown cells and windowing)."""
    return page.locator(f"{NOTEBOOK} .jp-CodeCell").filter(has_text=text).first


def run_code_cell(page, text: str):
    """Run the code cell containing ``text`` with Shift+Enter; returns the cell."""
    cell = code_cell(page, text)
    cell.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Shift+Enter")
    cell.locator(".jp-InputArea-prompt").filter(has_text="[").filter(has_not_text="[ ]").wait_for()
    return cell


def log_in_with_facebook(page, panel, user: str = "alice"):
    """Click through the panel's Facebook Login with the sandbox dialog in a new tab; returns that tab.

    Permissions -> "Facebook Login" tab -> "Log in with Facebook" -> the
    login link (``target=_blank``) -> Allow as ``user``. The dialog
    redirects the tab to the panel's catcher on 127.0.0.1.
    """
    panel.locator(".meta-auth-scopes-next").click()
    panel.locator(".lm-TabBar-tab, .p-TabBar-tab").filter(has_text="Facebook Login").click()
    panel.locator(".meta-auth-login-start").click()
    link = panel.locator("a.meta-auth-login-link")
    link.wait_for()
    with page.context.expect_page() as new_tab:
        link.click()
    dialog = new_tab.value
    dialog.wait_for_load_state()
    dialog.locator("select#user").select_option(user)
    dialog.locator("button#allow").click()
    dialog.wait_for_url("**/callback?**")
    return dialog


def extend_and_save(panel) -> None:
    """Inspect -> Extend to 60 days -> Save: the panel ends at Use."""
    panel.locator(".meta-auth-inspect-next").click()
    panel.locator(".meta-auth-extend").click()
    panel.locator(".meta-auth-extend-result").get_by_text("in 60 days").first.wait_for()
    panel.locator(".meta-auth-extend-next").click()
    panel.locator(".meta-auth-save").click()
    panel.locator(".meta-auth-step-use").wait_for()
