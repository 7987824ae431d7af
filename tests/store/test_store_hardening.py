"""The store refuses what would leak a token on disk: file keyrings, loose or foreign folders, raw error text."""

from __future__ import annotations

import json
import logging
import os
import stat

import pytest
from store_helpers import DictKeyring, canary_token

from meta_auth_nb._base.tokens import TokenInfo
from meta_auth_nb.store import StoreError, TokenStore


@pytest.fixture
def plaintext_keyring(tmp_path):
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring_pass.cfg")  # keep it out of the real home
    return backend


def _files_holding(root, secret: str) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and secret in p.read_text(errors="replace")]


def test_a_plaintext_keyring_is_not_taken_for_a_keyring(tmp_path, config_dir, plaintext_keyring, caplog):
    token = canary_token()
    store = TokenStore(config_dir=config_dir, keyring_backend=plaintext_keyring, environ={})
    assert not store.persistent and store.backend_name == "memory"
    assert "keeps secrets in a file on disk" in (store.notice or "")
    assert "META_AUTH_ALLOW_FILE_KEYRING=1" in (store.notice or "")
    with caplog.at_level(logging.WARNING):
        saved = store.save("work", token)
    assert saved.backend == "memory" and not saved.persistent
    assert "keeps secrets in a file" in caplog.text
    assert _files_holding(tmp_path, token) == []  # not in the keyring's file, not in the index


def test_a_plaintext_keyring_is_used_only_when_asked(tmp_path, config_dir, plaintext_keyring):
    token = canary_token()
    environ = {"META_AUTH_ALLOW_FILE_KEYRING": "1"}
    store = TokenStore(config_dir=config_dir, keyring_backend=plaintext_keyring, environ=environ)
    assert store.persistent
    assert store.save("work", token).backend == "keyring"
    assert TokenStore(config_dir=config_dir, keyring_backend=plaintext_keyring, environ=environ).load("work").token
    assert (tmp_path / "keyring_pass.cfg").exists()  # the file the user chose to trust


def test_a_chain_that_writes_to_a_file_first_is_refused(config_dir, plaintext_keyring, monkeypatch):
    from keyring.backends import chainer

    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plaintext_keyring, DictKeyring()])
    store = TokenStore(config_dir=config_dir, keyring_backend=chainer.ChainerBackend(), environ={})
    assert not store.persistent and "PlaintextKeyring" in (store.notice or "")


def test_a_loose_config_folder_is_tightened(config_dir, caplog):
    config_dir.mkdir(parents=True)
    os.chmod(config_dir, 0o777)
    (config_dir / "profiles.json").write_text('{"profiles": {}}', encoding="utf-8")
    os.chmod(config_dir / "profiles.json", 0o666)
    store = TokenStore(config_dir=config_dir, keyring_backend=DictKeyring(), environ={})
    with caplog.at_level(logging.WARNING):
        store.save("work", canary_token())
    assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((config_dir / "profiles.json").stat().st_mode) == 0o600
    assert "tightened" in caplog.text


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to hand a folder to another user")
def test_a_folder_of_another_user_is_refused(config_dir, caplog):
    keyring = DictKeyring()
    store = TokenStore(config_dir=config_dir, keyring_backend=keyring, environ={})
    store.save("work", canary_token())
    before = (config_dir / "profiles.json").read_text(encoding="utf-8")
    os.chown(config_dir, 12345, 12345)
    try:
        with caplog.at_level(logging.WARNING):
            store.save("other", canary_token())  # the secret goes to the keyring; the folder is left alone
        assert "belongs to another user" in caplog.text
        assert (config_dir / "profiles.json").read_text(encoding="utf-8") == before
        fresh = TokenStore(config_dir=config_dir, keyring_backend=keyring, environ={})
        assert fresh.profiles() == []  # its facts are not believed either
        with pytest.raises(StoreError, match="belongs to another user"):
            fresh._index.update(dict)
    finally:
        os.chown(config_dir, 0, 0)


def test_error_text_quoting_the_token_is_redacted_everywhere(config_dir):
    token = canary_token()
    info = TokenInfo.from_debug_token(
        {"data": {"is_valid": False, "error": {"code": 190, "message": f"Malformed access token {token}"}}}
    )
    store = TokenStore(config_dir=config_dir, keyring_backend=DictKeyring(), environ={})
    stored = store.save("work", token, info=info)
    shown = [repr(info), json.dumps(info.to_dict()), json.dumps(stored.to_public_dict()), repr(stored)]
    shown.append((config_dir / "profiles.json").read_text(encoding="utf-8"))
    for text in shown:
        assert token not in text and token[4:-4] not in text
    assert "Malformed access token" in info.error_message


def test_a_token_that_is_a_common_word_leaves_the_index_readable(config_dir):
    store = TokenStore(config_dir=config_dir, keyring_backend=DictKeyring(), environ={})
    store.save("first", canary_token(), app_id="1234567890", required_scopes=["ads_read"])
    store.save("odd", "profiles", app_id="1234567890")  # 8 characters, and a key of the index
    document = json.loads((config_dir / "profiles.json").read_text(encoding="utf-8"))
    assert set(document["profiles"]) == {"first", "odd"}
    assert document["profiles"]["first"]["required_scopes"] == ["ads_read"]
    assert TokenStore(config_dir=config_dir, keyring_backend=store._keyring.backend, environ={}).load("first").app_id
