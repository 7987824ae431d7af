"""Independent clients against the sandbox: concurrent httpx clients and Meta's own SDK."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sandbox_helpers import bearer

from meta_auth_nb.sandbox import Sandbox


def test_concurrent_clients(sb: Sandbox) -> None:
    token = sb.issue_token()
    act = sb.ad_account_ids()[0]

    def worker(n: int) -> list[int]:
        with httpx.Client(base_url=sb.graph_url + "/v25.0", timeout=10) as c:
            path = "/me" if n % 2 else f"/{act}/insights"
            return [c.get(path, headers=bearer(token)).status_code for _ in range(15)]

    with ThreadPoolExecutor(8) as pool:
        codes = [code for result in pool.map(worker, range(16)) for code in result]
    assert codes == [200] * 240


def test_official_sdk_pages_insights_with_appsecret_proof() -> None:
    sdk = pytest.importorskip("facebook_business")
    from facebook_business.adobjects.adaccount import AdAccount
    from facebook_business.adobjects.user import User
    from facebook_business.api import FacebookAdsApi, FacebookSession

    with Sandbox(insights_rows=120) as sb:
        saved = FacebookSession.GRAPH
        FacebookSession.GRAPH = sb.graph_url  # the SDK's own base-URL setting
        try:
            FacebookAdsApi.init(sb.app_id, sb.app_secret, sb.issue_token(), api_version="v25.0")
            assert User(fbid="me").api_get(fields=["id", "name"])["name"] == "Alice Analyst"
            rows = list(AdAccount(sb.ad_account_ids()[0]).get_insights(params={"limit": 50}))
        finally:
            FacebookSession.GRAPH = saved
            FacebookAdsApi.set_default_api(None)
        assert len(rows) == 120
        # The SDK sends the token in the query with a proof; the sandbox checked the proof.
        assert all("appsecret_proof" in e.query_keys for e in sb.request_log)
        assert sb.internal_errors == []
        assert sdk.__version__
