"""The kernel's sandbox: its tokens live in this kernel only, and leaving it is explicit and said.

A real IPython shell with the extension, the kernel sandbox over real HTTP.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from meta_auth_nb.notebook.kernel_sandbox import KERNEL as kernel_sandbox
from meta_auth_nb.notebook.session import NotebookSession

from .helpers import login, paste_token, sandbox


def _logged_in(shell, args="--sandbox --local"):
    """A saved sandbox token and `meta` ready, the way the panel leaves them."""
    panel, _ = login(shell, args)
    paste_token(panel, sandbox().issue_token("alice", scopes=["ads_read"], lifetime_s=60 * 86400))
    panel.inspect_next.click()
    panel.extend_next.click()
    panel.save_button.click()
    assert panel.wait_idle() and panel.step == "use", panel.message_text
    return panel


def test_a_plain_login_in_the_sandbox_is_refused_with_both_ways_on(shell, magics):
    _logged_in(shell)
    with pytest.raises(UsageError) as refused:
        shell.run_line_magic("meta_login", "--profile work")
    said = str(refused.value)
    assert "This kernel is in the sandbox" in said and "would go to the sandbox, not to Meta" in said
    assert "`%meta_login --sandbox --profile work`" in said and "`%meta_login --no-sandbox --profile work`" in said
    assert kernel_sandbox.running and isinstance(shell.user_ns["meta"], NotebookSession)  # nothing changed
    with pytest.raises(UsageError, match="contradict"):
        shell.run_line_magic("meta_login", "--sandbox --no-sandbox")


def test_leaving_the_sandbox_is_said_and_puts_your_settings_back(shell, magics, store, sandbox_env, monkeypatch):
    # Your own settings (sandbox_env stands in for Meta, offline), and your own token, set aside meanwhile.
    monkeypatch.setenv("META_ACCESS_TOKEN", "EAA" + "mine" * 40)
    monkeypatch.setenv("META_AUTH_PROFILE", "work")
    _logged_in(shell)
    folder = Path(os.environ["META_AUTH_CONFIG_DIR"])
    assert folder.is_dir() and os.environ["META_AUTH_PROFILE"] == "sandbox"
    assert not os.environ["META_ACCESS_TOKEN"]  # never sent to the sandbox
    with capture_output() as captured:
        shell.run_line_magic("meta_login", "--no-sandbox --local")
    said = captured.stdout
    assert said.startswith("Left the sandbox: it is stopped, its tokens and `meta` ended with it")
    assert "your own META_* settings are back. This login goes to Meta." in said
    assert not kernel_sandbox.running and "meta" not in shell.user_ns
    assert os.environ["META_AUTH_PROFILE"] == "work" and os.environ["META_ACCESS_TOKEN"].startswith("EAAmine")
    assert os.environ["META_GRAPH_URL"] == sandbox_env.graph_url
    for name in ("META_AUTH_CONFIG_DIR", "META_AUTH_STORE", "META_AUTH_KERNEL_SANDBOX"):
        assert name not in os.environ, name
    assert not folder.exists()  # the sandbox's profile list went with it
    panel = magics.panel
    assert panel is not None and not panel.sandbox and "sandbox" not in panel.header.value
    assert magics.store is store and store.profiles() == ["work"]  # yours (here META_ACCESS_TOKEN) again


def test_no_sandbox_without_one_just_logs_in_to_meta(shell, magics):
    with capture_output() as captured:
        shell.run_line_magic("meta_login", "--no-sandbox --local")
    assert "Left the sandbox" not in captured.stdout and magics.panel is not None and not magics.panel.sandbox


def test_after_a_restart_the_sandbox_says_why_there_is_no_token(shell, magics, store):
    _logged_in(shell)
    assert magics.store.profiles() == ["sandbox"] and store.profiles() == []
    kernel_sandbox.stop()  # what a kernel restart does to the sandbox
    panel, _ = login(shell, "--sandbox --local")
    assert panel.step == "scopes" and panel.message_text.startswith("No sandbox token for profile sandbox")
    assert "The sandbox restarts with the kernel and its tokens end with it" in panel.message_text
    assert "about 10 s" in panel.message_text
    assert store.profiles() == []  # nothing of the sandbox reached your own store


def test_the_sandbox_is_named_wherever_it_is_in_use(shell, magics):
    panel = _logged_in(shell)
    assert "sandbox" in panel.header.value and "<code>%meta_login --no-sandbox</code>" in panel.banner.value
    assert "on the sandbox" in repr(shell.user_ns["meta"])
    frame = shell.run_line_magic("meta_tokens", "")
    assert "The sandbox's profiles" in frame._repr_html_()
    assert frame.loc[0, "stored"] == "this kernel's memory"


def test_help_says_how_to_leave_the_sandbox(shell):
    with capture_output() as captured:
        shell.run_cell("%meta_login?")
    text = " ".join(captured.stdout.split())
    for words in ("--no-sandbox", "leave the sandbox", "a plain ``%meta_login`` is then refused", "about 10 s"):
        assert words in text, words
