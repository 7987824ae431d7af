"""A canary token and app secret go through the whole store life cycle and never show up anywhere."""

from __future__ import annotations

import json
import logging
import traceback
from datetime import datetime, timedelta, timezone

import pytest
from store_helpers import canary_secret, canary_token, make_colab_userdata

from meta_auth_nb._base.tokens import AccessToken, TokenInfo
from meta_auth_nb.store import ProfileNotFound, StoreError, TokenStore


def _files_text(folder) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes() if p.is_file() else b"") for p in folder.rglob("*")] if folder.exists() else []


def _assert_clean(texts: list[str], files, canaries: list[str]) -> None:
    for canary in canaries:
        for text in texts:
            assert canary not in text
        for name, data in files:
            assert canary not in name and canary.encode() not in data


def test_canary_never_leaks(config_dir, any_keyring, caplog, capsys):
    caplog.set_level(logging.DEBUG)  # every logger, every level
    token, secret = canary_token(), canary_secret()
    canaries = [token, secret]
    seen: list[str] = []
    now = datetime.now(timezone.utc)

    store = TokenStore(config_dir=config_dir, keyring_backend=any_keyring, environ={})
    seen += [repr(store), str(store.notice)]
    saved = store.save(
        "canary",
        AccessToken(token, expires_at=now + timedelta(hours=1)),
        app_id="777",
        app_secret=secret,
        info=TokenInfo(is_valid=True, app_id="777", type="USER"),
        required_scopes=["ads_read"],
    )
    loaded = TokenStore(config_dir=config_dir, keyring_backend=any_keyring, environ={}).load("canary")
    assert loaded.token.get_secret_value() == token and loaded.app_secret == secret
    store.update_info(
        "canary",
        TokenInfo(is_valid=False, app_id="777", error_code=190, error_subcode=463, error_message="Session has expired"),
    )
    again = store.load("canary")
    for profile in (saved, loaded, again):
        seen += [repr(profile), str(profile), f"{profile}", json.dumps(profile.to_public_dict()), repr(profile.token)]
    seen += [repr(store.profiles()), repr(store.exists("canary")), str(store.notice)]
    assert store.delete("canary") is True

    errors: list[BaseException] = []
    for call in (
        lambda: store.load("canary"),
        lambda: store.update_info("canary", again.info),
        lambda: store.save(token, token),
        lambda: store.load(secret),
    ):
        with pytest.raises(StoreError) as caught:
            call()
        errors.append(caught.value)
    assert isinstance(errors[0], ProfileNotFound)
    for exc in errors:
        seen += [str(exc), repr(exc), "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))]

    captured = capsys.readouterr()
    seen += [captured.out, captured.err, caplog.text]
    seen += [record.getMessage() for record in caplog.records]
    seen += [repr(record.args) for record in caplog.records]
    _assert_clean(seen, _files_text(config_dir), canaries)


def test_canary_from_environment_and_colab_never_leaks(config_dir, fail_keyring, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    env_token, colab_token, secret = canary_token(), canary_token(), canary_secret()
    env = {"META_ACCESS_TOKEN": env_token, "META_APP_SECRET": secret}
    for userdata in (None, make_colab_userdata({"META_ACCESS_TOKEN": colab_token, "META_APP_SECRET": secret})):
        store = TokenStore(
            config_dir=config_dir,
            keyring_backend=fail_keyring,
            environ=env,
            colab_userdata=userdata or make_colab_userdata({}),
        )
        got = store.load()
        store.update_info(None, TokenInfo(is_valid=True, type="USER"))
        seen = [repr(got), json.dumps(got.to_public_dict()), repr(store.load())]
        _assert_clean(seen, [], [env_token, colab_token, secret])
    captured = capsys.readouterr()
    _assert_clean([captured.out, captured.err, caplog.text], _files_text(config_dir), [env_token, colab_token, secret])
