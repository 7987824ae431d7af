"""No usable keyring: the memory fallback, its one notice, and no raw keyring errors."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap

import keyring.errors
import pytest
from store_helpers import BrokenKeyring, DictKeyring, RefusingKeyring, canary_secret, canary_token

from meta_auth_nb.store import ProfileNotFound, StoreError, TokenStore

NOTICE_MARK = "memory only"


def _notices(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if NOTICE_MARK in r.getMessage()]


def test_fail_backend_works_in_memory_and_says_so_once(config_dir, fail_keyring, caplog):
    caplog.set_level(logging.DEBUG, logger="meta_auth_nb")
    store = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ={})
    assert store.backend_name == "memory" and store.persistent is False
    notice = store.notice
    assert notice and "memory only" in notice and "gone when it restarts" in notice
    assert "headless Linux" in notice and "gnome-keyring" in notice and "META_ACCESS_TOKEN" in notice
    assert _notices(caplog) == []  # nothing said before something is actually kept in memory

    value = canary_token()
    saved = store.save("p", value, app_secret=canary_secret(), app_id="1")
    assert saved.backend == "memory" and not saved.persistent
    store.save("q", canary_token())
    second = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ={})
    second.save("r", canary_token())
    assert store.load("p").token.get_secret_value() == value
    assert second.load("p").app_secret == saved.app_secret
    assert store.profiles() == ["p", "q", "r"]

    said = _notices(caplog)
    assert said == [notice]
    assert [r.levelno for r in caplog.records if NOTICE_MARK in r.getMessage()] == [logging.WARNING]


SCRIPT = textwrap.dedent(
    """
    import json, sys
    from meta_auth_nb.store import TokenStore
    config_dir, token, secret = sys.argv[1], sys.argv[2], sys.argv[3]
    store = TokenStore(config_dir=config_dir)
    store.save("a", token, app_id="123", app_secret=secret)
    store.save("b", token)
    again = TokenStore(config_dir=config_dir)
    loaded = again.load("a")
    assert loaded.token.get_secret_value() == token and loaded.app_secret == secret
    print(json.dumps({"backend": store.backend_name, "keyring": store.keyring_label,
                      "loaded": loaded.to_public_dict(), "profiles": again.profiles()}))
    """
)


def test_fail_backend_chosen_by_environment_in_a_fresh_process(tmp_path):
    token, secret = canary_token(), canary_secret()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("META_", "DBUS_"))}
    env.update(
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg"),
        PYTHONWARNINGS="default",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "cfg"), token, secret],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["backend"] == "memory" and out["keyring"] == "keyring.backends.fail.Keyring"
    assert out["loaded"]["backend"] == "memory" and out["profiles"] == ["a", "b"]
    # The notice, once, in plain words, on stderr (Python's last-resort log handler).
    assert result.stderr.count("Tokens saved here are kept in this kernel's memory only") == 1, result.stderr
    assert "Traceback" not in result.stderr and "NoKeyringError" not in result.stderr
    for stream in (result.stdout, result.stderr):
        assert token not in stream and secret not in stream


def test_backend_refusing_to_store_degrades_cleanly(config_dir, caplog):
    caplog.set_level(logging.DEBUG, logger="meta_auth_nb")
    store = TokenStore(config_dir=config_dir, keyring_backend=RefusingKeyring(), environ={})
    assert store.backend_name == "keyring"  # it reads fine, so it is tried first
    value, secret = canary_token(), canary_secret()
    saved = store.save("p", value, app_secret=secret, app_id="1")
    assert saved.backend == "memory" and store.backend_name == "memory"
    assert store.load("p").token.get_secret_value() == value
    notice = store.notice
    assert "PasswordSetError" in notice and "memory only" in notice
    assert value not in notice  # the backend put the password in its message; it is masked
    assert _notices(caplog) == [notice]
    assert value not in caplog.text and secret not in caplog.text


def test_backend_failing_with_init_error_degrades_cleanly(config_dir, caplog):
    caplog.set_level(logging.DEBUG, logger="meta_auth_nb")
    store = TokenStore(config_dir=config_dir, keyring_backend=BrokenKeyring(), environ={})
    assert store.backend_name == "memory"
    assert "InitError" in store.notice and "Prompt dismissed" in store.notice
    value = canary_token()
    store.save("p", value)
    assert store.load("p").token.get_secret_value() == value
    assert store.exists("p") and store.profiles() == ["p"]
    assert store.delete("p") is True and store.profiles() == []
    with pytest.raises(ProfileNotFound):
        store.load("p")
    assert len(_notices(caplog)) == 1


class FlakyKeyring(DictKeyring):
    """Works until ``broken`` is set, then raises KeyringLocked like a re-locked SecretService."""

    broken = False

    def _check(self) -> None:
        if self.broken:
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service, username):
        self._check()
        return super().get_password(service, username)

    def set_password(self, service, username, password):
        self._check()
        super().set_password(service, username, password)

    def delete_password(self, service, username):
        self._check()
        super().delete_password(service, username)


def test_keyring_failing_mid_session(config_dir):
    backend = FlakyKeyring()
    store = TokenStore(config_dir=config_dir, keyring_backend=backend, environ={})
    store.save("old", canary_token())
    backend.broken = True
    # Deleting needs the keyring: a plain StoreError, not keyring's own exception.
    with pytest.raises(StoreError, match="KeyringLocked") as caught:
        store.delete("old")
    assert not isinstance(caught.value, keyring.errors.KeyringError)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    new = canary_token()
    assert store.save("new", new).backend == "memory"
    assert store.load("new").token.get_secret_value() == new
    with pytest.raises(ProfileNotFound, match="cannot be used here"):
        store.load("old")


@pytest.mark.parametrize("backend_cls", [BrokenKeyring, RefusingKeyring, FlakyKeyring])
def test_no_raw_keyring_error_escapes(config_dir, backend_cls):
    backend = backend_cls()
    if isinstance(backend, FlakyKeyring):
        backend.broken = True
    store = TokenStore(config_dir=config_dir, keyring_backend=backend, environ={})
    calls = [
        lambda: store.backend_name,
        lambda: store.persistent,
        lambda: store.notice,
        lambda: store.save("p", canary_token(), app_secret=canary_secret()),
        lambda: store.load("p"),
        lambda: store.exists("p"),
        lambda: store.profiles(),
        lambda: store.load("missing"),
        lambda: store.delete("p"),
        lambda: store.delete("missing"),
    ]
    for call in calls:
        try:
            call()
        except Exception as exc:  # only the store's own errors may come out
            assert isinstance(exc, StoreError) and not isinstance(exc, keyring.errors.KeyringError), repr(exc)


def test_get_keyring_failure_is_contained(config_dir, monkeypatch):
    import keyring as keyring_module

    def explode():
        raise keyring.errors.InitError("bad keyringrc")

    monkeypatch.setattr(keyring_module, "get_keyring", explode)
    store = TokenStore(config_dir=config_dir, environ={})
    assert store.backend_name == "memory" and "bad keyringrc" in store.notice
    assert store.save("p", canary_token()).backend == "memory"


def test_null_and_empty_chainer_count_as_no_keyring(config_dir, monkeypatch):
    from keyring.backends import chainer, null

    assert TokenStore(config_dir=config_dir, keyring_backend=null.Keyring(), environ={}).backend_name == "memory"
    # What keyring builds when nothing is viable (patched, not subclassed: a subclass
    # would register itself as a candidate backend for the whole test session).
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    store = TokenStore(config_dir=config_dir, keyring_backend=chainer.ChainerBackend(), environ={})
    assert store.backend_name == "memory"
