"""Property tests for the URL checks and the reply scrubbing: untrusted input never breaks them, never leaks."""

from __future__ import annotations

import json
import os
import string
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meta_auth_nb._base.errors import ConfigError
from meta_auth_nb._base.settings import Settings
from meta_auth_nb._base.usage import Usage
from meta_auth_nb._base.usage_headers import parse_usage
from meta_auth_nb.graph.links import scrub_body, url_problem
from meta_auth_nb.graph.request import Endpoint

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TOKEN = "EAA" + "Qx7" * 40
ROOT = "http://127.0.0.1:9"

keys = st.text(string.ascii_letters + "_%[]", min_size=1, max_size=16)
values = st.text(max_size=30)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


def spellings() -> st.SearchStrategy[str]:
    """``access_token`` as a server or a careless user might write it."""
    return st.sampled_from(["access_token", "ACCESS_TOKEN", "Access_Token", "access%5Ftoken", "access%255Ftoken"])


@FUZZ
@given(st.dictionaries(keys, values, max_size=4), spellings())
def test_a_token_in_any_query_is_found(params, spelling):
    url = f"{ROOT}/v25.0/me?{urlencode(params)}&{spelling}={TOKEN}"
    assert url_problem(url, secrets=[TOKEN]) is not None


@FUZZ
@given(st.text(max_size=60), st.booleans())
def test_url_problem_answers_any_text_and_finds_the_token_wherever_it_is_put(path, with_token):
    """Any text gives an answer (a reason or None); with the token in the path or a parameter, always a reason."""
    clean = url_problem(path, {"q": path}, [TOKEN])
    assert clean is None or (isinstance(clean, str) and clean and TOKEN not in clean)
    if with_token:
        assert url_problem(f"/{path}/{TOKEN}", None, [TOKEN]) is not None
        found = url_problem(path, {"q": TOKEN}, [TOKEN])
        assert found is not None and TOKEN not in found and "'q'" in found


@FUZZ
@given(json_values, st.sampled_from(["next", "previous", "picture", "link"]), spellings(), st.booleans())
def test_scrubbed_replies_stay_valid_json_and_lose_the_token_from_links(data, field, spelling, escape_slashes):
    link = f"{ROOT}/v25.0/act_1/insights?after=QVFI&{spelling}={TOKEN}&limit=5"
    body = json.dumps({"data": data, "paging": {field: link}})
    if escape_slashes:  # Graph writes "https:\/\/graph.facebook.com\/..."
        body = body.replace("/", "\\/")
    clean = scrub_body(body.encode(), [TOKEN])
    decoded = json.loads(clean)
    assert TOKEN not in json.dumps(decoded["paging"])
    assert decoded["paging"][field].startswith(f"{ROOT}/v25.0/act_1/insights?")
    assert "limit=5" in decoded["paging"][field] and decoded["data"] == json.loads(body)["data"]


@FUZZ
@given(st.binary(max_size=200))
def test_scrub_body_never_raises_on_garbage(raw):
    assert isinstance(scrub_body(raw + b'"?EAA' + TOKEN.encode(), [TOKEN]), bytes)


@FUZZ
@given(st.text(string.printable, max_size=30))
def test_a_token_anywhere_in_a_relative_path_is_refused(prefix):
    endpoint = Endpoint(TOKEN, base_url=ROOT, settings=Settings())
    with pytest.raises(ConfigError):
        endpoint.request("GET", f"{quote(prefix)}?x={quote(TOKEN)}", None)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["x-fb-ads-insights-throttle", "x-page-usage", "X-PAGE-USAGE", "x-ad-account-usage"]),
        st.text(max_size=40) | json_values.map(json.dumps),
        max_size=4,
    )
)
def test_the_new_usage_headers_parse_leniently(headers):
    usage = parse_usage(headers)
    assert usage is None or isinstance(usage, Usage)
    if usage is not None:
        usage.budgets(), usage.max_percent, usage.retry_after, usage.tier, usage.as_dict(), str(usage)
