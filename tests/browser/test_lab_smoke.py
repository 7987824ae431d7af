"""The browser harness itself: JupyterLab starts, a cell runs, output shows."""

from __future__ import annotations

import pytest

from tests.browser.lab import cell_output, run_cell, wait_for_kernel_idle, write_notebook

pytestmark = pytest.mark.browser


def test_jupyterlab_runs_a_cell(jupyter_server, page):
    name = write_notebook(jupyter_server.root, "smoke.ipynb", ["print(6 * 7)"])
    page.goto(jupyter_server.url(f"lab/tree/{name}"))
    wait_for_kernel_idle(page)
    run_cell(page, 0)
    cell_output(page, 0).get_by_text("42").wait_for()
