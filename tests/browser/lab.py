"""Small helpers to drive JupyterLab / Notebook 7 pages with Playwright."""

from __future__ import annotations

from pathlib import Path

import nbformat


def write_notebook(root: Path, name: str, cells: list[str]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / name)
    return name


def wait_for_kernel_idle(page, timeout: float = 90_000) -> None:
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout)
    # The status bar says "Python 3 (ipykernel) | Idle" once the kernel is connected.
    page.wait_for_function(
        """() => /\\|\\s*Idle/.test((document.querySelector('#jp-main-statusbar') || {}).textContent || '')""",
        timeout=timeout,
    )


def run_cell(page, index: int) -> None:
    """Select cell ``index`` (0-based) and run it with Shift+Enter."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Shift+Enter")
    # The prompt turns from "[ ]:" to "[*]:" or "[n]:" once the kernel took it.
    cell.locator(".jp-InputArea-prompt").filter(has_text="[").filter(has_not_text="[ ]").wait_for()


def cell_output(page, index: int):
    return page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea")
