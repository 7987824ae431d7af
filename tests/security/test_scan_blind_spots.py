"""``meta-auth scan`` reads what it vouches for: notebooks of any size, UTF-16 text, every escape; its masks pass.

Each case is a file as people make it (a notebook with a big plot, PowerShell's
``>`` output, a URL fixed by ``--fix``, a class named ``EAA...``), scanned
through the command a pre-commit hook runs.
"""

from __future__ import annotations

import base64
import io
import json
import os
import secrets

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from meta_auth_nb._base.redact import TOKEN_PATTERN, mask, redact
from meta_auth_nb.scan import scan_paths, scan_text
from tests.conftest import make_canary
from tests.security.conftest import run_cli

pytestmark = pytest.mark.usefixtures("private_scan_store")

APP_ID = "123456789012345"


def _big_plot_notebook(token: str, megabytes: int = 12) -> dict:
    """A notebook with one plot of ``megabytes`` (as one matplotlib figure can be) and a token printed after it."""
    nb = new_notebook()
    image = base64.b64encode(os.urandom(megabytes * 768 * 1024)).decode()  # base64 adds a third
    nb.cells = [
        new_code_cell(
            "plot()", outputs=[new_output("display_data", data={"image/png": image, "text/plain": "<Figure>"})]
        ),
        new_code_cell("print(token)", outputs=[new_output("stream", name="stdout", text=f"{token}\n")]),
    ]
    return nb


def test_a_notebook_over_ten_megabytes_is_read_whole(tmp_path, capsys):
    token = make_canary()
    path = tmp_path / "report.ipynb"
    nbformat.write(_big_plot_notebook(token), str(path))
    assert path.stat().st_size > 10 * 1024 * 1024

    code, out, err = run_cli(capsys, "--quiet", str(path))

    assert code == 1 and "cell 1 (code), output 0 (stream) text, line 1" in out and mask(token) in out
    assert token not in out + err

    assert run_cli(capsys, "--fix", str(path))[0] == 1
    assert token not in path.read_text(encoding="utf-8") and run_cli(capsys, str(path))[0] == 0
    nbformat.validate(nbformat.read(str(path), as_version=4))


def test_read_in_small_chunks_a_notebook_gives_the_same_findings(tmp_path):
    from meta_auth_nb.scan.notebooks import notebook_findings, read_events

    token, secret = make_canary(), secrets.token_hex(16)
    nb = new_notebook()
    nb.cells = [
        new_code_cell(f"app_secret = '{secret}'\nx = 1.25e3"),
        new_code_cell("show()", outputs=[new_output("display_data", data={"text/html": f"<b>{token}</b>"})]),
    ]
    nb.metadata["widgets"] = {"state": {"m": {"state": {"value": token, "description": "Token"}}}}
    text = nbformat.writes(nb)
    # A key written twice: every JSON parser keeps the last value, the file keeps both.
    text = text.replace('"nbformat": 4,', f'"nbformat": 4, "nbformat": 4, "extra": "{token}", "extra": 1,', 1)

    def found(chunk: int) -> list[tuple[object, ...]]:
        findings = notebook_findings("nb", read_events(io.StringIO(text).read, chunk=chunk), [])
        return [(f.kind, f.cell, f.cell_type, f.output, f.field, f.line, f.column, f.preview) for f in findings]

    whole = found(len(text) + 1)
    assert [kind for kind, *_ in whole] == ["app_secret", "access_token", "access_token", "access_token"]
    for chunk in (1, 2, 7, 64, 1000):
        assert found(chunk) == whole, chunk


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-8-sig"])
def test_utf16_and_utf32_text_is_read_not_skipped_as_binary(tmp_path, capsys, encoding):
    token = make_canary()
    # What PowerShell's `python job.py > run.log` writes: UTF-16 with a byte order mark ("utf-16").
    log = tmp_path / "run.log"
    log.write_bytes(f"starting\r\nGET /me?access_token={token}\r\ndone\r\n".encode(encoding))

    code, out, err = run_cli(capsys, "--quiet", str(log))

    assert code == 1 and f"{log}:2:" in out and mask(token) in out and token not in out + err
    assert "NOT SCANNED" not in err


def test_binary_data_is_still_read_for_tokens_written_as_text(tmp_path):
    token = make_canary()
    blob = tmp_path / "cache.db-journal"
    blob.write_bytes(os.urandom(5000) + b"\0\0" + token.encode() + b"\0" + os.urandom(5000))

    (finding,) = scan_paths([blob], use_store=False).findings
    assert finding.kind == "access_token" and finding.preview == mask(token)


