"""``meta-auth scan`` against the holes of a red-team pass: what reports show, what it missed, what ``--fix`` wrote.

Each test plants a canary where a careless user (or an attacker testing the
hook) would, and checks what a user sees: the exit code, the text and
``--json`` reports, and the file on disk.
"""

from __future__ import annotations

import json
import os
import secrets
import string
from pathlib import Path
from typing import Any

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_notebook, new_output

from meta_auth_nb._base.redact import TOKEN_PATTERN, mask, redact
from meta_auth_nb.scan import mask_text, scan_text
from tests.conftest import make_canary
from tests.security.conftest import run_cli

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
APP_ID = "1234567890123456"
KIND = {"token": "Meta access token", "stored secret with quote and backslash": "stored secret"}

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


pytestmark = pytest.mark.usefixtures("private_scan_store")


def assert_no_part_shown(secret: str, text: str, window: int = 6) -> None:
    """No run of ``window`` characters of ``secret`` is in ``text`` (a mask shows 4 at each end, apart)."""
    parts = {secret[i : i + window] for i in range(len(secret) - window + 1)}
    shown = sorted(p for p in parts if p in text)
    assert shown == [], f"{len(shown)} part(s) of the secret shown, e.g. {shown[:1]}"


def raw_notebook(**metadata: Any) -> dict[str, Any]:
    """A valid v4 notebook as plain JSON (what is on disk), one code cell."""
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 1,
                "id": "a1b2c3d4",
                "metadata": {},
                "outputs": [],
                "source": ["x = 1\n"],
            }
        ],
        "metadata": dict(metadata),
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# --- 1. reports show masks only, wherever the secret sits -------------------------------------


def _with_secret_as_keys(secret: str) -> Any:
    nb = new_notebook(cells=[new_code_cell("x = 1", execution_count=1)])
    nb.cells[0].metadata[secret] = True
    nb.cells[0].outputs = [
        new_output(
            "execute_result",
            data={"text/plain": "1", "application/json": {secret: {"nested": 1}}},
            metadata={secret: "x"},
            execution_count=1,
        )
    ]
    nb.metadata["widgets"] = {
        WIDGET_STATE: {
            "version_major": 2,
            "version_minor": 0,
            "state": {secret: {"model_name": "TextModel", "state": {"value": "", secret: 1}}},
        }
    }
    return nb


@pytest.mark.parametrize("shape", ["token", "stored secret with quote and backslash"])
@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("fix", [False, True])
def test_a_secret_used_as_a_json_key_shows_only_its_mask_in_every_report(tmp_path, capsys, shape, fmt, fix):
    if shape == "token":
        secret = make_canary()
    else:
        # A store value may hold any character; JSON escaping of the printed path (\" and \\)
        # must not let it through unmasked.
        secret = 'K"' + secrets.token_urlsafe(18) + "\\" + secrets.token_urlsafe(18)
        from keyring.backends import fail

        from meta_auth_nb.store import TokenStore

        store = TokenStore(keyring_backend=fail.Keyring())
        store.save("work", "EAA" + "x" * 170, app_id="1234567890", app_secret=secret)
    path = tmp_path / "keys.ipynb"
    nbformat.write(_with_secret_as_keys(secret), str(path))
    argv = [*(["--fix"] if fix else []), *(["--json"] if fmt == "json" else []), str(path)]

    code, out, err = run_cli(capsys, *argv)

    assert code == 1
    assert_no_part_shown(secret, out + err)
    if fmt == "json":
        findings = json.loads(out)["findings"]
        # cell metadata, output metadata, application/json data, widget state id and state key
        assert len(findings) == 5
        assert {f["preview"] for f in findings} == {mask(secret)}
        assert all("\u2026" in f["field"] for f in findings)
    else:
        assert out.count(f": {KIND[shape]} {mask(secret)}") == 5  # one line per place, masked
    if fix:
        assert secret not in path.read_text(encoding="utf-8")
        assert run_cli(capsys, str(path))[0] == 0


def test_a_missing_path_named_after_a_token_is_masked_in_json(tmp_path, capsys):
    canary = make_canary()
    code, out, err = run_cli(capsys, "--json", str(tmp_path / f"{canary}.ipynb"))
    assert code == 2
    assert_no_part_shown(canary, out + err)
    assert json.loads(out)["missing"] == [str(tmp_path / f"{mask(canary)}.ipynb")]


