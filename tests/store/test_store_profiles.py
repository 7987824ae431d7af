"""TokenStore behaviour with a working keyring and with the environment."""

from __future__ import annotations

import json
import logging
import pickle
import stat
import sys
from datetime import datetime, timedelta, timezone

import pytest
from store_helpers import DictKeyring, canary_secret, canary_token

from meta_auth_nb._base.tokens import AccessToken, TokenInfo
from meta_auth_nb.store import (
    SERVICE,
    InvalidProfileName,
    ProfileNotFound,
    StoredProfile,
    StoreError,
    TokenStore,
)


def _info(app_id: str = "111", **kw) -> TokenInfo:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return TokenInfo(
        is_valid=True,
        app_id=app_id,
        type="USER",
        user_id="42",
        issued_at=now,
        expires_at=now + timedelta(days=58),
        scopes=("ads_read", "ads_management"),
        **kw,
    )


def test_save_then_load_in_a_new_store(config_dir, working_keyring):
    value = canary_token()
    expires = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=60)
    store = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={})
    assert store.backend_name == "keyring" and store.persistent and store.notice is None
    saved = store.save(
        "client-a",
        AccessToken(value, expires_at=expires, source="pasted"),
        app_id=111,
        app_secret=canary_secret(),
        info=_info(),
        required_scopes=["ads_read", "ads_read", " business_management "],
    )
    assert saved.backend == "keyring" and saved.app_id == "111" and saved.has_app_secret

    again = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={}).load("client-a")
    assert again.token.get_secret_value() == value
    assert again.token.expires_at == expires and again.token.source == "pasted"
    assert again.app_secret == saved.app_secret
    assert again.info == saved.info and again.info.scopes == ("ads_read", "ads_management")
    assert again.checked_at is not None and again.saved_at is not None
    assert again.required_scopes == ("ads_read", "business_management")
    assert again.backend == "keyring"
    # Plain keyring entries: other tools can read them.
    assert working_keyring.get_password(SERVICE, "client-a:token") == value


def test_default_profile_and_meta_auth_profile(config_dir, working_keyring):
    store = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={"META_AUTH_PROFILE": "prod"})
    assert store.default_profile == "prod"
    store.save(None, canary_token())
    assert store.profiles() == ["prod"]
    assert store.load().name == "prod"
    plain = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={})
    assert plain.default_profile == "default"
    with pytest.raises(ProfileNotFound):
        plain.load()
    bad = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={"META_AUTH_PROFILE": "a b"})
    with pytest.raises(InvalidProfileName, match="META_AUTH_PROFILE"):
        bad.load()


@pytest.mark.parametrize("name", ["", "a b", "x" * 65, "../etc", "a:b", "caf\u00e9", "tab\t", 5, b"bytes"])
def test_invalid_profile_names(config_dir, fail_keyring, name):
    store = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ={})
    for call in (
        lambda: store.save(name, canary_token()),
        lambda: store.load(name),
        lambda: store.delete(name),
        lambda: store.exists(name),
        lambda: store.update_info(name, _info()),
    ):
        with pytest.raises(InvalidProfileName) as caught:
            call()
        assert isinstance(caught.value, ValueError) and isinstance(caught.value, StoreError)
        assert "letters, digits" in str(caught.value)


@pytest.mark.parametrize("name", ["a", "default", "client-a", "prod_2024", "v1.2", "x" * 64, "A-b_C.9"])
def test_valid_profile_names(config_dir, fail_keyring, name):
    store = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ={})
    store.save(name, canary_token())
    assert store.load(name).name == name


def test_env_token_serves_the_default_profile_only(config_dir, working_keyring):
    value, secret = canary_token(), canary_secret()
    env = {"META_ACCESS_TOKEN": f"  {value}\n", "META_APP_ID": "222", "META_APP_SECRET": secret}
    store = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ=env)
    got = store.load()
    assert got.backend == "env" and got.token.get_secret_value() == value
    assert got.app_id == "222" and got.app_secret == secret and got.saved_at is None
    assert store.exists(None) and store.profiles() == ["default"]
    with pytest.raises(ProfileNotFound) as caught:
        store.load("work")  # a named profile never gets the env token
    assert "only serves the default profile" in str(caught.value)

    # Facts cached for the env token stay with that token only.
    store.update_info(None, _info("222"))
    assert store.load().info is not None and store.load().checked_at is not None
    env["META_ACCESS_TOKEN"] = canary_token()
    assert store.load().info is None

    # Read-only: delete cannot remove it.
    assert store.delete("default") is False
    assert store.load().backend == "env"

    # A stored profile wins over the environment.
    stored = canary_token()
    store.save("default", stored)
    assert store.load().token.get_secret_value() == stored and store.load().backend == "keyring"


