"""The sandbox autopilot and ``--scenario``, in-process: the panel plays the attendee, sandbox only."""

from __future__ import annotations

import re

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from meta_auth_nb.notebook.kernel_sandbox import KERNEL as kernel_sandbox
from meta_auth_nb.notebook.panel.autopilot import DEFAULT_USER, ENV_AUTOPILOT, autopilot_user
from meta_auth_nb.notebook.session import NotebookSession
from meta_auth_nb.sandbox import Sandbox
from tests.notebook.helpers import all_widget_states, captured_text, leaks

TOKEN_PATTERN = re.compile(r"EAA[A-Za-z0-9]{20,}")


def _run(shell, line: str):
    with capture_output() as captured:
        result = shell.run_cell(f"%meta_login {line}")
    return result, captured


def _login(shell, line: str):
    result, captured = _run(shell, line)
    assert result.error_in_exec is None, result.error_in_exec
    return shell.magics_manager.registry["MetaAuthMagics"].panel, captured


def _usage_error(shell, line: str) -> str:
    result, _ = _run(shell, line)
    assert isinstance(result.error_in_exec, UsageError), result.error_in_exec
    return str(result.error_in_exec)


@pytest.mark.parametrize(
    ("flag", "env", "user"),
    [
        (None, None, None),
        (None, "", None),
        (None, "0", None),
        (None, "alice", "alice"),
        (None, "true", DEFAULT_USER),
        ("on", None, DEFAULT_USER),
        ("bob", "carol", "bob"),
        ("off", "carol", None),  # the flag beats the environment
    ],
)
def test_autopilot_user(flag, env, user):
    environ = {} if env is None else {ENV_AUTOPILOT: env}
    assert autopilot_user(flag, environ) == user


def test_catch_path_leaves_the_panel_at_use(shell, magics):
    panel, captured = _login(shell, "--sandbox --local --autopilot")
    assert panel.step == "use" and panel.message_level in ("ok", "warn")
    said = captured.stdout
    assert said.startswith("Autopilot (alice, sandbox): Facebook Login: alice pressed Allow, caught the redirect;")
    assert "extended it" in said and "saved it as profile sandbox" in said and said.rstrip().endswith("meta is ready.")
    meta = shell.user_ns["meta"]
    assert isinstance(meta, NotebookSession) and meta.get("me")["name"] == "Alice Analyst"
    assert panel.state.before is not None  # it really extended: the short-lived token came first
    assert magics.store.load("sandbox").token == panel.state.token and magics.store is kernel_sandbox.store
    secrets = [
        panel.state.token.get_secret_value(),
        panel.state.before.get_secret_value(),
        kernel_sandbox.box.app_secret,
    ]
    assert not leaks(secrets, captured_text(captured), all_widget_states())


def test_paste_path_on_a_remote_kernel(shell, magics):
    panel, captured = _login(shell, "--sandbox --remote --autopilot=carol")
    assert panel.step == "use"
    assert "carol pressed Allow, pasted the redirected URL" in captured.stdout
    assert panel.redirect_paste.value == ""  # the one-time code did not stay in the widget
    assert shell.user_ns["meta"].get("me")["name"] == "Carol Client"
    # On a remote kernel the panel points sandbox users at the autopilot.
    assert "--autopilot" in panel.login_intro.value


def test_environment_variable_turns_it_on(shell, magics, monkeypatch):
    monkeypatch.setenv(ENV_AUTOPILOT, "bob")
    panel, captured = _login(shell, "--sandbox --local")
    assert panel.step == "use" and "Autopilot (bob, sandbox)" in captured.stdout
    # bob always declines ads_read: the autopilot asks again once, then goes on with what was granted.
    assert "bob declined ads_read; asking again" in captured.stdout
    assert shell.user_ns["meta"].get("me")["name"] == "Bob Buyer"


def test_declined_permission_is_asked_again(shell, magics):
    panel, captured = _login(shell, "--sandbox --local --scenario declined-ads-read --autopilot")
    assert kernel_sandbox.box.scenario == "declined-ads-read"
    assert "alice declined ads_read; asking again; Facebook Login again for the declined permissions" in captured.stdout
    assert "ads_read" in panel.state.info.scopes
    assert len(shell.user_ns["meta"].frame("me/adaccounts")) == 2


