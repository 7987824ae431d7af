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


#: Ways a program writes one value in pieces, each a cell that expects ``v`` (the value), ``time`` and ``sys``.
SPLITS = {
    "two parts": "print('id', v[:12], end='', flush=True); time.sleep(0.3); print(v[12:], 'ok')",
    "one character per write": (
        "print('id ', end='', flush=True)\nfor c in v:\n    print(c, end='', flush=True)\nprint(' ok')"
    ),
    "7, 18 and 7 characters": (
        "print('id', v[:7], end='', flush=True); print(v[7:25], end='', flush=True); print(v[25:], 'ok')"
    ),
    "child process, one character at a time": (
        "import subprocess\nsubprocess.run([sys.executable, '-u', '-c', "
        "'import sys, time\\nfor c in sys.argv[1]:\\n    sys.stdout.write(c); time.sleep(0.02)\\nprint(\" ok\")', "
        "'id ' + v], check=True)"
    ),
}


def _longest_part_shown(value: str, shown: str) -> int:
    """The length of the longest piece of ``value`` that appears in ``shown``."""
    return max(
        (n for n in range(1, len(value) + 1) if any(value[i : i + n] in shown for i in range(len(value) - n + 1))),
        default=0,
    )


@pytest.mark.parametrize("split", SPLITS, ids=list(SPLITS))
def test_a_secret_written_in_pieces_shows_at_most_its_first_seven_characters(kernel, names, split):
    app_secret, token = secrets.token_hex(16), make_canary()
    # A token the process never saw: token-shaped (a lowercase letter and a digit) from its 23rd character.
    unknown = "EAA" + "x7" * 10 + make_canary()[3:]
    kernel.check(f"import time\nremember_secret({app_secret!r}); remember_secret({token!r})")
    for value, most in ((app_secret, 7), (token, 7), (unknown, 22)):
        cell = f"v = {value!r}\n{SPLITS[split]}"
        bare = "".join(kernel.run(cell, settle=0.5).stream("stdout"))
        assert value in bare  # without the guard the frontend joins the pieces back into the value
        kernel.check("guard.install()")
        try:
            transcript = kernel.run(cell, settle=0.5)
        finally:
            kernel.check("guard.uninstall()")
        assert transcript.ok and len(transcript.stream("stdout")) >= 2, split
        shown = transcript.shown()
        assert _longest_part_shown(value, shown) <= most, (split, shown)
        joined = "".join(transcript.stream("stdout"))
        assert joined.startswith("id ") and joined.endswith(" ok\n") and ELLIPSIS in joined, joined
        assert joined.count(ELLIPSIS) == 1, joined  # one mark for the value, however many pieces it came in


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
