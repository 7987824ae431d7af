"""The Sandbox object itself, the /__sandbox__/ endpoints, the request log and the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sandbox_helpers import bearer, graph_error, read_banner

from meta_auth_nb.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]


def test_identity_is_deterministic_from_the_seed() -> None:
    a, b, c = Sandbox(seed=1), Sandbox(seed=1), Sandbox(seed=2)
    assert re.fullmatch(r"[1-9]\d{15}", a.app_id)
    assert re.fullmatch(r"[0-9a-f]{32}", a.app_secret)
    assert (a.app_id, a.app_secret, a.user_id("alice")) == (b.app_id, b.app_secret, b.user_id("alice"))
    assert a.app_secret != c.app_secret
    assert a.users == ["alice", "bob", "carol", "dana"]
    assert len(a.ad_account_ids("alice")) == 2 and len(a.ad_account_ids("carol")) == 1
    assert all(x.startswith("act_") for x in a.ad_account_ids())
    assert set(Sandbox.scenarios) == {
        "expiring-token",
        "declined-ads-read",
        "password-changed",
        "rate-limited",
        "insights-at-scale",
    }
    with pytest.raises(RuntimeError):
        a.graph_url  # noqa: B018 - not started


def test_start_stop_env_and_loopback() -> None:
    sb = Sandbox().start()
    try:
        assert sb.start() is sb
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sb.graph_url)
        assert sb.env() == {
            "META_GRAPH_URL": sb.graph_url,
            "META_DIALOG_URL": sb.dialog_url,
            "META_APP_ID": sb.app_id,
            "META_APP_SECRET": sb.app_secret,
        }
        with httpx.Client() as c:
            assert c.get(sb.graph_url + "/me").status_code == 400
            url = sb.graph_url
    finally:
        sb.stop()
    sb.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "/me", timeout=2)


def test_keep_alive_reuses_one_connection(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    for _ in range(3):
        assert http.get("/me", headers=bearer(token)).headers.get("connection", "keep-alive") != "close"
    assert len(http._transport._pool.connections) == 1  # type: ignore[attr-defined]


def test_clock(sb: Sandbox) -> None:
    before = sb.now()
    assert sb.advance(3600) >= before + 3600
    with pytest.raises(ValueError):
        sb.advance(-1)


def test_control_endpoints(sb: Sandbox) -> None:
    with httpx.Client(base_url=sb.graph_url) as c:
        info = c.get("/__sandbox__/info").json()
        assert info["app_id"] == sb.app_id and info["system_user_id"] == sb.system_user_id
        assert info["users"] == ["alice", "bob", "carol", "dana"]
        assert info["roles"] == {"alice": "administrator", "bob": "developer", "carol": "tester"}
        assert info["app_mode"] == "development" and info["redirect_uris"] == []
        assert set(info["login_configs"]) == {sb.config_id("user"), sb.config_id("system_user")}
        assert info["ad_accounts"]["alice"] == sb.ad_account_ids("alice")
        assert sb.app_secret not in c.get("/__sandbox__/info").text
        token = c.post(
            "/__sandbox__/issue_token", json={"user": "bob", "scopes": ["ads_management"], "lifetime_s": 60}
        ).json()["access_token"]
        assert c.get("/v25.0/me", headers=bearer(token)).json()["name"] == "Bob Buyer"
        now = c.post("/__sandbox__/advance", data={"seconds": "61"}).json()["now"]
        assert now >= sb.now() - 1
        assert graph_error(c.get("/v25.0/me", headers=bearer(token)))["error_subcode"] == 463
        alice = c.post("/__sandbox__/issue_token", data={"kind": "user"}).json()["access_token"]
        assert c.post("/__sandbox__/change_password", json={"user": "alice"}).json()["success"] is True
        assert graph_error(c.get("/v25.0/me", headers=bearer(alice)))["error_subcode"] == 460
        assert c.post("/__sandbox__/change_password", json={"user": "zed"}).status_code == 400
        assert c.post("/__sandbox__/faults", json={"latency_ms": 0}).json()["fault_rate"] == 0
        assert c.post("/__sandbox__/throttle", json={"seconds": 0}).status_code == 200
        assert c.post("/__sandbox__/nope").status_code == 404
        assert c.post("/__sandbox__/advance", json={}).status_code == 400


def test_request_log_never_holds_the_token(sb: Sandbox, http: httpx.Client) -> None:
    token = sb.issue_token()
    http.get("/me", headers=bearer(token))
    http.get("/me", params={"access_token": token, "fields": "id"})
    httpx.get(sb.graph_url + "/__sandbox__/info")
    log = sb.request_log
    assert log[-2:] == [("GET", "/v25.0/me", True, []), ("GET", "/v25.0/me", False, ["access_token", "fields"])]
    assert token not in repr(log)
    assert all("__sandbox__" not in e.path for e in log)


def test_cli_prints_app_id_and_stops() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "meta_auth_nb.sandbox",
            "--port",
            "0",
            "--seed",
            "4",
            "--scenario",
            "expiring-token",
            "--insights-rows",
            "10",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        out = read_banner(proc)
        expected = Sandbox(seed=4)
        assert expected.app_id in out and expected.app_secret in out
        m = re.search(r"export META_GRAPH_URL=(\S+) META_DIALOG_URL=(\S+) META_APP_ID=(\d+) META_APP_SECRET=(\w+)", out)
        assert m and m.group(3) == expected.app_id
        assert "expiring-token" in out and "5 minutes" in out
        info = httpx.get(m.group(1) + "/__sandbox__/info", timeout=5).json()
        assert info["app_id"] == expected.app_id and info["insights_rows"] == 10
    finally:
        proc.terminate()
        rest, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopped" in rest


def test_cli_main_rejects_unknown_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    from meta_auth_nb.sandbox.cli import main

    with pytest.raises(SystemExit):
        main(["--scenario", "nope"])
    assert "invalid choice" in capsys.readouterr().err


def test_control_endpoints_change_the_app_settings(sb: Sandbox) -> None:
    with httpx.Client(base_url=sb.graph_url) as c:
        done = c.post("/__sandbox__/register_redirect_uri", data={"uri": "https://example.com/meta-login"}).json()
        assert done == {"redirect_uris": ["https://example.com/meta-login"]}
        refused = c.post("/__sandbox__/register_redirect_uri", data={"uri": "http://example.com/cb"})
        assert refused.status_code == 400 and "HTTPS" in refused.json()["error"]["message"]
        assert c.post("/__sandbox__/app_mode", data={"mode": "live"}).json() == {"app_mode": "live"}
        assert c.post("/__sandbox__/app_mode", data={"mode": "beta"}).status_code == 400
    assert sb.app_mode == "live" and sb.redirect_uris == ["https://example.com/meta-login"]
