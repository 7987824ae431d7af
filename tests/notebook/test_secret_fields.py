"""A secret typed into the panel leaves the widget at once, even if no button is pressed."""

from __future__ import annotations

from tests.conftest import make_canary
from tests.notebook.helpers import all_widget_states, login


def test_unsubmitted_token_and_secret_never_stay_in_widget_state(shell, magics, sandbox_env):
    panel, _ = login(shell, "--local")
    token, secret = make_canary(), "ab" * 16
    panel.explorer_token.value = token  # pasted, never submitted
    panel.app_secret_field.value = secret  # typed, never used
    state = all_widget_states()
    assert token not in state and secret not in state
    assert panel.explorer_token.value == "" and panel.app_secret_field.value == ""
    assert "received" in panel.explorer_token.placeholder
    # Synced as pasted: a field synced only when left reaches the saved widget state with a click on Save.
    assert all(
        field.continuous_update is True for field in (panel.explorer_token, panel.system_token, panel.app_secret_field)
    )


def test_an_app_secret_typed_by_hand_is_taken_once_whole(shell, magics, sandbox_env):
    panel, _ = login(shell, "--local")
    secret = "0123456789abcdef" * 2
    for end in range(1, len(secret)):  # each keystroke reaches the kernel
        panel.app_secret_field.value = secret[:end]
        assert panel.state.app_secret != secret[:end]
    panel.app_secret_field.value = secret
    assert panel.state.app_secret == secret and panel.app_secret_field.value == ""


def test_pasted_token_is_still_checked_when_submitted_later(shell, magics, sandbox_env):
    panel, _ = login(shell, "--local")
    if panel.step == "scopes":
        panel.scopes_next.click()
    panel.select_method("explorer")
    panel.explorer_token.value = sandbox_env.issue_token()
    panel.explorer_submit.click()
    assert panel.wait_idle() and panel.step == "inspect", panel.message_text
