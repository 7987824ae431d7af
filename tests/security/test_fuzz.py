"""Property tests: parsers of untrusted input only ever raise the package's own errors."""

from __future__ import annotations

import itertools
import json
import os
import string
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from meta_auth_nb._base.errors import GraphError, MetaAuthError, TokenError
from meta_auth_nb._base.redact import TOKEN_PATTERN
from meta_auth_nb._base.tokens import TokenInfo
from meta_auth_nb._base.usage import Usage
from meta_auth_nb._base.usage_headers import parse_usage
from meta_auth_nb.auth.oauth import parse_redirect
from meta_auth_nb.graph.classify import classify, error_from_token_info
from meta_auth_nb.scan import mask_text, scan_text

#: FUZZ_EXAMPLES=5000 for a longer hunt; the default keeps each test to a few seconds.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# JSON-like values: what a hostile or buggy server can put in a body
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=25,
)
# Keys the parsers look at, so the fuzzer reaches past the first isinstance checks
error_keys = st.sampled_from(
    [
        "code",
        "error_subcode",
        "subcode",
        "message",
        "type",
        "fbtrace_id",
        "is_transient",
        "error_user_title",
        "error_user_msg",
    ]
)
error_dicts = st.dictionaries(error_keys | st.text(max_size=8), json_values, max_size=8)
envelopes = st.one_of(
    json_values,
    st.builds(lambda e: {"error": e}, error_dicts | json_values),
    st.builds(
        lambda c, s, m: {"error": {"code": c, "error_subcode": s, "message": m}},
        st.sampled_from([1, 2, 4, 10, 17, 32, 100, 101, 102, 104, 190, 200, 613, 80000, 80004]) | json_values,
        st.sampled_from([458, 460, 463, 467, 36007, 36008, 36009]) | json_values,
        st.text(max_size=40) | json_values,
    ),
)
header_names = st.sampled_from(
    [
        "x-app-usage",
        "x-ad-account-usage",
        "x-business-use-case-usage",
        "X-APP-USAGE",
        "X-AD-ACCOUNT-USAGE",
        "X-BUSINESS-USE-CASE-USAGE",
        "date",
    ]
)
header_values = st.text(max_size=40) | json_values.map(lambda v: json.dumps(v))
headers = st.none() | st.dictionaries(header_names | st.text(max_size=10), header_values, max_size=5)


@FUZZ
@given(st.text())
def test_parse_redirect_arbitrary_text(text):
    try:
        assert isinstance(parse_redirect(text, "expected-state"), str)
    except MetaAuthError:
        pass


query_keys = st.sampled_from(["code", "state", "error", "error_reason", "error_description", "error_code", "#_", "x"])


@FUZZ
@given(
    st.sampled_from(["http://127.0.0.1:8765/callback", "https://example.com/cb", "", "/cb", "?", "callback"]),
    st.lists(st.tuples(query_keys | st.text(max_size=8), st.text(max_size=20)), max_size=6),
    st.text(max_size=10),
    st.sampled_from(["", "#_=_", "#"]),
    st.one_of(st.just("expected-state"), st.text(max_size=20), st.none()),
)
def test_parse_redirect_arbitrary_urls(base, pairs, raw_tail, fragment, expected):
    url = f"{base}?{urlencode(pairs)}{raw_tail}{fragment}" if pairs else f"{base}{raw_tail}{fragment}"
    try:
        code = parse_redirect(url, expected)
    except MetaAuthError:
        return
    assert isinstance(code, str) and code


@FUZZ
@given(envelopes, st.none() | st.integers(min_value=-1, max_value=999), headers)
def test_classify_never_raises(envelope, status, hdrs):
    error = classify(envelope, status=status, headers=hdrs)
    assert isinstance(error, GraphError)
    str(error), repr(error)


