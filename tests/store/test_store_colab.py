"""Colab: read-only tokens from the Secrets panel, through a stand-in google.colab.userdata module."""

from __future__ import annotations

import logging
import sys
import types

import pytest
from store_helpers import canary_secret, canary_token, make_colab_userdata

from meta_auth_nb._base.tokens import TokenInfo
from meta_auth_nb.store import ProfileNotFound, TokenStore, colab


def test_colab_secret_serves_the_default_profile(config_dir, fail_keyring):
    value, secret = canary_token(), canary_secret()
    userdata = make_colab_userdata({"META_ACCESS_TOKEN": value, "META_APP_ID": "333", "META_APP_SECRET": secret})
    store = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ={}, colab_userdata=userdata)
    got = store.load()
    assert got.backend == "colab" and got.token.get_secret_value() == value
    assert got.app_id == "333" and got.app_secret == secret and got.persistent
    userdata.calls.clear()
    with pytest.raises(ProfileNotFound):
        store.load("other")
    assert userdata.calls == []  # a named profile never reads the default's secret
    # Listing never reads Colab secrets (a read can open Colab's access prompt).
    assert store.profiles() == [] and userdata.calls == []
    store.update_info(None, TokenInfo(is_valid=True, app_id="333", type="USER"))
    assert store.load().info.type == "USER"
    assert store.delete(None) is False and store.load().backend == "colab"


def test_colab_secret_before_environment(config_dir, fail_keyring):
    value = canary_token()
    userdata = make_colab_userdata({"META_ACCESS_TOKEN": value})
    env = {"META_ACCESS_TOKEN": canary_token(), "META_APP_ID": "444"}
    store = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ=env, colab_userdata=userdata)
    got = store.load()
    assert got.backend == "colab" and got.token.get_secret_value() == value and got.app_id == "444"


def test_missing_colab_secret_falls_through(config_dir, fail_keyring):
    userdata = make_colab_userdata({})
    env = {"META_ACCESS_TOKEN": canary_token()}
    store = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ=env, colab_userdata=userdata)
    assert store.load().backend == "env"
    empty = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ={}, colab_userdata=userdata)
    with pytest.raises(ProfileNotFound) as caught:
        empty.load()
    assert "Secrets panel" in str(caught.value) and "META_ACCESS_TOKEN" in str(caught.value)


def test_colab_secret_without_notebook_access_is_explained(config_dir, fail_keyring):
    userdata = make_colab_userdata({"META_ACCESS_TOKEN": canary_token()}, no_access={"META_ACCESS_TOKEN"})
    store = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ={}, colab_userdata=userdata)
    with pytest.raises(ProfileNotFound, match="Notebook access"):
        store.load()


def test_unexpected_colab_failure_falls_through(config_dir, fail_keyring):
    userdata = make_colab_userdata({})

    def get(key):
        raise TimeoutError("frontend did not answer")

    userdata.get = get
    env = {"META_ACCESS_TOKEN": canary_token()}
    store = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ=env, colab_userdata=userdata)
    assert store.load().backend == "env"


def test_saving_on_colab_keeps_memory_and_points_to_the_secrets_panel(config_dir, fail_keyring, caplog):
    caplog.set_level(logging.WARNING, logger="meta_auth_nb")
    old = canary_token()
    userdata = make_colab_userdata({"META_ACCESS_TOKEN": old})
    store = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ={}, colab_userdata=userdata)
    assert store.in_colab and store.backend_name == "memory"
    notice = store.notice
    assert "Colab" in notice and "key icon" in notice and "META_ACCESS_TOKEN" in notice and "Notebook access" in notice
    new = canary_token()
    assert store.save(None, new).backend == "memory"
    # The token just saved (maybe because the secret's one expired) wins in this runtime.
    assert store.load().token.get_secret_value() == new and store.load().backend == "memory"
    assert [r.getMessage() for r in caplog.records if "Secrets panel" in r.getMessage()] == [notice]
    assert new not in caplog.text and old not in caplog.text


def test_detection_through_sys_modules(config_dir, fail_keyring, monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", None)  # makes the import fail, as outside Colab
    assert colab.in_colab() is False and colab.userdata_module() is None

    value = canary_token()
    userdata = make_colab_userdata({"META_ACCESS_TOKEN": value})
    package = types.ModuleType("google.colab")
    package.userdata = userdata
    monkeypatch.setitem(sys.modules, "google.colab", package)
    monkeypatch.setitem(sys.modules, "google.colab.userdata", userdata)
    assert colab.in_colab() is True and colab.userdata_module() is userdata
    store = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ={})
    assert store.in_colab and store.load().token.get_secret_value() == value
