"""Every hint names a command that works where it is read: each one is collected from what is shown, and run.

Two situations, each with a named profile and the default one:

* the kernel's sandbox (``%meta_login --sandbox``): hints say ``%meta_login
  --sandbox`` and never a ``meta-auth`` command (a terminal cannot reach the
  sandbox's tokens, which live in this kernel);
* an app of one's own (here a sandbox standing in for Meta through the
  ``META_*`` settings, as a real app would be): ``%meta_login`` in a notebook,
  ``meta-auth`` in a terminal.

The hints come from the one place that builds them (the verdicts' advice,
the store's "no token" message, the error hints, the magics' and the panel's
own sentences), read off what a person sees: exception messages, log
warnings, panel messages, frames. Each command quoted in backticks is then
run: magics in the IPython shell, ``meta-auth`` commands through the CLI's
``main`` on the same store (a login with Facebook gets ``--port 0`` so the
test does not need port 8765, and the sandbox's dialog is answered as alice).
"""

from __future__ import annotations

import io
import logging
import re
import sys

import httpx
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

import meta_auth_nb as mab
from meta_auth_nb import cli
from meta_auth_nb._base.errors import GraphError, MetaAuthError
from meta_auth_nb._base.tokens import Permission, TokenInfo
from meta_auth_nb.auth.lifecycle import inspect_token
from meta_auth_nb.auth.verdict import judge
from meta_auth_nb.cli import CommandContext
from meta_auth_nb.notebook.kernel_sandbox import KERNEL as kernel_sandbox
from tests.conftest import FAST_RETRY
from tests.dialog_client import to_dialog

from .helpers import captured_text, login, paste_token

COMMAND = re.compile(r"`((?:%meta_[a-z]+|meta-auth [a-z]+)[^`]*)`")


def commands_in(*texts: str) -> list[str]:
    """The commands quoted in ``texts``, once each, in order."""
    found: dict[str, None] = {}
    for text in texts:
        for command in COMMAND.findall(text):
            found.setdefault(command, None)
    return list(found)


def verdict_texts(profile: str | None, now, place) -> list[str]:
    """The advice of every status a token can be in, for ``profile``, read at ``place``."""
    from datetime import timedelta

    valid = {"is_valid": True, "type": "USER", "app_id": "1", "scopes": ("ads_read",)}
    later, soon = now + timedelta(days=60), now + timedelta(days=1)  # a long-lived and an expiring token
    cases = [
        judge(None, profile=profile, place=place),  # never checked
        judge(TokenInfo(is_valid=False, error_code=190, error_subcode=463), profile=profile, place=place),
        judge(TokenInfo(is_valid=False, error_code=190, error_subcode=460), profile=profile, place=place),
        judge(
            TokenInfo(**valid, expires_at=soon),
            profile=profile,
            can_extend=True,
            now=now,
            place=place,
        ),
        judge(TokenInfo(**valid, expires_at=soon), profile=profile, now=now, place=place),
        judge(
            TokenInfo(**valid, expires_at=later, data_access_expires_at=soon),
            profile=profile,
            now=now,
            place=place,
        ),
        judge(
            TokenInfo(**valid, expires_at=later),
            [Permission("ads_management", "declined")],
            required_scopes=["ads_read", "ads_management"],
            profile=profile,
            now=now,
            place=place,
        ),
        judge(TokenInfo(**valid, expiry_known=False), profile=profile, now=now, place=place),
    ]
    return [verdict.advice for verdict in cases]


def error_texts(place) -> list[str]:
    """The hints of errors raised without one of their own (a call failing in a cell), read at ``place``."""
    return [str(kind("x", place=place)) for kind in (mab.TokenExpired, mab.TokenInvalidated, mab.errors.TokenError)]


class HintRunner:
    """Runs quoted commands as a person would: magics in the shell, ``meta-auth`` through the CLI."""

    def __init__(self, shell, store, box, monkeypatch) -> None:
        self.shell, self.store, self.box, self.monkeypatch = shell, store, box, monkeypatch

    def run(self, command: str) -> str:
        if command.startswith("%"):
            return self._magic(command)
        return self._terminal(command)

    def _magic(self, command: str) -> str:
        name, _, line = command[1:].partition(" ")
        with capture_output() as captured:
            try:
                self.shell.run_line_magic(name, line)
            except UsageError as error:  # a hint that does not work here
                pytest.fail(f"{command!r} does not work here: {error}")
        return captured_text(captured)

    def _browser(self, url: str) -> bool:
        # What a person does in the login dialog: Allow, as alice; the browser then follows the redirect.
        httpx.get(self.box.approve(to_dialog(url), user="alice").split("#", 1)[0], timeout=10)
        return True

    def _terminal(self, command: str) -> str:
        argv = command.split()[1:]
        if "--oauth" in argv:
            argv += ["--port", "0"]
        token = self.box.issue_token("alice", scopes=["ads_read"], lifetime_s=3600)
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(token + "\n"))  # what a paste would be
        context = CommandContext(
            open_store=lambda: self.store, open_browser=self._browser, graph_options={"retry": FAST_RETRY}
        )
        code = cli.main(argv, context=context)
        assert code in (0, 1, 2), f"{command!r} stopped as a usage or setup error ({code})"
        return command


