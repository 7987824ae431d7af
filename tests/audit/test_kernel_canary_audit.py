"""Canary audit in a real kernel: a saved notebook holds no token or app secret, whatever its cells did.

A notebook as an analyst writes it: logging configured in its first cell,
then ``%load_ext meta_auth_nb`` and ``%meta_login`` (which installs the leak
guard), then one cell per way a token can reach a notebook
(``tests/guard/paths.py``: child processes, the pager, raw displays and their
metadata, JSON keys, widgets, logged tracebacks, writes split in any way...)
and ``%meta_usage``. It runs in
a real ipykernel (nbclient, as ``jupyter nbconvert --execute`` and papermill
do) against the sandbox, and is saved with its widget state. Then the saved
file, every execute reply (pager payloads are not saved by nbclient, but
JupyterLab shows them) and a Shift-Tab inspection are searched: the token and
the app secret must appear nowhere, and nothing token-shaped either.
"""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import pytest

from meta_auth_nb.cli.demo import notebook_client
from meta_auth_nb.sandbox import Sandbox
from tests.guard.conftest import kernel_environment
from tests.guard.paths import PATHS, SETUP

pytest.importorskip("nbclient")

TOKEN_SHAPE = re.compile(r"EAA[A-Za-z0-9]{20,}")
ELLIPSIS = "\u2026"


