"""Two processes saving different profiles into one config folder at the same moment lose nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from meta_auth_nb.store import TokenStore

PER_PROCESS = 20

WRITER = textwrap.dedent(
    """
    import json, os, secrets, string, sys, time
    from meta_auth_nb.store import TokenStore
    config_dir, prefix, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    store = TokenStore(config_dir=config_dir)
    store.backend_name  # resolve the keyring before the race starts
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.002)
    masks = {}
    alnum = string.ascii_letters + string.digits
    for i in range(count):
        token = "EAA" + "".join(secrets.choice(alnum) for _ in range(160))
        saved = store.save(f"{prefix}-{i:02d}", token, app_id=str(1000 + i))
        masks[saved.name] = [saved.token.masked, saved.backend]
    print(json.dumps(masks), flush=True)
    """
)


def _race(tmp_path, backend_path: str, extra_env: dict[str, str]) -> dict[str, list[str]]:
    config_dir, go = tmp_path / "cfg", tmp_path / "go"
    env = {k: v for k, v in os.environ.items() if not k.startswith("META_")}
    env.update(extra_env, PYTHON_KEYRING_BACKEND=backend_path)
    procs: list[subprocess.Popen] = []
    try:
        # Started one after the other (each has checked the keyring before the next
        # starts), then released together: the race is over the saves alone.
        for prefix in ("left", "right"):
            proc = subprocess.Popen(
                [sys.executable, "-c", WRITER, str(config_dir), prefix, str(PER_PROCESS), str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            procs.append(proc)
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        go.touch()
        results: dict[str, list[str]] = {}
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            results.update(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return results


def _check_index(config_dir, expected: dict[str, list[str]]) -> None:
    doc = json.loads((config_dir / "profiles.json").read_text(encoding="utf-8"))  # valid JSON
    profiles = doc["profiles"]
    assert len(expected) == 2 * PER_PROCESS
    assert set(profiles) == set(expected)
    for name, (masked, backend) in expected.items():
        assert profiles[name]["token"] == masked and profiles[name]["backend"] == backend
    assert not list(config_dir.glob("profiles.json.corrupt-*"))
    assert not [p for p in config_dir.iterdir() if p.name.endswith(".tmp")]


def test_concurrent_writers_without_keyring(tmp_path):
    # Secrets stay in each process's memory; the shared index is what is raced.
    results = _race(tmp_path, "keyring.backends.fail.Keyring", {})
    assert {backend for _, backend in results.values()} == {"memory"}
    _check_index(tmp_path / "cfg", results)


@pytest.mark.keyring
def test_concurrent_writers_with_the_real_keyring(tmp_path, own_secret_service, monkeypatch):
    # A daemon of its own: a stress test must not leave the shared one in a state later tests would meet.
    if own_secret_service.collection:
        pytest.skip("the private keyring has no default collection a fresh process could use")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", own_secret_service.address)
    secret_service_keyring = own_secret_service.keyring()
    results = _race(tmp_path, "keyring.backends.SecretService.Keyring", own_secret_service.env())
    assert {backend for _, backend in results.values()} == {"keyring"}
    _check_index(tmp_path / "cfg", results)
    # Another "kernel" sees all 40, tokens included.
    store = TokenStore(config_dir=tmp_path / "cfg", keyring_backend=secret_service_keyring, environ={})
    assert store.profiles() == sorted(results)
    for name in ("left-00", "right-19"):
        loaded = store.load(name)
        assert loaded.token.masked == results[name][0] and loaded.backend == "keyring"


def test_concurrent_threads_in_one_kernel(config_dir, fail_keyring):
    from concurrent.futures import ThreadPoolExecutor

    from store_helpers import canary_token

    def writer(prefix: str) -> None:
        store = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ={})
        for i in range(10):
            store.save(f"{prefix}-{i}", canary_token())

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(writer, ["a", "b", "c", "d"]))
    store = TokenStore(config_dir=config_dir, keyring_backend=fail_keyring, environ={})
    assert len(store.profiles()) == 40
    assert len(json.loads((config_dir / "profiles.json").read_text())["profiles"]) == 40


def test_two_kernels_saving_one_profile_leave_its_keyring_entry_and_record_agreeing(config_dir):
    """Each save writes the keyring and the index as one: a second save waits for the first to finish."""
    import threading

    from store_helpers import DictKeyring, canary_secret, canary_token

    from meta_auth_nb.store.keyring_source import SERVICE, secret_key, token_key

    first, second, secret = canary_token(), canary_token(), canary_secret()
    paused, resume = threading.Event(), threading.Event()

    class PausingKeyring(DictKeyring):
        # Pauses the first save between its token and its app secret: the moment
        # another kernel's save of the same profile could slip in.
        def set_password(self, service: str, username: str, password: str) -> None:
            super().set_password(service, username, password)
            if username == token_key("shared") and password == first:
                paused.set()
                resume.wait(30)

    shared = PausingKeyring()
    kernel_a = TokenStore(config_dir=config_dir, keyring_backend=shared, environ={})
    kernel_b = TokenStore(config_dir=config_dir, keyring_backend=shared, environ={})
    saving_a = threading.Thread(
        target=kernel_a.save, args=("shared", first), kwargs={"app_id": "1", "app_secret": secret}
    )
    saving_b = threading.Thread(target=kernel_b.save, args=("shared", second), kwargs={"app_id": "2"})
    saving_a.start()
    assert paused.wait(30)
    saving_b.start()
    saving_b.join(1.0)
    b_finished_while_a_was_mid_save = not saving_b.is_alive()
    resume.set()
    saving_a.join(30)
    saving_b.join(30)

    assert not b_finished_while_a_was_mid_save
    # The later save won wholly: its token, its app, and no app secret of the other app.
    record = json.loads((config_dir / "profiles.json").read_text())["profiles"]["shared"]
    assert shared.get_password(SERVICE, token_key("shared")) == second
    assert shared.get_password(SERVICE, secret_key("shared")) is None
    assert record["app_id"] == "2" and record["has_app_secret"] is False
    loaded = TokenStore(config_dir=config_dir, keyring_backend=shared, environ={}).load("shared")
    assert loaded.token.get_secret_value() == second and loaded.app_id == "2" and loaded.app_secret is None
