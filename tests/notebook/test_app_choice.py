"""One answer to "which app does this token belong to?", whichever front end asks.

A sandbox stands in for Meta through the ``META_*`` settings (``META_APP_ID``
and ``META_APP_SECRET`` are its app's). What a person would notice: whether a
session sends ``appsecret_proof`` (its secret is used), whether a command
asks Graph with another app's app token, and which app a login saves.
"""

from __future__ import annotations

import io
import sys

from meta_auth_nb import cli
from meta_auth_nb.auth.profiles import check_profile
from meta_auth_nb.cli import CommandContext
from tests.conftest import FAST_RETRY

from .helpers import login, paste_token


def _sent_proof(box) -> bool:
    """Whether the latest ``GET /me`` carried an appsecret_proof."""
    calls = [entry for entry in box.request_log if entry.method == "GET" and entry.path.endswith("/me")]
    return "appsecret_proof" in calls[-1].query_keys


def _cli(store, monkeypatch, capsys, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    context = CommandContext(open_store=lambda: store, graph_options={"retry": FAST_RETRY})
    code = cli.main(list(argv), context=context)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_profile_whose_app_is_unknown_uses_the_environment_app_everywhere(shell, magics, store, sandbox_env):
    box = sandbox_env
    # An agency analyst's token, saved before the app was known (no role on the app: it cannot inspect itself).
    store.save("agency", box.issue_token("dana", scopes=["ads_read"], lifetime_s=30 * 86400))

    import meta_auth_nb as mab

    scripted = mab.session("agency", store=store)
    scripted.get("me")
    assert _sent_proof(box), "mab.session() uses META_APP_SECRET for META_APP_ID's app"

    panel, _ = login(shell, "--profile agency --local")
    assert panel is None  # healthy: the fast path injected `meta`
    shell.user_ns["meta"].get("me")
    assert _sent_proof(box), "%meta_login's session uses the same app and secret as mab.session()"
    # And the check, with that app's token, could read the expiry it could not read by itself.
    assert check_profile(store, "agency").info.expiry_known


def test_inspect_never_asks_with_another_apps_token(store, sandbox_env, monkeypatch, capsys):
    box = sandbox_env
    raw = box.issue_token("alice", lifetime_s=30 * 86400)
    store.save("work", raw)
    assert _cli(store, monkeypatch, capsys, "check", "--profile", "work")[0] == 0  # caches the token's app
    monkeypatch.setenv("META_APP_ID", "999")  # another app; META_APP_SECRET is the sandbox app's, not 999's
    before = box.request_count("/debug_token")
    code, out, err = _cli(store, monkeypatch, capsys, "inspect", "--profile", "work")
    assert code == 0, err
    assert box.request_count("/debug_token") == before, "no app token of app 999 was tried"
    assert "could not inspect" not in err and f"({box.app_id})" in out


def test_a_login_saves_the_tokens_own_app_and_never_anothers_secret(store, sandbox_env, monkeypatch, capsys):
    box = sandbox_env
    raw = box.issue_token("alice", lifetime_s=30 * 86400)
    code, _, err = _cli(store, monkeypatch, capsys, "login", "--profile", "p", "--app-id", "999", stdin=raw)
    assert code == 0, err
    assert f"belongs to app {box.app_id}, not 999" not in err  # 999 has no secret here: nothing was tried with it
    saved = store.load("p")
    assert saved.app_id == box.app_id and not saved.has_app_secret


def test_the_panel_takes_the_tokens_own_app(shell, magics, store, sandbox_env, monkeypatch):
    box = sandbox_env
    monkeypatch.delenv("META_APP_SECRET")
    panel, _ = login(shell, "--local")
    panel.app_id_field.value = "999"  # typed: another app, and a secret for it
    panel.app_secret_field.value = box.app_secret
    paste_token(panel, box.issue_token("alice", lifetime_s=3600))
    assert panel.step == "inspect", panel.message_text
    assert f"belongs to app {box.app_id}, not 999" in panel.message_text
    assert panel.state.new.app.app_id == box.app_id
    # A secret typed for app 999 is never used for the token's app, nor offered to be stored with it.
    panel.inspect_next.click()
    assert panel.extend_app_row.layout.display == ""  # extending asks for the token's app's secret
    panel.extend_next.click()
    assert panel.store_secret_box.disabled