def test_files_not_read_have_their_own_exit_code_and_a_line_in_quiet_mode(tmp_path, capsys):
    (tmp_path / "export.csv").write_text("id,name\n" * 2000, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("nothing here\n", encoding="utf-8")
    (tmp_path / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(100))

    code, out, err = run_cli(capsys, "--quiet", "--max-bytes", "1000", str(tmp_path))

    assert code == 3 and out == ""
    (line,) = err.splitlines()
    assert line.startswith(f"meta-auth scan: NOT SCANNED {tmp_path / 'export.csv'}") and "--max-bytes 0" in line
    # Nothing left out: clean. A binary format (the PNG) is not text and does not count.
    assert run_cli(capsys, "--quiet", str(tmp_path))[0] == 0
    doc = json.loads(run_cli(capsys, "--json", "--max-bytes", "1000", str(tmp_path))[1])
    assert doc["exit_code"] == 3 and {"path": str(tmp_path / "export.csv"), "reason": "too large"} in doc["skipped"]


def _app_token_url() -> tuple[str, str]:
    secret = secrets.token_hex(16)
    return secret, f"https://graph.facebook.com/v25.0/debug_token?input_token=x&access_token={APP_ID}%7C{secret}"


def test_fix_converges_on_an_app_token_in_a_url_and_keeps_its_encoding(tmp_path, capsys):
    secret, url = _app_token_url()
    nb = new_notebook()
    nb.cells = [new_code_cell("call()", outputs=[new_output("stream", name="stdout", text=f"GET {url}\n")])]
    path = tmp_path / "calls.ipynb"
    nbformat.write(nb, str(path))

    assert run_cli(capsys, "--fix", str(path))[0] == 1
    fixed = path.read_text(encoding="utf-8")
    assert secret not in fixed and f"access_token={APP_ID}%7C{mask(secret)}\\n" in fixed  # %7C stays %7C

    code, out, err = run_cli(capsys, str(path))
    assert code == 0, out + err
    assert run_cli(capsys, "--fix", str(path))[0] == 0 and path.read_text(encoding="utf-8") == fixed


@pytest.mark.parametrize("bar", ["|", "%7C", "%257C"])
def test_masked_lines_in_a_log_are_not_found_again(tmp_path, capsys, bar):
    secret, _ = _app_token_url()
    log = tmp_path / "requests.log"
    log.write_text(f"GET /debug_token?access_token={APP_ID}{bar}{mask(secret)} 200\n", encoding="utf-8")
    code, out, err = run_cli(capsys, str(log))
    assert code == 0, out + err
    # The same line unmasked is found, and masked as it was written.
    (finding,) = scan_text(f"access_token={APP_ID}{bar}{secret}")
    assert finding.preview == f"{APP_ID}{bar}{mask(secret)}"


#: Ways to write "E" (or the bar of an app token) that source code, templates and browsers read as that character.
ESCAPES = {
    "Python \\U": lambda t: "\\U00000045" + t[1:],
    "Python octal": lambda t: "\\105" + t[1:],
    "JavaScript \\u{}": lambda t: "\\u{45}" + t[1:],
    "HTML &#x without ;": lambda t: "&#x45&#x41&#x41" + t[3:],
    "HTML &# without ;": lambda t: "&#69" + t[1:],
}


@pytest.mark.parametrize("how", ESCAPES, ids=list(ESCAPES))
def test_escaped_tokens_are_found_and_masked(tmp_path, capsys, how):
    token = "EAAZ" + make_canary()[4:]  # Z: no hex digit right after the escape, as a browser reads it
    (tmp_path / "page.html").write_text(f"<script>const t = '{ESCAPES[how](token)}';</script>\n", encoding="utf-8")

    code, out, err = run_cli(capsys, str(tmp_path / "page.html"))

    assert code == 1 and mask(token) in out and token not in out + err


@pytest.mark.parametrize("bar", ["&vert;", "&verbar;", "&VerticalLine;", "&#124"])
def test_app_tokens_with_a_named_or_unterminated_html_bar_are_found(bar):
    secret = "f" + secrets.token_hex(16)[1:]  # a letter ends "&#124" as it does for a browser
    (finding,) = scan_text(f"<a href='/debug?access_token={APP_ID}{bar}{secret}'>")
    assert finding.kind in ("app_token", "url_secret") and secret not in finding.preview


def test_names_that_merely_start_with_eaa_are_not_tokens(tmp_path, capsys):
    source = "class EAAccessTokenProviderFactory:\n    def EAAuthenticationRequestHandlers(self): ...\n"
    (tmp_path / "providers.py").write_text(source, encoding="utf-8")

    code, out, _ = run_cli(capsys, str(tmp_path / "providers.py"))

    assert code == 0 and "no Meta tokens" in out
    assert redact(source) == source  # and output showing them is not masked either
    assert TOKEN_PATTERN.fullmatch(make_canary())  # real tokens still are
