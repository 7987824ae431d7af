"""Paste flows: Explorer token, system user token, and the redirected URL on a remote kernel."""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from meta_auth_nb._base.tokens import AccessToken
from meta_auth_nb.auth.oauth import exchange_code
from meta_auth_nb.notebook.kernel_sandbox import KERNEL as kernel_sandbox

from .helpers import login, paste_redirect, paste_token, sandbox, start_facebook_login


def test_explorer_paste_inspect_extend_save(shell, magics):
    panel, _ = login(shell, "--sandbox --profile explorer")
    box = sandbox()
    raw = box.issue_token("carol", scopes=["ads_read"], lifetime_s=3600)
    paste_token(panel, raw)
    assert panel.step == "inspect", panel.message_text
    assert "ads_read" in panel.token_card.value and raw not in panel.token_card.value
    panel.inspect_next.click()
    panel.extend_button.click()  # the app secret comes from the sandbox settings
    assert panel.wait_idle() and "in 60 days" in panel.extend_result.value, panel.message_text
    panel.extend_next.click()
    panel.save_button.click()
    assert panel.wait_idle() and panel.step == "use"
    assert magics.store.load("explorer").token == panel.state.token
    assert shell.user_ns["meta"].get("me")["name"] == "Carol Client"


def _texts(widget) -> str:
    """Every HTML text and field label inside ``widget`` (what a person can read there, shown or folded)."""
    own = [str(getattr(widget, "value", "") or "")] if hasattr(widget, "value") else []
    own += [str(getattr(widget, "description", "") or "")]
    return " ".join(own + [_texts(child) for child in getattr(widget, "children", ())])


def test_the_explorer_tab_has_meta_steps_and_the_sandbox_speaks_of_the_sandbox(shell, magics, sandbox_env):
    meta_panel, _ = login(shell, "--local")  # an app of one's own (META_* point at a stand-in)
    meta_panel.scopes_next.click()
    assert meta_panel.method_tabs.selected_index == 0  # the Graph API Explorer, a person's usual start
    assert "developers.facebook.com/tools/explorer" in meta_panel.explorer_steps.value
    assert "Valid OAuth Redirect URIs" in _texts(meta_panel.advanced)
    meta_panel.close()
    panel, _ = login(shell, "--sandbox --local")
    panel.scopes_next.click()
    assert panel.method_tabs.selected_index == 1  # Facebook Login: the sandbox's own way in
    assert panel.wait_for_login_link() is not None
    shown = " ".join(w.value for w in (panel.explorer_steps, panel.system_steps, panel.login_intro)) + _texts(
        panel.advanced
    )
    for meta_only in ("developers.facebook.com", "pick your own app", "from META_APP_SECRET"):
        assert meta_only not in shown and meta_only not in panel.app_secret_field.placeholder
    assert "Add this address" not in shown and "nothing to register" in panel.redirect_info.value
    assert "sandbox" in panel.explorer_steps.value and "sandbox" in panel.login_intro.value
    assert panel.app_id_field.layout.display == "none"  # its app id and secret are set: nothing to type
    # An analyst's words on the tab; redirect set-up and app modes are folded under "Advanced", closed.
    facebook_tab = panel.method_tabs.children[1]
    outside = _texts(facebook_tab).replace(_texts(panel.advanced), "")
    for jargon in ("Registered redirect", "development mode", "set_app_mode", "register_redirect_uri", "Redirect URI"):
        assert jargon not in outside, jargon
        assert jargon in _texts(panel.advanced), jargon
    assert panel.advanced.selected_index is None


def test_system_user_token_that_never_expires(shell, magics):
    panel, _ = login(shell, "--sandbox --as ads")
    raw = sandbox().issue_token(kind="system_user", scopes=["ads_read", "business_management"], lifetime_s=0)
    paste_token(panel, raw, method="system_user")
    assert panel.step == "inspect", panel.message_text
    assert "SYSTEM_USER" in panel.token_card.value and "never" in panel.token_card.value
    assert "Nothing to extend" in panel.token_card.value and panel.inspect_next.description == "Next: save"
    panel.inspect_next.click()
    assert panel.step == "save"
    panel.save_button.click()
    assert panel.wait_idle() and panel.step == "use"
    assert "ads" in shell.user_ns and "meta" not in shell.user_ns


@pytest.mark.parametrize(
    ("pasted", "words"),
    [
        ("", "Nothing was pasted"),
        ("EAAB this has spaces", "spaces"),
        ("EAABshort", "too short"),
        ("EAAB<script>alert(1)</script>xxxxxxxxxxxxxxxxxxxxxxx", "characters"),
    ],
)
def test_malformed_token_paste(shell, magics, pasted, words):
    panel, _ = login(shell)
    paste_token(panel, pasted)
    assert panel.step == "method"
    assert panel.message_level == "error" and words in panel.message_text
    assert pasted.strip() == "" or pasted not in panel.message.value


def test_token_graph_rejects(shell, magics):
    panel, _ = login(shell)
    bogus = "EAA" + "Zx9" * 55
    paste_token(panel, bogus)
    assert panel.step == "method"
    assert panel.message_level == "error" and "cannot be used" in panel.message_text
    assert bogus not in panel.message.value


