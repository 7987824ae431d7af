"""Every way a login ends reaches the panel: redirects, Meta's error pages (which never come back), timeouts.

A real IPython shell, the kernel sandbox over real HTTP (its dialog's error
pages do not redirect, as Meta's do not), the panel's buttons clicked as a
person would. Each hint the panel gives is run where it is shown.
"""

from __future__ import annotations

import re
import socket

import httpx
import pytest

from meta_auth_nb.notebook.panel import facebook

from .helpers import browser_follows, login, open_login_link, sandbox, start_facebook_login, wait_for

LIVE_PAGE = "https://example.com/cb"


def _buttons(panel) -> dict[str, object]:
    return {button.description: button for button in panel.page_buttons.children}


def _run_hint(shell, text: str, starts: str) -> None:
    """Run the command in backticks of ``text`` that starts with ``starts``, in a cell, as the person would."""
    command = next(c for c in re.findall(r"`([^`]+)`", text) if c.startswith(starts))
    result = shell.run_cell(f"import meta_auth_nb as mab\n{command}")
    assert result.error_in_exec is None, result.error_in_exec


def test_app_not_active_is_named_while_waiting_and_its_fix_works(shell, magics):
    panel, _ = login(shell, "--sandbox --local")
    box = sandbox()
    dialog = start_facebook_login(panel)  # one click on the link: the login page opens
    with pytest.raises(RuntimeError, match="App not active"):
        box.approve(dialog, user="dana")  # dana has no role: Meta's page, and nothing comes back
    wait_for(lambda: "Waiting for the login to come back (up to 2 minutes)" in panel.login_status.value)
    for page in ("App not active", "URL Blocked"):
        assert page in panel.login_status.value
    stale_link = panel.login_address
    _buttons(panel)["It said: App not active"].click()
    assert panel.message_level == "error" and panel.message_text.startswith("The login page said “App not active”.")
    assert "choose alice, bob or carol" in panel.message_text
    # The old attempt is over: its link says so, and a fresh one is on show at once.
    assert panel.wait_for_login_link() is not None and panel.login_address != stale_link
    late = httpx.get(stale_link, timeout=5)
    assert late.status_code == 410 and "showed an error" in late.text
    _run_hint(shell, panel.message_text, "mab.kernel_sandbox().set_role('dana'")
    assert browser_follows(box.approve(open_login_link(panel), user="dana")).status_code == 200
    assert panel.wait_idle() and panel.step == "inspect", panel.message_text


def test_an_unknown_configuration_is_said_before_the_login_page_opens(shell, magics):
    panel, _ = login(shell, "--sandbox --local --config-id 999")
    panel.scopes_next.click()
    assert panel.wait_for_login_link() is None  # no link that could only end on an error page
    assert panel.message_level == "error" and "Configuration 999 is not one of" in panel.message_text, (
        panel.message_text
    )
    assert panel.login_link.value == "" and panel.login_button.layout.display == ""
    _run_hint(shell, panel.message_text, "mab.kernel_sandbox().config_id('user')")
    config = sandbox().config_id("user")
    panel.restart_button.click()  # "enter it in the first step"
    panel.config_field.value = config
    assert f"config_id={config}" in start_facebook_login(panel)


def test_meta_login_success_page_unregistered_says_url_blocked_and_how_to_register_it(shell, magics):
    panel, _ = login(shell, "--sandbox --local")
    box = sandbox()
    panel.scopes_next.click()
    assert panel.wait_for_login_link() is not None
    panel.login_success_button.click()  # the panel's own button: the sandbox's app does not list that page
    request = panel.wait_for_login_link()
    assert request is not None and request.redirect_uri == box.login_success_url and not panel.catching
    # Pasted back: the pages the login may end on are named from the start, with their buttons.
    assert "URL Blocked" in panel.login_status.value and "It said: URL Blocked" in _buttons(panel)
    with pytest.raises(RuntimeError, match="URL Blocked"):
        box.approve(request.url)
    _buttons(panel)["It said: URL Blocked"].click()
    assert "register_redirect_uri" in panel.message_text and box.login_success_url in panel.message_text
    _run_hint(shell, panel.message_text, "mab.kernel_sandbox().register_redirect_uri")
    request = panel.wait_for_login_link()
    page = httpx.get(box.approve(request.url).split("#")[0], timeout=5)
    landed = page.text.split('<code id="final-url">')[1].split("</code>")[0].replace("&amp;", "&")
    panel.redirect_paste.value = landed
    panel.redirect_submit.click()
    assert panel.wait_idle() and panel.step == "inspect", panel.message_text


