"""``meta-auth scan``'s decisions at their edges: how long, where, under what name a secret counts.

Each test is a file as people leave it (a log, a ``.env``, a request body, a
plotly figure, a notebook) holding a value on one side of a rule the scanner
promises (in :mod:`meta_auth_nb.scan.detect` and SECURITY.md), and checks what
a user sees: whether it is reported, where, under what name, with what mask,
and the exit code.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail

from meta_auth_nb._base.redact import TOKEN_PATTERN, mask
from meta_auth_nb.store import TokenStore
from tests.conftest import make_canary
from tests.security.conftest import run_cli

pytestmark = pytest.mark.usefixtures("private_scan_store")

APP_ID = "1234567890123456"
#: Token-shaped (``EAA`` + 20 or more letters and digits, a lowercase letter and a digit among them), but short:
#: what random base64 holds by chance.
CHANCE = "EAAk" + "3x" * 12


def store() -> TokenStore:
    """The token store ``meta-auth scan`` reads here (memory only: no keyring)."""
    return TokenStore(keyring_backend=fail.Keyring())


def findings(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, list[tuple[Any, ...]]]:
    """``meta-auth scan --json PATH``: the exit code and each finding's (line, column, kind, known, preview)."""
    code, out, _ = run_cli(capsys, "--json", str(path))
    found = [(f["line"], f["column"], f["kind"], f["known"], f["preview"]) for f in json.loads(out)["findings"]]
    return code, found


def base64_like(length: int, alphabet: str = "Zm9vYmFy+QmF6") -> str:
    """``length`` characters of base64 data with no ``EAA`` in it."""
    return (alphabet * (length // len(alphabet) + 1))[:length]


def letters_and_digits(length: int) -> str:
    """A secret-looking run of letters and digits, a digit and both cases among them."""
    return ("a1B" + secrets.token_hex(length))[:length]


# --- values the token store holds ----------------------------------------------------------------------------------


def test_a_stored_value_of_8_characters_is_found_and_one_of_7_is_not(tmp_path, capsys):
    # shorter values would match ordinary words: the scanner (like the redactor) looks for 8 or more
    store().save("ci", "Zq8mK2pw", app_id=APP_ID, app_secret="Wt5nR1x")
    config = tmp_path / "deploy.ini"
    config.write_text("[ci]\ntoken = Zq8mK2pw\nsecret = Wt5nR1x\n", encoding="utf-8")

    code, found = findings(capsys, config)

    assert code == 1
    assert found == [(2, 9, "known_secret", True, mask("Zq8mK2pw"))]


def test_each_stored_value_is_reported_as_what_it_is(tmp_path, capsys):
    token, app_secret, app_token_secret = make_canary(), secrets.token_hex(16), secrets.token_hex(16)
    store().save("me", token, app_id=APP_ID, app_secret=app_secret)
    store().save("server", f"{APP_ID}|{app_token_secret}", app_id=APP_ID)
    log = tmp_path / "run.log"
    # the app secret stands alone: only the store says what it is
    log.write_text(f"user {token}\nsigned with {app_secret}\napp {APP_ID}|{app_token_secret}\n", encoding="utf-8")

    code, out, err = run_cli(capsys, str(log))

    assert code == 1
    stored = "(known to the token store)"
    assert out.splitlines()[:3] == [
        f"{log}:1:6: Meta access token {stored} {mask(token)}",
        f"{log}:2:13: app secret {stored} {mask(app_secret)}",
        f"{log}:3:5: app token (APP_ID|SECRET) {stored} {APP_ID}|{mask(app_token_secret)}",  # the app id is public
    ]
    assert app_secret not in out + err and app_token_secret not in out + err


def test_a_stored_value_in_a_url_parameter_is_reported_as_a_stored_secret(tmp_path, capsys):
    value = "IGQVJ" + letters_and_digits(40)  # an Instagram token: not Meta-token-shaped
    store().save("ig", value, app_id=APP_ID)
    log = tmp_path / "urllib3.log"
    log.write_text(f'"GET /v25.0/me?fields=id&access_token={value} HTTP/1.1" 200\n', encoding="utf-8")

    assert findings(capsys, log) == (1, [(1, 39, "known_secret", True, mask(value))])
    # without the store, the parameter's name alone finds it
    code, out, _ = run_cli(capsys, "--json", "--no-store", str(log))
    assert code == 1
    assert [(f["kind"], f["known"]) for f in json.loads(out)["findings"]] == [("url_secret", False)]


def test_an_app_secret_and_a_token_printed_back_to_back_are_two_findings(tmp_path, capsys):
    token, app_secret = make_canary(), secrets.token_hex(16)
    store().save("me", token, app_id=APP_ID, app_secret=app_secret)
    log = tmp_path / "debug.log"
    log.write_text(f"hmac input: {app_secret}{token}\n", encoding="utf-8")

    assert findings(capsys, log) == (
        1,
        [(1, 13, "app_secret", True, mask(app_secret)), (1, 45, "access_token", True, mask(token))],
    )


# --- secret URL parameters -----------------------------------------------------------------------------------------


def test_an_access_token_value_of_16_characters_in_a_log_is_reported_and_one_of_15_is_not(tmp_path, capsys):
    value = letters_and_digits(16)
    log = tmp_path / "requests.log"
    log.write_text(
        f"GET /v25.0/me?access_token={value} 200\nGET /v25.0/me?access_token={value[:15]} 200\n", encoding="utf-8"
    )

    assert findings(capsys, log) == (1, [(1, 28, "url_secret", False, mask(value))])
    assert mask(value) == f"{value[:2]}\u2026{value[-2:]}"


def test_a_request_body_saved_to_a_file_is_reported_from_its_first_character(tmp_path, capsys):
    value = letters_and_digits(40)
    body = tmp_path / "body.txt"
    body.write_text(f"access_token={value}&grant_type=fb_exchange_token\n", encoding="utf-8")

    assert findings(capsys, body) == (1, [(1, 14, "url_secret", False, mask(value))])


# --- app secrets next to their name --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ('APP_SECRET: S = "{s}"', 18),  # annotated with a one-letter alias of str
        ('APP_SECRET:S="{s}"', 15),  # the same, without spaces (generated or minified code)
        ("APP_SECRET{s}", 11),  # print("APP_SECRET" + secret): the name run straight into the value
    ],
)
def test_app_secret_written_with_a_one_letter_annotation_or_nothing_between(tmp_path, capsys, line, column):
    secret = secrets.token_hex(16)
    path = tmp_path / "out.txt"
    path.write_text(line.format(s=secret) + "\n", encoding="utf-8")

    assert findings(capsys, path) == (1, [(1, column, "app_secret", False, mask(secret))])


