"""A canary token goes through every command; it must never show up anywhere a person or a file could see.

Checked: stdout/stderr of each command, every log record, the renewal email
(raw SMTP bytes and decoded body) and every file under XDG_CONFIG_HOME.
The app secret is a canary too.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from tests.cli.helpers import DAY


def _leaks(text: str | bytes, canaries: list[str]) -> list[str]:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    # the whole value, and its middle (a mask keeps only 4+4 characters)
    return [c[:6] for c in canaries if c in text or c[4:-4] in text]


def _config_files() -> list[Path]:
    root = Path(os.environ["XDG_CONFIG_HOME"])
    return [p for p in root.rglob("*") if p.is_file()]


def test_canary_in_process(store, env, smtp_env, cli_run, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    canary = env.issue_token(lifetime_s=3600, scopes=["ads_read"])
    canaries = [canary, env.app_secret]
    results = [
        cli_run("login", "--profile", "canary", "--token-stdin", "--extend", "--save-app-secret", stdin=canary),
    ]
    extended = store.load("canary").token.get_secret_value()
    canaries.append(extended)
    monkeypatch.setenv("CANARY_TOKEN", canary)
    results += [
        cli_run("inspect", "--profile", "canary"),
        cli_run("inspect", "--profile", "canary", "--json"),
        cli_run("inspect", "--token-env", "CANARY_TOKEN", "--json"),
        cli_run("profiles"),
        cli_run("profiles", "--json"),
        cli_run(
            "check", "--profile", "canary", "--json", "--require-scopes", "ads_management", "--email", "ops@example.com"
        ),
        cli_run("check", "--all", "--email", "ops@example.com", "--email-always"),
        cli_run("extend", "--profile", "canary"),
    ]
    canaries.append(store.load("canary").token.get_secret_value())
    env.advance(61 * DAY)
    results += [
        cli_run("check", "--profile", "canary"),
        cli_run("logout", "--profile", "canary", "--revoke"),
        cli_run("check", "--profile", "canary"),  # gone: a setup error
    ]
    assert [r.code for r in results] == [0, 0, 0, 0, 0, 0, 2, 0, 0, 2, 0, 3]
    for result in results:
        assert _leaks(result.text, canaries) == [], result.text
    for record in caplog.records:
        assert _leaks(record.getMessage(), canaries) == [], record.getMessage()
    smtp_env.wait(2)
    assert len(smtp_env.messages) == 2
    for envelope, message in smtp_env.messages:
        assert _leaks(envelope.original_content or envelope.content, canaries) == []
        assert _leaks(message.get_body().get_content(), canaries) == []
        assert _leaks(str(message["Subject"]), canaries) == []
    files = _config_files()
    assert files, "the index should exist"
    for path in files:
        assert _leaks(path.read_bytes(), canaries) == [], path


@pytest.mark.keyring
def test_canary_in_real_processes(env, cli_proc, mailbox, secret_service_keyring):
    canary = env.issue_token(lifetime_s=3600)
    canaries = [canary, env.app_secret]
    smtp = mailbox.env()
    results = [
        cli_proc("login", "--profile", "canary", "--token-stdin", "--extend", "--save-app-secret", stdin=canary),
    ]
    extended = secret_service_keyring.get_password("meta_auth_nb", "canary:token")
    assert extended and extended != canary  # the long-lived token is in the real keyring...
    assert secret_service_keyring.get_password("meta_auth_nb", "canary:app_secret") == env.app_secret
    canaries.append(extended)  # ...and nowhere else
    results += [
        cli_proc("inspect", "--profile", "canary", "--json"),
        cli_proc(
            "check", "--profile", "canary", "--json", "--email", "ops@example.com", "--email-always", extra_env=smtp
        ),
        cli_proc("profiles", "--json"),
        cli_proc("logout", "--profile", "canary", "--revoke"),
    ]
    assert [r.code for r in results] == [0, 0, 0, 0, 0], [r.err for r in results]
    for result in results:
        assert _leaks(result.text, canaries) == [], result.text
    mailbox.wait(1)
    assert len(mailbox.messages) == 1
    assert _leaks(mailbox.messages[0][0].original_content, canaries) == []
    for path in _config_files():
        assert _leaks(path.read_bytes(), canaries) == [], path