debug_payloads = st.one_of(
    json_values,
    st.builds(lambda d: {"data": d}, json_values),
    st.builds(
        lambda valid, scopes, granular, err, times: {
            "data": {"is_valid": valid, "scopes": scopes, "granular_scopes": granular, "error": err, **times}
        },
        json_values,
        json_values,
        st.lists(st.dictionaries(st.sampled_from(["scope", "target_ids"]), json_values), max_size=3) | json_values,
        error_dicts | json_values,
        st.dictionaries(
            st.sampled_from(
                ["expires_at", "issued_at", "data_access_expires_at", "app_id", "user_id", "type", "metadata"]
            ),
            json_values,
        ),
    ),
)


def check_token_info(payload):
    info = TokenInfo.from_debug_token(payload)
    assert isinstance(info, TokenInfo)
    info.invalid_reason, info.never_expires, info.to_dict()
    error = error_from_token_info(info)
    assert error is None or isinstance(error, TokenError)
    assert (error is None) == info.is_valid


# Lists where Graph sends lists (or null), anything at all everywhere else.
lists_or_none = st.none() | st.lists(json_values, max_size=4)
granular_lists = st.none() | st.lists(
    st.dictionaries(st.sampled_from(["scope", "target_ids"]), json_values).map(
        lambda d: {**d, "target_ids": d["target_ids"] if isinstance(d.get("target_ids"), list) else None}
    ),
    max_size=3,
)
debug_payloads_list_typed = st.builds(
    lambda valid, scopes, granular, err, times: {
        "data": {"is_valid": valid, "scopes": scopes, "granular_scopes": granular, "error": err, **times}
    },
    json_values,
    lists_or_none,
    granular_lists,
    error_dicts | json_values,
    st.dictionaries(
        st.sampled_from(
            [
                "expires_at",
                "issued_at",
                "data_access_expires_at",
                "app_id",
                "user_id",
                "type",
                "metadata",
                "application",
                "profile_id",
            ]
        ),
        json_values,
    ),
)


@FUZZ
@given(json_values | debug_payloads_list_typed)
def test_token_info_and_error_from_token_info_never_raise(payload):
    check_token_info(payload)


@settings(FUZZ, report_multiple_bugs=False)
@example({"data": {"scopes": 1}})
@example({"data": {"granular_scopes": True}})
@example({"data": {"granular_scopes": [{"scope": "ads_read", "target_ids": 7}]}})
@given(debug_payloads)
def test_token_info_never_raises_on_any_json(payload):
    check_token_info(payload)


@FUZZ
@given(headers)
def test_parse_usage_never_raises(hdrs):
    usage = parse_usage(hdrs)
    assert usage is None or isinstance(usage, Usage)
    if usage is not None:
        usage.max_percent, usage.near_limit, usage.retry_after, usage.as_dict()


token_chars = st.text(alphabet=string.ascii_letters + string.digits, min_size=20, max_size=200)
texts_with_tokens = st.lists(
    st.text(max_size=40)
    | token_chars.map(lambda t: "EAA" + t)
    | st.just("app_secret=")
    | st.just("|")
    | st.from_regex(r"[0-9a-f]{32}", fullmatch=True)
    | st.from_regex(r"\d{5,16}", fullmatch=True),
    max_size=8,
).map("".join)


@FUZZ
@given(st.text() | texts_with_tokens, st.lists(st.text(max_size=30), max_size=2), st.data())
def test_scan_text_never_raises_or_shows_a_token(text, known, data):
    # some known values are slices of the text, as store secrets would be
    for _ in range(data.draw(st.integers(0, 2))):
        if len(text) >= 8:
            start = data.draw(st.integers(0, len(text) - 8))
            known.append(text[start : data.draw(st.integers(start + 8, len(text)))])
    matches = scan_text(text, known)
    tokens = TOKEN_PATTERN.findall(text)
    for m in matches:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.value
        assert m.value not in m.preview
        assert not TOKEN_PATTERN.search(m.preview)
        for token in tokens:
            assert token not in m.preview
    assert all(a.end <= b.start for a, b in itertools.pairwise(matches))
    masked = mask_text(text, known)
    for token in tokens:
        assert token not in masked
    assert TOKEN_PATTERN.search(masked) is None


@pytest.mark.parametrize("text", ["", "\x00", "EAA", "EAA" + "a" * 19, "1|" + "a" * 16])
def test_scan_text_edges(text):
    assert scan_text(text) == []
