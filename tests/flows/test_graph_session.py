"""GraphSession / AsyncGraphSession against the sandbox: headers, paging, retries, batch."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

import meta_auth_nb as mab
from meta_auth_nb import errors as E
from meta_auth_nb.graph.policy import RetryPolicy
from meta_auth_nb.sandbox import Sandbox
from tests.conftest import FAST_RETRY


def test_token_goes_in_header_never_in_url(sandbox, opts):
    token = sandbox.issue_token()
    with mab.GraphSession(token, app_secret=sandbox.app_secret, **opts) as meta:
        account = meta.get("me/adaccounts")["data"][0]["id"]
        rows = list(meta.pages(f"{account}/insights", limit=100))
    assert len(rows) == 1000
    graph_calls = [entry for entry in sandbox.request_log if not entry[1].startswith("/__sandbox__")]
    assert graph_calls and all(has_bearer for _, _, has_bearer, _ in graph_calls)
    assert all("access_token" not in keys for *_, keys in graph_calls)
    assert all("appsecret_proof" in keys for *_, keys in graph_calls)


def test_version_is_pinned(sandbox, opts):
    token = sandbox.issue_token()
    with mab.GraphSession(token, version="v26.0", **opts) as meta:
        meta.get("me")
    assert sandbox.request_log[-1][1].startswith("/v26.0/me")


def test_wrong_app_secret_proof_is_refused(sandbox, opts):
    token = sandbox.issue_token()
    with pytest.raises(E.InvalidAppSecretProof):
        mab.GraphSession(token, app_secret="f" * 32, **opts).get("me")
    with mab.GraphSession(token, app_secret=sandbox.app_secret, timestamped_proof=True, **opts) as meta:
        assert meta.get("me")["id"]


def test_plain_http_refused_for_remote_hosts():
    with pytest.raises(ValueError, match="HTTPS"):
        mab.GraphSession("EAA" + "a" * 40, base_url="http://graph.example.com")


def test_access_token_parameter_refused(sandbox, opts):
    with pytest.raises(ValueError, match="URL"):
        mab.GraphSession(sandbox.issue_token(), **opts).get("me", access_token="x")


def test_paging_next_leaving_the_host_is_refused(sandbox, opts):
    meta = mab.GraphSession(sandbox.issue_token(), **opts)
    with pytest.raises(E.GraphError, match="leaves the Graph host"):
        meta.get("https://evil.example/v25.0/me?access_token=stolen")
    other_port = sandbox.graph_url.rsplit(":", 1)[0] + ":1"
    with pytest.raises(E.GraphError, match="leaves the Graph host"):
        meta.get(other_port + "/v25.0/me")


def test_limit_clamped_and_paging_resumes_from_cursor(sandbox, opts):
    with mab.GraphSession(sandbox.issue_token(), **opts) as meta:
        account = sandbox.ad_account_ids()[0]
        pager = meta.pages(f"{account}/insights", limit=1000)
        first_page = next(pager.iter_pages())
        assert len(first_page) == 500
        cursor = pager.cursor
        rest = list(meta.pages(f"{account}/insights", limit=250, after=cursor))
    assert len(first_page) + len(rest) == 1000
    keys = [(r["campaign_id"], r["date_start"]) for r in first_page + rest]
    assert len(set(keys)) == 1000


def test_rate_limit_is_waited_out(sandbox, opts):
    sandbox.throttle(1.0)
    retry = RetryPolicy(max_retries=3, backoff_base=0.01)
    with mab.GraphSession(sandbox.issue_token(), base_url=sandbox.graph_url, retry=retry) as meta:
        assert meta.get("me")["id"]
    sandbox.throttle(5.0)
    impatient = RetryPolicy(max_retries=3, max_rate_limit_wait=1.0)
    with pytest.raises(E.RateLimited) as info:
        mab.GraphSession(sandbox.issue_token(), base_url=sandbox.graph_url, retry=impatient).get("me")
    assert info.value.retry_after and info.value.retry_after > 1


def test_thirty_percent_faults_still_return_every_row_once():
    with Sandbox(seed=7, fault_rate=0.3, insights_rows=3000) as box:
        token = box.issue_token()
        with mab.GraphSession(token, base_url=box.graph_url, retry=FAST_RETRY) as meta:
            df = meta.frame(f"{box.ad_account_ids()[0]}/insights", limit=100)
    assert len(df) == 3000
    assert not df.duplicated(subset=["campaign_id", "date_start"]).any()


def test_connection_refused_is_a_clear_error():
    with Sandbox() as box:
        url, token = box.graph_url, box.issue_token()
    retry = RetryPolicy(max_retries=1, backoff_base=0.01)
    with pytest.raises(
        E.GraphConnectionError, match=r"Could not reach 127\.0\.0\.1: the connection was refused"
    ) as info:
        mab.GraphSession(token, base_url=url, retry=retry).get("me")
    assert token not in str(info.value) and "ConnectError" not in str(info.value)  # words, not class names
    assert info.value.kind == "refused" and info.value.host == "127.0.0.1" and info.value.before_send
    assert info.value.headline == "Could not reach 127.0.0.1: are you offline?"


def test_batch_in_chunks_with_errors_in_place(sandbox, opts):
    token = sandbox.issue_token()
    requests = ["me"] * 60 + [{"method": "GET", "relative_url": "act_0/campaigns"}]
    with mab.GraphSession(token, **opts) as meta:
        results = meta.batch(requests)
        assert len(results) == 61
        assert all(r["id"] for r in results[:60])
        assert isinstance(results[60], E.GraphError)
        with pytest.raises(E.GraphError):
            meta.batch(requests, raise_errors=True)


def test_batch_survives_faults_and_null_items():
    with Sandbox(seed=3, fault_rate=0.3) as box:
        token = box.issue_token()
        with mab.GraphSession(token, base_url=box.graph_url, retry=FAST_RETRY) as meta:
            results = meta.batch([f"me?i={i}" for i in range(120)])
    assert len(results) == 120 and all(isinstance(r, dict) and r.get("id") for r in results)


def test_async_session_pages_and_gathers(sandbox):
    token = sandbox.issue_token()

    async def run():
        async with mab.AsyncGraphSession(token, base_url=sandbox.graph_url, retry=FAST_RETRY) as meta:
            accounts = [a["id"] async for a in meta.pages("me/adaccounts")]
            frames = await meta.gather([meta.frame(f"{a}/insights", limit=200) for a in accounts])
            batch = await meta.batch(["me"] * 75)
            return accounts, frames, batch, repr(meta)

    accounts, frames, batch, text = asyncio.run(run())
    assert len(accounts) >= 2 and all(len(f) == 1000 for f in frames)
    assert len(batch) == 75 and token not in text


def test_repr_and_logs_are_masked(sandbox, opts, caplog):
    token = sandbox.issue_token()
    with caplog.at_level(logging.DEBUG):
        with mab.GraphSession(token, app_secret=sandbox.app_secret, **opts) as meta:
            meta.get("me")
            text = repr(meta)
    assert token not in text and token[:4] in text
    assert token not in caplog.text and sandbox.app_secret not in caplog.text


@pytest.mark.parametrize(
    ("failure", "kind", "words"),
    [
        (httpx.ConnectError("[Errno -2] Name or service not known"), "lookup", "seems to be offline"),
        (httpx.ConnectError("[Errno -3] Temporary failure in name resolution"), "lookup", "seems to be offline"),
        (httpx.ConnectError("[Errno 111] Connection refused"), "refused", "the connection was refused"),
        (httpx.ConnectTimeout("timed out"), "timeout", "did not answer in time"),
        (httpx.ReadError("reset by peer"), "dropped", "broke before its answer arrived"),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]"), "secure", "secure connection"),
    ],
)
def test_each_connection_failure_is_said_in_words_and_an_offline_name_is_not_retried_for_long(failure, kind, words):
    from meta_auth_nb.graph.drivers.transport import connection_error
    from meta_auth_nb.graph.plan import Send

    error = connection_error(failure, Send("GET", "https://graph.facebook.com/v27.0/me?secret=x", {}, {}))
    assert error.kind == kind and words in error.message and error.host == "graph.facebook.com"
    assert "secret" not in str(error) and type(failure).__name__ not in str(error)
    assert error.headline == "Could not reach graph.facebook.com: are you offline?"
    policy = RetryPolicy()
    retried = [policy.delay_for(error, attempt, read=True) is not None for attempt in range(3)]
    # A name that does not resolve is tried once more, not for 10 seconds of backoff.
    assert retried == ([True, False, False] if kind == "lookup" else [True, True, True])
