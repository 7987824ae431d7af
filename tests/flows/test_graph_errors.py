"""Graph error replies as Meta sends them, through the public API over HTTP against the sandbox.

Each reply below has the shape of a real one (Meta's reference pages and the
public SDKs' fixtures); the sandbox plays it with ``fail_next`` and counts
how often the request was sent.
"""

from __future__ import annotations

import warnings

import pytest

import meta_auth_nb as mab
from meta_auth_nb import errors as E
from meta_auth_nb._base.versions import DEFAULT_GRAPH_VERSION

#: Real-shape error envelopes (without fbtrace_id: the sandbox adds a fresh one).
NOT_TRANSIENT_WITH_USER_MESSAGE = {
    "message": "Invalid parameter",
    "type": "OAuthException",
    "code": 1,
    "error_subcode": 2853001,
    "is_transient": False,
    "error_user_title": "Invalid Time Range",
    "error_user_msg": "The time range you chose is not supported. Please choose a shorter range.",
}
INVALIDATED_BY_API_CALL = {
    "message": "Error validating access token: The session was invalidated explicitly using an API call.",
    "type": "OAuthException",
    "code": 190,
    "error_subcode": 466,
}
IMPERSONATE = {
    "message": "(#190) The pages_read_engagement permission(s) must be granted before impersonating a user's page.",
    "type": "OAuthException",
    "code": 190,
}
PROOF_WITH_SPACES = {
    "message": "Invalid app secret proof provided in the API argument",
    "type": "GraphMethodException",
    "code": 100,
}
VERSION_ENDED = {
    "message": "(#2635) You are calling a deprecated version of the Ads API. "
    "Please update to the latest version: v25.0.",
    "type": "OAuthException",
    "code": 2635,
}
TOO_MUCH_DATA = {
    "message": "Please reduce the amount of data you're asking for, then retry your request",
    "type": "OAuthException",
    "code": 1,
}
TRANSIENT_BY_FLAG = {
    "message": "(#100) The ad account is temporarily unavailable",
    "type": "OAuthException",
    "code": 100,
    "is_transient": True,
}
REQUEST_ABORTED = {"message": "Request aborted", "type": "OAuthException", "code": 960}


def session(sandbox, opts, **kw):
    return mab.GraphSession(sandbox.issue_token(), **opts, **kw)


def test_is_transient_false_is_not_retried_and_meta_words_reach_the_user(sandbox, opts):
    sandbox.fail_next({"status": 400, "error": NOT_TRANSIENT_WITH_USER_MESSAGE}, path="me")
    with session(sandbox, opts) as meta, pytest.raises(mab.GraphError) as info:
        meta.get("me")
    err = info.value
    assert type(err) is E.GraphError and not err.is_transient
    assert (err.code, err.subcode, err.type) == (1, 2853001, "OAuthException") and err.fbtrace_id
    assert "Invalid Time Range" in str(err) and "choose a shorter range" in str(err)
    assert "usually passes" not in str(err)
    assert sandbox.request_count("me") == 1


def test_is_transient_true_is_retried_whatever_the_code(sandbox, opts):
    sandbox.fail_next({"status": 400, "error": TRANSIENT_BY_FLAG}, path="me")
    with session(sandbox, opts) as meta:
        assert meta.get("me")["id"]
    assert sandbox.request_count("me") == 2


@pytest.mark.parametrize(
    ("error", "expected", "words"),
    [
        (INVALIDATED_BY_API_CALL, E.TokenInvalidated, "revoked by an API call"),
        (IMPERSONATE, E.MissingPermission, "rerequest"),
        (PROOF_WITH_SPACES, E.InvalidAppSecretProof, "app secret"),
        (TOO_MUCH_DATA, E.TooMuchData, "shorter time range"),
    ],
)
def test_each_shape_gets_its_class_and_advice_and_is_sent_once(sandbox, opts, error, expected, words):
    sandbox.fail_next({"status": 400, "error": error}, path="me")
    with session(sandbox, opts) as meta, pytest.raises(expected) as info:
        meta.get("me")
    err = info.value
    assert type(err) is expected
    assert err.code == error["code"] and err.subcode == error.get("error_subcode") and err.type == error["type"]
    assert err.fbtrace_id and err.fbtrace_id in str(err)
    assert words in str(err)
    assert sandbox.request_count("me") == 1


