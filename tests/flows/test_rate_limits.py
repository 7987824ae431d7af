"""Pacing and rate-limit waits through the public API, against the sandbox's enforced model.

The sandbox runs on the development tier (60 points per ad account, a read
costs 1, decaying to zero over 300 s, 300 s blocks) with a sped-up
rate-limit clock, so a pull that must pace itself takes seconds, not minutes.
Nothing here asserts how long anything took: the benchmark measures that.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

import meta_auth_nb as mab
from meta_auth_nb import errors as E
from meta_auth_nb.graph.paging import PullProgress
from meta_auth_nb.graph.policy import RetryPolicy
from meta_auth_nb.sandbox import Sandbox

#: 100 pages of 100 rows: 40 calls more than the development tier's burst of 60.
ROWS, LIMIT = 10_000, 100


@pytest.fixture
def dev():
    with Sandbox(tier="development", rate_limit_speed=200, insights_rows=ROWS) as box:
        yield box
        assert box.internal_errors == []


def fill(box: Sandbox, act: str, token: str) -> None:
    """Use up the account's score with plain calls until the sandbox refuses one."""
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
        for _ in range(1000):
            if client.get(f"{box.graph_url}/v25.0/{act}/campaigns").status_code == 400:
                return
    raise AssertionError("the sandbox never refused a call")


def test_a_pull_paces_itself_with_no_rate_limit_error_and_says_why_it_waits(dev):
    token, act = dev.issue_token(), dev.ad_account_ids()[0]
    seen: list[PullProgress] = []
    with mab.GraphSession(token, base_url=dev.graph_url) as meta:
        frame = meta.frame(f"{act}/insights", limit=LIMIT, progress=seen.append)
        usage = meta.usage
    assert len(frame) == ROWS and not frame.duplicated(subset=["campaign_id", "date_start"]).any()
    # Exactly one request per page: nothing was refused, nothing sent twice.
    assert dev.request_count(f"{act}/insights") == ROWS // LIMIT
    waits = [p for p in seen if p.waiting]
    assert waits and all(f"ad account {act}" in p.reason and "decay" in p.reason for p in waits)
    assert all("refused" not in p.reason and "blocked" not in p.reason for p in seen)
    assert [int(p) for p in seen if not p.waiting][-1] == ROWS and seen[-1].pages == ROWS // LIMIT
    assert usage is not None and usage.tier == "development_access" and usage.account_percent is not None


def test_the_async_session_paces_its_pulls_too(dev):
    token, act = dev.issue_token(), dev.ad_account_ids()[0]

    async def pull():
        async with mab.AsyncGraphSession(token, base_url=dev.graph_url) as meta:
            return await meta.frame(f"{act}/insights", limit=LIMIT)

    assert len(asyncio.run(pull())) == ROWS
    assert dev.request_count(f"{act}/insights") == ROWS // LIMIT


def test_a_block_is_waited_out_then_the_call_goes_through(dev):
    token, act = dev.issue_token(), dev.ad_account_ids()[0]
    fill(dev, act, token)
    sent_before = dev.request_count(f"{act}/campaigns")
    seen: list[PullProgress] = []
    with mab.GraphSession(token, base_url=dev.graph_url) as meta:
        rows = list(meta.pages(f"{act}/campaigns", progress=seen.append))
    assert rows
    assert dev.request_count(f"{act}/campaigns") == sent_before + 2  # refused once, then let in
    (wait,) = [p for p in seen if p.waiting]
    assert "refused (code 17/2446079)" in wait.reason or "blocked" in wait.reason
    # As long as the refusal's headers said: never more than the 300 s block at 200x, and some wait.
    assert 0 < wait.waiting_s <= 300 / 200


def test_a_block_longer_than_the_session_waits_raises_with_the_numbers(dev):
    token, act = dev.issue_token(), dev.ad_account_ids()[0]
    fill(dev, act, token)
    sent_before = dev.request_count(f"{act}/campaigns")
    impatient = RetryPolicy(max_rate_limit_wait=0.5)
    with mab.GraphSession(token, base_url=dev.graph_url, retry=impatient) as meta, pytest.raises(E.RateLimited) as info:
        meta.get(f"{act}/campaigns")
    err = info.value
    assert err.retry_after is not None and 0.5 < err.retry_after <= 300 / 200  # longer than this session waits
    assert f"ad account {act}" in str(err) and "at most 0.5 s" in str(err) and "META_MAX_RATE_LIMIT_WAIT" in str(err)
    assert err.usage is not None and err.usage.tier == "development_access"
    assert (err.code, err.subcode) == (17, 2446079) and err.fbtrace_id
    assert dev.request_count(f"{act}/campaigns") == sent_before + 1  # refused once, not hammered


def test_the_longest_wait_is_a_setting(dev, monkeypatch):
    token, act = dev.issue_token(), dev.ad_account_ids()[0]
    fill(dev, act, token)
    monkeypatch.setenv("META_MAX_RATE_LIMIT_WAIT", "0")
    with mab.GraphSession(token, base_url=dev.graph_url) as meta, pytest.raises(E.RateLimited, match="at most 0 s"):
        meta.get(f"{act}/campaigns")
    monkeypatch.setenv("META_MAX_RATE_LIMIT_WAIT", "soon")
    with pytest.raises(E.ConfigError, match="META_MAX_RATE_LIMIT_WAIT"):
        mab.GraphSession(token, base_url=dev.graph_url)


def test_usage_shows_every_budget_with_tier_and_regain_time(dev):
    token, act = dev.issue_token(), dev.ad_account_ids()[0]
    with mab.GraphSession(token, base_url=dev.graph_url) as meta:
        meta.get("me")
        meta.get(f"{act}/insights", limit=10)
        usage = meta.usage
    assert usage is not None and usage.app and usage.insights_throttle
    names = [b.name for b in usage.budgets()]
    # Each budget says whose it is: which ad account, which business.
    assert names[0] == "app" and f"ad account {act}" in names and f"insights · ad account {act}" in names
    assert any(n.startswith("ads_insights · business ") for n in names)
    assert all(b.read_at is not None for b in usage.budgets())  # and when it was read
    assert set(usage.raw) == {
        "x-app-usage",
        "x-ad-account-usage",
        "x-business-use-case-usage",
        "x-fb-ads-insights-throttle",
    }
    account = next(b for b in usage.budgets() if b.name == f"ad account {act}")
    assert account.tier == "development_access" and 0 < account.percent < 5 and account.reset_s
    assert "ad account" in str(usage)


def test_a_page_token_reports_page_usage(sandbox, opts):
    with mab.GraphSession(sandbox.issue_token(kind="page"), **opts) as meta:
        meta.get("me")
        usage = meta.usage
    assert usage is not None and "x-page-usage" in usage.raw and "call_count" in usage.page
    assert [b.name for b in usage.budgets()] == ["page"]
