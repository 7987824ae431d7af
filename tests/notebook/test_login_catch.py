"""The whole login flow on a local kernel: the catcher receives the real redirect.

In the kernel's sandbox (``--sandbox``) the token is saved for this kernel
only, never in a keyring; against an app of one's own (a sandbox standing in
for Meta through the ``META_*`` settings) it goes to the system keyring.
"""

from __future__ import annotations

import httpx
import pytest
from IPython.utils.capture import capture_output

from meta_auth_nb.notebook.session import NotebookSession
from meta_auth_nb.store import TokenStore

from .helpers import (
    all_widget_states,
    browser_follows,
    captured_text,
    leaks,
    login,
    open_login_link,
    sandbox,
    start_facebook_login,
)


def _full_flow(shell, magics, args="--sandbox --local", box=None):
    panel, opened = login(shell, args)
    assert panel is not None and panel.step == "scopes"
    box = box or sandbox()
    if "--sandbox" in args:
        assert "No sandbox token for profile sandbox in this kernel yet" in panel.message_text
        assert "restarts with the kernel" in panel.message_text

    dialog_url = start_facebook_login(panel)
    assert dialog_url.startswith(box.dialog_url)
    redirect_uri = panel.redirect_uri_field.value
    assert redirect_uri.startswith("http://localhost:") and redirect_uri.endswith("/callback")
    assert 'target="_blank"' in panel.login_link.value and "meta-auth-login-link" in panel.login_link.value
    assert "navigator.clipboard" in panel.copy_button.value

    answer = browser_follows(box.approve(dialog_url, user="alice"))
    assert answer.status_code == 200
    assert panel.wait_idle()
    assert panel.step == "inspect", panel.message_text
    assert panel.message_level == "ok"
    card = panel.token_card.value
    for fact in ("USER", box.app_id, "ads_read", "Expires", "in 2 hours", "Data access expires"):
        assert fact in card, fact

    panel.inspect_next.click()
    assert panel.step == "extend" and "in 2 hours" in panel.extend_info.value
    short = panel.state.token
    panel.extend_button.click()
    assert panel.wait_idle()
    assert panel.message_level == "ok", panel.message_text
    assert short.masked in panel.extend_result.value and "in 60 days" in panel.extend_result.value
    assert "meta-auth-good" in panel.extend_result.value.split("After")[1]
    # One message per event: the message says it, the table shows before and after, nothing repeats it.
    assert panel.message_text == "Extended: the new token expires in 60 days."
    assert panel.extend_info.value == "" and panel.extend_next.description == "Next: save"
    assert panel.extend_next.button_style == panel.inspect_next.button_style == "primary"
    assert panel.state.token != short

    panel.extend_next.click()
    assert panel.step == "save"
    panel.save_button.click()
    assert panel.wait_idle()
    assert panel.step == "use", panel.message_text
    return panel, opened


def test_full_flow_catches_redirect_and_injects_meta(shell, magics, store, keyring_backend):
    panel, _ = _full_flow(shell, magics)
    meta = shell.user_ns["meta"]
    assert isinstance(meta, NotebookSession)
    assert meta.get("me")["name"] == "Alice Analyst"
    summary = repr(meta)
    assert "\n" not in summary and panel.state.token.masked in summary
    for fact in ("on the sandbox", "profile sandbox", "Alice Analyst (USER token)", "expires in 60 days", "v27.0"):
        assert fact in summary, fact
    assert "127.0.0.1" not in summary and "NotebookSession" not in summary
    # Saved for this kernel: the sandbox's own store, in memory, never the keyring or the user's config folder.
    saved = magics.store.load("sandbox")
    assert saved.backend == "memory" and saved.token == panel.state.token
    assert saved.info is not None and saved.info.type == "USER" and saved.info.user_name == "Alice Analyst"
    assert saved.app_secret is None  # only stored when asked
    assert keyring_backend.data == {} and store.profiles() == []
    assert "in the kernel" in panel.message_text or "in this kernel" in panel.message_text


def test_sandbox_save_step_says_why_tokens_live_in_this_kernel(shell, magics, store, keyring_backend):
    panel, _ = login(shell, "--sandbox --local")
    browser_follows(sandbox().approve(start_facebook_login(panel)))
    assert panel.wait_idle()
    panel.inspect_next.click()
    panel.extend_next.click()
    info = panel.save_info.value
    assert "never written to your keyring or config folder" in info and "about 10 s" in info
    assert "<code>%meta_login --sandbox</code>" in info
    panel.save_button.click()
    assert panel.wait_idle() and panel.step == "use"
    assert panel.message_text.startswith("Saved as profile sandbox for this kernel.")
    assert "`%meta_login --sandbox`" in panel.message_text
    assert keyring_backend.data == {}