# --- 2. secrets it missed -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "GET https://graph.facebook.com/v25.0/debug_token?input_token=x&access_token={app_id}%7C{s} HTTP/1.1",
        "GET https://graph.facebook.com/v25.0/debug_token?access_token={app_id}%7c{s}",
        # a whole URL encoded in another one's query: %257C is the bar encoded twice
        "redirect=https%3A%2F%2Fexample.com%2F%3Fapp_token%3D{app_id}%257C{s}",
        '{{"token": "{app_id}\\u007c{s}"}}',
        "<a href='/?t={app_id}&#124;{s}'>",
    ],
)
def test_encoded_app_tokens_are_found_and_shown_masked(tmp_path, capsys, line):
    secret = secrets.token_hex(16)
    log = tmp_path / "requests.log"
    log.write_text("INFO start\n" + line.format(app_id=APP_ID, s=secret) + "\n", encoding="utf-8")

    code, out, err = run_cli(capsys, str(log))

    assert code == 1
    bar = line.split("{app_id}", 1)[1].split("{s}", 1)[0]  # the mask keeps the bar as written, for --fix
    assert f"app token (APP_ID|SECRET) {APP_ID}{bar}{mask(secret)}" in out
    assert "requests.log:2:" in out
    assert_no_part_shown(secret, out + err)


@pytest.mark.parametrize("param", ["access_token", "client_secret", "fb_exchange_token", "input_token"])
def test_secret_url_parameters_in_logs_are_found_whatever_their_shape(tmp_path, capsys, param):
    value = "IGQV" + secrets.token_urlsafe(40)  # not EAA-shaped: found by its parameter name
    log = tmp_path / "urllib3.log"
    log.write_text(
        f'DEBUG https://graph.facebook.com:443 "GET /v25.0/me?fields=id&{param}={value} HTTP/1.1" 200 120\n'
        f"DEBUG form body: {param}={value}&grant_type=fb_exchange_token\n",
        encoding="utf-8",
    )

    code, out, err = run_cli(capsys, "--json", str(log))

    assert code == 1
    assert_no_part_shown(value, out + err)
    found = [(f["kind"], f["preview"], f["line"]) for f in json.loads(out)["findings"]]
    assert found == [("url_secret", mask(value), 1), ("url_secret", mask(value), 2)]


@pytest.mark.parametrize(
    "text",
    [
        "curl 'https://graph.facebook.com/me?access_token=YOUR_ACCESS_TOKEN'",
        "https://graph.facebook.com/me?access_token={token}&client_secret=<APP_SECRET>",
        "url = f'{base}/me?access_token=${{META_ACCESS_TOKEN}}'",
        "session = GraphSession(access_token=token_for_client_12345)",  # code, not a URL
        "?access_token=short123",
    ],
)
def test_placeholders_in_url_parameters_are_not_secrets(text):
    assert scan_text(text) == []


@pytest.mark.parametrize(
    "line",
    [
        'APP_SECRET: str = "{s}"',
        'META_APP_SECRET: Final[str] = "{s}"',
        "app_secret: str | None = '{s}'",
        'APP_SECRET = os.environ.get("META_APP_SECRET") or "{s}"',
        'app_secret = settings.app_secret or "{s}"',
        'APP_SECRET = b"{s}"',
        "app_secret = rb'{s}'",
        'CLIENT_SECRET: bytes = B"{s}"',
    ],
)
def test_app_secret_assignment_forms(line, tmp_path, capsys):
    secret = secrets.token_hex(16)
    source = tmp_path / "config.py"
    source.write_text("import os\n" + line.format(s=secret) + "\n", encoding="utf-8")

    code, out, err = run_cli(capsys, str(source))

    assert code == 1
    column = line.format(s=secret).index(secret) + 1
    assert f"config.py:2:{column}: app secret {mask(secret)}" in out
    assert secret not in out + err


@pytest.mark.parametrize(
    "line",
    [
        'app_secret_md5 = "md5"\nchecksum = b"{s}"',  # the name is on another line
        'APP_SECRET: str = load()  # model id follows on the next line\nid = "{s}"',
        "client_secret = vault.read(path=key)  ; other_hash_value_here = 12 ; digest = '{s}'",
    ],
)
def test_app_secret_forms_need_the_name_on_the_same_assignment(line):
    assert scan_text(line.format(s=secrets.token_hex(16))) == []


