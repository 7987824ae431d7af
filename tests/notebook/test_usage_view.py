"""``meta.usage`` as bars in a real IPython shell, and ``%meta_usage``, against the sandbox's enforced limits."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from meta_auth_nb._base.usage import Usage
from meta_auth_nb.notebook.render import COLORS
from meta_auth_nb.notebook.session import inject
from meta_auth_nb.sandbox import Sandbox


@pytest.fixture
def dev():
    # The real clock: the score decays over 300 s, so a slow machine still sees the 50 points the calls took.
    with Sandbox(tier="development") as box:
        yield box


def formats(shell, value) -> dict:
    data, _ = shell.display_formatter.format(value)
    return data


def test_meta_usage_shows_a_bar_per_budget_of_the_injected_session(shell, magics, dev, monkeypatch):
    monkeypatch.setenv("META_GRAPH_URL", dev.graph_url)
    meta = inject(shell.user_ns, "meta", dev.issue_token(), owner=shell)
    act = dev.ad_account_ids()[0]
    meta.get("me")
    for _ in range(50):
        meta.get(f"{act}/insights", limit=1)
    usage = shell.run_line_magic("meta_usage", "")
    assert isinstance(usage, Usage) and usage is meta.usage
    html = formats(shell, usage)["text/html"]
    assert html.count('role="meter"') == len(usage.budgets()) >= 4
    assert "tier Limited (development_access)" in html and f"ad account {act}" in html and "ads_insights" in html
    assert "back to 0 in" in html and "read " in html and " UTC" in html
    assert COLORS["soon"] in html  # 50 of 60 points: amber
    text = formats(shell, usage)["text/plain"]
    assert text.startswith("Graph API usage (tier Limited (development_access)), read ") and f"ad account {act}" in text


def test_a_blocked_budget_says_when_access_comes_back(shell, magics, dev):
    act = dev.ad_account_ids()[0]
    token = dev.issue_token()
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
        for _ in range(200):
            refused = client.get(f"{dev.graph_url}/v25.0/{act}/campaigns")
            if refused.status_code == 400:
                break
    from meta_auth_nb._base.usage_headers import parse_usage

    html = formats(shell, parse_usage(refused.headers))["text/html"]
    assert "blocked: access back in" in html and COLORS["bad"] in html


def test_header_values_are_escaped(shell, magics, sandbox):
    hostile = {"x-business-use-case-usage": json.dumps({"<b>1</b>": [{"type": "<script>x</script>", "call_count": 5}]})}
    from meta_auth_nb._base.usage_headers import parse_usage

    html = formats(shell, parse_usage(hostile))["text/html"]
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>1</b>" not in html


def test_meta_usage_before_any_call_and_without_a_session(shell, magics, sandbox_env):
    sandbox = sandbox_env
    with pytest.raises(UsageError, match="no session named 'meta'"):
        shell.run_line_magic("meta_usage", "")
    inject(shell.user_ns, "fb", sandbox.issue_token(), owner=shell)
    with capture_output() as captured:
        assert shell.run_line_magic("meta_usage", "") is None  # the one injected session, under another name
    assert "fb: no usage reported yet" in captured.stdout
    shell.user_ns["ads"] = 42
    with pytest.raises(UsageError, match="not a Graph session"):
        shell.run_line_magic("meta_usage", "--as ads")
    assert "meta_usage" in shell.magics_manager.magics["line"]
    assert "--as" in shell.object_inspect_text("%meta_usage")


def test_unloading_removes_the_magic_and_the_bars(shell, magics):
    shell.run_line_magic("unload_ext", "meta_auth_nb")
    try:
        assert "meta_usage" not in shell.magics_manager.magics["line"]
        assert "text/html" not in formats(shell, Usage())
    finally:
        shell.run_line_magic("load_ext", "meta_auth_nb")


def test_meta_usage_names_each_account_and_keeps_its_figures_across_logins(shell, magics, dev, monkeypatch):
    monkeypatch.setenv("META_GRAPH_URL", dev.graph_url)
    from meta_auth_nb.auth.lifecycle import inspect_token

    def login() -> object:
        token = dev.issue_token()
        info = inspect_token(token, app_id=dev.app_id, app_secret=dev.app_secret, base_url=dev.graph_url)
        return inject(shell.user_ns, "meta", token, owner=shell, info=info)

    meta = login()
    first, second = dev.ad_account_ids()[:2]
    for act in (first, second):
        for _ in range(3):
            meta.get(f"{act}/insights", limit=1)
    login()  # a new login in the same kernel: the same app, the same budgets
    usage = shell.run_line_magic("meta_usage", "")
    assert usage is not None, "the figures read before the new login are kept"
    names = [b.name for b in usage.budgets()]
    assert f"ad account {first}" in names and f"ad account {second}" in names  # one bar per account, named
    html = formats(shell, usage)["text/html"]
    assert html.count('role="meter"') == len(names) and "<table" in html  # one row each: the bars line up
    assert re.search(r"read \d\d:\d\d:\d\d UTC", html)
    text = formats(shell, usage)["text/plain"]
    assert f"ad account {first}" in text and " UTC" in text