def test_the_meta_login_saves_to_the_keyring(shell, magics, store, sandbox_env):
    """Against an app of one's own (here a sandbox playing Meta via META_*), the token goes to the keyring."""
    panel, _ = _full_flow(shell, magics, "--local", box=sandbox_env)
    saved = store.load("default")
    assert saved.backend == "keyring" and saved.token == panel.state.token
    assert "Next time, `%meta_login` picks it up." in panel.message_text
    assert "on the sandbox" not in repr(shell.user_ns["meta"])


def test_await_aget_in_a_cell(shell, magics):
    _full_flow(shell, magics)
    result = shell.run_cell("me = await meta.aget('me')\nrows = await meta.aframe('me/adaccounts')")
    assert result.error_in_exec is None, result.error_in_exec
    assert shell.user_ns["me"]["name"] == "Alice Analyst"
    assert len(shell.user_ns["rows"]) == 2


def test_canary_no_secret_in_widget_state_or_output(shell, magics):
    with capture_output() as captured:
        panel, opened = _full_flow(shell, magics)
        shell.run_cell("meta")
        shell.run_cell("print(meta)")
    box = sandbox()
    secrets = [panel.state.token.get_secret_value(), panel.state.before.get_secret_value(), box.app_secret]
    states = all_widget_states()
    assert panel.state.token.masked in states  # the check looks where the token would be
    assert not leaks(secrets, states)
    assert not leaks(secrets, captured_text(captured), captured_text(opened), repr(panel))


def test_store_app_secret_when_ticked(shell, magics):
    panel, _ = login(shell, "--sandbox --local --profile ws")
    box = sandbox()
    answer = browser_follows(box.approve(start_facebook_login(panel)))
    assert answer.status_code == 200 and panel.wait_idle()
    panel.inspect_next.click()
    panel.extend_next.click()  # skip extending
    assert not panel.store_secret_box.disabled
    panel.store_secret_box.value = True
    panel.save_button.click()
    assert panel.wait_idle() and panel.step == "use"
    assert magics.store.load("ws").app_secret == box.app_secret


def test_denied_in_the_dialog_says_so_once_and_offers_a_fresh_link(shell, magics):
    panel, _ = login(shell)
    box = sandbox()
    dialog = start_facebook_login(panel)
    first_link = panel.login_address
    browser_follows(box.approve(dialog, decision="cancel"))
    assert panel.wait_idle()
    assert panel.step == "method"
    # Said once: no title repeating the sentence, no Graph codes.
    assert panel.message_level == "error" and panel.message_text.count("cancelled") == 1, panel.message_text
    assert "Permissions error" not in panel.message_text and "user_denied" not in panel.message_text
    # The cancelled attempt's link is gone; the one shown is new and works (one click, no other button).
    assert panel.wait_for_login_link() is not None and panel.login_address not in (None, first_link)
    assert panel.login_button.layout.display == "none"
    assert browser_follows(box.approve(open_login_link(panel))).status_code == 200
    assert panel.wait_idle() and panel.step == "inspect", panel.message_text


def test_catcher_ignores_a_second_login_attempt(shell, magics):
    panel, _ = login(shell)
    box = sandbox()
    first_link = None
    first = start_facebook_login(panel)
    first_link = panel.login_address
    panel.login_button.click()  # a new link: the first attempt is retired, a new state is made
    assert panel.wait_for_login_link() is not None, panel.message_text
    second = open_login_link(panel)
    assert first != second and first_link != panel.login_address
    redirected = box.approve(second)
    assert browser_follows(redirected).status_code == 200
    assert panel.wait_idle() and panel.step == "inspect"
    # The first login's tab gets a page saying it is no longer awaited, and its code is not taken.
    stale = httpx.get(box.approve(first).split("#")[0], timeout=2)
    assert stale.status_code == 410 and "no longer awaited" in stale.text
    # Its link, opened late, says the same instead of a login that cannot come back.
    late = httpx.get(first_link, timeout=2)
    assert late.status_code == 410 and "no longer awaited" in late.text
    assert panel.state.token is not None and panel.step == "inspect"


@pytest.mark.keyring
def test_full_flow_with_the_real_keyring(shell, magics, tmp_path, secret_service_keyring, sandbox_env):
    store = TokenStore(config_dir=tmp_path / "real", keyring_backend=secret_service_keyring)
    magics.store = store
    panel, _ = _full_flow(shell, magics, "--local", box=sandbox_env)
    again = TokenStore(config_dir=tmp_path / "real", keyring_backend=secret_service_keyring).load("default")
    assert again.backend == "keyring" and again.token == panel.state.token


@pytest.mark.keyring
def test_the_sandbox_never_writes_a_working_keyring(shell, magics, tmp_path, secret_service_keyring):
    store = TokenStore(config_dir=tmp_path / "real", keyring_backend=secret_service_keyring)
    magics.store = store
    _full_flow(shell, magics)
    assert store.profiles() == [] and not (tmp_path / "real" / "profiles.json").exists()
    assert secret_service_keyring.get_password("meta_auth_nb", "sandbox:token") is None