def _escape_all(value: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in value)


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("data.json", lambda t: '{"token": "\\u0045' + t[1:] + '"}'),
        ("export.json", lambda t: '{"token": "' + _escape_all(t) + '"}'),
        ("settings.py", lambda t: f'TOKEN = "\\x45{t[1:]}"\n'),
        ("requests.log", lambda t: f"GET /callback?t=%45%41%41{t[3:]} 200\n"),
        ("page.html", lambda t: f"<pre>&#69;&#x41;{t[2:]}</pre>"),
    ],
)
def test_escaped_tokens_in_text_files_are_found(tmp_path, capsys, name, encode):
    canary = make_canary()
    path = tmp_path / name
    path.write_text(encode(canary), encoding="utf-8")
    assert canary not in path.read_text(encoding="utf-8")

    code, out, err = run_cli(capsys, "--json", str(path))

    assert code == 1
    assert_no_part_shown(canary, out + err)
    (finding,) = json.loads(out)["findings"]
    assert (finding["kind"], finding["preview"]) == ("access_token", mask(canary))


def test_escaped_token_is_located_where_it_is_written():
    canary = make_canary()
    text = 'x = 1\n{"a": "\\u0045' + canary[1:] + '"}'
    (m,) = scan_text(text)
    assert text[m.start : m.end] == m.value == "\\u0045" + canary[1:]
    assert m.preview == mask(canary)
    assert mask_text(text) == 'x = 1\n{"a": "' + mask(canary) + '"}'


def test_a_token_inside_a_long_base64_like_run_is_found(tmp_path, capsys):
    canary = make_canary()
    segment = secrets.token_urlsafe(300).replace("-", "x").replace("_", "y")  # letters and digits only
    url = f"https://lookaside.example.com/v/t39/{segment}/{canary}/photo"
    assert len(f"/t39/{segment}/{canary}/photo") >= 256
    (tmp_path / "crawl.log").write_text(f"fetched {url}\n", encoding="utf-8")

    code, out, err = run_cli(capsys, str(tmp_path / "crawl.log"))

    assert code == 1 and f"Meta access token {mask(canary)}" in out
    assert canary not in out + err


def test_random_base64_is_still_not_a_token():
    import base64
    import random

    # 2 MB of (seeded) random base64 in text: EAA + 20 letters/digits occurs by chance
    blob = base64.b64encode(random.Random(11).randbytes(1_500_000)).decode()
    assert len(TOKEN_PATTERN.findall(blob)) >= 3
    assert scan_text(f'<img src="data:image/png;base64,{blob}">') == []


@pytest.mark.parametrize(
    ("where", "expected_field"),
    [
        ("signature", "metadata.signature"),
        ("orig_nbformat", "metadata.orig_nbformat"),
        ("trusted", "cells[0].metadata.trusted"),
        ("duplicate key", "metadata.kernelspec"),
    ],
)
def test_fields_nbformat_drops_are_scanned_and_fixed(tmp_path, capsys, where, expected_field):
    canary = make_canary()
    nb = raw_notebook(kernelspec={"name": "python3", "display_name": "Python 3", "language": "python"})
    if where == "trusted":
        nb["cells"][0]["metadata"]["trusted"] = canary
        text = json.dumps(nb, indent=1)
    elif where == "duplicate key":
        # the first of two "kernelspec" keys is dropped by every JSON parser
        first = f'"kernelspec": {{"x": "{canary}"}}, '
        text = json.dumps(nb, indent=1).replace('"kernelspec": {', first + '"kernelspec": {', 1)
    else:
        nb["metadata"][where] = canary
        text = json.dumps(nb, indent=1)
    path = tmp_path / "dropped.ipynb"
    path.write_text(text, encoding="utf-8")
    parsed = nbformat.reads(text, as_version=4)
    assert canary not in json.dumps(parsed)  # what nbformat reads does not have it

    code, out, err = run_cli(capsys, "--json", str(path))
    assert code == 1 and canary not in out + err
    (finding,) = json.loads(out)["findings"]
    assert finding["field"].startswith(expected_field) and finding["preview"] == mask(canary)

    code, out, err = run_cli(capsys, "--fix", str(path))
    assert code == 1 and "[masked]" in out and canary not in out + err
    fixed = path.read_text(encoding="utf-8")
    assert canary not in fixed and mask(canary) in fixed
    assert fixed == text.replace(canary, mask(canary))  # the rest kept byte for byte
    assert run_cli(capsys, str(path))[0] == 0


