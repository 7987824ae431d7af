"""x-app-usage and x-page-usage are paced against too: the app's hourly budget, refused by the sandbox with 4 or 32."""

from __future__ import annotations

import json

import httpx
import pytest

import meta_auth_nb as mab
from meta_auth_nb import errors as E
from meta_auth_nb.graph.policy import RetryPolicy
from meta_auth_nb.sandbox import Sandbox

SHORT_WAITS = RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.05, max_rate_limit_wait=1)


@pytest.mark.parametrize("header", ["x-app-usage", "x-page-usage"])
def test_a_full_hourly_budget_holds_the_next_call_instead_of_sending_it_to_be_refused(header):
    with Sandbox(seed=3) as box:
        full = {header: json.dumps({"call_count": 100, "total_time": 40, "total_cputime": 30})}
        box.fail_next({"headers": full}, path="me")
        with mab.GraphSession(box.issue_token(), base_url=box.graph_url, retry=SHORT_WAITS) as meta:
            assert meta.get("me")["id"]
            with pytest.raises(E.RateLimited) as info:
                meta.get("me/permissions")
        assert box.request_count("me/permissions") == 0  # held back, not sent to be refused
        said = str(info.value)
        assert f"this app's hourly call budget is at 100% of its rate-limit score ({header})" in said
        assert "this session waits at most 1 s" in said and "RateLimited" not in said


def test_below_the_limit_calls_go_at_once():
    with Sandbox(seed=3) as box:
        box.fail_next({"headers": {"x-app-usage": json.dumps({"call_count": 60})}}, path="me")
        with mab.GraphSession(box.issue_token(), base_url=box.graph_url, retry=SHORT_WAITS) as meta:
            meta.get("me")
            assert meta.get("me/permissions")["data"]
        assert box.request_count() == 2


def test_the_sandbox_refuses_calls_past_the_apps_hourly_budget_with_code_4():
    with Sandbox(seed=3, app_calls_per_hour=3) as box:
        headers = {"Authorization": f"Bearer {box.issue_token()}"}
        with httpx.Client(base_url=f"{box.graph_url}/v27.0", headers=headers) as http:
            answers = [http.get("me") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 400]
    assert json.loads(answers[2].headers["x-app-usage"])["call_count"] == 100
    error = answers[3].json()["error"]
    assert error["code"] == 4 and error["is_transient"] is True and "Application request limit" in error["message"]
