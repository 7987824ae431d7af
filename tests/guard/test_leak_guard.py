"""The leak guard in a real kernel: every output path shows tokens masked, values stay intact."""

from __future__ import annotations

import pytest

from tests.conftest import make_canary

jupyter_client = pytest.importorskip("jupyter_client")


@pytest.fixture(scope="module")
def kernel():
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="python3", extra_arguments=[])
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client, code: str) -> tuple[str, dict]:
    """Execute code; return everything the kernel published as text, and the reply."""
    published: list[str] = []

    def hook(msg):
        content = msg["content"]
        kind = msg["msg_type"]
        if kind == "stream":
            published.append(content["text"])
        elif kind in ("execute_result", "display_data"):
            published.extend(str(v) for v in content["data"].values())
        elif kind == "error":
            published.append(content["evalue"])
            published.extend(content["traceback"])

    reply = client.execute_interactive(code, output_hook=hook, timeout=60)
    return "\n".join(published), reply["content"]


def test_guard_masks_every_output_path(kernel):
    canary = make_canary()
    secret = "f3" * 16
    setup = f"""
import logging, sys
import pandas as pd
from IPython.display import HTML, display
import meta_auth_nb.notebook.leak_guard as guard
from meta_auth_nb._base.redact import remember_secret
tok = {canary!r}
secret = {secret!r}
remember_secret(secret)
log = logging.getLogger("user.code")
logging.basicConfig(stream=sys.stderr, level=logging.INFO, force=True)
"""
    _, reply = run(kernel, setup)
    assert reply["status"] == "ok"

    cells = [
        "print('token:', tok, 'secret:', secret)",
        "tok",
        "{'token': tok, 'nested': [secret]}",
        "pd.DataFrame({'t': [tok], 's': [secret]})",
        "display(HTML(f'<b>{tok}</b>'))",
        "log.warning('leaking %s and %s', tok, secret)",
        "print(tok, file=sys.stderr)",
        "raise ValueError(f'bad token {tok} / {secret}')",
    ]
    # Without the guard, the canary shows (so the test can fail).
    unguarded, _ = run(kernel, cells[0])
    assert canary in unguarded

    _, reply = run(kernel, "guard.install()")
    assert reply["status"] == "ok"
    for cell in cells:
        shown, _ = run(kernel, cell)
        assert shown, cell
        assert canary not in shown and secret not in shown, cell
        assert canary[:4] in shown or "\u2026" in shown, cell

    # Values are untouched.
    shown, _ = run(kernel, f"print(len(tok), tok == {canary!r})")
    assert f"{len(canary)} True" in shown

    _, reply = run(kernel, "guard.uninstall()")
    shown, _ = run(kernel, "print(tok)")
    assert canary in shown