def _notebook() -> nbformat.NotebookNode:
    cells = [
        "import logging, sys\nlogging.basicConfig(stream=sys.stderr, level=logging.INFO, force=True)\n"
        "log = logging.getLogger('analysis')",
        "%load_ext meta_auth_nb\n%meta_login",
        SETUP + "tok = meta.token.get_secret_value()\nsecret = os.environ['META_APP_SECRET']\n"
        "GRAPH = os.environ['META_GRAPH_URL']",
    ]
    cells += [code for path, code in PATHS if path != "curl -v" or shutil.which("curl")]
    cells += ["meta.get('me/adaccounts', limit=1)\n%meta_usage"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    return nb


def test_a_saved_notebook_holds_no_secret_whatever_its_cells_did(tmp_path):
    with Sandbox(seed=12) as box:
        canary = box.issue_token(user="alice", lifetime_s=30 * 86400)
        secret = box.app_secret
        env = kernel_environment(tmp_path / "config")
        env.update(box.env(), META_ACCESS_TOKEN=canary)
        nb = _notebook()
        client = notebook_client(nb, tmp_path, store_widget_state=True)
        replies: list[dict] = []
        client.on_cell_executed = lambda **kw: replies.append(kw["execute_reply"])
        with client.setup_kernel(env=env):
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            inspected = [client.kc.inspect(name, reply=True, timeout=30) for name in ("tok", "secret")]
            client.set_widgets_metadata()
    saved = tmp_path / "audit.ipynb"
    nbformat.write(nb, saved)
    nbformat.validate(nbformat.read(saved, as_version=4))

    texts = [saved.read_text(encoding="utf-8")]
    texts += [json.dumps([r["content"], r["metadata"]], ensure_ascii=False) for r in replies + inspected]
    everything = "\n".join(texts)
    for value, name in ((canary, "token"), (secret, "app secret")):
        where = everything.find(value)
        assert where < 0, f"the {name} leaked: ...{everything[max(0, where - 300) : where]!r}"
    assert not TOKEN_SHAPE.search(everything), TOKEN_SHAPE.search(everything).group(0)[:8]
    # what people see instead: the masks, in the outputs and in the saved widget state
    assert canary[:4] + ELLIPSIS + canary[-4:] in texts[0]
    widgets = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    assert any(ELLIPSIS in json.dumps(state, ensure_ascii=False) for state in widgets.values())


#: The package's own outputs, each a way issue-class holes let a token through before:
#: run with the guard OFF, so what is proven is that the package itself shows masks only.
OWN_OUTPUTS = [
    # the store: Graph's error text quoting the token, in facts, reprs, dicts and the index file
    "from meta_auth_nb._base.tokens import TokenInfo\n"
    "bad = TokenInfo.from_debug_token({'data': {'is_valid': False,"
    " 'error': {'code': 190, 'message': 'Malformed access token ' + tok}}})\n"
    "saved = mab.TokenStore().save('audit', tok, app_secret=secret, info=bad)\n"
    "print(repr(bad)); print(bad.to_dict()); print(repr(saved)); print(saved.to_public_dict())\n"
    "print(open(mab.TokenStore().index_path).read())",
    "%meta_tokens --all",
    # the usage view: budgets of the calls made so far, with their ad accounts and the app
    "meta.get('me/adaccounts', limit=1)\nmeta.get('me/permissions')\n%meta_usage",
    # the session: replies' links and every way a token could be put in a URL
    "print(meta.get('me/adaccounts', limit=1))",
    "for call in (lambda: meta.get('me?access_token=' + tok), lambda: meta.get('me', access_token=tok),\n"
    "             lambda: meta.batch(['me?access%5Ftoken=' + tok]),\n"
    "             lambda: meta.batch([('GET', 'me?access_token=' + tok)])):\n"
    "    try:\n        call()\n    except Exception as error:\n        print(type(error).__name__, error)",
    # OAuth: a forged redirect without this login's state, quoting the token as its 'description'
    "try:\n    mab.parse_redirect('http://localhost:8765/callback?error=access_denied&error_description=' + tok, 'x')\n"
    "except Exception as error:\n    print(type(error).__name__, error)",
    # the scanner's reports, text and JSON, of a notebook whose metadata uses the token as a key
    "import json\nwith open('leaky.ipynb', 'w') as f:\n"
    "    json.dump({'nbformat': 4, 'nbformat_minor': 5, 'metadata': {tok: 1}, 'cells': []}, f)",
    "import sys\n!{sys.executable} -m meta_auth_nb.cli scan --no-store leaky.ipynb\n"
    "!{sys.executable} -m meta_auth_nb.cli scan --no-store --json leaky.ipynb",
]


def test_the_packages_own_outputs_hold_no_secret_without_the_guard(tmp_path):
    """Masks come from the package itself, not only from the guard: every output above, guard off."""
    with Sandbox(seed=13) as box:
        canary = box.issue_token(user="alice", lifetime_s=30 * 86400, scopes=["ads_read"])
        secret = box.app_secret
        env = kernel_environment(tmp_path / "config")
        env.update(box.env(), META_ACCESS_TOKEN=canary)
        nb = nbformat.v4.new_notebook()
        setup = "import os\nimport meta_auth_nb as mab\ntok = meta.token.get_secret_value()\n"
        setup += "secret = os.environ['META_APP_SECRET']"
        sources = ["%load_ext meta_auth_nb\n%meta_login --no-guard", setup, *OWN_OUTPUTS]
        nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
        client = notebook_client(nb, tmp_path, store_widget_state=True)
        with client.setup_kernel(env=env, cwd=str(tmp_path)):
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
    text = json.dumps(nb, ensure_ascii=False)
    shown = [output for cell in nb.cells[2:] for output in cell.outputs]
    assert len(shown) >= len(OWN_OUTPUTS)  # every cell said something
    for value, name in ((canary, "token"), (secret, "app secret")):
        where = text.find(value)
        assert where < 0, f"the {name} leaked: ...{text[max(0, where - 300) : where]!r}"
    assert not TOKEN_SHAPE.search(text)
    for expected in (
        "ConfigError",
        "StateMismatch",
        "secret(s) in 1 file",
        "files_with_findings",
        "Graph API usage",
        canary[:4] + ELLIPSIS,
    ):
        assert expected in text
    assert "appsecret_proof" not in text and "after=" in text  # the paging link, scrubbed, still pages
