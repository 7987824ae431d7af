"""The three notebooks run top to bottom in a real kernel, against the sandbox, with no network.

The quickstart and the workshop are driven by the sandbox autopilot (the
panel plays the attendee); the scheduled report reads ``META_ACCESS_TOKEN``
from a sandbox this test starts, and must stop at its check cell when that
token has expired. A saved, executed quickstart (widget state included)
must not hold a token or the app secret.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from meta_auth_nb._base.tokens import AccessToken
from meta_auth_nb.sandbox import Sandbox

from .conftest import NOTEBOOKS, cell_text, cell_with, code_cells, execute, load

TOKEN_PATTERN = re.compile(r"EAA[A-Za-z0-9]{20,}")
NAMES = ("01_quickstart.ipynb", "02_workshop.ipynb", "03_scheduled_report.ipynb")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# Written by a cell the test appends to its copy of the quickstart: the raw secrets of the run,
# so the saved notebook can be searched for the exact values (that cell shows nothing).
CANARY_CELL = """
from pathlib import Path
from meta_auth_nb.notebook.kernel_sandbox import KERNEL as kernel_sandbox
_panel = get_ipython().magics_manager.registry["MetaAuthMagics"].panel
_secrets = [meta.token.get_secret_value(), _panel.state.before.get_secret_value(), kernel_sandbox.box.app_secret]
Path("canary.txt").write_text("\\n".join(_secrets))
"""


# --- the files in the repository ---------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_stripped(name):
    raw = (NOTEBOOKS / name).read_text(encoding="utf-8")
    nb = nbformat.reads(raw, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert "widgets" not in nb.metadata  # no saved widget state
    for cell in code_cells(nb):
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    assert not TOKEN_PATTERN.search(raw)
    # Badges and the Colab install all point at the one repository.
    assert f"colab.research.google.com/github/meta-auth-nb/meta_auth_nb/blob/main/notebooks/{name}" in raw
    assert f"mybinder.org/v2/gh/meta-auth-nb/meta_auth_nb/HEAD?labpath=notebooks%2F{name}" in raw


@pytest.mark.parametrize("name", NAMES[:2])
def test_colab_install_cell_is_guarded(name):
    nb = load(name)
    install = cell_with(nb, "%pip install")
    assert 'if "google.colab" in sys.modules:' in install.source
    assert '"meta_auth_nb @ git+https://github.com/meta-auth-nb/meta_auth_nb"' in install.source
    # It comes before anything imports the package.
    assert code_cells(nb).index(install) < code_cells(nb).index(cell_with(nb, "%load_ext meta_auth_nb"))


def test_the_notebooks_say_what_becomes_of_sandbox_tokens():
    """Sandbox tokens are saved for this kernel only: what the quickstart, the workshop and the README promise."""
    quickstart = " ".join(cell.source for cell in load("01_quickstart.ipynb").cells)
    workshop = " ".join(cell.source for cell in load("02_workshop.ipynb").cells)
    readme = (NOTEBOOKS.parent / "README.md").read_text(encoding="utf-8")
    for text in (quickstart, readme):
        flat = " ".join(text.split())
        assert "never in your keyring" in flat and "about 10 s" in flat and "%meta_login --no-sandbox" in flat
    assert "log in again (about 10 s)" in " ".join(workshop.split())
    assert "still short-lived" in workshop  # exercise 3: what the panel says after extending


def test_notebooks_log_in_as_a_person_would():
    for name in NAMES[:2]:
        text = "\n".join(cell.source for cell in code_cells(load(name)))
        assert "%meta_login --sandbox" in text and "autopilot" not in text  # the tests set the env var


# --- 01 quickstart -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def quickstart(module_tmp) -> tuple[nbformat.NotebookNode, Path]:
    """The quickstart, executed once with widget state stored, and saved the way Jupyter saves it."""
    workdir = module_tmp / "quickstart"
    nb = execute(load("01_quickstart.ipynb", [CANARY_CELL]), workdir, store_widget_state=True)
    saved = workdir / "01_quickstart.executed.ipynb"
    nbformat.write(nb, saved)
    return nb, saved


def test_quickstart_runs_top_to_bottom(quickstart):
    nb, _ = quickstart
    login = cell_text(cell_with(nb, "%meta_login --sandbox"))
    assert "Autopilot (alice, sandbox): Facebook Login: alice pressed Allow" in login
    assert "extended it" in login and "saved it as profile sandbox" in login
    session = cell_text(cell_with(nb, "meta", exact=True))
    for fact in ("Graph API session on the sandbox", "profile sandbox", "Alice Analyst (USER token)", "in 60 days"):
        assert fact in session, fact
    tokens = cell_text(cell_with(nb, "%meta_tokens", exact=True))
    assert "sandbox" in tokens and "USER" in tokens and "<table" in tokens and "this kernel's memory" in tokens
    scopes = cell_text(cell_with(nb, "%meta_scopes", exact=True))
    assert "ads_read" in scopes and "granted" in scopes
    inspected = cell_text(cell_with(nb, "mab.inspect_token"))
    assert "valid: True" in inspected and "Expires in 60 days" in inspected
    accounts = cell_text(cell_with(nb, 'meta.frame("me/adaccounts"'))
    assert accounts.count("act_") >= 2 and "<table" in accounts
    assert "Spring Sale" in cell_text(cell_with(nb, "/campaigns"))
    progress = cell_with(nb, "meta.insights(")  # the package's own pull and progress bar, no hand-made loop
    # Run unattended (nbclient, as nbconvert): the progress is one line of text, kept as the pull's summary.
    assert re.search(r"insights: done, (\d+)/\1 slices, 300 rows in \d+ s", cell_text(progress)), cell_text(progress)
    assert "Read 300 insights rows (a campaign a day) from 2 ad accounts." in cell_text(progress)
    assert "account_currency" in cell_text(progress)
    summary = cell_text(cell_with(nb, "by_campaign ="))
    assert "ctr_percent" in summary and "<table" in summary
    # Money is summed per currency: USD and GBP accounts each get their own rows, never one total.
    assert "account_currency" in summary and "USD" in summary and "GBP" in summary


def test_saved_quickstart_holds_no_token_or_secret(quickstart):
    nb, saved = quickstart
    text = saved.read_text(encoding="utf-8")
    canary = (saved.parent / "canary.txt").read_text().split("\n")
    token, short_token, app_secret = canary
    assert app_secret == Sandbox(seed=0).app_secret and TOKEN_PATTERN.fullmatch(token)
    # The check looks where a token would be: the panel's widget state holds its mask.
    state = json.dumps(nb.metadata.widgets[WIDGET_STATE], ensure_ascii=False)
    assert AccessToken(token).masked in state and "meta-auth" in state
    for value in (token, short_token, app_secret):
        assert value not in text
    assert not TOKEN_PATTERN.search(text)
    assert not re.search(r"secret[^\n]{0,40}[0-9a-f]{32}", text, re.IGNORECASE)
    # The pre-commit scanner the README recommends agrees.
    scan = subprocess.run(
        [sys.executable, "-m", "meta_auth_nb.cli", "scan", str(saved)], capture_output=True, text=True
    )
    assert scan.returncode == 0, scan.stdout + scan.stderr


# --- 02 workshop ---------------------------------------------------------------------------------
def test_workshop_every_check_passes(module_tmp):
    nb = execute(load("02_workshop.ipynb"), module_tmp / "workshop")
    checks = [cell for cell in code_cells(nb) if "check(" in cell.source and "def check" not in cell.source]
    assert len(checks) == 6
    for number, cell in enumerate(checks, start=1):
        said = cell_text(cell)
        assert said.startswith("✓ ") and "✗" not in said, f"check {number}: {said}"
    # The scenarios really happened: an expired token, a declined permission asked again, a password change.
    assert "The call failed, as it should: Error validating access token: Session has expired" in cell_text(
        cell_with(nb, "sandbox.advance(10 * 60)")
    )
    declined = cell_text(cell_with(nb, "--scenario declined-ads-read"))
    assert "alice declined ads_read; asking again" in declined and "again for the declined permissions" in declined
    assert "190/460" in cell_text(cell_with(nb, "advance(2 * 60)"))
    paced = cell_text(cell_with(nb, "progress=show"))
    assert "Pacing: ad account act_" in paced and "40000 rows; the pull paused" in paced
    assert "development_access" in cell_text(cell_with(nb, "%meta_usage", exact=True))
    assert not TOKEN_PATTERN.search(json.dumps(nb, ensure_ascii=False))


# --- 03 scheduled report -------------------------------------------------------------------------
def _report_env(box: Sandbox, token: str) -> dict[str, str]:
    return {**box.env(), "META_ACCESS_TOKEN": token}


def test_scheduled_report_with_an_env_token(module_tmp):
    with Sandbox(seed=3) as box:
        token = box.issue_token("alice", scopes=["ads_read"], lifetime_s=60 * 86400)
        nb = execute(
            load("03_scheduled_report.ipynb"), module_tmp / "report", env=_report_env(box, token), autopilot=None
        )
    check = cell_text(cell_with(nb, "mab.session("))
    assert check.startswith("Token OK: EAA") and "USER" in check and "ads_read" in check
    report = cell_text(cell_with(nb, "report = pd.DataFrame"))
    assert report.count("act_") >= 2 and "campaigns" in report and "ctr_percent" in report
    assert "Report ready: 2 ad accounts, 10 campaigns." in cell_text(code_cells(nb)[-1])
    assert token not in json.dumps(nb) and not TOKEN_PATTERN.search(json.dumps(nb))


def test_scheduled_report_with_a_roleless_token_and_no_app_secret(module_tmp):
    # An agency analyst: a token from the client's app, no role on it, no app secret.
    with Sandbox(seed=5) as box:
        token = box.issue_token("dana", scopes=["ads_read"], lifetime_s=60 * 86400)
        env = {k: v for k, v in _report_env(box, token).items() if k != "META_APP_SECRET"}
        nb = execute(load("03_scheduled_report.ipynb"), module_tmp / "report-agency", env=env, autopilot=None)
    check = cell_text(cell_with(nb, "mab.session("))
    assert "Token OK: EAA" in check and "(expiry unknown: set META_APP_ID and META_APP_SECRET" in check
    assert check.startswith("profile default: expiry unknown")  # session()'s warning, with the reason and the fix
    assert "Report ready: 1 ad accounts, 5 campaigns." in cell_text(code_cells(nb)[-1])
    assert token not in json.dumps(nb) and not TOKEN_PATTERN.search(json.dumps(nb))


def test_scheduled_report_stops_at_the_check_with_an_expired_token(module_tmp):
    nb = load("03_scheduled_report.ipynb")
    with Sandbox(seed=4) as box:
        token = box.issue_token("alice", scopes=["ads_read"], lifetime_s=60)
        box.advance(120)
        with pytest.raises(CellExecutionError) as failed:
            execute(nb, module_tmp / "report-expired", env=_report_env(box, token), autopilot=None)
    message = str(failed.value)
    assert "TokenExpired" in message and "Session has expired" in message and "Get a new token" in message
    assert token not in message
    cells = code_cells(nb)
    check = cells.index(cell_with(nb, "mab.session("))
    assert [o.ename for o in cells[check].outputs if o.output_type == "error"] == ["TokenExpired"]
    assert all(not cell.outputs for cell in cells[check + 1 :])  # the report never started


# --- README, Binder ------------------------------------------------------------------------------
def test_readme_shows_the_panel_and_the_badges():
    root = NOTEBOOKS.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "](docs/panel.png)" in readme
    picture = root / "docs" / "panel.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size < 200_000
    assert (
        "colab.research.google.com/github/meta-auth-nb/meta_auth_nb/blob/main/notebooks/01_quickstart.ipynb" in readme
    )
    assert "mybinder.org/v2/gh/meta-auth-nb/meta_auth_nb/HEAD" in readme
    for magic in ("%meta_login", "%meta_tokens", "%meta_scopes", "--autopilot", "META_AUTH_SANDBOX_AUTOPILOT"):
        assert magic in readme
    # Which redirect to register for which setup: one short table, in the README and the quickstart.
    quickstart = (NOTEBOOKS / "01_quickstart.ipynb").read_text(encoding="utf-8")
    for text in (readme, quickstart):
        for words in ("| your setup |", "http://localhost:8765/callback", "login_success.html", "--config-id"):
            assert words in text, words


def test_binder_installs_this_repository():
    lines = (NOTEBOOKS.parent / "binder" / "requirements.txt").read_text().splitlines()
    assert [line.strip() for line in lines if line.strip() and not line.startswith("#")] == ["."]