def test_v3_notebook_worksheet_metadata_and_cells(tmp_path, capsys):
    canary, other = make_canary(), make_canary()
    v3 = {
        "metadata": {"name": "old"},
        "nbformat": 3,
        "nbformat_minor": 0,
        "worksheets": [
            {
                "metadata": {"token": canary},  # dropped when nbformat converts to v4
                "cells": [
                    {"cell_type": "markdown", "metadata": {}, "source": ["# Old"]},
                    {
                        "cell_type": "code",
                        "collapsed": False,
                        "input": ["t = 1\n", f"u = '{other}'"],
                        "language": "python",
                        "metadata": {},
                        "outputs": [],
                        "prompt_number": 1,
                    },
                ],
            }
        ],
    }
    path = write_json(tmp_path / "old.ipynb", v3)
    assert canary not in json.dumps(nbformat.read(str(path), as_version=4))

    code, out, err = run_cli(capsys, str(path))

    assert code == 1 and canary not in out + err and other not in out + err
    assert f"cell 1 (code), input, line 2: Meta access token {mask(other)}" in out
    assert f"worksheets[0].metadata.token, line 1: Meta access token {mask(canary)}" in out

    assert run_cli(capsys, "--fix", str(path))[0] == 1
    text = path.read_text(encoding="utf-8")
    assert canary not in text and other not in text
    assert run_cli(capsys, str(path))[0] == 0


def test_json_escaped_token_in_a_notebook_is_fixed_in_place(tmp_path, capsys):
    # a Python string in a cell spelling the token with an escape: the notebook JSON holds "\\u0045AA..."
    canary = make_canary()
    nb = new_notebook(cells=[new_code_cell(f'token = "\\u0045{canary[1:]}"')])
    path = tmp_path / "esc.ipynb"
    nbformat.write(nb, str(path))
    before = path.read_text(encoding="utf-8")

    code, out, err = run_cli(capsys, "--fix", str(path))

    assert code == 1 and "[masked]" in out and f"Meta access token {mask(canary)}" in out
    assert canary[1:] not in out + err
    after = path.read_text(encoding="utf-8")
    assert canary[1:] not in after
    assert after == before.replace("\\\\u0045" + canary[1:], mask(canary))  # formatting kept
    assert run_cli(capsys, str(path))[0] == 0


# --- 3. an uppercase hex digest is not a token ------------------------------------------------


def _hex_digest_with_eaa() -> str:
    while True:
        digest = secrets.token_hex(64).upper()
        cut = secrets.randbelow(40)
        candidate = digest[:cut] + "EAA" + digest[cut + 3 :]
        if len(candidate) - candidate.index("EAA") > 25:
            return candidate


def test_uppercase_hex_digest_is_not_a_token(tmp_path, capsys):
    digest = _hex_digest_with_eaa()
    assert scan_text(f"sha512: {digest}") == []
    assert redact(f"sha512={digest}") == f"sha512={digest}"  # the leak guard and logs keep it too
    nb = new_notebook(cells=[new_code_cell("checksum()")])
    nb.cells[0].outputs = [new_output("stream", name="stdout", text=f"SHA512 {digest}\n")]
    nbformat.write(nb, str(tmp_path / "digest.ipynb"))
    code, out, _ = run_cli(capsys, str(tmp_path))
    assert code == 0, out


def test_real_tokens_are_still_tokens(sandbox):
    # Sandbox tokens look like real ones: EAA then 150+ letters and digits, mixed case.
    tokens = [make_canary(), sandbox.issue_token(), sandbox.issue_token(kind="system_user", lifetime_s=0)]
    digest = _hex_digest_with_eaa()
    text = " ".join([digest, *tokens])
    assert [m.value for m in scan_text(text)] == tokens
    assert redact(text) == " ".join([digest, *(mask(t) for t in tokens)])
    for token in tokens:
        assert TOKEN_PATTERN.fullmatch(token)


# --- 4. --fix writes where the secret is, or changes nothing and says why --------------------