def test_subcode_466_reads_as_a_revoked_token(sandbox, opts):
    sandbox.fail_next({"status": 400, "error": INVALIDATED_BY_API_CALL}, path="me")
    with session(sandbox, opts) as meta, pytest.raises(E.TokenInvalidated) as info:
        meta.get("me")
    assert "revoked" in info.value.reason


def test_2635_says_which_setting_to_change_and_warns_once(sandbox, opts):
    sandbox.fail_next({"status": 400, "error": VERSION_ENDED}, path="me", times=2)
    with session(sandbox, opts, version="v24.0") as meta, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            with pytest.raises(mab.GraphError) as info:
                meta.get("me")
    # the advice names the newest version known (the default), newer than the one Meta's message names
    assert info.value.code == 2635 and f"META_GRAPH_VERSION={DEFAULT_GRAPH_VERSION}" in str(info.value)
    versions = [w for w in caught if issubclass(w.category, E.GraphVersionWarning)]
    assert len(versions) == 1 and "META_GRAPH_VERSION" in str(versions[0].message)
    assert sandbox.request_count("me") == 2


def test_the_version_warning_header_warns_once_per_session(sandbox, opts):
    header = {"X-Ad-Api-Version-Warning": "The call was made to v24.0, which has ended; it was upgraded to v26.0."}
    sandbox.fail_next({"headers": header}, times=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with session(sandbox, opts, version="v24.0") as meta:
            for _ in range(3):
                assert meta.get("me")["id"]
        first = [str(w.message) for w in caught if issubclass(w.category, E.GraphVersionWarning)]
        with session(sandbox, opts) as other:  # a new session warns again
            other.get("me")
    texts = [str(w.message) for w in caught if issubclass(w.category, E.GraphVersionWarning)]
    assert len(first) == 1 and len(texts) == 2
    assert "v24.0" in first[0] and f"META_GRAPH_VERSION={DEFAULT_GRAPH_VERSION}" in first[0]


def test_a_batch_item_aborted_at_http_400_is_sent_again(sandbox, opts):
    sandbox.fail_next({"status": 400, "error": REQUEST_ABORTED}, path="me/permissions")
    with session(sandbox, opts) as meta:
        results = meta.batch(["me", "me/permissions"])
    assert results[0]["id"] and results[1]["data"]
    assert sandbox.request_count("") == 2  # two batch calls: the second one only for the aborted item


def test_a_write_in_a_batch_aborted_is_not_sent_again(sandbox, opts):
    sandbox.fail_next({"status": 400, "error": REQUEST_ABORTED}, path="me/permissions/ads_read")
    with session(sandbox, opts) as meta:
        results = meta.batch(["me", ("DELETE", "me/permissions/ads_read")])
    assert results[0]["id"] and isinstance(results[1], E.TransientError) and results[1].code == 960
    assert sandbox.request_count("") == 1


def test_every_class_keeps_graph_fields_in_messages_without_secrets(sandbox, opts):
    token = sandbox.issue_token()
    leaky = {**NOT_TRANSIENT_WITH_USER_MESSAGE, "error_user_msg": f"The token {token} cannot do this."}
    sandbox.fail_next({"status": 400, "error": leaky}, path="me")
    with mab.GraphSession(token, **opts) as meta, pytest.raises(mab.GraphError) as info:
        meta.get("me")
    assert token not in str(info.value) and token not in repr(info.value) and token[:4] in str(info.value)
