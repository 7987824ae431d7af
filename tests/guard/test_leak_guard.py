"""The leak guard in a real kernel: every output path shows tokens masked, values and images stay intact."""

from __future__ import annotations

import base64
import os
import random
import secrets

import pytest

from meta_auth_nb._base.redact import TOKEN_PATTERN
from tests.conftest import make_canary

ELLIPSIS = "\u2026"


@pytest.fixture(scope="module")
def names(kernel):
    canary, secret = make_canary(), "f3" * 16
    kernel.check(
        f"""
import logging, sys
import pandas as pd
from IPython.display import HTML, Image, display
import meta_auth_nb as mab
import meta_auth_nb.notebook.leak_guard as guard
from meta_auth_nb._base.redact import remember_secret
tok = {canary!r}
secret = {secret!r}
remember_secret(secret)
log = logging.getLogger("user.code")
logging.basicConfig(stream=sys.stderr, level=logging.INFO, force=True)
"""
    )
    yield canary, secret
    kernel.check("guard.uninstall()")


def test_guard_masks_every_output_path(kernel, names):
    canary, secret = names
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
    # Without the guard, the canary shows (so the test can fail); a DataFrame shows its first 47 characters.
    for cell in cells:
        assert canary[:40] in kernel.run(cell).shown(), cell

    kernel.check("guard.install()")
    for cell in cells:
        shown = kernel.run(cell).shown()
        assert not TOKEN_PATTERN.search(shown) and secret not in shown, cell
        assert canary[:4] + ELLIPSIS in shown, cell

    # Values are untouched.
    shown = kernel.run(f"print(len(tok), tok == {canary!r})").shown()
    assert f"{len(canary)} True" in shown

    kernel.check("guard.uninstall()")
    assert canary in kernel.run("print(tok)").shown()


def test_install_is_idempotent_and_reversible(kernel, names):
    canary, _ = names
    kernel.check("guard.uninstall()")
    shown = kernel.run(
        "print(mab.leak_guard.install(), mab.leak_guard.install(), mab.leak_guard.guards_kernel_messages())"
    ).shown()
    assert "True False True" in shown
    assert canary not in kernel.run("print(tok)").shown()

    assert "True False" in kernel.run("print(guard.uninstall(), guard.uninstall())").shown()
    assert canary in kernel.run("print(tok)").shown()

    kernel.check("guard.install()")  # and on again, as after a second %meta_login
    assert canary not in kernel.run("print(tok)").shown()
    kernel.check("guard.uninstall()")


def test_a_secret_written_in_two_parts_shows_no_part_of_it(kernel, names):
    app_secret, token = secrets.token_hex(16), make_canary()
    kernel.check(f"import time\nremember_secret({app_secret!r}); remember_secret({token!r})\nguard.install()")
    try:
        for value in (app_secret, token):
            for cut in (8, 12, len(value) // 2, len(value) - 8):
                transcript = kernel.run(
                    f"v = {value!r}\nprint('id', v[:{cut}], end='', flush=True)\n"
                    f"time.sleep(0.3); print(v[{cut}:], 'ok')"
                )
                # The kernel may flush "id" on its own timer, so two or three messages: the secret
                # always crosses a message boundary, which is the case under test.
                assert len(transcript.stream("stdout")) >= 2
                shown = transcript.shown()
                assert not any(value[i : i + 8] in shown for i in range(len(value) - 7)), (cut, shown)
                assert "".join(transcript.stream("stdout")) in ("id \u2026\u2026 ok\n", "id \u2026 ok\n")
    finally:
        kernel.check("guard.uninstall()")


def _image_with_token_shaped_base64() -> bytes:
    """PNG-like bytes whose base64 text holds a run shaped like a token, as real images often do."""
    rnd = random.Random(7)
    while True:
        data = b"\x89PNG\r\n\x1a\n" + bytes(rnd.getrandbits(8) for _ in range(30_000))
        if TOKEN_PATTERN.search(base64.b64encode(data).decode()):
            return data


def test_images_arrive_unchanged_and_ordinary_output_untouched(kernel, names, tmp_path):
    _, secret = names
    image = tmp_path / "plot.png"
    image.write_bytes(_image_with_token_shaped_base64())
    encoded = base64.b64encode(image.read_bytes()).decode()
    kernel.check("guard.install()")
    try:
        shown = kernel.run(
            f"display(Image(filename={os.fspath(image)!r}))\n"
            f"display(HTML('<img src=\"data:image/png;base64,{encoded}\">'))\n"
            "print('plain text | with = signs and EAA in it')\n"
            "display({'application/json': {'rows': [1, 2], 'name': 'campaign'}}, raw=True)"
        )
        # A secret the process knows is masked even where an image is expected.
        known = kernel.run("display({'image/png': secret}, raw=True)").shown()
    finally:
        kernel.check("guard.uninstall()")
    assert shown.ok
    images = [m["content"]["data"]["image/png"] for m in shown.messages if "image/png" in m["content"].get("data", {})]
    assert [value.strip() for value in images] == [encoded]
    assert f"base64,{encoded}" in shown.shown()
    assert shown.stream("stdout") == ["plain text | with = signs and EAA in it\n"]
    assert {"rows": [1, 2], "name": "campaign"} in [
        m["content"]["data"].get("application/json") for m in shown.messages if m["msg_type"] == "display_data"
    ]
    assert secret not in known and ELLIPSIS in known