def test_a_redirect_uri_the_app_does_not_list_is_url_blocked_with_the_fix(shell, magics):
    panel, _ = login(shell, f"--sandbox --local --redirect-uri {LIVE_PAGE}")
    request = panel.wait_for_login_link() if panel.step == "method" else None
    if request is None:
        panel.scopes_next.click()
        request = panel.wait_for_login_link()
    with pytest.raises(RuntimeError, match="URL Blocked"):
        sandbox().approve(request.url)
    _buttons(panel)["It said: URL Blocked"].click()
    assert f"register_redirect_uri('{LIVE_PAGE}')" in panel.message_text
    _run_hint(shell, panel.message_text, "mab.kernel_sandbox().register_redirect_uri")
    assert LIVE_PAGE in sandbox().redirect_uris


def test_no_login_back_in_time_ends_the_wait_with_what_to_do_and_a_fresh_link(shell, magics):
    magics.redirect_timeout = 0.5
    panel, _ = login(shell, "--sandbox --local")
    start_facebook_login(panel)
    stale_link = panel.login_address
    wait_for(lambda: panel.message_level == "warn", timeout=10)
    assert panel.message_text.startswith("No login came back within 0 seconds of opening the login page.")
    assert "If the page showed an error" in panel.message_text
    # The link on show is a fresh one, and it works (made again with time enough for the test's own login).
    assert panel.wait_for_login_link() is not None and panel.login_address != stale_link
    panel.redirect_timeout = 120
    panel.login_button.click()
    assert panel.wait_for_login_link() is not None
    assert browser_follows(sandbox().approve(open_login_link(panel))).status_code == 200
    assert panel.wait_idle() and panel.step == "inspect", panel.message_text


def test_a_link_left_unused_is_put_away_and_a_new_one_is_one_click_away(shell, magics, monkeypatch):
    monkeypatch.setattr(facebook, "LINK_IDLE_S", 0.3)
    panel, _ = login(shell, "--sandbox --local")
    panel.scopes_next.click()
    assert panel.wait_for_login_link() is not None
    wait_for(lambda: "put away unused" in panel.message_text, timeout=10)
    assert panel.login_link.value == "" and panel.login_button.layout.display == ""
    assert panel.login_button.description == "Make a new login link"
    monkeypatch.setattr(facebook, "LINK_IDLE_S", 60)
    panel.login_button.click()
    assert panel.wait_for_login_link() is not None and panel.login_link.value


def test_one_click_and_the_address_shown_is_the_one_used(shell, magics):
    panel, _ = login(shell, "--sandbox --local")
    panel.scopes_next.click()  # the sandbox opens on the Facebook Login tab: the link is there, nothing to press
    request = panel.wait_for_login_link()
    assert request is not None and "meta-auth-login-link" in panel.login_link.value
    assert panel.login_button.layout.display == "none"
    port = panel.login_address.split("localhost:")[1].split("/")[0]
    assert panel.redirect_uri_field.value == request.redirect_uri == f"http://localhost:{port}/callback"
    assert request.redirect_uri in panel.copy_button.value


def test_a_chosen_port_is_the_one_used(shell, magics, sandbox_env):
    with socket.socket() as probe:  # a free port for the login
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    panel, _ = login(shell, f"--local --port {port}")  # an app of one's own (META_* point at a stand-in)
    panel.scopes_next.click()
    panel.select_method("facebook")
    request = panel.wait_for_login_link()
    assert request is not None and request.redirect_uri == f"http://localhost:{port}/callback"
    assert panel.redirect_uri_field.value == request.redirect_uri


def test_offline_reads_as_offline_not_as_graph_refusing(shell, magics, sandbox_env, monkeypatch):
    with socket.socket() as probe:  # a port nobody listens on: the connection is refused, as when offline
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("META_GRAPH_URL", f"http://127.0.0.1:{closed}")
    panel, _ = login(shell, "--local")
    panel.scopes_next.click()
    panel.explorer_token.value = sandbox_env.issue_token("alice")
    panel.explorer_submit.click()
    assert panel.wait_idle()
    assert panel.message_level == "error"
    assert panel.message_text.startswith("Could not reach 127.0.0.1: are you offline?"), panel.message_text
    for wrong in ("refused the call", "ConnectError", "Error while", "Exception"):
        assert wrong not in panel.message_text
