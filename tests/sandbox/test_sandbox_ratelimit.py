"""The sandbox enforces Meta's Marketing API rate-limit model, over real HTTP.

Per ad account a score (read 1, write 3) decays linearly to zero over 300 s;
the call that would go past the tier's maximum (60 development, 9000
standard) is refused with 17/2446079 and the account is blocked (300 s /
60 s). Hourly business-use-case budgets answer 80000 / 80004. The rate-limit
clock can be moved and sped up; its headers always speak real seconds.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sandbox_helpers import bearer, read_banner

from meta_auth_nb.sandbox import Sandbox
from meta_auth_nb.sandbox.ratelimit import TIERS, Call, RateClock, RateLimits, minimum_seconds

ROOT = Path(__file__).resolve().parents[2]


def _get(http: httpx.Client, path: str, token: str) -> httpx.Response:
    return http.get(path, headers=bearer(token))


def _usage(resp: httpx.Response) -> tuple[dict, dict]:
    account = json.loads(resp.headers["x-ad-account-usage"])
    (entries,) = json.loads(resp.headers["x-business-use-case-usage"]).values()
    return account, entries[0]


@pytest.fixture
def dev():
    with Sandbox(tier="development") as box, httpx.Client(base_url=box.graph_url + "/v25.0", timeout=10) as http:
        yield box, http, box.issue_token(), box.ad_account_ids()[0]
        assert box.internal_errors == []


def test_sixty_reads_pass_and_the_next_is_refused_with_17_and_a_300_s_block(dev):
    box, http, token, act = dev
    for n in range(60):
        resp = _get(http, f"/{act}/insights", token)
        assert resp.status_code == 200, n
    account, buc = _usage(resp)
    assert account["ads_api_access_tier"] == "development_access" and account["acc_id_util_pct"] >= 99.9
    assert 295 <= account["reset_time_duration"] <= 300
    assert buc["type"] == "ads_insights" and buc["estimated_time_to_regain_access"] == 0
    assert set(json.loads(resp.headers["x-fb-ads-insights-throttle"])) == {"app_id_util_pct", "acc_id_util_pct"}

    refused = _get(http, f"/{act}/insights", token)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert (error["code"], error["error_subcode"], error["is_transient"]) == (17, 2446079, True)
    assert error["message"] == "(#17) User request limit reached" and error["error_user_title"]
    account, buc = _usage(refused)
    assert buc["estimated_time_to_regain_access"] == 5  # minutes, whole as Meta sends them
    assert account["ads_api_access_tier"] == "development_access"

    # Blocked: even once the score has decayed, until the block is over.
    box.advance_rate_limits(299)
    assert _get(http, f"/{act}/insights", token).json()["error"]["code"] == 17
    box.advance_rate_limits(1.5)
    assert _get(http, f"/{act}/insights", token).status_code == 200
    # Another account of the same user has its own score.
    other = box.ad_account_ids()[1]
    assert _get(http, f"/{other}/campaigns", token).status_code == 200


def test_the_score_decays_linearly_to_zero_over_300_s(dev):
    box, http, token, act = dev
    for _ in range(60):
        _get(http, f"/{act}/campaigns", token)
    box.advance_rate_limits(150)
    account, _ = _usage(_get(http, f"/{act}/campaigns", token))  # 30 + 1 points of 60
    assert 51.6 <= account["acc_id_util_pct"] <= 52.0 and 154 <= account["reset_time_duration"] <= 156
    box.advance_rate_limits(300)
    account, _ = _usage(_get(http, f"/{act}/campaigns", token))
    assert 1.66 <= account["acc_id_util_pct"] <= 1.7 and account["reset_time_duration"] == 5


def test_a_write_costs_three_points_and_refused_calls_cost_nothing(dev):
    box, http, token, act = dev
    for _ in range(20):  # 20 writes: 60 points (the route refuses the write itself, but it counted)
        http.post(f"/{act}/campaigns", data={"name": "x"}, headers=bearer(token))
    assert _get(http, f"/{act}/campaigns", token).json()["error"]["code"] == 17
    box.advance_rate_limits(300)  # the block is over and the score back to zero
    for _ in range(60):
        assert _get(http, f"/{act}/campaigns", token).status_code == 200


def test_standard_tier_holds_9000_points_and_blocks_60_s():
    clock = RateClock()
    limits = RateLimits(TIERS["standard"], clock)
    call = Call("act_1", "b", "ads_management")
    clock.set_speed(1e-9)  # time stands still while the score fills
    assert all(limits.admit(call) is None for _ in range(9000))
    refusal = limits.admit(call)
    assert refusal is not None and refusal.code == 17 and refusal.regain_s == pytest.approx(60 / 1e-9)
    clock.set_speed(1.0)
    clock.advance(60.01)
    assert limits.admit(call) is None  # 1800 points decayed during the block: room again


def test_hourly_business_use_case_budgets_answer_80000_and_80004(dev):
    box, http, token, act = dev
    for _ in range(5):  # 300 ads_management calls in 25 minutes, the score never full
        for _ in range(60):
            assert _get(http, f"/{act}/campaigns", token).status_code == 200
        box.advance_rate_limits(300)
    refused = _get(http, f"/{act}/campaigns", token)
    error = refused.json()["error"]
    assert (error["code"], error["error_subcode"]) == (80004, 2446079)
    _, buc = _usage(refused)
    assert buc["type"] == "ads_management" and buc["call_count"] == 100
    assert buc["estimated_time_to_regain_access"] == 35  # the oldest call leaves the hour in 35 minutes
    assert _get(http, f"/{act}/insights", token).status_code == 200  # insights have their own budget
    box.advance_rate_limits(35 * 60)
    assert _get(http, f"/{act}/campaigns", token).status_code == 200


def test_batch_items_count_one_by_one(dev):
    _, http, token, act = dev
    batch = json.dumps([{"method": "GET", "relative_url": f"{act}/insights?limit=1"}] * 40)
    first = http.post("/", data={"batch": batch}, headers=bearer(token)).json()
    second = http.post("/", data={"batch": batch}, headers=bearer(token)).json()
    assert all(item["code"] == 200 for item in first)
    assert [item["code"] for item in second] == [200] * 20 + [400] * 20
    assert json.loads(second[-1]["body"])["error"]["code"] == 17


def test_a_sped_up_clock_reports_real_seconds_and_a_client_that_waits_them_is_let_in():
    with (
        Sandbox(tier="development", rate_limit_speed=150) as box,
        httpx.Client(base_url=box.graph_url + "/v25.0", timeout=10) as http,
    ):
        token, act = box.issue_token(), box.ad_account_ids()[0]
        first = _get(http, f"/{act}/insights", token)
        account, _ = _usage(first)
        # One point decays in 300 / 60 = 5 model seconds: 5 / 150 of a real second.
        assert 0.033 <= account["reset_time_duration"] <= 0.034
        for _ in range(1000):  # the score decays as the calls go, so more than 60 may pass
            refused = _get(http, f"/{act}/insights", token)
            if refused.status_code != 200:
                break
        assert refused.json()["error"]["code"] == 17
        _, buc = _usage(refused)
        regain_s = buc["estimated_time_to_regain_access"] * 60
        assert 1.9 < regain_s <= 2.001  # the 300 s block, in real seconds at 150x (rounded up)
        assert _get(http, f"/{act}/insights", token).status_code == 400
        time.sleep(regain_s)
        assert _get(http, f"/{act}/insights", token).status_code == 200
        assert box.rate_limit_speed == 150 and box.tier == "development"


def test_the_minimum_pull_time_follows_the_model():
    dev, std = TIERS["development"], TIERS["standard"]
    assert minimum_seconds(60, dev) == 0 and minimum_seconds(100, dev) == pytest.approx(200)
    assert minimum_seconds(100, std) == 0 and minimum_seconds(9001, std) == pytest.approx(1 / 30)


def test_rate_limits_are_set_over_the_control_endpoints(sb: Sandbox, http: httpx.Client) -> None:
    token, act = sb.issue_token(), sb.ad_account_ids()[0]
    root = sb.graph_url + "/__sandbox__/"
    assert httpx.get(root + "info").json()["tier"] == "standard"
    answer = httpx.post(root + "rate_limits", json={"tier": "development", "speed": 10}).json()
    assert answer == {"tier": "development", "speed": 10.0}
    for _ in range(60):
        _get(http, f"/{act}/insights", token)
    assert _get(http, f"/{act}/insights", token).json()["error"]["code"] == 17
    httpx.post(root + "rate_limits", json={"advance": 301})
    assert _get(http, f"/{act}/insights", token).status_code == 200


def test_meta_auth_sandbox_takes_tier_and_speed():
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-m", "meta_auth_nb.cli", "sandbox", "--tier", "development", "--rate-limit-speed", "60"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        out = read_banner(proc)
        assert "development tier" in out and "decays to zero over 300 s" in out and "60x" in out
        url = re.search(r"export META_GRAPH_URL=(\S+)", out).group(1)
        info = httpx.get(url + "/__sandbox__/info", timeout=5).json()
        assert (info["tier"], info["rate_limit_speed"]) == ("development", 60.0)
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
