"""The panel and %meta_login in every redirect mode, with Login for Business, and the ways a paste goes wrong.

A real IPython shell, the kernel sandbox over real HTTP, the panel's widgets
set and clicked as a person would.
"""

from __future__ import annotations

import socket

import httpx
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from meta_auth_nb.notebook.kernel_sandbox import KERNEL as kernel_sandbox

from .helpers import browser_follows, captured_text, login, paste_redirect, paste_token, sandbox, start_facebook_login

LIVE_PAGE = "https://example.com/meta-login"


def _final_url_of(page_url: str) -> str:
    """What Meta's login_success.html shows: the address to copy."""
    page = httpx.get(page_url.split("#")[0])
    return page.text.split('<code id="final-url">')[1].split("</code>")[0].replace("&amp;", "&")


# --- Login for Business ----------------------------------------------------------------------------------
def test_login_for_business_clicked_through_the_panel(shell, magics):
    panel, _ = login(shell, "--sandbox --local")
    box = sandbox()
    config = box.config_id("user")
    panel.config_field.value = config
    # The configuration decides: no permission box is shown, since none would be sent.
    assert all(b.disabled for b in panel.scope_boxes.values())
    assert all(row.layout.display == "none" for row in panel.scope_rows)
    assert panel.extra_scopes.layout.display == "none"
    assert (
        "decides the permissions" in panel.scopes_note.value and "all together or not at all" in panel.scopes_note.value
    )
    dialog_url = start_facebook_login(panel)
    assert f"config_id={config}" in dialog_url and "scope=" not in dialog_url
    assert (
        "Asking for" not in panel.login_intro.value
        and f"configuration <code>{config}</code>" in panel.login_intro.value
    )
    assert browser_follows(box.approve(dialog_url)).status_code == 200
    assert panel.wait_idle() and panel.step == "inspect", panel.message_text
    assert panel.message_level == "ok"  # the configuration decided: nothing is "missing"
    assert f"configuration {config} granted ads_read" in panel.message_text  # what it granted
    assert panel.rerequest_button.layout.display == "none"
    panel.inspect_next.click()
    panel.extend_next.click()
    panel.save_button.click()
    assert panel.wait_idle() and panel.step == "use"
    assert magics.store.load("sandbox").config_id == config

    # Next time (the token expired), the panel opens with the profile's configuration.
    box.advance(3 * 3600)
    again, _ = login(shell, "--sandbox --local")
    assert again.config_field.value == config and again.state.config_id == config
    panel = again
    panel.select_method("facebook")
    assert panel.wait_for_login_link() is not None
    assert f"config_id={config}" in panel.state.login.url


def test_config_id_from_the_magic_and_the_environment(shell, magics, monkeypatch):
    box = kernel_sandbox.start()
    panel, _ = login(shell, f"--sandbox --config-id {box.config_id('user')}")
    assert panel.config_field.value == box.config_id("user")
    monkeypatch.setenv("META_AUTH_CONFIG_ID", box.config_id("system_user"))
    panel, _ = login(shell, "--sandbox --profile other")
    assert panel.config_field.value == box.config_id("system_user")
    with pytest.raises(UsageError, match="numeric ID"):
        shell.run_line_magic("meta_login", "--sandbox --config-id not-a-number")


def test_system_user_configuration_leads_to_the_system_user_path(shell, magics):
    panel, _ = login(shell, "--sandbox --local")
    box = sandbox()
    panel.config_field.value = box.config_id("system_user")
    browser_follows(box.approve(start_facebook_login(panel)))
    assert panel.wait_idle() and panel.step == "inspect", panel.message_text
    assert "SYSTEM_USER" in panel.token_card.value and "system user tokens" in panel.message_text
    # A fresh 60-day token: refreshing now would change nothing, so it is not offered: no "long-lived" step.
    assert "nothing to extend yet" in panel.token_card.value and "nothing to extend yet" in panel.message_text
    assert panel.inspect_next.description == "Next: save" and "long-lived" not in panel.message_text
    panel.inspect_next.click()
    assert panel.step == "save"
    panel.save_button.click()
    assert panel.wait_idle() and panel.step == "use"
    # 55 days on it expires within the week: the next %meta_login opens at Extend, offering the refresh.
    box.advance(55 * 86400)
    again, _ = login(shell, "--sandbox --local")
    assert again.step == "extend" and again.extend_button.description == "Refresh for 60 days"
    again.extend_button.click()
    assert again.wait_idle() and "in 60 days" in again.extend_result.value, again.message_text


def test_all_or_nothing_and_no_rerequest_with_a_configuration(shell, magics):
    panel, _ = login(shell, "--sandbox --remote")
    box = sandbox()
    panel.config_field.value = box.config_id("user")
    paste_redirect(panel, box.approve(start_facebook_login(panel), user="bob"))  # bob refuses ads_read
    assert panel.step == "method" and "cancelled" in panel.message_text
    panel._on_rerequest()  # what the button would do, were it shown
    assert "classic Facebook Login" in panel.message_text and panel.state.auth_type is None


