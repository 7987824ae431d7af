"""``meta-auth scan``: finds canaries in every part of a notebook and in text files, masks, fixes."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from meta_auth_nb._base.redact import mask
from meta_auth_nb.cli import scan as scan_cli
from meta_auth_nb.cli.common import CommandContext
from meta_auth_nb.scan import mask_text, scan_paths, scan_text
from meta_auth_nb.scan.report import Finding
from tests.conftest import make_canary
from tests.security.conftest import run_cli

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


pytestmark = pytest.mark.usefixtures("private_scan_store")


def write_nb(path: Path, nb: Any) -> Path:
    nbformat.write(nb, str(path))
    return path


def notebook_with(token: str, where: str) -> Any:
    """A valid notebook with ``token`` in one place only."""
    nb = new_notebook()
    nb.cells = [new_markdown_cell("# Report"), new_code_cell("x = 1", execution_count=1)]
    code = nb.cells[1]
    if where == "source":
        code.source = f"import meta_auth_nb as mab\ntoken = '{token}'"
    elif where == "stream":
        code.outputs = [new_output("stream", name="stdout", text=f"ok\n{token}\n")]
    elif where == "text/plain":
        code.outputs = [new_output("execute_result", data={"text/plain": f"'{token}'"}, execution_count=1)]
    elif where == "text/html":
        code.outputs = [new_output("display_data", data={"text/html": f"<code>{token}</code>", "text/plain": "<HTML>"})]
    elif where == "error":
        code.outputs = [
            new_output(
                "error",
                ename="TokenExpired",
                evalue="expired",
                traceback=["\x1b[0;31mTokenExpired\x1b[0m", f"  call(token='{token}')"],
            )
        ]
    elif where == "widget":
        nb.metadata["widgets"] = {
            WIDGET_STATE: {
                "version_major": 2,
                "version_minor": 0,
                "state": {
                    "5f1c0a9e2b7d4c3f8e6a1b2c3d4e5f60": {
                        "model_name": "PasswordModel",
                        "model_module": "@jupyter-widgets/controls",
                        "model_module_version": "2.0.0",
                        "state": {"value": token, "description": "Token"},
                    }
                },
            }
        }
    else:  # pragma: no cover
        raise AssertionError(where)
    return nb


EXPECTED_CELL = {
    "source": (1, None),
    "stream": (1, 0),
    "text/plain": (1, 0),
    "text/html": (1, 0),
    "error": (1, 0),
    "widget": (None, None),
}


@pytest.mark.parametrize("where", list(EXPECTED_CELL))
def test_finds_canary_in_every_part_of_a_notebook(tmp_path, capsys, where):
    canary = make_canary()
    path = write_nb(tmp_path / "report.ipynb", notebook_with(canary, where))

    code, out, err = run_cli(capsys, str(path))

    assert code == 1
    assert canary not in out + err
    assert mask(canary) in out
    assert str(path) in out
    cell, output = EXPECTED_CELL[where]
    if cell is not None:
        assert f"cell {cell}" in out
    if output is not None:
        assert f"output {output}" in out
    if where == "widget":
        assert "metadata.widgets" in out


@pytest.mark.parametrize("where", list(EXPECTED_CELL))
def test_fix_masks_keeps_notebook_valid_and_rescan_is_clean(tmp_path, capsys, where):
    canary = make_canary()
    path = write_nb(tmp_path / "report.ipynb", notebook_with(canary, where))
    before = path.read_bytes()

    code, out, err = run_cli(capsys, "--fix", str(path))

    assert code == 1  # it was there: treat it as leaked
    assert "[masked]" in out and canary not in out + err
    data = path.read_bytes()
    assert canary.encode() not in data
    assert mask(canary).encode() in data
    nbformat.validate(nbformat.reads(data.decode(), as_version=nbformat.NO_CONVERT))
    # everything but the masked value is byte-for-byte what it was
    assert data == before.replace(canary.encode(), mask(canary).encode())
    assert run_cli(capsys, str(path))[0] == 0


def test_fix_keeps_hand_written_formatting(tmp_path, capsys):
    canary = make_canary()
    nb = notebook_with(canary, "stream")
    # two-space indent, unsorted keys, one-line source strings: not nbformat's own style
    text = json.dumps(json.loads(nbformat.writes(nb)), indent=2, sort_keys=False)
    path = tmp_path / "vscode.ipynb"
    path.write_text(text, encoding="utf-8")

    assert run_cli(capsys, "--fix", str(path))[0] == 1
    assert path.read_text(encoding="utf-8") == text.replace(canary, mask(canary))


def test_json_escaped_token_falls_back_to_a_json_rewrite(tmp_path, capsys):
    canary = make_canary()
    nb = notebook_with(canary, "stream")
    text = nbformat.writes(nb).replace(canary, "\\u0045" + canary[1:])  # same string, escaped "E"
    path = tmp_path / "escaped.ipynb"
    path.write_text(text, encoding="utf-8")

    code, out, _ = run_cli(capsys, "--fix", str(path))

    assert code == 1 and "[masked]" in out
    fixed = path.read_text(encoding="utf-8")
    assert canary[1:] not in fixed
    nbformat.validate(nbformat.reads(fixed, as_version=4))
    assert run_cli(capsys, str(path))[0] == 0


def test_text_files_token_and_app_secret(tmp_path, capsys):
    canary = make_canary()
    secret = secrets.token_hex(16)
    (tmp_path / "settings.py").write_text(f"TOKEN = '{canary}'\n", encoding="utf-8")
    (tmp_path / ".env").write_text(f"META_APP_ID=1234567890123456\nMETA_APP_SECRET={secret}\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text(f"app token: 1234567890123456|{secret}\n", encoding="utf-8")

    code, out, err = run_cli(capsys, str(tmp_path))

    assert code == 1
    for value in (canary, secret):
        assert value not in out + err
    assert f"settings.py:1:10: Meta access token {mask(canary)}" in out
    assert f".env:2:17: app secret {mask(secret)}" in out
    assert f"notes.txt:1:12: app token (APP_ID|SECRET) 1234567890123456|{mask(secret)}" in out


def test_fix_leaves_text_files_alone(tmp_path, capsys):
    secret = secrets.token_hex(16)
    env = tmp_path / ".env"
    env.write_text(f"META_APP_SECRET={secret}\n", encoding="utf-8")

    code, out, _ = run_cli(capsys, "--fix", str(env))

    assert code == 1
    assert "only notebooks are rewritten" in out
    assert env.read_text(encoding="utf-8") == f"META_APP_SECRET={secret}\n"


@pytest.mark.parametrize(
    "line",
    [
        'app_secret = "{s}"',
        'os.environ["META_APP_SECRET"] = "{s}"',
        'monkeypatch.setenv("META_APP_SECRET", "{s}")',
        '{{"client_secret": "{s}"}}',
        "https://graph.facebook.com/v25.0/oauth/access_token?client_id=1&client_secret={s}&code=x",
        "meta-auth login --app-secret {s}",
        "appSecret: {s}",
    ],
)
def test_app_secret_next_to_its_name(line, tmp_path):
    secret = secrets.token_hex(16)
    matches = scan_text(line.format(s=secret))
    assert [(m.kind, m.value) for m in matches] == [("app_secret", secret)]


@pytest.mark.parametrize(
    "line",
    [
        "md5 = '{s}'",
        "model_id: {s}",
        "commit {s}",
        "app_secret = load()\nchecksum = '{s}'",  # the name is on another line
    ],
)
def test_bare_hex_is_not_flagged(line):
    assert scan_text(line.format(s=secrets.token_hex(16))) == []


def test_hex_under_a_secret_key_or_label_in_notebook_json(tmp_path, capsys):
    # the widget id starts with a digit, so the field path quotes it: ["..."]
    secret, other = secrets.token_hex(16), "0" + secrets.token_hex(16)[1:]
    nb = notebook_with("x", "stream")
    nb.metadata["papermill"] = {"parameters": {"app_secret": secret, "run_id": other}}
    nb.metadata["widgets"] = {
        WIDGET_STATE: {
            "version_major": 2,
            "version_minor": 0,
            "state": {other: {"model_name": "TextModel", "state": {"description": "App secret", "value": secret}}},
        }
    }
    path = write_nb(tmp_path / "p.ipynb", nb)

    report = scan_paths([path], use_store=False)

    assert [(f.kind, f.field) for f in report.findings] == [
        ("app_secret", "metadata.papermill.parameters.app_secret"),
        ("app_secret", f'metadata.widgets["{WIDGET_STATE}"].state["{other}"].state.value'),
    ]


def test_clean_notebook_and_folder_exit_0(tmp_path, capsys):
    nb = new_notebook(cells=[new_code_cell("print('EAAB…x7Qz is a mask, not a token')")])
    write_nb(tmp_path / "clean.ipynb", nb)
    (tmp_path / "readme.md").write_text("md5 d41d8cd98f00b204e9800998ecf8427e\n", encoding="utf-8")

    code, out, err = run_cli(capsys, str(tmp_path))

    assert code == 0, out + err
    assert "no Meta tokens" in out


def test_store_known_secret_that_is_not_token_shaped(tmp_path, capsys):
    from keyring.backends import fail

    from meta_auth_nb.store import TokenStore

    odd_token = "sysuser-" + secrets.token_urlsafe(24).replace("-", "x").replace("_", "y")
    app_secret = "S3cr3t-" + secrets.token_urlsafe(12)
    TokenStore(keyring_backend=fail.Keyring()).save("work", odd_token, app_id="1234567890", app_secret=app_secret)
    write_nb(tmp_path / "nb.ipynb", new_notebook(cells=[new_code_cell(f"t = '{odd_token}'")]))
    (tmp_path / "cfg.ini").write_text(f"[meta]\nsecret = {app_secret}\n", encoding="utf-8")

    code, out, err = run_cli(capsys, "--json", str(tmp_path))

    assert code == 1
    assert odd_token not in out + err and app_secret not in out + err
    doc = json.loads(out)
    kinds = {(Path(f["path"]).name, f["kind"], f["known"]) for f in doc["findings"]}
    assert kinds == {("nb.ipynb", "known_secret", True), ("cfg.ini", "known_secret", True)}
    # without the store, neither is token-shaped
    assert run_cli(capsys, "--no-store", str(tmp_path))[0] == 0


def test_known_seam(tmp_path):
    value = "opaque-value-" + secrets.token_hex(8)
    path = tmp_path / "a.txt"
    path.write_text(f"x {value} y\n", encoding="utf-8")
    report = scan_paths([path], known=[value], use_store=False)
    assert [(f.kind, f.known, f.preview) for f in report.findings] == [("known_secret", True, mask(value))]


class _BrokenKeyring:
    """Anything the keyring library can throw at the store."""

    def get_password(self, *a):
        from keyring.errors import InitError

        raise InitError("dbus went away")

    set_password = delete_password = get_password


@pytest.mark.parametrize("breakage", ["keyring", "store_error", "config"])
def test_unusable_store_does_not_stop_the_scan(tmp_path, capsys, monkeypatch, breakage):
    from meta_auth_nb.store import StoreError, TokenStore

    if breakage == "keyring":
        monkeypatch.setattr("keyring.get_keyring", lambda: _BrokenKeyring())
    elif breakage == "store_error":

        def boom(self):
            raise StoreError("index unreadable")

        monkeypatch.setattr(TokenStore, "profiles", boom)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "not-a-dir.txt"))
        (tmp_path / "not-a-dir.txt").write_text("x")
    canary = make_canary()
    (tmp_path / "t.py").write_text(f"T = '{canary}'\n", encoding="utf-8")

    code, out, err = run_cli(capsys, str(tmp_path / "t.py"))

    assert code == 1
    assert mask(canary) in out and canary not in out + err


def test_json_shape(tmp_path, capsys):
    canary = make_canary()
    path = write_nb(tmp_path / "nb.ipynb", notebook_with(canary, "stream"))
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0" + canary.encode())

    code, out, err = run_cli(capsys, "--json", str(tmp_path))

    assert code == 1 and canary not in out + err
    doc = json.loads(out)
    assert set(doc) == {
        "version",
        "exit_code",
        "findings",
        "files_scanned",
        "files_with_findings",
        "fixed_files",
        "skipped",
        "errors",
        "missing",
    }
    assert doc["exit_code"] == 1 and doc["files_scanned"] == 1
    assert doc["files_with_findings"] == [str(path)]
    assert doc["skipped"] == [{"path": str(tmp_path / "image.png"), "reason": "binary"}]
    (finding,) = doc["findings"]
    assert finding == {
        "path": str(path),
        "kind": "access_token",
        "known": False,
        "preview": mask(canary),
        "cell": 1,
        "cell_type": "code",
        "output": 0,
        "output_type": "stream",
        "field": "cells[1].outputs[0].text",
        "line": 2,
        "column": 1,
        "fixed": False,
    }


def test_binary_large_and_skipped_folders(tmp_path, capsys):
    canary = make_canary()
    (tmp_path / "blob.bin").write_bytes(b"\0" * 10 + canary.encode())  # binary data: its ASCII is still read
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + canary.encode())  # a binary format: not read
    for folder in (".git", ".venv", "node_modules"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "leak.txt").write_text(canary, encoding="utf-8")
    (tmp_path / "big.txt").write_text("x" * 5000 + canary, encoding="utf-8")

    report = scan_paths([tmp_path], use_store=False, max_bytes=1000)

    assert [(Path(f.path).name, f.line, f.column) for f in report.findings] == [("blob.bin", 1, 11)]
    assert sorted((Path(s["path"]).name, s["reason"]) for s in report.skipped) == [
        ("big.txt", "too large"),
        ("photo.png", "binary"),
    ]
    assert len(scan_paths([tmp_path], use_store=False, max_bytes=0).findings) == 2  # 0: no cap
    (tmp_path / "blob.bin").unlink()
    code, _, err = run_cli(capsys, "--max-bytes", "1000", str(tmp_path))
    assert code == 3 and "NOT SCANNED" in err and "big.txt" in err and "photo.png" not in err


def test_inline_images_are_not_tokens(tmp_path, capsys):
    # random base64 holds EAA + 20 letters/digits now and then
    blob = ""
    while "EAA" not in blob:
        blob = base64.b64encode(os.urandom(4096)).decode()
    nb = notebook_with("x", "stream")
    nb.cells[1].outputs = [
        new_output(
            "display_data",
            data={
                "image/png": blob,
                "text/html": f'<img src="data:image/png;base64,{blob}">',
                "text/plain": "<Figure>",
            },
        )
    ]
    path = write_nb(tmp_path / "plot.ipynb", nb)
    assert run_cli(capsys, str(path))[0] == 0


def test_usage_errors_exit_2(tmp_path, capsys):
    assert run_cli(capsys)[0] == 2  # no PATH
    code, _, err = run_cli(capsys, str(tmp_path / "missing.ipynb"))
    assert code == 2 and "no such file" in err


def test_unparseable_notebook_is_scanned_as_text(tmp_path, capsys):
    canary = make_canary()
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [ "' + canary, encoding="utf-8")
    code, out, err = run_cli(capsys, "--fix", str(path))
    assert code == 1 and "broken.ipynb:1:" in out and "scanned as text" in err
    assert canary in path.read_text(encoding="utf-8")  # not rewritten: it is not a notebook we understand


def test_secret_in_a_path_name_is_masked(tmp_path, capsys):
    canary = make_canary()
    folder = tmp_path / canary[:60]
    folder.mkdir()
    (folder / "a.txt").write_text(f"{canary}\n", encoding="utf-8")
    code, out, err = run_cli(capsys, str(folder))
    assert code == 1 and canary[:60] not in out + err


def test_add_arguments_and_run_for_the_cli(tmp_path, capsys):
    import argparse

    parser = argparse.ArgumentParser(prog="meta-auth scan")
    scan_cli.add_arguments(parser)
    args = parser.parse_args(["--json", "--no-store", str(tmp_path)])
    assert scan_cli.run(args, CommandContext()) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_module_entry_point(tmp_path):
    import subprocess
    import sys

    canary = make_canary()
    (tmp_path / "a.txt").write_text(canary, encoding="utf-8")
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    done = subprocess.run(
        [sys.executable, "-m", "meta_auth_nb.cli", "scan", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1
    assert canary not in done.stdout + done.stderr and mask(canary) in done.stdout


def test_match_repr_hides_the_value():
    canary = make_canary()
    (m,) = scan_text(f"x={canary}")
    assert canary not in repr(m) and m.preview == mask(canary)
    finding = Finding("p", m.kind, m.preview, value=m.value)
    assert canary not in repr(finding) and canary not in json.dumps(finding.to_dict())


def test_without_nbformat_notebooks_are_still_scanned_and_fixed(tmp_path, capsys, monkeypatch):
    import sys

    canary = make_canary()
    path = write_nb(tmp_path / "nb.ipynb", notebook_with(canary, "error"))
    monkeypatch.setitem(sys.modules, "nbformat", None)  # import nbformat -> ImportError

    code, out, _ = run_cli(capsys, "--fix", str(path))

    assert code == 1 and "cell 1 (code), output 0 (error) traceback[1]" in out and "[masked]" in out
    monkeypatch.undo()
    assert canary not in path.read_text(encoding="utf-8")
    nbformat.validate(nbformat.read(str(path), as_version=4))


def test_importing_the_scanner_stays_light():
    import subprocess
    import sys

    code = (
        "import sys, meta_auth_nb.scan.detect, meta_auth_nb.scan.report, meta_auth_nb.scan.notebooks, "
        "meta_auth_nb.scan.files; "
        "print(sorted(m for m in ('httpx', 'pandas', 'ipywidgets', 'nbformat', 'keyring') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_overlapping_patterns_are_masked_whole():
    text = "00000|00000000000000EAA0000000000000000000a"  # an app token and a token (mixed case) at once
    (m,) = scan_text(text)
    assert (m.start, m.end) == (0, len(text))
    assert scan_text(mask_text(text)) == []


def test_secret_labelled_widget_flags_its_value_not_its_model_references(tmp_path):
    secret = secrets.token_hex(16)
    layout = secrets.token_hex(16)
    nb = new_notebook()
    nb.metadata["widgets"] = {
        WIDGET_STATE: {
            "version_major": 2,
            "version_minor": 0,
            "state": {
                layout: {"model_name": "LayoutModel", "state": {}},
                secrets.token_hex(16): {
                    "model_name": "TextModel",
                    "state": {"description": "App secret", "value": secret, "layout": f"IPY_MODEL_{layout}"},
                },
            },
        }
    }
    path = write_nb(tmp_path / "w.ipynb", nb)

    report = scan_paths([path], use_store=False, fix=True)

    assert [(f.kind, f.field.rsplit(".", 1)[-1]) for f in report.findings] == [("app_secret", "value")]
    text = path.read_text(encoding="utf-8")
    assert secret not in text and f"IPY_MODEL_{layout}" in text


def test_exclude_patterns(tmp_path):
    canary = make_canary()
    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / "a.txt").write_text(canary, encoding="utf-8")
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "b.txt").write_text(canary, encoding="utf-8")
    (tmp_path / "c.log").write_text(canary, encoding="utf-8")

    report = scan_paths([tmp_path], use_store=False, exclude=["fixtures", "*.log"])

    assert [Path(f.path).name for f in report.findings] == ["a.txt"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_fix_keeps_the_bom_and_the_file_mode(tmp_path, capsys):
    canary = make_canary()
    text = nbformat.writes(notebook_with(canary, "stream"))
    path = tmp_path / "bom.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    path.chmod(0o640)

    assert run_cli(capsys, "--fix", str(path))[0] == 1

    assert path.read_bytes() == b"\xef\xbb\xbf" + text.replace(canary, mask(canary)).encode("utf-8")
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["bom.ipynb"]  # no temp file left behind


def test_a_secret_used_as_a_json_key_is_masked_in_the_reported_location(tmp_path, capsys):
    canary = make_canary()
    nb = notebook_with("x", "stream")
    nb.cells[1].outputs = [
        new_output("execute_result", data={"text/plain": "1", "application/json": {canary: 1}}, execution_count=1)
    ]
    nb.metadata["parameters"] = {canary: 1}
    path = write_nb(tmp_path / "keys.ipynb", nb)

    for argv in ([str(path)], ["--json", str(path)]):
        code, out, err = run_cli(capsys, *argv)
        assert code == 1
        assert canary not in out + err and mask(canary) in out
    fields = [f["field"] for f in json.loads(out)["findings"]]
    assert fields == [
        f'cells[1].outputs[0].data["application/json"].{mask(canary)}',
        f"metadata.parameters.{mask(canary)}",
    ]
