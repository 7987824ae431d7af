"""One app-id rule: ``%meta_login --app-id``, the panel's field and ``meta-auth login --app-id`` judge alike.

A superscript two passes ``str.isdigit``, a 25-digit id passes a digits-only
check; neither is a Meta app id, and each used to reach ``login_url`` and end
in a bare ValueError. Now each front end says the same sentence (naming the
field as typed there), and an id with spaces around is taken, trimmed, by all.
(The CLI's side is in tests/cli/test_login.py.)
"""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from tests.conftest import APP_ID_RULE as RULE
from tests.conftest import NOT_APP_IDS
from tests.notebook.helpers import login


@pytest.mark.parametrize("typed", NOT_APP_IDS)
def test_the_magic_refuses_what_is_not_an_app_id_with_the_rule(shell, magics, typed):
    with pytest.raises(UsageError) as refused:
        shell.run_line_magic("meta_login", f"--app-id {typed} --remote")
    assert str(refused.value).startswith(f"--app-id {RULE}")
    assert magics.panel is None  # refused before anything opened


def test_the_magic_takes_an_app_id_with_spaces_around(shell, magics):
    panel, _ = login(shell, "--app-id   123   --remote")
    assert panel is not None and panel.state.app_id == "123"


def _typed_into_the_panel(shell, app_id: str, secret: str = "0123456789abcdef0123456789abcdef"):
    panel, _ = login(shell, "--remote")
    panel.scopes_next.click()
    panel.select_method("facebook")
    panel.app_id_field.value = app_id
    panel.app_secret_field.value = secret  # the login link is made when both are in
    panel.wait_for_login_link()
    return panel


@pytest.mark.parametrize("typed", NOT_APP_IDS)
def test_the_panel_refuses_what_is_not_an_app_id_with_the_rule(shell, magics, typed):
    panel = _typed_into_the_panel(shell, typed)
    assert panel.message_level == "error" and panel.state.login is None
    assert f"The app id {RULE}" in panel.message_text
    assert "ValueError" not in panel.message_text and "ConfigError" not in panel.message_text


def test_the_panel_trims_an_app_id(shell, magics, sandbox_env):
    # An app Graph knows (a sandbox playing Meta): the link is made only once Graph accepts the app and secret.
    panel = _typed_into_the_panel(shell, f" {sandbox_env.app_id} ", sandbox_env.app_secret)
    assert panel.state.login is not None, panel.message_text
    assert panel.state.app_id == sandbox_env.app_id and f"client_id={sandbox_env.app_id}&" in panel.state.login.url