def test_bad_env_token_is_explained(config_dir, fail_keyring):
    store = TokenStore(
        config_dir=config_dir, keyring_backend=fail_keyring, environ={"META_ACCESS_TOKEN": "EAA abc def"}
    )
    with pytest.raises(ProfileNotFound, match="does not hold a usable token"):
        store.load()


def test_profile_not_found_says_how_to_get_one(config_dir, working_keyring):
    store = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={})
    with pytest.raises(ProfileNotFound) as caught:
        store.load()
    text = str(caught.value)
    assert "'default'" in text and "%meta_login" in text and "meta-auth login" in text and "META_ACCESS_TOKEN" in text
    assert caught.value.profile == "default"
    with pytest.raises(ProfileNotFound) as named:
        store.load("work")
    assert "%meta_login --profile work" in str(named.value)
    copy = pickle.loads(pickle.dumps(named.value))
    assert isinstance(copy, ProfileNotFound) and copy.profile == "work" and str(copy) == str(named.value)
    assert type(named.value).__module__ == "meta_auth_nb.store"


def test_delete_profiles_exists(config_dir, working_keyring):
    store = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={})
    for name in ("zeta", "alpha", "Mid"):
        store.save(name, canary_token(), app_secret=canary_secret(), app_id="1")
    assert store.profiles() == ["Mid", "alpha", "zeta"]
    assert store.exists("alpha") and not store.exists("beta")
    assert store.delete("alpha") is True
    assert store.delete("alpha") is False
    assert store.profiles() == ["Mid", "zeta"] and not store.exists("alpha")
    assert working_keyring.get_password(SERVICE, "alpha:token") is None
    assert working_keyring.get_password(SERVICE, "alpha:app_secret") is None
    with pytest.raises(ProfileNotFound):
        store.load("alpha")
    assert set(json.loads(store.index_path.read_text())["profiles"]) == {"Mid", "zeta"}


def test_update_info_caches_facts_without_rewriting_secrets(config_dir, working_keyring):
    store = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={})
    value, secret = canary_token(), canary_secret()
    store.save("p", value, app_id="111", app_secret=secret)
    assert store.load("p").info is None and store.load("p").checked_at is None

    written: list[tuple] = []
    original_set = working_keyring.set_password
    working_keyring.set_password = lambda *a: written.append(a) or original_set(*a)
    try:
        when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
        store.update_info("p", _info("111"), checked_at=when)
    finally:
        del working_keyring.set_password
    assert written == []  # no secret rewrite
    loaded = store.load("p")
    assert loaded.info == _info("111") or loaded.info.app_id == "111"
    assert loaded.checked_at == when
    assert loaded.token.get_secret_value() == value and loaded.app_secret == secret
    assert loaded.token.expires_at == loaded.info.expires_at  # expiry learnt from debug_token
    with pytest.raises(ProfileNotFound):
        store.update_info("nobody", _info())


def test_app_secret_only_when_asked(config_dir, working_keyring):
    store = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={})
    assert store.save("p", canary_token(), app_id="111").app_secret is None
    assert working_keyring.get_password(SERVICE, "p:app_secret") is None
    secret = canary_secret()
    assert store.save("p", canary_token(), app_id="111", app_secret=secret).has_app_secret
    # A re-login for the same app keeps it...
    kept = store.save("p", canary_token(), app_id="111")
    assert kept.app_secret == secret and store.load("p").app_secret == secret
    # ...unless told not to, and a token of another app never gets it.
    assert store.save("p", canary_token(), app_id="999").app_secret is None
    assert working_keyring.get_password(SERVICE, "p:app_secret") is None
    store.save("p", canary_token(), app_id="111", app_secret=secret)
    assert store.save("p", canary_token(), app_id="111", keep_app_secret=False).app_secret is None
    assert store.load("p").app_secret is None


