"""Two processes saving different profiles into one config folder at the same moment lose nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

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
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(config_dir), prefix, str(PER_PROCESS), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for prefix in ("left", "right")
    ]
    try:
        for proc in procs:  # both fully started, then released together
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
    started = time.monotonic()
    results = _race(tmp_path, "keyring.backends.fail.Keyring", {})
    assert {backend for _, backend in results.values()} == {"memory"}
    _check_index(tmp_path / "cfg", results)
    assert time.monotonic() - started < 30


@pytest.mark.keyring
def test_concurrent_writers_with_the_real_keyring(tmp_path, secret_service, secret_service_keyring):
    if secret_service.collection:
        pytest.skip("the private keyring has no default collection a fresh process could use")
    results = _race(tmp_path, "keyring.backends.SecretService.Keyring", secret_service.env())
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