# --- a registered HTTPS redirect ----------------------------------------------------------------------------
def test_live_app_with_meta_login_success_page(shell, magics):
    panel, _ = login(shell, "--sandbox --local")
    box = sandbox()
    box.register_redirect_uri(box.login_success_url)
    box.set_app_mode("live")  # localhost is refused from now on
    panel.scopes_next.click()
    panel.select_method("facebook")
    assert panel.wait_for_login_link() is not None
    assert "caught on this machine" in panel.redirect_info.value
    panel.login_success_button.click()
    assert panel.registered_field.value == box.login_success_url
    request = panel.wait_for_login_link()  # a new link, for the registered redirect
    assert "registered HTTPS redirect" in panel.redirect_info.value and "login_success" in panel.redirect_info.value
    assert panel.redirect_uri_field.value == box.login_success_url
    assert box.login_success_url in panel.copy_button.value
    assert request is not None and request.redirect_uri == box.login_success_url and not panel.catching
    paste_redirect(panel, _final_url_of(box.approve(request.url)))
    assert panel.step == "inspect", panel.message_text
    panel.inspect_next.click()
    panel.extend_next.click()
    panel.save_button.click()
    assert panel.wait_idle() and magics.store.load("sandbox").redirect_uri == box.login_success_url


def test_registered_redirect_from_the_magic_is_remembered(shell, magics):
    box = kernel_sandbox.start()
    box.register_redirect_uri(LIVE_PAGE)
    panel, _ = login(shell, f"--sandbox --local --redirect-uri {LIVE_PAGE}")
    request_url = start_facebook_login(panel)
    assert panel.state.login.redirect_uri == LIVE_PAGE and not panel.catching
    paste_redirect(panel, box.approve(request_url))
    assert panel.step == "inspect", panel.message_text
    panel.inspect_next.click()
    panel.extend_next.click()
    panel.save_button.click()
    assert panel.wait_idle() and magics.store.load("sandbox").redirect_uri == LIVE_PAGE


def test_a_registered_redirect_that_cannot_be_one_gets_a_sentence(shell, magics):
    panel, _ = login(shell, "--sandbox")
    panel.scopes_next.click()
    panel.registered_field.value = "http://example.com/cb"
    assert panel.message_level == "error" and "HTTPS" in panel.message_text
    assert panel.state.redirect_uri is None


# --- a port another program holds ----------------------------------------------------------------------------
def test_busy_port_is_said_and_a_registered_redirect_gets_around_it(shell, magics, sandbox_env):
    sandbox_env.register_redirect_uri(LIVE_PAGE)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        magics.redirect_port = squatter.getsockname()[1]
        panel, _ = login(shell, "--local")  # a real app (the sandbox's settings), not --sandbox
        panel.select_method("facebook")
        panel.scopes_next.click()
        panel.select_method("facebook")
        assert panel.wait_for_login_link() is None
        assert panel.message_level == "error" and "held by another program" in panel.message_text, (
            panel.login_status.value
        )
        # The way out works here: another port (a notebook command), or a registered redirect.
        assert f"`%meta_login --port {magics.redirect_port + 1}`" in panel.message_text
        assert panel.state.login is None and panel.paste_row.layout.display == "none"  # nothing to paste into
        # No address is offered for the busy port: not as "the exact address", not to copy.
        assert panel.redirect_uri_field.value == "" and panel.copy_button.value == ""
        assert panel.login_link.value == "" and panel.login_button.layout.display == ""
        panel.registered_field.value = LIVE_PAGE
    request = panel.wait_for_login_link()
    assert request is not None and request.redirect_uri == LIVE_PAGE
    paste_redirect(panel, sandbox_env.approve(request.url))
    assert panel.step == "inspect", panel.message_text


# --- every wrong paste gets a sentence ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make_paste", "words"),
    [
        (lambda url, box: url, "dialog's own address"),
        (lambda url, box: "http://localhost:8765/callback", "holds no login code"),
        (lambda url, box: "https://other-app.example/cb?code=AQx&state=y", "not where this login sends"),
        (lambda url, box: box.approve(url, decision="cancel"), "cancelled"),
        (lambda url, box: box.issue_token(), "an access token"),
    ],
    ids=["dialog-url", "no-code", "other-app", "denied", "a-token"],
)
def test_each_wrong_paste_gets_a_sentence(shell, magics, make_paste, words):
    panel, _ = login(shell, "--sandbox --remote")
    box = sandbox()
    pasted = make_paste(start_facebook_login(panel), box)
    with capture_output() as captured:
        paste_redirect(panel, pasted)
    assert panel.step == "method" and panel.message_level == "error"
    assert words in panel.message_text
    assert "Traceback" not in captured_text(captured) + panel.message.value
    if pasted.startswith("EAA"):
        assert pasted not in panel.message.value