def test_index_file_and_folder_modes_and_contents(config_dir, working_keyring):
    store = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={})
    value = canary_token()
    store.save("p", value, app_id="111", info=_info(), app_secret=canary_secret())
    doc = json.loads(store.index_path.read_text(encoding="utf-8"))
    record = doc["profiles"]["p"]
    assert record["token"] == AccessToken(value).masked and record["has_app_secret"] is True
    assert record["app_id"] == "111" and record["info"]["type"] == "USER" and record["backend"] == "keyring"
    if sys.platform != "win32":
        assert stat.S_IMODE(store.index_path.stat().st_mode) == 0o600
        assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    leftovers = [p.name for p in config_dir.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_corrupt_index_is_moved_aside(config_dir, working_keyring, caplog):
    store = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={})
    store.save("keep", canary_token())
    store.index_path.write_text("{ not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="meta_auth_nb"):
        store.save("fresh", canary_token())
    aside = list(config_dir.glob("profiles.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == "{ not json"
    assert any("moved aside" in r.getMessage() for r in caplog.records)
    assert json.loads(store.index_path.read_text())["profiles"].keys() == {"fresh"}
    # The keyring entry outlives the index: still loadable by name.
    assert store.load("keep").backend == "keyring"
    # A reader alone (no write pending) also recovers.
    store.index_path.write_text("[1, 2", encoding="utf-8")
    assert store.profiles() == []
    assert len(list(config_dir.glob("profiles.json.corrupt-*"))) == 2


def test_lost_index_keyring_token_still_loads(config_dir, working_keyring):
    store = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={})
    value = canary_token()
    store.save("p", value, app_id="111", info=_info())
    store.index_path.unlink()
    loaded = store.load("p")
    assert loaded.token.get_secret_value() == value and loaded.info is None and loaded.app_id is None
    store.update_info("p", _info("111"))
    assert store.load("p").info is not None and store.profiles() == ["p"]


def test_stale_index_facts_are_not_attached_to_another_token(config_dir, working_keyring):
    store = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={})
    store.save("p", canary_token(), app_id="111", info=_info())
    working_keyring.set_password(SERVICE, "p:token", canary_token())  # changed behind the store's back
    assert store.load("p").info is None


def test_stored_profile_repr_and_public_dict(config_dir, working_keyring):
    store = TokenStore(config_dir=config_dir, keyring_backend=working_keyring, environ={})
    value, secret = canary_token(), canary_secret()
    saved = store.save("p", value, app_id="111", app_secret=secret, info=_info())
    for text in (repr(saved), str(saved), f"{saved}", json.dumps(saved.to_public_dict())):
        assert value not in text and secret not in text
    assert "app_secret=<stored>" in repr(saved) and saved.token.masked in repr(saved)
    public = saved.to_public_dict()
    assert public["token"] == saved.token.masked and public["has_app_secret"] is True
    assert public["info"]["app_id"] == "111" and "app_secret" not in public
    assert isinstance(saved, StoredProfile) and saved.persistent


def test_memory_profiles_are_shared_in_the_kernel_but_not_across_folders(tmp_path, fail_keyring):
    one = TokenStore(config_dir=tmp_path / "one", keyring_backend=fail_keyring, environ={})
    two = TokenStore(config_dir=tmp_path / "one", keyring_backend=fail_keyring, environ={})
    other = TokenStore(config_dir=tmp_path / "other", keyring_backend=fail_keyring, environ={})
    value = canary_token()
    one.save("p", value)
    assert two.load("p").token.get_secret_value() == value and two.profiles() == ["p"]
    assert other.profiles() == [] and not other.exists("p")


def test_memory_profile_of_an_earlier_kernel_is_explained(config_dir, fail_keyring):
    from meta_auth_nb.store.memory import vault

    store = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ={})
    store.save("p", canary_token())
    vault.clear()  # what a kernel restart does to the memory store
    assert store.profiles() == [] and not store.exists("p")
    with pytest.raises(ProfileNotFound, match="earlier kernel"):
        store.load("p")
    assert store.delete("p") is True  # clears the stale index entry
    assert "p" not in json.loads(store.index_path.read_text())["profiles"]


def test_profile_saved_in_keyring_unreachable_here(config_dir, fail_keyring):
    keyring = DictKeyring()
    TokenStore(config_dir=config_dir, keyring_backend=keyring, environ={}).save("p", canary_token())
    headless = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ={})
    assert headless.profiles() == []
    with pytest.raises(ProfileNotFound, match="system keyring, which cannot be used here"):
        headless.load("p")
    with pytest.raises(StoreError, match="was not deleted"):
        headless.delete("p")
    assert "p" in json.loads(headless.index_path.read_text())["profiles"]


def test_unwritable_config_folder_still_saves(tmp_path, working_keyring, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = TokenStore(config_dir=blocker / "cfg", keyring_backend=working_keyring, environ={})
    value = canary_token()
    with caplog.at_level(logging.WARNING, logger="meta_auth_nb"):
        saved = store.save("p", value, app_id="111")
    assert saved.backend == "keyring"
    assert store.load("p").token.get_secret_value() == value
    assert any("profile index" in r.getMessage() for r in caplog.records)