def test_a_client_secret_under_its_json_key_or_label_in_a_notebook_is_found(tmp_path, capsys):
    secret, widget_id = secrets.token_hex(16), "c" + secrets.token_hex(16)[1:]
    nb = {
        "cells": [],
        "metadata": {
            "papermill": {"parameters": {"client_secret": secret}},
            "widgets": {
                "application/vnd.jupyter.widget-state+json": {
                    "version_major": 2,
                    "version_minor": 0,
                    "state": {
                        widget_id: {
                            "model_name": "TextModel",
                            "state": {"description": "Client secret", "value": secret},
                        }
                    },
                }
            },
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "job.ipynb"
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")

    code, out, err = run_cli(capsys, "--json", str(path))

    assert code == 1 and secret not in out + err
    assert [(f["kind"], f["field"]) for f in json.loads(out)["findings"]] == [
        ("app_secret", "metadata.papermill.parameters.client_secret"),
        ("app_secret", f'metadata.widgets["application/vnd.jupyter.widget-state+json"].state.{widget_id}.state.value'),
    ]


def test_a_file_holding_only_an_md5_digest_is_not_an_app_secret(tmp_path, capsys):
    # a bare 32-hex value counts only under a name that says "app secret" (a JSON key, a widget's label)
    digest = tmp_path / "model.bin.md5"
    digest.write_text("d41d8cd98f00b204e9800998ecf8427e\n", encoding="utf-8")

    code, out, _ = run_cli(capsys, str(digest))

    assert code == 0 and "no Meta tokens or app secrets in 1 file(s)" in out, out


def test_a_secret_after_a_blank_first_line_is_located_on_line_2(tmp_path, capsys):
    secret = secrets.token_hex(16)
    env = tmp_path / ".env"
    env.write_text(f"\nMETA_APP_SECRET={secret}\n", encoding="utf-8")

    code, out, _ = run_cli(capsys, str(env))

    assert code == 1
    assert f".env:2:17: app secret {mask(secret)}" in out


# --- tokens inside long base64 runs (inline images, plotly bdata, long URLs) ---------------------------------------


def _figure(tmp_path: Path, data: str) -> Path:
    """A plotly figure saved as JSON, ``data`` as one of its ``bdata`` values."""
    path = tmp_path / "figure.json"
    path.write_text(json.dumps({"data": [{"type": "scatter", "x": {"dtype": "f8", "bdata": data}}]}), encoding="utf-8")
    return path


@pytest.mark.parametrize(("run_length", "reported"), [(255, True), (256, False)])
def test_a_token_shape_counts_as_chance_only_in_a_base64_run_of_256_characters(tmp_path, capsys, run_length, reported):
    before = base64_like(100)
    data = before + CHANCE + "+" + base64_like(run_length - len(before) - len(CHANCE) - 1)
    assert len(data) == run_length and "+" in data and TOKEN_PATTERN.findall(data) == [CHANCE]
    path = _figure(tmp_path, data)

    code, found = findings(capsys, path)

    column = path.read_text(encoding="utf-8").index(CHANCE) + 1
    assert (code, found) == ((1, [(1, column, "access_token", False, mask(CHANCE))]) if reported else (0, []))


@pytest.mark.parametrize(
    "data",
    [
        base64_like(300, "Zm9vYmFyQmF6+") + CHANCE + "+" + base64_like(30),  # base64 that happens to have no "/"
        "/".join(base64_like(40, "Zm9vYmFyQmF6") for _ in range(8)) + "/ab" + CHANCE + "/x",  # a long URL path
    ],
)
def test_a_long_run_with_only_plus_or_only_slash_is_base64_too(tmp_path, capsys, data):
    assert ("+" in data) != ("/" in data) and len(data) >= 256
    assert findings(capsys, _figure(tmp_path, data)) == (0, [])


@pytest.mark.parametrize("where", ["first", "last"])
def test_base64_that_begins_or_ends_with_a_token_shape_is_still_chance(tmp_path, capsys, where):
    data = CHANCE + "+" + base64_like(300) if where == "first" else base64_like(300) + "+" + CHANCE
    assert findings(capsys, _figure(tmp_path, data)) == (0, [])


@pytest.mark.parametrize(
    "where",
    [
        "https://cdn.example.com/v/t39/{segment}/{token}/photo.png",  # a path segment
        "https://cdn.example.com/v/t39/{segment}/oe={token}/photo.png",  # a parameter's value in the path
        "{token}/{segment}",  # starting the run (a cursor that begins with the token)
    ],
)
@pytest.mark.parametrize(("length", "reported"), [(150, True), (149, False)])
def test_a_whole_token_in_a_long_run_is_reported_from_150_letters_and_digits(tmp_path, capsys, where, length, reported):
    # a real token is EAA + 150 or more letters and digits; the part of a random run that
    # happens to look like one is far shorter
    token = make_canary()[: 3 + length]
    line = where.format(segment=letters_and_digits(120), token=token)
    log = tmp_path / "crawl.log"
    log.write_text(f'{{"next": "{line}"}}\n', encoding="utf-8")

    code, found = findings(capsys, log)

    column = log.read_text(encoding="utf-8").index(token) + 1
    assert (code, found) == ((1, [(1, column, "access_token", False, mask(token))]) if reported else (0, []))


def test_a_whole_token_in_the_middle_of_a_long_run_is_taken_for_chance(tmp_path, capsys):
    # neither starting the run nor after a "/" or "=": SECURITY.md's known limits say it is not reported
    data = base64_like(200) + "k" + make_canary() + "+" + base64_like(60)
    assert findings(capsys, _figure(tmp_path, data)) == (0, [])


@pytest.mark.parametrize("order", ["image first", "token first"])
def test_a_token_beside_an_inline_image_is_still_reported(tmp_path, capsys, order):
    token = make_canary()
    image = f'<img src="data:image/png;base64,{base64_like(2000, "iVBORw0KGgo+AAAA/")}">'
    caption = f"<p>Token: {token}</p>"
    page = tmp_path / "report.html"
    page.write_text((image + caption if order == "image first" else caption + image) + "\n", encoding="utf-8")

    code, found = findings(capsys, page)

    column = page.read_text(encoding="utf-8").index(token) + 1
    assert (code, found) == (1, [(1, column, "access_token", False, mask(token))])