def test_expired_pasted_token(shell, magics):
    panel, _ = login(shell)
    box = sandbox()
    raw = box.issue_token(lifetime_s=60)
    box.advance(120)
    paste_token(panel, raw)
    assert panel.step == "method" and "expired" in panel.message_text


def test_remote_kernel_pastes_the_redirected_url(shell, magics):
    panel, _ = login(shell, "--sandbox --remote")
    dialog_url = start_facebook_login(panel)
    assert panel.redirect_uri_field.value == "http://localhost:8765/callback"
    assert "whole address" in panel.paste_info.value
    assert "remote kernel" in panel.redirect_info.value and "--remote was given" in panel.redirect_info.value
    assert panel.paste_row.layout.display == ""
    redirected = sandbox().approve(dialog_url)
    assert redirected.startswith("http://localhost:8765/callback")
    paste_redirect(panel, redirected)
    assert panel.redirect_paste.value == ""
    assert panel.step == "inspect", panel.message_text


def test_env_var_selects_paste(shell, magics, monkeypatch):
    monkeypatch.setenv("META_AUTH_REDIRECT", "paste")
    panel, _ = login(shell, "--sandbox")
    start_facebook_login(panel)
    assert panel.redirect_uri_field.value == "http://localhost:8765/callback"


def test_remote_denial(shell, magics):
    panel, _ = login(shell, "--sandbox --remote")
    paste_redirect(panel, sandbox().approve(start_facebook_login(panel), decision="cancel"))
    assert panel.step == "method"
    assert "The login was cancelled" in panel.message_text and "Allow" in panel.message_text


def test_remote_wrong_state(shell, magics):
    panel, _ = login(shell, "--sandbox --remote")
    redirected = sandbox().approve(start_facebook_login(panel))
    panel.login_button.click()  # a new attempt: the old redirect's state no longer matches
    assert panel.wait_for_login_link() is not None
    paste_redirect(panel, redirected)
    assert panel.step == "method"
    assert "comes from another login attempt" in panel.message_text and "state" not in panel.message_text


def test_remote_used_code(shell, magics):
    panel, _ = login(shell, "--sandbox --remote")
    box = sandbox()
    redirected = box.approve(start_facebook_login(panel))
    code = parse_qs(urlsplit(redirected).query)["code"][0]
    exchange_code(code, app_id=box.app_id, app_secret=box.app_secret, redirect_uri="http://localhost:8765/callback")
    paste_redirect(panel, redirected)
    assert panel.step == "method"
    assert "could not be used" in panel.message_text and "works once" in panel.message_text


def test_remote_expired_code(shell, magics):
    panel, _ = login(shell, "--sandbox --remote")
    box = sandbox()
    redirected = box.approve(start_facebook_login(panel))
    box.advance(3600)
    paste_redirect(panel, redirected)
    assert panel.step == "method" and "expired" in panel.message_text


def test_paste_without_login_attempt(shell, magics):
    panel, _ = login(shell, "--sandbox --remote")
    panel.scopes_next.click()
    panel.redirect_paste.value = "http://localhost:8765/callback?code=abc&state=xyz"
    panel.redirect_submit.click()
    assert panel.message_level == "error" and "Log in with Facebook first" in panel.message_text
    assert panel.redirect_paste.value == ""


def test_declined_permission_offers_rerequest(shell, magics):
    panel, _ = login(shell, "--sandbox --remote --scopes ads_read")
    paste_redirect(panel, sandbox().approve(start_facebook_login(panel), user="bob"))
    assert panel.step == "inspect"
    assert panel.message_level == "warn" and "ads_read" in panel.message_text
    assert "Declined" in panel.token_card.value
    assert panel.rerequest_button.layout.display == ""
    first_link = panel.login_address
    panel.rerequest_button.click()
    assert panel.step == "method" and panel.method_tabs.selected_index == 1
    assert "ads_read" in panel.message_text and "auth_type" not in panel.message_text  # an analyst's words
    assert panel.wait_for_login_link() is not None
    # The link on show is the new one, and it asks again; the first try's is gone.
    assert "auth_type=rerequest" in panel.state.login.url and panel.login_address == panel.state.login.url
    assert first_link is None and escape(panel.login_address) in panel.login_link.value


def test_login_needs_an_app_secret(shell, magics, monkeypatch):
    kernel_sandbox.start()
    monkeypatch.delenv("META_APP_SECRET")
    panel, _ = login(shell, "--sandbox --remote")
    panel.scopes_next.click()
    assert panel.wait_for_login_link() is None
    assert "app secret" in panel.login_status.value and panel.app_secret_field.layout.display == ""
    assert panel.login_link.value == ""  # no link that could not finish
    panel.app_secret_field.value = sandbox().app_secret  # the link comes once it arrives (Enter)
    assert panel.app_secret_field.value == ""
    assert panel.wait_for_login_link() is not None


