"""Small helpers to drive JupyterLab / Notebook 7 pages with Playwright."""

from __future__ import annotations

from pathlib import Path

import nbformat
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

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
    _run(page, page.locator(f"{NOTEBOOK} .jp-Cell").nth(index))


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
    _run(page, cell)
    return cell


def _run(page, cell, attempts: int = 4) -> None:
    """Select ``cell`` and press Shift+Enter until the notebook takes it.

    The prompt turns from "[ ]:" to "[*]:" (or "[n]:") the moment the notebook
    sends a cell, before any kernel reply. A keystroke that lands while the page
    is still wiring up its kernel is dropped and leaves "[ ]:", so pressing again
    can never run a cell twice.
    """
    prompt = cell.locator(".jp-InputArea-prompt")
    taken = prompt.filter(has_text="[").filter(has_not_text="[ ]")
    for _ in range(attempts - 1):
        prompt.click()
        page.keyboard.press("Shift+Enter")
        try:
            taken.wait_for(timeout=15_000)
            return
        except PlaywrightTimeoutError:
            continue
    prompt.click()
    page.keyboard.press("Shift+Enter")
    taken.wait_for()


def open_login_page(page, panel, *, from_permissions: bool = True):
    """(Permissions ->) "Facebook Login" tab -> one click on "Log in with Facebook"; returns the dialog's tab."""
    if from_permissions:
        panel.locator(".meta-auth-scopes-next").click()
    panel.locator(".lm-TabBar-tab, .p-TabBar-tab").filter(has_text="Facebook Login").click()
    link = panel.locator("a.meta-auth-login-link")
    link.wait_for()
    with page.context.expect_page() as new_tab:
        link.click()
    dialog = new_tab.value
    dialog.wait_for_load_state()
    return dialog


def log_in_with_facebook(page, panel, user: str = "alice"):
    """Click through the panel's Facebook Login with the sandbox dialog in a new tab; returns that tab.

    Permissions -> "Facebook Login" tab -> the login link "Log in with Facebook"
    (``target=_blank``, the one click) -> Allow as ``user``. The dialog
    redirects the tab to the panel's catcher on 127.0.0.1.
    """
    dialog = open_login_page(page, panel)
    dialog.locator("select#user").select_option(user)
    dialog.locator("button#allow").click()
    dialog.wait_for_url("**/callback?**")
    return dialog


def open_advanced(panel) -> None:
    """Unfold the Facebook Login tab's "Advanced" section (where the login comes back)."""
    panel.locator(".meta-auth-advanced").get_by_text("Advanced: where the login comes back").click()


def extend_and_save(panel) -> None:
    """Inspect -> Extend to 60 days -> Save: the panel ends at Use."""
    panel.locator(".meta-auth-inspect-next").click()
    panel.locator(".meta-auth-extend").click()
    panel.locator(".meta-auth-extend-result").get_by_text("in 60 days").first.wait_for()
    panel.locator(".meta-auth-extend-next").click()
    panel.locator(".meta-auth-save").click()
    panel.locator(".meta-auth-step-use").wait_for()


# --- themes and what the eye sees -------------------------------------------------------------------
LIGHT, DARK = "JupyterLab Light", "JupyterLab Dark"


def set_lab_settings(server, plugin: str, values: dict) -> None:
    """Write a JupyterLab user setting through the server's REST API (read when a page loads)."""
    import json

    import httpx

    response = httpx.put(
        f"{server.base}/lab/api/settings/{plugin}",
        params={"token": server.token},
        headers={"Authorization": f"token {server.token}"},
        json={"raw": json.dumps(values)},
        timeout=30,
    )
    response.raise_for_status()


def use_theme(server, theme: str) -> None:
    """Switch JupyterLab's theme (light or dark) for the pages opened from now on; no news toast either."""
    set_lab_settings(server, "@jupyterlab/apputils-extension:themes", {"theme": theme})
    set_lab_settings(server, "@jupyterlab/apputils-extension:notification", {"fetchNews": "false"})


#: For each visible element holding text (its own text, or an input's value) inside a root: the text, and the
#: contrast ratio (WCAG 2) of its computed colour against its computed background, both composited over the
#: backgrounds of its ancestors. Disabled controls are left out (WCAG exempts them). Colours are read through a
#: canvas, so any CSS colour syntax the browser computes (color-mix, color(srgb ...)) is compared as sRGB.
CONTRAST_JS = """
(root) => {
  const canvas = document.createElement('canvas'); canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = 'rgba(0, 0, 0, 0)'; ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3]));
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      layers.push(rgba(getComputedStyle(node).backgroundColor));
    }
    let color = [255, 255, 255];
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const lum = (c) => {
    const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const found = [];
  for (const el of root.querySelectorAll('*')) {
    if (el.closest('[disabled], style, script') || !shown(el)) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim());
    const text = own.map((n) => n.textContent.trim()).join(' ') || (el.tagName === 'INPUT' ? el.value : '');
    if (!text) continue;
    let opacity = 1;
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) opacity *= parseFloat(getComputedStyle(n).opacity);
    const bg = background(el);
    const color = rgba(getComputedStyle(el).color); color[3] *= opacity;
    found.push({
      text: text.slice(0, 50), tag: el.tagName.toLowerCase(), classes: String(el.className || '').slice(0, 80),
      ratio: Math.round(ratio(over(color, bg), bg) * 100) / 100, background: lum(bg),
    });
  }
  return found;
}
"""

#: Elements of a root that stick out of ``area`` (left or right), and text cut short (an ellipsis, or clipped).
OVERFLOW_JS = """
(root, area) => {
  const limit = area.getBoundingClientRect();
  const out = [];
  for (const el of [root, ...root.querySelectorAll('*')]) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || el.closest('style')) continue;
    const name = `${el.tagName.toLowerCase()}.${String(el.className || '').split(' ').join('.')}`;
    if (box.right > limit.right + 0.5 || box.left < limit.left - 0.5) {
      const spans = `${Math.round(box.left)}..${Math.round(box.right)}`;
      out.push(`${name} spans ${spans}, the output area ${Math.round(limit.left)}..${Math.round(limit.right)}`);
    }
    const style = getComputedStyle(el);
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const clips = style.textOverflow === 'ellipsis' || ['hidden', 'clip'].includes(style.overflowX);
    if (text && clips && el.tagName !== 'INPUT' && el.scrollWidth > el.clientWidth + 1) {
      out.push(`${name} cuts its text "${el.textContent.trim().slice(0, 40)}"`);
    }
  }
  return out;
}
"""
