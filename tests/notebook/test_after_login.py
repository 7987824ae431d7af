"""What happens after a login is one policy: the panel and ``meta-auth login`` store and offer the same.

A sandbox stands in for Meta through the ``META_*`` settings. The same login
(the same permissions asked, the same token kinds) is done once in the panel
and once with ``meta-auth login``; what each stores with the profile (the
token's app, the permissions the work needs, the configuration) and whether
each offers to extend the token must agree.
"""

from __future__ import annotations

import io
import sys

import httpx
import pytest

from meta_auth_nb import cli
from meta_auth_nb.cli import CommandContext
from tests.conftest import FAST_RETRY
from tests.dialog_client import to_dialog

from .helpers import login, paste_redirect, paste_token, start_facebook_login


def _cli_login(store, box, monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str]:
    def browser(url: str) -> bool:  # a person pressing Allow, as alice
        httpx.get(box.approve(to_dialog(url), user="alice").split("#", 1)[0], timeout=10)
        return True

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    context = CommandContext(open_store=lambda: store, open_browser=browser, graph_options={"retry": FAST_RETRY})
    return cli.main(["login", *argv], context=context), err.getvalue()


def _panel_login(shell, box, scopes: list[str], config_id: str | None = None):
    panel, _ = login(shell, "--remote --profile panel")
    for name, box_widget in panel.scope_boxes.items():
        box_widget.value = name in scopes
    if config_id:
        panel.config_field.value = config_id
    paste_redirect(panel, box.approve(start_facebook_login(panel), user="alice"))
    assert panel.step == "inspect", panel.message_text
    return panel


def _save(panel) -> None:
    panel.inspect_next.click()
    panel.go("save")
    panel.save_button.click()
    assert panel.wait_idle() and panel.step == "use", panel.message_text


@pytest.mark.parametrize("config", [None, "user"])
def test_a_login_stores_the_same_from_the_panel_and_the_terminal(
    shell, magics, store, sandbox_env, monkeypatch, config
):
    box = sandbox_env
    config_id = box.config_id(config) if config else None
    scopes = ["ads_read", "business_management"]
    panel = _panel_login(shell, box, scopes, config_id)
    _save(panel)
    extra = ["--config-id", config_id] if config_id else ["--scopes", ",".join(scopes)]
    code, err = _cli_login(store, box, monkeypatch, "--profile", "cli", "--oauth", "--port", "0", *extra)
    assert code == 0, err
    in_panel, in_terminal = store.load("panel"), store.load("cli")
    for field in ("app_id", "required_scopes", "config_id", "redirect_uri", "has_app_secret"):
        assert getattr(in_panel, field) == getattr(in_terminal, field), field
    # A configuration decides the permissions: nothing asked is recorded as needed; else what was asked and granted.
    assert in_panel.required_scopes == (() if config else tuple(scopes))
    assert in_panel.app_id == box.app_id and not in_panel.has_app_secret


@pytest.mark.parametrize(
    ("lifetime_s", "offered"),
    [(3600, True), (5 * 86400, True), (59 * 86400, False), (0, False)],
)
def test_extending_is_offered_by_the_same_rule(shell, magics, store, sandbox_env, monkeypatch, lifetime_s, offered):
    box = sandbox_env
    panel, _ = login(shell, "--remote --profile panel")
    paste_token(panel, box.issue_token("alice", lifetime_s=lifetime_s))
    panel.inspect_next.click()
    # Nothing to extend: the panel goes on to Save, and its card said why.
    assert (panel.step == "extend" and panel.extend_button.layout.display == "") is offered, panel.step
    code, err = _cli_login(
        store, box, monkeypatch, "--profile", "cli", "--extend", stdin=box.issue_token("alice", lifetime_s=lifetime_s)
    )
    assert code == 0, err
    assert ("meta-auth: extended" in err) is offered, err
    if not offered:  # the panel's words and the terminal's note say the same reason
        assert panel.step == "save" and "Next: save" in panel.inspect_next.description
        assert panel.token_card.value.split("Nothing to extend: ")[1].split(".")[0] in err
