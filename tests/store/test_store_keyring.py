"""The real OS keyring (gnome-keyring over SecretService on a private D-Bus bus)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from store_helpers import canary_secret, canary_token

from meta_auth_nb.store import SERVICE, TokenStore

pytestmark = pytest.mark.keyring


def test_real_keyring_is_the_login_collection_on_disk(secret_service, secret_service_keyring, config_dir):
    store = TokenStore(config_dir=config_dir, keyring_backend=secret_service_keyring, environ={})
    assert store.persistent and store.keyring_label == "keyring.backends.SecretService.Keyring"
    value = canary_token()
    store.save("p", value)
    assert secret_service_keyring.get_password(SERVICE, "p:token") == value
    if secret_service.collection is None:
        # Stored encrypted in gnome-keyring's own files, not in ours.
        keyrings = secret_service.root / "data" / "keyrings"
        assert any(keyrings.glob("*.keyring"))
        assert all(value.encode() not in p.read_bytes() for p in keyrings.iterdir() if p.is_file())


SAVER = textwrap.dedent(
    """
    import sys
    from meta_auth_nb.store import TokenStore
    store = TokenStore(config_dir=sys.argv[1])
    saved = store.save("from-child", sys.argv[2], app_id="555", app_secret=sys.argv[3])
    print(saved.backend)
    """
)


def test_token_outlives_the_process_that_saved_it(secret_service, secret_service_keyring, tmp_path):
    if secret_service.collection:
        pytest.skip("the private keyring has no default collection a fresh process could use")
    value, secret = canary_token(), canary_secret()
    env = {k: v for k, v in os.environ.items() if not k.startswith("META_")}
    env.update(secret_service.env(), PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring")
    result = subprocess.run(
        [sys.executable, "-c", SAVER, str(tmp_path / "cfg"), value, secret],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "keyring" and result.stderr == ""
    store = TokenStore(config_dir=tmp_path / "cfg", keyring_backend=secret_service_keyring, environ={})
    loaded = store.load("from-child")
    assert loaded.token.get_secret_value() == value and loaded.app_secret == secret and loaded.app_id == "555"
    assert store.delete("from-child") is True
    assert secret_service_keyring.get_password(SERVICE, "from-child:token") is None
    assert json.loads(store.index_path.read_text())["profiles"] == {}


def test_a_keyring_daemon_that_exits_is_restarted_with_its_entries(own_secret_service, monkeypatch):
    # The test keyring's own safety net: gnome-keyring aborts now and then on a GLib
    # assertion; the next test gets a new daemon over the same on-disk keyring.
    if own_secret_service.collection:
        pytest.skip("the private keyring keeps its entries in memory only")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", own_secret_service.address)
    value = canary_token()
    own_secret_service.keyring().set_password(SERVICE, "p:token", value)
    assert own_secret_service.ensure_running() is None
    own_secret_service.processes[1].kill()
    own_secret_service.processes[1].wait(10)
    assert not own_secret_service.daemon_alive()
    restarted = own_secret_service.ensure_running()
    assert restarted and "was restarted" in restarted and own_secret_service.restarts == 1
    assert own_secret_service.keyring().get_password(SERVICE, "p:token") == value
