"""Loading the extension, help, usage errors, configuration, the leak guard hook."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

import meta_auth_nb.notebook.leak_guard as guard
from meta_auth_nb.notebook.magics import MetaAuthMagics

MAGICS = ("meta_login", "meta_tokens", "meta_scopes", "meta_logout")


def test_load_ext_is_cheap_and_registers_the_magics():
    code = textwrap.dedent(
        """
        import sys
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "meta_auth_nb")
        names = shell.magics_manager.magics["line"]
        assert all(n in names for n in %r), sorted(names)
        print(",".join(m for m in ("pandas", "ipywidgets", "httpx") if m in sys.modules) or "none")
        """
    ) % (MAGICS,)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "none"


def test_help_text(shell):
    with capture_output() as captured:
        shell.run_cell("%meta_login?")
    text = captured.stdout
    for option in ("--profile", "--app-id", "--scopes", "--as", "--sandbox", "--remote", "--local"):
        assert option in text, option
    assert "Get a checked Marketing API token" in text
    for name in ("meta_tokens", "meta_scopes", "meta_logout"):
        assert shell.object_inspect_text(f"%{name}")


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("--bogus", "unrecognized arguments"),
        ("--remote --local", "contradict"),
        ("--as 1abc", "variable name"),
        ("--as class", "variable name"),
        ("--scopes 'ads read!'", "not a permission name"),
        ("--scopes ,", "at least one permission"),
        ("--app-id abc", "App ID of your Meta app"),
        ("--profile 'bad name'", "not a valid profile name"),
    ],
)
def test_usage_errors(shell, magics, line, words):
    with pytest.raises(UsageError, match=words):
        shell.run_line_magic("meta_login", line)


def test_usage_error_shows_no_traceback(shell, magics):
    with capture_output() as captured:
        result = shell.run_cell("%meta_login --remote --local")
    assert isinstance(result.error_in_exec, UsageError)
    assert "UsageError" in captured.stderr and "Traceback" not in captured.stderr + captured.stdout


def test_bad_redirect_env_is_a_usage_error(shell, magics, monkeypatch):
    monkeypatch.setenv("META_AUTH_REDIRECT", "teleport")
    with pytest.raises(UsageError, match="META_AUTH_REDIRECT"):
        shell.run_line_magic("meta_login", "--sandbox")


def test_traits_are_configurable():
    traits = MetaAuthMagics.class_traits(config=True)
    assert {"warn_days", "default_scopes", "session_name", "leak_guard", "redirect_port"} <= set(traits)


def test_default_scopes_from_config(shell, magics):
    magics.default_scopes = "ads_read,read_insights"
    shell.run_line_magic("meta_login", "--sandbox")
    assert magics.panel.state.scopes == ["ads_read", "read_insights"]
    assert magics.panel.scope_boxes["read_insights"].value


def test_leak_guard_installed_unless_asked_not_to(shell, magics):
    magics.leak_guard = True
    try:
        shell.run_line_magic("meta_login", "--sandbox --no-guard")
        assert not guard.is_installed()
        shell.run_line_magic("meta_login", "--sandbox")
        assert guard.is_installed()
    finally:
        guard.uninstall()


def test_unload_removes_magics_and_stops_sandbox(shell, magics):
    from meta_auth_nb.notebook.kernel_sandbox import KERNEL as kernel_sandbox

    shell.run_line_magic("meta_login", "--sandbox")
    assert kernel_sandbox.running
    shell.run_line_magic("unload_ext", "meta_auth_nb")
    try:
        names = shell.magics_manager.magics["line"]
        assert not any(n in names for n in MAGICS)
        assert not kernel_sandbox.running
    finally:
        shell.run_line_magic("load_ext", "meta_auth_nb")


def test_sandbox_is_reused_within_the_kernel(shell, magics):
    from meta_auth_nb.notebook.kernel_sandbox import KERNEL as kernel_sandbox

    shell.run_line_magic("meta_login", "--sandbox")
    first = kernel_sandbox.box
    shell.run_line_magic("meta_login", "--sandbox")
    assert kernel_sandbox.box is first
    import os

    assert os.environ["META_GRAPH_URL"] == first.graph_url


def test_meta_login_help_names_every_sandbox_scenario_and_the_port(shell):
    """`%meta_login?` (the magic's help) lists what --scenario takes, insights-at-scale included, and --port."""
    from meta_auth_nb.sandbox import Sandbox

    magics = shell.magics_manager.registry["MetaAuthMagics"]
    help_text = " ".join(magics.meta_login.__doc__.split())
    for name in Sandbox.scenarios:
        assert name in help_text, name
    assert "--port N" in help_text and "a program holds 8765" in help_text
