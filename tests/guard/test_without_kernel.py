"""Without a Jupyter kernel (a scheduled script, terminal IPython) the guard masks what Python prints and logs.

Each case runs in a fresh interpreter, once without and once with
``mab.leak_guard.install()``, and reads what it wrote to its real stdout and
stderr: the token shows without the guard, masked with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import make_canary

ELLIPSIS = "\u2026"

SCRIPT = """
import logging, os, sys
# configured before the guard, as a job's first lines do: the handler keeps the original stderr
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(message)s")
log = logging.getLogger("report")
import meta_auth_nb as mab
if os.environ["GUARD"] == "on":
    mab.leak_guard.install()
tok = os.environ["CANARY"]
print("token:", tok)
print(tok, file=sys.stderr)
log.warning("using %s", tok)
try:
    raise ValueError("rejected " + tok)
except ValueError:
    log.exception("the call failed")
"""

SHELL = """
import os
from IPython.terminal.interactiveshell import TerminalInteractiveShell
shell = TerminalInteractiveShell.instance(colors="nocolor")
import meta_auth_nb as mab
if os.environ["GUARD"] == "on":
    mab.leak_guard.install(shell)
shell.run_cell("import os; tok = os.environ['CANARY']; print(tok)")
shell.run_cell("tok")
shell.run_cell("{'nested': [tok]}")
shell.run_cell("from IPython.display import HTML, display; display(HTML(tok), metadata={'k': tok})")
shell.run_cell("raise RuntimeError('bad token ' + tok)")
"""


def _run(code: str, guard: str, canary: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("META_")}
    env.update(GUARD=guard, CANARY=canary, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout + result.stderr


@pytest.mark.parametrize("code", [SCRIPT, SHELL], ids=["python script", "terminal IPython"])
def test_output_and_logs_are_masked_without_a_kernel(code):
    canary = make_canary()
    assert canary in _run(code, "off", canary)
    shown = _run(code, "on", canary)
    assert canary not in shown
    assert canary[:4] + ELLIPSIS + canary[-4:] in shown
    if code is SCRIPT:  # the traceback of log.exception is there, masked
        assert "ValueError: rejected " + canary[:4] + ELLIPSIS in shown