# --- in the kernel's sandbox ------------------------------------------------------------------------
@pytest.mark.parametrize("profile", [None, "work"])
def test_every_hint_in_the_sandbox_runs(shell, magics, sandbox_store, monkeypatch, caplog, profile):
    box, store = kernel_sandbox.box, sandbox_store
    flag = f" --profile {profile}" if profile else ""
    name = profile or "sandbox"
    place = magics.settings().place
    texts = verdict_texts(profile, _now(box), place)
    texts += error_texts(place)
    # What a person meets: no token yet, an expiring one, an expired one, a missing permission, a plain login.
    with pytest.raises(MetaAuthError) as missing:
        mab.session(profile)
    texts.append(str(missing.value))
    raw = box.issue_token("alice", scopes=["ads_read"], lifetime_s=2 * 86400)
    store.save(name, raw, app_id=box.app_id, info=inspect_token(raw, app_id=box.app_id, app_secret=box.app_secret))
    with caplog.at_level(logging.WARNING, logger="meta_auth_nb"):
        mab.session(profile)
    texts.append(caplog.text)
    with pytest.raises(GraphError) as lacking:
        mab.session(profile, required_scopes=["ads_read", "ads_management"])
    texts.append(str(lacking.value))
    box.advance(3 * 86400)
    with pytest.raises(GraphError) as expired:
        mab.session(profile)
    texts.append(str(expired.value))
    with pytest.raises(UsageError) as plain:
        shell.run_line_magic("meta_login", f"{flag} --local".strip())
    texts.append(str(plain.value))
    store.delete(name)
    texts.append(repr(shell.run_line_magic("meta_tokens", "")))
    panel, _ = login(shell, f"--sandbox{flag} --local")
    texts += [panel.banner.value, panel.message_text]
    paste_token(panel, box.issue_token("alice", scopes=["ads_read"], lifetime_s=60 * 86400))
    panel.inspect_next.click()
    panel.extend_next.click()
    texts.append(panel.save_info.value)
    panel.save_skip.click()
    texts.append(panel.use_info.value)
    panel.go("save")
    panel.save_button.click()
    assert panel.wait_idle()
    texts.append(panel.message_text)

    from html import unescape

    commands = commands_in(*(unescape(t.replace("<code>", "`").replace("</code>", "`")) for t in texts))
    assert f"%meta_login --sandbox{flag}" in commands and "%meta_login --no-sandbox" in commands
    assert not [c for c in commands if c.startswith("meta-auth")], "a terminal cannot reach the sandbox's tokens"
    runner = HintRunner(shell, store, box, monkeypatch)
    leaving = [c for c in commands if "--no-sandbox" in c]
    for command in [c for c in commands if c not in leaving] + leaving:  # leaving the sandbox last
        assert "sandbox" in command or not command.startswith("%meta_login"), command
        runner.run(command)
    assert not kernel_sandbox.running  # the last one left the sandbox


# --- with an app of one's own -------------------------------------------------------------------------
@pytest.mark.parametrize("profile", [None, "work"])
def test_every_hint_with_an_app_runs(shell, magics, store, sandbox_env, monkeypatch, caplog, profile):
    box = sandbox_env
    flag = f" --profile {profile}" if profile else ""
    name = profile or "default"
    place = magics.settings().place
    texts = verdict_texts(profile, _now(box), place)
    texts += error_texts(place)
    terminal = magics.settings().at("terminal").place
    texts += verdict_texts(profile, _now(box), terminal) + error_texts(terminal)
    with pytest.raises(MetaAuthError) as missing:
        mab.session(profile, store=store)
    texts.append(str(missing.value))
    raw = box.issue_token("alice", scopes=["ads_read"], lifetime_s=2 * 86400)
    info = inspect_token(raw, app_id=box.app_id, app_secret=box.app_secret)
    store.save(name, raw, app_id=box.app_id, info=info, app_secret=box.app_secret)
    with caplog.at_level(logging.WARNING, logger="meta_auth_nb"):
        mab.session(profile, store=store)
    texts.append(caplog.text)
    texts.append(repr(shell.run_line_magic("meta_tokens", "")))
    panel, _ = login(shell, f"{flag} --local".strip())
    texts.append(panel.message_text)
    panel.go("save")
    panel.save_button.click()
    assert panel.wait_idle()
    texts.append(panel.message_text)

    commands = commands_in(*texts)
    wanted = {f"%meta_login{flag}", f"meta-auth login{flag}", f"meta-auth extend{flag}", f"meta-auth check{flag}"}
    assert wanted <= set(commands), commands
    assert not [c for c in commands if "--sandbox" in c]
    runner = HintRunner(shell, store, box, monkeypatch)
    for command in commands:
        runner.run(command)


def test_without_an_app_the_banner_names_the_sandbox_and_it_runs(shell, magics, monkeypatch):
    panel, _ = login(shell, "--local")
    banner = panel.banner.value
    assert "META_APP_ID is not set" in banner and "<code>%meta_login --sandbox</code>" in banner
    assert panel.banner.value.count("META_APP_ID is not set") == 1 and "META_APP_ID" not in panel.message_text
    HintRunner(shell, magics.store, None, monkeypatch).run("%meta_login --sandbox")
    assert kernel_sandbox.running


def _now(box):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(box.now(), tz=timezone.utc)
