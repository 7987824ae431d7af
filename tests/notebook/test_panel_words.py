"""What the panel says is true and reads well: extension, expiry by Graph's clock, the Use step, notices.

A real IPython shell with real widgets, the kernel sandbox (or a sandbox
standing in for Meta through ``META_*``) over real HTTP.
"""

from __future__ import annotations

import logging
import re
from html import unescape

from IPython.utils.capture import capture_output

from meta_auth_nb.notebook.kernel_sandbox import KERNEL as kernel_sandbox
from meta_auth_nb.store import TokenStore

from .helpers import browser_follows, login, paste_token, sandbox, start_facebook_login


def _to_extend(shell, args: str):
    panel, _ = login(shell, args)
    browser_follows(sandbox().approve(start_facebook_login(panel)))
    assert panel.wait_idle() and panel.step == "inspect", panel.message_text
    panel.inspect_next.click()
    return panel


def test_extending_in_the_expiring_token_scenario_says_it_is_still_short_lived(shell, magics):
    panel = _to_extend(shell, "--sandbox --local --scenario expiring-token")
    card_expiry = re.search(r"<th>Expires</th><td class=\"meta-auth-(\w+)\">in 5 minutes", panel.token_card.value)
    panel.extend_button.click()
    assert panel.wait_idle() and panel.message_level == "warn", panel.message_text
    assert panel.message_text.startswith("Extended, but still short-lived.")
    assert "The new token expires in 5 minutes, not in about 60 days." in panel.message_text
    assert "expiring-token scenario: Every token from the login dialog and from extending lives only 5 minutes" in (
        panel.message_text
    )
    assert panel.extend_info.value == ""  # one message says it; nothing above the table repeats it
    after = panel.extend_result.value.split("After")[1]
    assert 'class="meta-auth-soon">expires in 5 minutes' in after  # amber, as the workshop text says
    assert card_expiry is None or card_expiry.group(1) == "soon"


def test_expiry_words_follow_graphs_clock_after_it_moved(shell, magics):
    panel = _to_extend(shell, "--sandbox --local --scenario expiring-token")
    panel.extend_next.click()
    panel.save_button.click()
    assert panel.wait_idle()
    kernel_sandbox.box.advance(10 * 60)  # a workshop moves the sandbox's clock
    again = _to_extend(shell, "--sandbox --local")
    again.extend_next.click()
    again.save_button.click()
    assert again.wait_idle() and again.step == "use"
    said = repr(shell.user_ns["meta"])
    assert "expires in 5 minutes" in said and "15 minutes" not in said, said
    assert "expires in 5 minutes" in again.use_info.value
    expires = shell.run_line_magic("meta_tokens", "").loc[0, "expires"]
    assert expires.startswith("in 5 minutes"), expires


def test_a_long_lived_extension_says_so_in_green(shell, magics):
    panel = _to_extend(shell, "--sandbox --local")
    panel.extend_button.click()
    assert panel.wait_idle() and panel.message_text == "Extended: the new token expires in 60 days."
    assert panel.extend_info.value == ""
    assert 'class="meta-auth-good">expires in 60 days' in panel.extend_result.value


def test_the_use_step_shows_examples_that_work_here(shell, magics):
    panel, _ = login(shell, "--sandbox --local")
    paste_token(panel, sandbox().issue_token("alice", scopes=["public_profile"], lifetime_s=60 * 86400))
    panel.inspect_next.click()  # a 60-day token: nothing to extend, on to Save
    panel.save_skip.click()
    text = panel.use_info.value
    assert "meta.get(&#34;me&#34;)" in text and "adaccounts" not in text  # no ads permission: no ads example
    assert "await meta.aget(&#34;me&#34;)" in text  # IPython runs top-level await (autoawait is on)
    assert "NotebookSession" not in text and "127.0.0.1" not in text
    # The hint names what keeps this very token (a new %meta_login would make another one), and it does that.
    assert "Not saved: this token ends with the kernel. To keep it, press Save it." in text
    assert "%meta_login" not in text and panel.save_later.layout.display == ""
    shell.run_line_magic("autoawait", "False")
    try:
        panel.go("use")
        assert "await" not in panel.use_info.value  # where cells cannot await, it is not offered
    finally:
        shell.run_line_magic("autoawait", "True")
    result = shell.run_cell("reply = await meta.aget('me')")
    assert result.error_in_exec is None and shell.user_ns.pop("reply")["name"] == "Alice Analyst"
    token = panel.state.token
    panel.save_later.click()
    assert panel.step == "save"
    panel.save_button.click()
    assert panel.wait_idle() and panel.step == "use" and magics.store.load("sandbox").token == token
    assert panel.message_text.startswith("Saved as profile sandbox") and panel.save_later.layout.display == "none"
    assert "Stored as" not in panel.use_info.value  # said once, by the message