def test_a_scenario_starts_a_fresh_sandbox_and_forgets_its_dead_token(shell, magics, store):
    _login(shell, "--sandbox --local --autopilot")
    first, first_store = kernel_sandbox.box, kernel_sandbox.store
    assert first_store.profiles() == ["sandbox"] and store.profiles() == []
    panel, _ = _login(shell, "--sandbox --local --scenario expiring-token")
    assert kernel_sandbox.box is not first and kernel_sandbox.box.scenario == "expiring-token"
    # The old sandbox's token can never work again: a fresh sandbox has a fresh, empty store.
    assert panel.step == "scopes" and "No sandbox token for profile sandbox in this kernel yet" in panel.message_text
    assert kernel_sandbox.store.profiles() == [] and first_store.profiles() == []
    # The same scenario again keeps the sandbox; "none" goes back to normal.
    _login(shell, "--sandbox --local --scenario expiring-token")
    assert kernel_sandbox.box.scenario == "expiring-token"
    _login(shell, "--sandbox --local --scenario none")
    assert kernel_sandbox.box.scenario is None


def test_expired_stored_token_is_replaced(shell, magics):
    _login(shell, "--sandbox --local --scenario expiring-token --autopilot")
    old = shell.user_ns["meta"].token
    kernel_sandbox.box.advance(600)
    panel, captured = _login(shell, "--sandbox --local --autopilot")
    assert panel.step == "use" and "Facebook Login: alice pressed Allow" in captured.stdout
    assert shell.user_ns["meta"].token != old
    assert shell.user_ns["meta"].get("me")["name"] == "Alice Analyst"


def test_healthy_stored_token_needs_no_autopilot(shell, magics):
    _login(shell, "--sandbox --local --autopilot")
    panel, captured = _login(shell, "--sandbox --local --autopilot")
    assert panel is None and "Autopilot" not in captured.stdout  # the fast path: one status line


def test_autopilot_refuses_a_real_login(shell, magics, monkeypatch):
    assert "only drives the built-in sandbox" in _usage_error(shell, "--autopilot")
    monkeypatch.setenv(ENV_AUTOPILOT, "alice")
    said = _usage_error(shell, "--app-id 1234")
    assert f"{ENV_AUTOPILOT}=alice only drives the built-in sandbox" in said and "--sandbox" in said
    assert not kernel_sandbox.running


def test_autopilot_user_must_exist(shell, magics):
    assert "alice, bob, carol, dana; not 'dave'" in _usage_error(shell, "--sandbox --autopilot=dave")


def test_autopilot_as_a_user_without_a_role_says_why_the_dialog_refused(shell, magics):
    # The sandbox app is in development mode: only people with a role on the app may log in.
    said = _usage_error(shell, "--sandbox --autopilot=dana")
    assert "App not active" in said and "dana has no role on this app" in said


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("--scenario expiring-token", "--scenario goes with --sandbox"),
        ("--sandbox --scenario sunny-day", "Unknown sandbox scenario 'sunny-day'"),
    ],
)
def test_scenario_usage_errors(shell, magics, line, words):
    assert words in _usage_error(shell, line)


def test_a_failing_step_stops_the_cell_with_the_panels_words(shell, magics, monkeypatch):
    approve = Sandbox.approve

    def cancel(self, url, *, user=None, decision="allow"):
        return approve(self, url, user=user, decision="cancel")

    monkeypatch.setattr(Sandbox, "approve", cancel)
    said = _usage_error(shell, "--sandbox --local --autopilot")
    assert said.startswith("Autopilot (alice, sandbox) stopped: logging in failed at step 'method'")
    assert "cancelled" in said
    assert not TOKEN_PATTERN.search(said)


def test_magic_help_documents_the_workshop_aids(shell, magics):
    doc = " ".join(magics.meta_login.__doc__.split())  # argparse wraps the help
    for words in ("--autopilot", "META_AUTH_SANDBOX_AUTOPILOT", "--scenario", "workshops and CI"):
        assert words in doc
