"""A profile index someone else could have written is not believed; a corrupt or busy one loses nothing.

The index says which app a login goes to, where its code is sent and which
configuration it uses, so a planted one would send the next "Log in with
Facebook" to another app. Where the machine allows (root, here) the planting
is done by a second user for real, a process running under another uid;
otherwise the same files are planted by the test itself.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

import pytest
from store_helpers import DictKeyring, canary_token

from meta_auth_nb._base.redact import mask
from meta_auth_nb.store import TokenStore

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX file owners and modes")

#: The other account: any uid without an entry in /etc/passwd does (root can run a process as it).
INTRUDER_UID = 4242
THEIRS = {"app_id": "666666666666666", "redirect_uri": "https://intruder.example/cb", "config_id": "1313131313"}

PLANT = textwrap.dedent(
    """
    import json, os, sys
    folder, masked, theirs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    record = {"token": masked, "backend": "keyring", "has_app_secret": False, **theirs}
    doc = {"format": "meta_auth_nb profile index", "version": 1, "profiles": {"work": record}}
    temp = os.path.join(folder, ".planted")
    with open(temp, "w") as out:
        json.dump(doc, out)
    os.chmod(temp, 0o644)
    os.replace(temp, os.path.join(folder, "profiles.json"))  # a folder others can write: theirs to replace
    print(os.stat(os.path.join(folder, "profiles.json")).st_uid)
    """
)


def _save_mine(config_dir: Path, keyring: DictKeyring) -> str:
    token = canary_token()
    store = TokenStore(config_dir=config_dir, keyring_backend=keyring, environ={})
    store.save("work", token, app_id="111111111111111", redirect_uri="https://mine.example/cb", config_id="2222")
    return token


def _python_for(uid: int) -> str:
    """A Python the other user can run (this one may live in a folder private to this user), or skip."""
    for candidate in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if not candidate:
            continue
        try:
            subprocess.run(
                [candidate, "-I", "-S", "-c", ""], user=uid, group=uid, extra_groups=[], check=True, timeout=60
            )
        except (OSError, subprocess.SubprocessError):
            continue
        return candidate
    pytest.skip(f"no Python on this machine can be run by a second user (uid {uid})")


def _plant_as(uid: int | None, config_dir: Path, token: str) -> None:
    """Replace the index with one that keeps the masked token and names the intruder's app, as ``uid``."""
    python = sys.executable if uid is None else _python_for(uid)
    argv = [python, "-I", "-S", "-c", PLANT, str(config_dir), mask(token), json.dumps(THEIRS)]
    extra = {} if uid is None else {"user": uid, "group": uid, "extra_groups": []}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True, **extra)
    assert int(done.stdout) == (os.getuid() if uid is None else uid)


def _loaded(config_dir: Path, keyring: DictKeyring):
    return TokenStore(config_dir=config_dir, keyring_backend=keyring, environ={}).load("work")


@pytest.fixture
def shared_dir():
    """A folder another user can reach (pytest's own tmp folders are private to this user)."""
    base = Path(tempfile.mkdtemp(prefix="meta-auth-shared-"))
    os.chmod(base, 0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.skipif(os.getuid() != 0, reason="running a process as a second user needs root")
def test_an_index_planted_by_another_user_is_not_believed(shared_dir, caplog):
    config_dir, keyring = shared_dir / "cfg", DictKeyring()
    token = _save_mine(config_dir, keyring)
    os.chmod(config_dir, 0o777)  # the folder became 0777 (a careless chmod -R, a restored backup)
    _plant_as(INTRUDER_UID, config_dir, token)

    with caplog.at_level(logging.WARNING, logger="meta_auth_nb"):
        loaded = _loaded(config_dir, keyring)
    assert loaded.token.get_secret_value() == token  # the keyring's token, as before
    assert (loaded.app_id, loaded.redirect_uri, loaded.config_id) == (None, None, None)  # none of theirs
    assert "other users can write in its folder (mode 777)" in caplog.text
    assert f"Run `chmod 700 {config_dir}`" in caplog.text and "was not used" in caplog.text

    # The folder fixed, the file is still theirs: still not believed, and why.
    os.chmod(config_dir, 0o700)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="meta_auth_nb"):
        assert _loaded(config_dir, keyring).app_id is None
    assert f"it belongs to another user (uid {INTRUDER_UID})" in caplog.text and "rm " in caplog.text

    # The next save sets their file aside and starts an index of its own.
    TokenStore(config_dir=config_dir, keyring_backend=keyring, environ={}).save("work", token, app_id="111111111111111")
    (aside,) = config_dir.glob("profiles.json.untrusted-*")
    assert (
        aside.stat().st_uid == INTRUDER_UID
        and json.loads(aside.read_text())["profiles"]["work"]["app_id"] == "666666666666666"
    )
    assert (config_dir / "profiles.json").stat().st_uid == os.getuid()
    assert _loaded(config_dir, keyring).app_id == "111111111111111"


