"""notebooks/04_insights_at_scale.ipynb, stored stripped and run top to bottom in a real kernel against the sandbox.

The sandbox autopilot logs in as alice (the notebook says ``%meta_login
--sandbox --scenario insights-at-scale``, as a person would run it); the pull
over her 12 ad accounts, the checkpoint that answers a second run, and the
report runs made to fail must all show in the outputs, with no token.
"""

from __future__ import annotations

import json
import re

import nbformat

from .conftest import NOTEBOOKS, cell_text, cell_with, code_cells, execute, load

NAME = "04_insights_at_scale.ipynb"
TOKEN_PATTERN = re.compile(r"EAA[A-Za-z0-9]{20,}")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_the_notebook_is_stored_stripped_with_its_badges():
    raw = (NOTEBOOKS / NAME).read_text(encoding="utf-8")
    nb = nbformat.reads(raw, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3" and "widgets" not in nb.metadata
    for cell in code_cells(nb):
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    assert f"colab.research.google.com/github/meta-auth-nb/meta_auth_nb/blob/main/notebooks/{NAME}" in raw
    assert f"mybinder.org/v2/gh/meta-auth-nb/meta_auth_nb/HEAD?labpath=notebooks%2F{NAME}" in raw
    install = cell_with(nb, "%pip install")
    assert 'if "google.colab" in sys.modules:' in install.source
    text = "\n".join(cell.source for cell in code_cells(nb))
    assert "%meta_login --sandbox --scenario insights-at-scale" in text and "autopilot" not in text


def test_the_notebook_pulls_every_account_resumes_and_names_a_failed_slice(tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    nb = execute(load(NAME), tmp_path / "insights", env={"TMPDIR": str(temporary)})
    pull = cell_with(nb, 'insights = meta.insights(\n    "all"')
    said = cell_text(pull)
    assert "21,600 rows from 12 ad accounts" in said and "actions:link_click" in said
    # nbconvert-style run (no one at a widget): the progress is one line of text, kept as the pull's summary
    assert not any(WIDGET_VIEW in o.get("data", {}) for o in pull.outputs)
    (progress,) = [
        o["data"]["text/plain"] for o in pull.outputs if o.get("data", {}).get("text/plain", "").startswith("insights:")
    ]
    assert re.fullmatch(r"insights: done, (\d+)/\1 slices, 21,600 rows in \d+ s", progress), progress
    # the login panel's text form says what it is and where it works, not "VBox(children=..."
    login = cell_text(cell_with(nb, "%meta_login --sandbox --scenario insights-at-scale"))
    assert "meta_auth_nb login panel" in login and "JupyterLab" in login and "VBox(" not in login
    assert "Int64" in cell_text(cell_with(nb, "insights.dtypes", exact=True))
    ranked = cell_text(cell_with(nb, "by_account = ("))
    assert "roas" in ranked and "account_currency" in ranked  # ranked within a currency, never across
    assert "The same 21,600 rows: True" in cell_text(cell_with(nb, "again = meta.insights("))
    # The pull with a slice missing ends short of full, never "done" (tests/unit/test_progress_bar.py: red as a bar).
    failed = cell_text(cell_with(nb, "fail_next_job"))
    assert re.search(r"insights: incomplete, 2/3 slices, 1,120 rows, 1 slice missing in \d+ s", failed), failed
    assert "1 slice of the pull is missing: act_" in failed and "its report run ended 'Job Failed' 3 times" in failed
    assert "Arrived: 1,120 rows; missing: act_" in failed
    assert "1,680 rows from 3 ad accounts, the missing slice fetched again" in cell_text(code_cells(nb)[-1])
    assert not list((tmp_path / "insights").glob("*.checkpoint"))  # nothing written beside the notebook
    saved = list((temporary / "meta_auth_nb_insights").glob("insights_last_90d_*.checkpoint"))
    assert len(saved) == 1 and not TOKEN_PATTERN.search(saved[0].read_bytes().decode("latin-1"))
    assert not TOKEN_PATTERN.search(json.dumps(nb, ensure_ascii=False))
