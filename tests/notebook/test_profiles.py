"""Stored profiles: the fast path, opening at the fixing step, frames, logout."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from meta_auth_nb._base.errors import TokenError
from meta_auth_nb.auth.lifecycle import inspect_token
from meta_auth_nb.frames import TOKEN_COLUMNS
from meta_auth_nb.notebook.frame_view import status_frame
from meta_auth_nb.notebook.kernel_sandbox import KERNEL as kernel_sandbox
from meta_auth_nb.notebook.session import NotebookSession

from .helpers import captured_text, login


def _stored(
    store, profile="sandbox", *, user=None, scopes=("ads_read",), lifetime_s=60 * 86400, kind="user", keep_secret=False
):
    """Store a token the kernel sandbox issued under ``profile`` (``store``: the sandbox's own)."""
    box = kernel_sandbox.start()
    raw = box.issue_token(user, scopes=list(scopes), lifetime_s=lifetime_s, kind=kind)
    info = inspect_token(raw, app_id=box.app_id, app_secret=box.app_secret)
    store.save(profile, raw, app_id=box.app_id, info=info, app_secret=box.app_secret if keep_secret else None)
    return box, raw


def test_valid_profile_fast_path(shell, magics, sandbox_store):
    _, raw = _stored(sandbox_store)
    panel, captured = login(shell, "--sandbox")
    assert panel is None
    text = captured_text(captured)
    assert len(captured.outputs) == 1 and captured.stdout == ""
    line = captured.outputs[0].data["text/plain"]
    assert "\n" not in line.strip() and line.startswith("Sandbox: sandbox")
    for fact in ("sandbox", "USER", "expires in", "ads_read", "meta", "Alice Analyst"):
        assert fact in line, fact
    assert raw not in text
    meta = shell.user_ns["meta"]
    assert isinstance(meta, NotebookSession) and meta.profile == "sandbox"
    assert meta.get("me")["id"]


def test_fast_path_honours_as_and_config(shell, magics, sandbox_store):
    _stored(sandbox_store)
    shell.run_line_magic("config", 'MetaAuthMagics.session_name = "fb"')
    assert magics.session_name == "fb"
    login(shell, "--sandbox")
    assert "fb" in shell.user_ns and "meta" not in shell.user_ns
    login(shell, "--sandbox --as ads")
    assert isinstance(shell.user_ns["ads"], NotebookSession)


def test_expired_profile_opens_at_the_fix_step(shell, magics, sandbox_store):
    box, _ = _stored(sandbox_store, lifetime_s=3600)
    box.advance(7200)
    panel, _ = login(shell, "--sandbox")
    assert panel is not None and panel.step == "method"
    assert panel.message_level == "error"
    assert "expired" in panel.message_text and "sandbox" in panel.message_text
    assert "meta" not in shell.user_ns


def test_password_change_says_why(shell, magics, sandbox_store):
    box, _ = _stored(sandbox_store)
    box.change_password("alice")
    panel, _ = login(shell, "--sandbox")
    assert panel.step == "method" and "password" in panel.message_text


def test_expiring_profile_opens_at_extend(shell, magics, sandbox_store):
    _stored(sandbox_store, lifetime_s=2 * 86400, keep_secret=True)
    panel, _ = login(shell, "--sandbox")
    assert panel.step == "extend" and panel.message_level == "warn"
    assert "expires in 1 day" in panel.message_text or "expires in 2 days" in panel.message_text
    assert isinstance(shell.user_ns["meta"], NotebookSession)  # still usable meanwhile
    panel.extend_button.click()
    assert panel.wait_idle() and "in 60 days" in panel.extend_result.value, panel.message_text
    panel.extend_next.click()
    assert panel.store_secret_box.value  # it was stored before: keep it
    panel.save_button.click()
    assert panel.wait_idle() and panel.step == "use"
    assert sandbox_store.load("sandbox").token == panel.state.token


def test_missing_scope_opens_login_with_rerequest_scopes(shell, magics, sandbox_store):
    _stored(sandbox_store, scopes=("ads_read",))
    panel, _ = login(shell, "--sandbox --scopes ads_read,ads_management")
    assert panel.step == "method" and panel.method_tabs.selected_index == 1
    assert "ads_management" in panel.message_text
    assert panel.scope_boxes["ads_management"].value and panel.scope_boxes["ads_read"].value


def test_tokens_frame_is_typed(shell, magics, sandbox_store):
    empty = shell.run_line_magic("meta_tokens", "--all")
    assert isinstance(empty, pd.DataFrame) and len(empty) == 0 and "status" in empty.columns
    _stored(sandbox_store, "a")
    _stored(sandbox_store, "b", lifetime_s=3600)
    kernel_sandbox.box.advance(7200)
    shell.run_line_magic("meta_login", "--sandbox --profile b --local")  # the check caches: b is expired
    frame = shell.run_line_magic("meta_tokens", "--all")
    assert list(frame.columns) == TOKEN_COLUMNS and list(frame["profile"]) == ["a", "b"]
    assert str(frame["expires_at"].dtype).startswith("datetime64") and str(frame["expires_at"].dt.tz) == "UTC"
    assert str(frame["expires_in"].dtype).startswith("timedelta64")
    assert str(frame["valid"].dtype) == "boolean"
    assert list(frame["status"]) == ["ok", "expired"]
    # The permissions by name, as the summary view shows them, not a count.
    summary = shell.run_line_magic("meta_tokens", "")
    assert list(frame["scopes"]) == list(summary["scopes"]) and "ads_read" in frame.loc[0, "scopes"]
    assert str(frame["scopes"].dtype) == "string"
    html = frame._repr_html_()
    assert "--jp-success-color1" in html and "--jp-error-color1" in html  # the theme's colours, light or dark
    # Durations and times are rounded for reading; the values keep their precision.
    assert frame.loc[0, "expires_in"].microseconds or frame.loc[0, "expires_in"].seconds
    assert re.search(r">59 days 2[23]:\d\d<", html) and "." not in re.findall(r">(\d+ days [^<]*)<", html)[0]
    assert re.search(r">20\d\d-\d\d-\d\d \d\d:\d\d UTC<", html) and "+00:00" not in html
    narrow = status_frame(frame[["profile", "expires_in", "expires_at"]])
    assert "59 days 2" in repr(narrow) and "+00:00" not in repr(narrow) and "." not in repr(narrow)
    plain = frame[frame["status"] == "ok"]
    assert type(plain) is pd.DataFrame
    assert not any(frame[c].astype(str).str.contains("EAA[A-Za-z0-9]{20}", regex=True).any() for c in frame.columns)


def test_meta_tokens_shows_what_a_person_reads(shell, magics, store, sandbox_store):
    _stored(sandbox_store, "a", scopes=("ads_read", "business_management"))
    summary = shell.run_line_magic("meta_tokens", "")
    assert list(summary.columns) == ["profile", "token", "type", "status", "expires", "scopes", "stored"]
    row = summary.iloc[0]
    assert row["profile"] == "a" and row["type"] == "USER" and row["status"] == "ok"
    assert re.fullmatch(r"in 60 days \(20\d\d-\d\d-\d\d \d\d:\d\d UTC\)", row["expires"])
    assert row["token"].startswith("EAA")
    assert row["scopes"] == "ads_read, business_management, public_profile" and row["stored"] == "this kernel's memory"
    assert "The sandbox's profiles" in summary._repr_html_()


def test_meta_tokens_with_no_profile_says_so(shell, magics, store, sandbox_env):
    empty = shell.run_line_magic("meta_tokens", "")
    assert isinstance(empty, pd.DataFrame) and empty.empty
    assert "No saved profiles yet: `%meta_login` gets a token" in repr(empty)
    assert "<table" not in empty._repr_html_() and "<code>%meta_login</code>" in empty._repr_html_()
    kernel_sandbox.start()
    in_sandbox = shell.run_line_magic("meta_tokens", "")
    assert "No saved profiles in the sandbox yet: `%meta_login --sandbox`" in repr(in_sandbox)


def test_df_equals_magic_assigns(shell, magics, sandbox_store):
    _stored(sandbox_store, "a")
    result = shell.run_cell("df = %meta_tokens")
    assert result.error_in_exec is None and result.result is None
    assert list(shell.user_ns["df"]["profile"]) == ["a"]
    shell.user_ns.pop("df")


def test_scopes_frame(shell, magics, sandbox_store):
    _stored(sandbox_store, scopes=("ads_read", "business_management"))
    frame = shell.run_line_magic("meta_scopes", "--profile sandbox")
    assert isinstance(frame, pd.DataFrame)
    assert {"permission", "status", "target_id", "source"} <= set(frame.columns)
    granted = set(frame.loc[frame["status"] == "granted", "permission"])
    assert {"ads_read", "business_management"} <= granted
    assert str(frame["permission"].dtype) == "string"


def test_scopes_of_a_missing_profile_is_a_usage_error(shell, magics):
    with pytest.raises(UsageError, match="nope"):
        shell.run_line_magic("meta_scopes", "--profile nope")


def test_logout_deletes_and_removes_session(shell, magics, sandbox_store):
    _stored(sandbox_store)
    login(shell, "--sandbox")
    assert "meta" in shell.user_ns
    shell.run_line_magic("meta_logout", "--profile sandbox")
    assert "meta" not in shell.user_ns
    assert sandbox_store.profiles() == []


def test_logout_revoke(shell, magics, sandbox_store):
    _, raw = _stored(sandbox_store)
    login(shell, "--sandbox")
    shell.run_line_magic("meta_logout", "--revoke")
    assert "meta" not in shell.user_ns and sandbox_store.profiles() == []
    from meta_auth_nb.graph.drivers.sync import GraphSession

    with GraphSession(raw) as session, pytest.raises(TokenError):
        session.get("me")


def test_logout_revoke_without_secret_removes_the_app_as_the_cli_does(shell, magics, sandbox_store, monkeypatch):
    _, raw = _stored(sandbox_store)
    monkeypatch.delenv("META_APP_SECRET")
    with capture_output() as captured:
        shell.run_line_magic("meta_logout", "--revoke")
    said = captured.stdout
    assert "removed the app's permissions" in said and "every token of theirs" in said, said
    assert sandbox_store.profiles() == []
    from meta_auth_nb.graph.drivers.sync import GraphSession

    with GraphSession(raw) as session, pytest.raises(TokenError):
        session.get("me")


def test_unticking_forgets_a_stored_app_secret(shell, magics, sandbox_store):
    _stored(sandbox_store, lifetime_s=2 * 86400, keep_secret=True)
    panel, _ = login(shell, "--sandbox")
    assert panel.step == "extend"
    panel.extend_next.click()
    assert panel.store_secret_box.value
    panel.store_secret_box.value = False
    panel.save_button.click()
    assert panel.wait_idle() and panel.step == "use"
    assert sandbox_store.load("sandbox").app_secret is None