def _leaky_notebook(path: Path, canary: str) -> Path:
    nb = new_notebook(cells=[new_code_cell("x", outputs=[new_output("stream", name="stdout", text=canary)])])
    nbformat.write(nb, str(path))
    return path


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_fix_through_a_symlink_masks_the_file_it_points_to(tmp_path, capsys):
    canary = make_canary()
    real = _leaky_notebook(tmp_path / "real.ipynb", canary)
    (tmp_path / "work").mkdir()
    link = tmp_path / "work" / "report.ipynb"
    link.symlink_to(real)

    code, out, err = run_cli(capsys, "--fix", str(link))

    assert code == 1 and "[masked]" in out
    assert link.is_symlink() and link.resolve() == real  # still a link, to the same file
    assert canary not in real.read_text(encoding="utf-8")
    assert "symbolic link" in err
    assert run_cli(capsys, str(link))[0] == 0 and run_cli(capsys, str(real))[0] == 0


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_fix_in_a_folder_does_not_follow_a_link_out_of_it(tmp_path, capsys):
    canary = make_canary()
    (tmp_path / "elsewhere").mkdir()
    outside = _leaky_notebook(tmp_path / "elsewhere" / "shared.ipynb", canary)
    before = outside.read_bytes()
    project = tmp_path / "project"
    project.mkdir()
    (project / "shared.ipynb").symlink_to(outside)

    code, out, err = run_cli(capsys, "--fix", str(project))

    assert code == 1
    assert "[masked]" not in out and "[not changed]" in out
    assert "symbolic link" in err and "outside the folder" in err
    assert outside.read_bytes() == before and (project / "shared.ipynb").is_symlink()
    # named itself, the same file is fixed
    assert run_cli(capsys, "--fix", str(outside))[0] == 1 and canary not in outside.read_text(encoding="utf-8")


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_fix_in_a_folder_writes_through_a_link_inside_it(tmp_path, capsys):
    canary = make_canary()
    (tmp_path / "data").mkdir()
    real = _leaky_notebook(tmp_path / "data" / "nb.ipynb", canary)
    (tmp_path / "a-link.ipynb").symlink_to(real)  # sorted first: the file is reached through the link

    code, out, _ = run_cli(capsys, "--fix", str(tmp_path))

    assert code == 1 and "[masked]" in out
    assert (tmp_path / "a-link.ipynb").is_symlink() and canary not in real.read_text(encoding="utf-8")


@pytest.mark.skipif(not hasattr(os, "link"), reason="no hard links")
def test_fix_refuses_a_hard_linked_notebook_and_says_why(tmp_path, capsys):
    canary = make_canary()
    first = _leaky_notebook(tmp_path / "a.ipynb", canary)
    (tmp_path / "backup").mkdir()
    second = tmp_path / "backup" / "a.ipynb"
    os.link(first, second)

    code, out, err = run_cli(capsys, "--fix", str(first))

    assert code == 1 and "[masked]" not in out and "[not changed]" in out
    assert "2 hard links" in err and f"-samefile {first}" in err
    for name in (first, second):
        assert canary in name.read_text(encoding="utf-8")  # nothing half-done
    assert os.stat(first).st_ino == os.stat(second).st_ino


def test_json_that_is_not_a_notebook_is_scanned_as_text_and_never_rewritten(tmp_path, capsys):
    canary = make_canary()
    path = write_json(tmp_path / "export.ipynb", {"rows": [{"token": canary}]})
    before = path.read_bytes()

    code, out, err = run_cli(capsys, "--fix", str(path))

    assert code == 1 and "export.ipynb:4:14:" in out and "[not changed" in out
    assert "not shaped like a notebook" in err and canary not in out + err
    assert path.read_bytes() == before


def test_fix_notes_an_unscanned_checkpoint(tmp_path, capsys):
    canary = make_canary()
    path = _leaky_notebook(tmp_path / "analysis.ipynb", canary)
    (tmp_path / ".ipynb_checkpoints").mkdir()
    checkpoint = _leaky_notebook(tmp_path / ".ipynb_checkpoints" / "analysis-checkpoint.ipynb", canary)

    code, out, err = run_cli(capsys, "--fix", str(path))

    assert code == 1 and "[masked]" in out
    assert "analysis-checkpoint.ipynb was not scanned" in err
    assert canary in checkpoint.read_text(encoding="utf-8")
    # scanning the folder covers it: no note, both masked
    code, out, err = run_cli(capsys, "--fix", str(tmp_path))
    assert code == 1 and "not scanned" not in err and canary not in checkpoint.read_text(encoding="utf-8")


# --- the encodings, as a property ----------------------------------------------------------------


def _encode(char: str, how: str) -> str:
    return {
        "plain": char,
        "u": f"\\u{ord(char):04x}",
        "x": f"\\x{ord(char):02x}",
        "pct": f"%{ord(char):02X}",
        "pct2": f"%25{ord(char):02X}",
        "ref": f"&#{ord(char)};",
    }[how]


@FUZZ
@given(
    st.data(),
    st.text(alphabet=string.printable, max_size=30),
    st.text(alphabet=string.printable, max_size=30),
)
def test_a_token_written_with_any_mix_of_escapes_is_found_and_masked_whole(data, before, after):
    canary = make_canary()
    hows = data.draw(st.lists(st.sampled_from(["plain", "u", "x", "pct", "pct2", "ref"]), min_size=3, max_size=3))
    written = "".join(_encode(c, hows[i % 3]) if i < 6 else c for i, c in enumerate(canary))
    text = f"{before} {written} {after}"

    matches = scan_text(text)

    assert [m.preview for m in matches if m.kind == "access_token"] == [mask(canary)]
    masked = mask_text(text)
    assert canary[6:] not in masked
    assert scan_text(masked) == []