def test_start_over_only_between_the_first_and_the_last_step(shell, magics):
    panel, _ = login(shell, "--sandbox --local")
    shown = {}
    for step in ("scopes", "method", "inspect", "extend", "save", "use"):
        panel.go(step)
        shown[step] = panel.restart_button.layout.display != "none"
    assert shown == {"scopes": False, "method": True, "inspect": True, "extend": True, "save": True, "use": False}


def test_without_an_app_every_missing_field_is_said_at_once(shell, magics):
    panel, _ = login(shell, "--local")
    assert "META_APP_ID is not set" in panel.banner.value and "%meta_login --sandbox" in panel.banner.value
    panel.scopes_next.click()
    panel.select_method("facebook")
    assert panel.wait_for_login_link() is None and panel.state.login is None
    assert "Enter the app id and the app secret" in panel.login_status.value and panel.login_link.value == ""
    panel.app_id_field.value = "1234"
    assert panel.wait_for_login_link() is None
    status = panel.login_status.value
    assert "Enter the app secret" in status and "app id" not in status.split(":")[0]


def test_the_keyring_notice_is_said_once_in_plain_words_with_a_link(shell, magics, sandbox_env, tmp_path, caplog):
    from keyring.backends import fail

    magics.store = TokenStore(config_dir=tmp_path / "cfg", keyring_backend=fail.Keyring())
    caplog.set_level(logging.WARNING, logger="meta_auth_nb")
    with capture_output() as captured:
        for round_ in range(2):
            panel, _ = login(shell, f"--local --profile p{round_}")
            paste_token(panel, sandbox_env.issue_token("alice", scopes=["ads_read"], lifetime_s=60 * 86400))
            panel.inspect_next.click()  # nothing to extend: on to Save
            info = unescape(panel.save_info.value)
            if round_ == 0:
                assert "Tokens saved here are kept in this kernel's memory only" in info and "meta_auth_nb:" not in info
                assert "your computer's password store" in info
                assert '<a href="https://pypi.org/project/keyring/" target="_blank"' in info
            else:  # said once: the second panel says the fact, not the whole notice again
                assert "kept in this kernel's memory only" in info and "pypi.org" not in info
            panel.save_button.click()
            assert panel.wait_idle() and panel.step == "use"
            assert "pypi.org" not in panel.message_text  # not repeated after saving
    assert "keyring" not in caplog.text  # the panel showed it: the store does not log it as well
    assert "kept in this kernel's memory" not in captured.stderr + captured.stdout


def test_scopes_name_ad_accounts_by_act_id_and_name(shell, magics, sandbox_store):
    from meta_auth_nb.auth.lifecycle import inspect_token

    box = kernel_sandbox.box
    raw = box.issue_token("alice", scopes=["ads_read"], lifetime_s=60 * 86400)
    sandbox_store.save("sandbox", raw, app_id=box.app_id, info=inspect_token(raw, app_id=box.app_id))
    frame = shell.run_line_magic("meta_scopes", "")
    targets = frame[frame["source"] == "granular"]
    assert list(targets["target_id"]) == box.ad_account_ids("alice")
    assert all(t.startswith("act_") for t in targets["target_id"])
    assert targets["target_name"].notna().all() and targets["target_name"].str.len().min() > 0
