"""Retry only what is safe: reads, and writes that surely did not happen; proven by the sandbox's request count.

The sandbox can fail a request *after* it took effect (a login code spent,
an app removed, then HTTP 500 or a dropped connection), as real servers do.
A write that failed that way must never be sent twice.
"""

from __future__ import annotations

import json

import httpx
import pytest

import meta_auth_nb as mab
from meta_auth_nb import errors as E
from tests.flows.test_lifecycle import REDIRECT, login

REFUSED = {
    "message": "(#17) User request limit reached",
    "type": "OAuthException",
    "code": 17,
    "error_subcode": 2446079,
}


def regain_headers(sandbox, seconds: float) -> dict[str, str]:
    entry = {"type": "ads_management", "call_count": 100, "estimated_time_to_regain_access": seconds / 60}
    return {"x-business-use-case-usage": json.dumps({sandbox.business_id: [entry]})}


@pytest.mark.parametrize("after_effect", [True, False])
def test_a_code_exchange_that_fails_is_sent_once_and_says_log_in_again(sandbox, opts, after_effect):
    _, code = login(sandbox, opts)
    sandbox.fail_next("http500", path="oauth/access_token", after_effect=after_effect)
    kw = dict(app_id=sandbox.app_id, app_secret=sandbox.app_secret, redirect_uri=REDIRECT, **opts)
    with pytest.raises(E.CodeExchangeFailed) as info:
        mab.exchange_code(code, **kw)
    text = str(info.value)
    assert "Meta had a problem" in text and "log in again" in text and "works once" not in text
    assert sandbox.request_count("oauth/access_token") == 1


def test_a_code_exchange_cut_off_after_it_took_effect_is_sent_once(sandbox, opts):
    _, code = login(sandbox, opts)
    sandbox.fail_next("drop", path="oauth/access_token", after_effect=True)
    kw = dict(app_id=sandbox.app_id, app_secret=sandbox.app_secret, redirect_uri=REDIRECT, **opts)
    with pytest.raises(E.CodeExchangeFailed, match="log in again"):
        mab.exchange_code(code, **kw)
    assert sandbox.request_count("oauth/access_token") == 1


def test_a_write_that_took_effect_then_failed_is_never_sent_twice(sandbox, opts):
    token = sandbox.issue_token(user="carol")
    for fault in ("http500", "http503", "drop"):
        sandbox.fail_next(fault, path="me/permissions/ads_management", after_effect=True)
        with pytest.raises((E.TransientError, E.GraphConnectionError)):
            mab.revoke_permission(token, "ads_management", **opts)
    assert sandbox.request_count("me/permissions/ads_management", method="DELETE") == 3
    granted = {p.name for p in mab.permissions(token, **opts) if p.status == "granted"}
    assert "ads_management" not in granted  # it did happen, once


def test_a_write_that_timed_out_is_not_sent_again(sandbox, opts):
    token = sandbox.issue_token(user="carol")
    sandbox.set_faults(latency_ms=400)
    with pytest.raises(E.GraphConnectionError, match="did not answer in time"):
        mab.revoke_permission(token, "ads_read", timeout=0.1, **opts)
    sandbox.set_faults(latency_ms=0)
    assert sandbox.request_count("me/permissions/ads_read") == 1


def test_a_write_refused_by_a_rate_limit_waits_then_goes_again(sandbox, opts):
    token = sandbox.issue_token(user="carol")
    refusal = {"status": 400, "error": REFUSED, "headers": regain_headers(sandbox, 0.2)}
    sandbox.fail_next(refusal, path="me/permissions/ads_read")
    assert mab.revoke_permission(token, "ads_read", **opts) is True
    assert sandbox.request_count("me/permissions/ads_read") == 2


def test_reads_are_retried_even_after_they_took_effect(sandbox, opts):
    token = sandbox.issue_token()
    sandbox.fail_next("http500", path="debug_token", after_effect=True)
    info = mab.inspect_token(token, app_id=sandbox.app_id, app_secret=sandbox.app_secret, **opts)
    assert info.is_valid
    assert sandbox.request_count("debug_token", method="POST") == 2  # POST with method=get: a read
    sandbox.fail_next("drop", path="me", after_effect=True)
    with mab.GraphSession(token, **opts) as meta:
        assert meta.get("me")["id"]
    assert sandbox.request_count("me") == 2


def test_a_get_that_says_method_post_is_a_write(sandbox, opts):
    token = sandbox.issue_token(user="carol")
    sandbox.fail_next("http500", path="me/permissions/ads_read", after_effect=True)
    with mab.GraphSession(token, **opts) as meta, pytest.raises(E.TransientError):
        meta.get("me/permissions/ads_read", method="delete")
    assert sandbox.request_count("me/permissions/ads_read") == 1


def test_a_batch_of_reads_is_retried_and_one_with_a_write_is_not(sandbox, opts):
    token = sandbox.issue_token(user="carol")
    with mab.GraphSession(token, **opts) as meta:
        sandbox.fail_next("http500", path="", after_effect=True)
        assert [r["id"] for r in meta.batch(["me", "me?fields=id"])]
        assert sandbox.request_count("") == 2
        sandbox.fail_next("http500", path="", after_effect=True)
        with pytest.raises(E.TransientError):
            meta.batch(["me", ("DELETE", "me/permissions/ads_read")])
    assert sandbox.request_count("") == 3


def test_batch_items_that_time_out_are_resent_only_when_they_read(sandbox, opts):
    token = sandbox.issue_token(user="carol")
    sandbox.fail_next("drop", path="me", after_effect=True)
    sandbox.fail_next("drop", path="me/permissions/ads_read", after_effect=True)
    with mab.GraphSession(token, **opts) as meta:
        read, write = meta.batch(["me", ("DELETE", "me/permissions/ads_read")])
    assert read["id"]
    assert isinstance(write, E.GraphError) and "timed out" in str(write)
    assert sandbox.request_count("") == 2  # the second batch carried only the read


def test_a_batch_item_refused_by_a_rate_limit_waits_and_is_resent_even_a_write(sandbox, opts):
    token = sandbox.issue_token(user="carol")
    refusal = {"status": 400, "error": REFUSED, "headers": regain_headers(sandbox, 0.2)}
    sandbox.fail_next(refusal, path="me/permissions/ads_read")
    with mab.GraphSession(token, **opts) as meta:
        read, write = meta.batch(["me", ("DELETE", "me/permissions/ads_read")])
    assert read["id"] and write == {"success": True}
    assert sandbox.request_count("") == 2


class RefusedOnce(httpx.HTTPTransport):
    """The network seam: the first connection attempt is refused, as by a closed port; then real HTTP."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.refused:
            self.refused += 1
            raise httpx.ConnectError("connection refused", request=request)
        return super().handle_request(request)


def test_a_write_whose_connection_never_opened_is_sent_again(sandbox, opts):
    token = sandbox.issue_token(user="carol")
    seam = RefusedOnce()
    assert mab.revoke_permission(token, "ads_read", transport=seam, **opts) is True
    assert seam.refused == 1 and sandbox.request_count("me/permissions/ads_read") == 1