# --- people without a role on the app -----------------------------------------------------------------------------
def test_roleless_token_in_the_panel(shell, magics, monkeypatch):
    # With the app's secret at hand (the sandbox sets it), the app token reads her token's expiry at once.
    panel, _ = login(shell, "--sandbox")
    raw = sandbox().issue_token("dana", scopes=["ads_read"])
    paste_token(panel, raw)
    assert panel.step == "inspect", panel.message_text
    assert "in 1 hour" in panel.token_card.value and "ads_read" in panel.token_card.value
    panel.inspect_next.click()
    assert "short-lived" in panel.extend_info.value and panel.extend_button.layout.display == ""

    # Without it (an agency analyst), the expiry is unknown, and the advice says how to see it.
    monkeypatch.delenv("META_APP_SECRET")
    panel, _ = login(shell, "--sandbox")
    paste_token(panel, sandbox().issue_token("dana", scopes=["ads_read"]))
    assert panel.step == "inspect", panel.message_text
    assert "unknown" in panel.token_card.value
    assert "META_APP_SECRET" in panel.message_text and "`%meta_login --sandbox`" in panel.message_text
    panel.inspect_next.click()
    assert "cannot be read here" in panel.extend_info.value
    panel.extend_next.click()
    panel.save_button.click()
    assert panel.wait_idle() and panel.step == "use"
    # Running the advice: with the secret set again, the check reads the expiry (an hour: time to extend).
    monkeypatch.setenv("META_APP_SECRET", sandbox().app_secret)
    again, _ = login(shell, "--sandbox")
    assert again.step == "extend" and "expires in 1 hour" in again.message_text


def test_roleless_profile_fast_path_says_expiry_unknown(shell, magics, sandbox_store, monkeypatch):
    box = kernel_sandbox.start()
    raw = box.issue_token("dana", scopes=["ads_read"])
    sandbox_store.save("sandbox", raw)
    monkeypatch.delenv("META_APP_SECRET")  # an agency analyst has no app secret
    panel, captured = login(shell, "--sandbox")
    assert panel is None  # usable: no panel, one line that says what is not known and how to know it
    line = captured.outputs[0].data["text/plain"]
    assert "expiry_unknown" in line and "expiry unknown" in line and "META_APP_SECRET" in line
    assert raw not in captured_text(captured)
    assert shell.user_ns["meta"].get("me")["name"] == "Dana Agency"
    scopes = shell.run_line_magic("meta_scopes", "")  # from /me/permissions: debug_token is not hers to ask
    granted = set(scopes.loc[scopes["status"] == "granted", "permission"])
    assert granted == {"ads_read", "public_profile"}


# --- versions ---------------------------------------------------------------------------------------------------------
def test_an_ended_version_is_announced(shell, magics, sandbox_store, monkeypatch):
    box = kernel_sandbox.start()
    sandbox_store.save("sandbox", box.issue_token(lifetime_s=60 * 86400))
    monkeypatch.setenv("META_GRAPH_VERSION", "v24.0")
    _, captured = login(shell, "--sandbox")
    text = captured_text(captured)
    assert "ended on 2026-11-10" in text and "META_GRAPH_VERSION=v27.0" in text
    monkeypatch.setenv("META_GRAPH_VERSION", "v27.0")
    _, captured = login(shell, "--sandbox")
    assert "META_GRAPH_VERSION" not in captured_text(captured)


def test_help_names_the_new_options(shell):
    with capture_output() as captured:
        shell.run_cell("%meta_login?")
    for words in ("--config-id", "--redirect-uri", "login_success.html", "http://localhost:8765/callback"):
        assert words in captured.stdout, words


# --- %meta_tokens when no profile has a known expiry ----------------------------------------------------------------
def test_meta_tokens_with_only_never_expiring_and_unknown_expiry_profiles(shell, magics, sandbox_store, monkeypatch):
    import pandas as pd

    from meta_auth_nb.auth.lifecycle import inspect_token
    from meta_auth_nb.auth.profiles import check_profile

    box, store = kernel_sandbox.start(), sandbox_store
    forever = box.issue_token(kind="system_user", scopes=["ads_read"], lifetime_s=0)
    store.save("system", forever, info=inspect_token(forever, app_id=box.app_id, app_secret=box.app_secret))
    only_system = shell.run_line_magic("meta_tokens", "--all")
    assert list(only_system["profile"]) == ["system"] and only_system.loc[0, "status"] == "ok"
    assert only_system["expires_in"].dtype == "timedelta64[ns]" and pd.isna(only_system.loc[0, "expires_in"])
    assert shell.run_line_magic("meta_tokens", "").loc[0, "expires"] == "never"

    monkeypatch.delenv("META_APP_SECRET")
    store.save("agency", box.issue_token("dana"))
    check_profile(store, "agency")  # caches "valid, expiry unknown"
    monkeypatch.setenv("META_ACCESS_TOKEN", box.issue_token())  # the default profile (sandbox here): never checked
    frame = shell.run_line_magic("meta_tokens", "--all")
    statuses = dict(zip(frame["profile"], frame["status"], strict=True))
    assert statuses == {"agency": "expiry_unknown", "sandbox": "unchecked", "system": "ok"}
    assert frame["expires_in"].isna().sum() >= 2 and frame["expires_in"].dtype == "timedelta64[ns]"
    html = frame._repr_html_()
    assert "expiry_unknown" in html and forever not in html
    summary = shell.run_line_magic("meta_tokens", "")
    assert dict(zip(summary["profile"], summary["expires"], strict=True))["agency"] == "unknown"