def test_an_index_in_a_folder_others_can_write_is_not_believed(config_dir, caplog):
    keyring = DictKeyring()
    token = _save_mine(config_dir, keyring)
    os.chmod(config_dir, 0o777)
    _plant_as(None, config_dir, token)  # planted by this user here: the folder alone makes it unbelievable

    with caplog.at_level(logging.WARNING, logger="meta_auth_nb"):
        loaded = _loaded(config_dir, keyring)
    assert (loaded.app_id, loaded.redirect_uri, loaded.config_id) == (None, None, None)
    assert "other users can write in its folder" in caplog.text and token not in caplog.text

    # A group-writable folder too (umask 002); told once per process, not on every read.
    os.chmod(config_dir, 0o770)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="meta_auth_nb"):
        for _ in range(3):
            assert _loaded(config_dir, keyring).app_id is None
    assert caplog.text.count("was not used") == 1 and "(mode 770)" in caplog.text


def test_an_index_file_others_can_change_is_not_believed_and_is_set_aside_before_a_write(config_dir, caplog):
    keyring = DictKeyring()
    token = _save_mine(config_dir, keyring)
    _plant_as(None, config_dir, token)
    os.chmod(config_dir / "profiles.json", 0o666)

    with caplog.at_level(logging.WARNING, logger="meta_auth_nb"):
        assert _loaded(config_dir, keyring).app_id is None
    assert "other users can change it (mode 666)" in caplog.text and "chmod 600" in caplog.text

    # A folder that was loose too: tightening it must not make the file believable.
    os.chmod(config_dir, 0o777)
    store = TokenStore(config_dir=config_dir, keyring_backend=keyring, environ={})
    store.save("other", canary_token())
    assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    assert len(list(config_dir.glob("profiles.json.untrusted-*"))) == 1
    assert set(json.loads((config_dir / "profiles.json").read_text())["profiles"]) == {"other"}


def test_something_else_under_the_index_name_is_not_read(config_dir, caplog):
    keyring = DictKeyring()
    _save_mine(config_dir, keyring)
    (config_dir / "profiles.json").unlink()
    os.mkfifo(config_dir / "profiles.json")  # reading a FIFO would block the kernel
    with caplog.at_level(logging.WARNING, logger="meta_auth_nb"):
        assert _loaded(config_dir, keyring).app_id is None
    assert "it is not a regular file" in caplog.text


def test_a_corrupt_index_holding_a_token_says_so_without_the_token(config_dir, caplog):
    keyring = DictKeyring()
    token = _save_mine(config_dir, keyring)
    # Cut short mid-write by a crash of some other tool, and holding a raw token (hand-edited).
    (config_dir / "profiles.json").write_text('{"profiles": {"work": {"token": "' + token, encoding="utf-8")
    with caplog.at_level(logging.DEBUG, logger="meta_auth_nb"):
        loaded = _loaded(config_dir, keyring)
    assert loaded.token.get_secret_value() == token and loaded.app_id is None  # from the keyring
    assert "not valid JSON" in caplog.text and token not in caplog.text
    (aside,) = config_dir.glob("profiles.json.corrupt-*")  # kept for the user to look at, masked
    assert token not in aside.read_text() and mask(token) in aside.read_text()
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600


def test_an_index_read_while_others_write_it_is_always_whole(config_dir):
    keyring = DictKeyring()
    _save_mine(config_dir, keyring)
    writer = TokenStore(config_dir=config_dir, keyring_backend=keyring, environ={})
    stop = threading.Event()

    def write() -> None:
        for i in range(150):
            writer.save(f"p{i % 10}", canary_token(), app_id=str(1000 + i))
        stop.set()

    thread = threading.Thread(target=write)
    thread.start()
    reader = TokenStore(config_dir=config_dir, keyring_backend=keyring, environ={})
    reads = 0
    while not stop.is_set():
        assert "work" in reader._index.read()  # never half a file, never an empty index
        assert reader.load("work").app_id == "111111111111111"
        reads += 1
    thread.join()
    assert reads > 0 and not list(config_dir.glob("profiles.json.*-*"))