def test_scopes_picker(shell, magics):
    panel, _ = login(shell, "--sandbox")
    assert panel.scope_boxes["ads_read"].value and not panel.scope_boxes["ads_management"].value
    assert {
        "ads_read",
        "ads_management",
        "business_management",
        "read_insights",
        "pages_read_engagement",
        "pages_show_list",
        "catalog_management",
        "leads_retrieval",
    } <= set(panel.scope_boxes)
    for box in panel.scope_boxes.values():
        box.value = False
    panel.scopes_next.click()
    assert panel.step == "scopes" and panel.message_level == "error"
    panel.scope_boxes["ads_management"].value = True
    panel.extra_scopes.value = "instagram_basic"
    panel.scopes_next.click()
    assert panel.step == "method" and panel.state.scopes == ["ads_management", "instagram_basic"]
    assert "ads_management,instagram_basic" in panel.login_intro.value


def test_typed_app_secret_never_reaches_widget_state(shell, magics, monkeypatch):
    from .helpers import all_widget_states

    panel, _ = login(shell, "--sandbox --remote")
    secret = sandbox().app_secret
    monkeypatch.delenv("META_APP_SECRET")
    panel.scopes_next.click()
    panel.app_secret_field.value = secret
    assert panel.wait_for_login_link() is not None
    paste_redirect(panel, sandbox().approve(panel.state.login.url))
    assert panel.step == "inspect", panel.message_text
    panel.inspect_next.click()
    panel.extend_button.click()  # the secret typed earlier is reused from memory
    assert panel.wait_idle() and "in 60 days" in panel.extend_result.value, panel.message_text
    assert secret not in all_widget_states()
    assert secret not in repr(panel) and secret not in repr(panel.state)


def test_close_leaves_one_line_and_a_new_panel_replaces_the_old(shell, magics):
    first, _ = login(shell, "--sandbox --local")
    login_url = start_facebook_login(first)
    catcher = first._catcher
    assert catcher is not None and catcher.running
    second, _ = login(shell, "--sandbox --local")
    assert first.closed and len(first.widget.children) == 2
    assert "Replaced by a newer %meta_login before it was finished" in first.widget.children[1].value
    # The old panel's login tab, still open, lands on a page that says why, not on a connection error.
    late = httpx.get(sandbox().approve(login_url).split("#")[0], timeout=5)
    assert late.status_code == 410 and "no longer awaited" in late.text and "newer %meta_login" in late.text
    assert second.state.token is None  # and its code was not taken
    second.close()
    assert "closed" in second.widget.children[1].value.lower()


def test_a_finished_panel_stays_as_its_summary(shell, magics):
    first, _ = login(shell, "--sandbox --local")
    paste_token(first, sandbox().issue_token("alice", scopes=["ads_read"], lifetime_s=60 * 86400))
    first.inspect_next.click()
    first.extend_next.click()
    first.save_button.click()
    assert first.wait_idle() and first.step == "use"
    login(shell, "--sandbox --local")  # the saved token: one status line, and the finished panel keeps its summary
    line = first.widget.children[1].value
    assert "Replaced" not in line and "<code>meta</code> is ready (saved as profile sandbox)" in line
    for fact in (first.state.token.masked, "Alice Analyst (USER token)", "expires in 60 days", "on the sandbox"):
        assert fact in line, fact


def test_paste_feedback_after_a_rejected_paste_and_for_an_unknown_token(shell, magics):
    panel, _ = login(shell, "--sandbox")
    panel.scopes_next.click()
    panel.select_method("explorer")
    original = panel.explorer_token.placeholder
    panel.explorer_token.value = "EAAB this has spaces"  # arrives (the field empties at once), then is refused
    assert panel.explorer_token.placeholder.startswith("token received")
    panel.explorer_submit.click()
    assert panel.wait_idle() and panel.message_level == "error"
    assert panel.explorer_token.placeholder == original and panel.explorer_token.value == ""
    unknown = "EAA" + "Zq9" * 60  # shaped like a token, issued by nobody
    paste_token(panel, unknown)
    assert panel.message_level == "error"
    assert f"The token {AccessToken(unknown).masked} cannot be used" in panel.message_text
    assert "does not recognise the token" in panel.message_text and unknown not in panel.message.value
    assert "Only tokens this sandbox issued work here" in panel.message_text


def test_explorer_token_without_a_requested_scope_warns(shell, magics):
    panel, _ = login(shell, "--sandbox --scopes ads_read,business_management")
    raw = sandbox().issue_token("carol", scopes=["ads_read"])
    paste_token(panel, raw)
    assert panel.step == "inspect" and panel.message_level == "warn"
    assert "business_management" in panel.message_text and "Asked for, not granted" in panel.token_card.value
    assert panel.rerequest_button.layout.display == "none"  # nothing was declined in a dialog
    panel.restart_button.click()
    assert panel.step == "scopes" and panel.state.token is None


def test_page_token_is_not_extended(shell, magics):
    panel, _ = login(shell, "--sandbox")
    paste_token(panel, sandbox().issue_token(kind="page", lifetime_s=3600))
    assert panel.step == "inspect", panel.message_text
    assert "Nothing to extend" in panel.token_card.value
    panel.inspect_next.click()
    assert panel.step == "save"
