"""Every way a token reaches a notebook from a real kernel, with the guard off and then on.

Each path is run twice in the same kernel: without the guard the token shows
in what the frontend gets (so the path really carries it), with the guard it
shows masked. "What the frontend gets" is every message of the request, with
each output stream joined as a notebook joins it (see ``Transcript.shown``).
"""

from __future__ import annotations

import shutil

import pytest

from meta_auth_nb._base.redact import TOKEN_PATTERN
from meta_auth_nb.sandbox import Sandbox
from tests.conftest import make_canary
from tests.guard.paths import PATHS, SETUP

ELLIPSIS = "\u2026"
#: Seconds without a message before a path's output counts as complete (child processes' output can come late).
SETTLE = 0.5


@pytest.fixture(scope="module")
def graph():
    with Sandbox(seed=5) as box:
        yield box.graph_url


@pytest.fixture(scope="module")
def secrets(kernel, graph):
    canary, secret = make_canary(), "a1" * 16
    kernel.check(
        SETUP
        + f"""
import meta_auth_nb.notebook.leak_guard as guard
from meta_auth_nb._base.redact import remember_secret
tok, secret, GRAPH = {canary!r}, {secret!r}, {graph!r}
remember_secret(secret)
logging.basicConfig(stream=sys.stderr, level=logging.INFO, force=True)
log = logging.getLogger("analysis")
"""
    )
    return canary, secret


@pytest.mark.parametrize(("path", "code"), PATHS, ids=[p for p, _ in PATHS])
def test_path_shows_the_token_masked_with_the_guard_only(kernel, secrets, path, code):
    if path == "curl -v" and shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    canary, secret = secrets
    kernel.check("guard.uninstall()")
    bare = kernel.run(code, settle=SETTLE)
    assert bare.ok, bare.reply["content"].get("evalue")
    leaked = bare.shown()
    assert canary in leaked or secret in leaked, f"{path}: this path no longer carries the secret to the frontend"

    kernel.check("guard.install()")
    try:
        guarded = kernel.run(code, settle=SETTLE)
    finally:
        kernel.check("guard.uninstall()")
    assert guarded.ok, guarded.reply["content"].get("evalue")
    shown = guarded.shown()
    assert canary not in shown and not TOKEN_PATTERN.search(shown), f"{path}: the token reached the notebook"
    assert secret not in shown, f"{path}: the app secret reached the notebook"
    assert ELLIPSIS in shown, f"{path}: nothing masked is shown"


def test_shift_tab_inspection_shows_the_token_masked(kernel, secrets):
    canary, _ = secrets
    kernel.check("guard.uninstall()")
    assert canary in kernel.inspect("tok")
    kernel.check("guard.install()")
    try:
        shown = kernel.inspect("tok")
    finally:
        kernel.check("guard.uninstall()")
    assert canary not in shown and canary[:4] + ELLIPSIS + canary[-4:] in shown
