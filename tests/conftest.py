"""Shared fixtures: a running sandbox, fast retries, a canary token."""

from __future__ import annotations

import os
import secrets
import string

import pytest

from meta_auth_nb.graph.policy import RetryPolicy
from meta_auth_nb.sandbox import Sandbox

#: The real SecretService keyring fixtures (secret_service, secret_service_keyring), for every test folder.
pytest_plugins = ["tests.keyring_support"]

#: Not Meta app ids, though each looks like digits to some check ("²" and "٣" to str.isdigit).
NOT_APP_IDS = ["²", "1" * 25, "٣٤٥", "12a4"]
#: What every front end and login_url say about them, after the name of the field.
APP_ID_RULE = "must be the App ID of your Meta app: the number (digits 0-9, at most 20) shown in App settings > Basic"

#: Retries as in production but with short waits, so fault tests stay quick.
FAST_RETRY = RetryPolicy(max_retries=8, backoff_base=0.01, backoff_max=0.2)


@pytest.fixture(autouse=True)
def _clean_meta_env(monkeypatch, tmp_path):
    """No test sees the developer's own Meta settings or config folder, or where their shell runs (SSH...)."""
    from meta_auth_nb.auth.location import REMOTE_MARKERS

    for name in list(os.environ):
        if name.startswith("META_") or name in dict(REMOTE_MARKERS):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture
def sandbox():
    with Sandbox(seed=1) as box:
        yield box


@pytest.fixture
def opts(sandbox):
    """Session options pointing at the sandbox."""
    return {"base_url": sandbox.graph_url, "retry": FAST_RETRY}


@pytest.fixture
def sandbox_env(sandbox, monkeypatch):
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    return sandbox


def make_canary() -> str:
    alphabet = string.ascii_letters + string.digits
    return "EAA" + "".join(secrets.choice(alphabet) for _ in range(170))
