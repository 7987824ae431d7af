"""The error classifier, table-driven from graph-api-notes."""

from __future__ import annotations

import json
import pickle

import pytest

from meta_auth_nb import errors as E
from meta_auth_nb._base.tokens import TokenInfo
from meta_auth_nb.graph.classify import classify, error_from_token_info


def envelope(code, subcode=None, message="msg", **extra):
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC123", **extra}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


@pytest.mark.parametrize(
    ("code", "subcode", "message", "expected"),
    [
        (190, 463, "Error validating access token: Session has expired", E.TokenExpired),
        (190, 460, "password changed", E.TokenInvalidated),
        (190, 458, "app not installed", E.TokenInvalidated),
        (190, 459, "checkpointed", E.TokenInvalidated),
        (190, 464, "unconfirmed", E.TokenInvalidated),
        (190, 492, "invalid session", E.TokenInvalidated),
        (190, 467, "Invalid OAuth access token", E.TokenError),
        (190, None, "Invalid OAuth access token - Cannot parse access token", E.TokenError),
        (102, None, "Session key invalid", E.TokenInvalidated),
        (104, None, "An access token is required", E.TokenMissing),
        (10, None, "(#10) Application does not have permission", E.MissingPermission),
        (200, None, "(#200) Requires ads_read", E.MissingPermission),
        (294, None, "(#294) Managing advertisements requires", E.MissingPermission),
        (4, None, "(#4) Application request limit reached", E.RateLimited),
        (17, 2446079, "(#17) User request limit reached", E.RateLimited),
        (32, None, "Page request limit", E.RateLimited),
        (613, 1487742, "Calls within one hour", E.RateLimited),
        (80000, None, "There have been too many calls from this ad-account", E.RateLimited),
        (80004, None, "too many calls to this ad account", E.RateLimited),
        (80014, None, "catalog batch", E.RateLimited),
        (2, None, "An unexpected error has occurred", E.TransientError),
        (100, 36009, "This authorization code has been used.", E.CodeExchangeFailed),
        (100, 36007, "Code was invalid or expired.", E.CodeExchangeFailed),
        (
            100,
            36008,
            "Error validating verification code. Please make sure your redirect_uri is identical",
            E.CodeExchangeFailed,
        ),
        (100, None, "Invalid verification code format.", E.CodeExchangeFailed),
        (1, None, "Error validating client secret.", E.CodeExchangeFailed),
        (101, None, "Error validating application. Invalid application ID.", E.CodeExchangeFailed),
        (100, None, "Invalid appsecret_proof provided in the API argument", E.InvalidAppSecretProof),
        (100, None, "Unsupported get request.", E.GraphError),
        (12345, None, "something new", E.GraphError),
    ],
)
def test_classify_maps_each_family(code, subcode, message, expected):
    err = classify(envelope(code, subcode, message), status=400)
    assert type(err) is expected
    assert err.code == code and err.subcode == subcode
    assert err.fbtrace_id == "AbC123" and err.type == "OAuthException"
    assert err.message == message
    # every message says what to do next
    assert err.hint and err.hint in str(err)


def test_code_1_transient_and_http_5xx_without_body():
    assert isinstance(
        classify(envelope(1, message="An unknown error occurred", is_transient=True), status=503), E.TransientError
    )
    assert isinstance(classify(None, status=502), E.TransientError)
    plain = classify(None, status=404)
    assert type(plain) is E.GraphError and plain.status == 404


def test_rate_limit_reads_retry_after_from_usage_headers():
    headers = {
        "x-business-use-case-usage": json.dumps(
            {"123": [{"type": "ads_insights", "call_count": 100, "estimated_time_to_regain_access": 2}]}
        )
    }
    err = classify(envelope(80000), status=400, headers=headers)
    assert isinstance(err, E.RateLimited)
    assert err.retry_after == 120
    assert "120 s" in str(err)
    assert classify(envelope(4), status=400).retry_after is None


def test_unknown_fields_kept_and_user_messages():
    err = classify(envelope(999, 5, error_user_title="Title", error_user_msg="Do X"), status=400)
    assert (err.code, err.subcode, err.user_title, err.user_msg) == (999, 5, "Title", "Do X")


def test_string_error_and_garbage_bodies_do_not_crash():
    assert isinstance(classify({"error": "invalid_request"}, status=400), E.GraphError)
    assert isinstance(classify({"error": 5}, status=400), E.GraphError)
    assert isinstance(classify({"error": {"code": "abc"}}, status=400), E.GraphError)


def test_debug_token_block_uses_subcode_key():
    info = TokenInfo.from_debug_token(
        {"data": {"is_valid": False, "error": {"code": 190, "subcode": 460, "message": "password changed"}}}
    )
    err = error_from_token_info(info)
    assert isinstance(err, E.TokenInvalidated) and err.subcode == 460
    assert "password" in err.reason
    expired = TokenInfo.from_debug_token(
        {"data": {"is_valid": False, "error": {"code": 190, "subcode": 463, "message": "Session has expired"}}}
    )
    assert isinstance(error_from_token_info(expired), E.TokenExpired)
    assert error_from_token_info(TokenInfo(is_valid=True)) is None


def test_messages_never_carry_tokens_or_secrets():
    canary = "EAA" + "Zq9" * 55
    err = classify(envelope(190, 463, f"token {canary} has expired; app 123456|{'a' * 32}"), status=400)
    text = str(err) + repr(err) + err.message
    assert canary not in text and "a" * 32 not in text
    assert "EAAZ" in text  # masked, still recognisable


def test_errors_pickle_with_fields():
    err = classify(envelope(80000), status=400)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is E.RateLimited and again.code == 80000 and str(again) == str(err)


def test_hierarchy_matches_design():
    assert issubclass(E.TokenExpired, E.TokenError) and issubclass(E.TokenError, E.GraphError)
    assert issubclass(E.StateMismatch, E.OAuthError) and issubclass(E.LoginDenied, E.OAuthError)
    assert issubclass(E.CodeExchangeFailed, E.OAuthError) and issubclass(E.OAuthError, E.GraphError)
    assert issubclass(E.RateLimited, E.GraphError) and issubclass(E.MissingPermission, E.GraphError)


# --- one meaning per token error: the session's exception and the verdict agree ------------------------------------
@pytest.mark.parametrize(
    ("code", "subcode", "message", "expected", "status", "reason"),
    [
        (190, 463, "Error validating access token: Session has expired", E.TokenExpired, "expired", "has expired"),
        (190, None, "The access token expired.", E.TokenExpired, "expired", "has expired"),
        (
            190,
            None,
            "Error validating access token: Session has expired on Sunday",
            E.TokenExpired,
            "expired",
            "has expired",
        ),
        (190, 460, "password changed", E.TokenInvalidated, "invalid", "changed their password"),
        (190, None, "The user has changed the password.", E.TokenInvalidated, "invalid", "changed their password"),
        (190, 458, "app not installed", E.TokenInvalidated, "invalid", "app was removed"),
        (190, None, "User 123 has not authorized application 456.", E.TokenInvalidated, "invalid", "app was removed"),
        (190, 459, "checkpointed", E.TokenInvalidated, "invalid", "checkpointed"),
        (190, 466, "invalidated explicitly using an API call", E.TokenInvalidated, "invalid", "revoked by an API call"),
        (190, 467, "Invalid OAuth access token", E.TokenError, "invalid", "does not recognise"),
        (190, None, "Malformed access token EAAB", E.TokenError, "invalid", "the token is invalid"),
        (102, None, "Session key invalid", E.TokenInvalidated, "invalid", "session is invalid"),
    ],
)
def test_a_token_error_means_the_same_to_the_session_and_the_verdict(code, subcode, message, expected, status, reason):
    from meta_auth_nb.auth.verdict import judge

    raised = classify(envelope(code, subcode, message), status=400)
    info = TokenInfo(is_valid=False, error_code=code, error_subcode=subcode, error_message=message)
    verdict = judge(info)
    from_facts = error_from_token_info(info)
    assert type(raised) is expected and type(from_facts) is expected
    assert reason in raised.reason and raised.reason == from_facts.reason == verdict.reason == info.invalid_reason
    assert verdict.status == status
    # The fix a person reads is the verdict's advice, in the exception's hint too.
    assert verdict.advice in raised.hint and verdict.advice in from_facts.hint


def test_session_raises_token_expired_for_an_expired_message_without_subcode(sandbox, opts, tmp_path):
    """``mab.session()`` raises what the verdict says: TokenExpired, for "The access token expired." alone."""
    import keyring.backends.fail

    import meta_auth_nb as mab

    store = mab.TokenStore(config_dir=tmp_path / "cfg", keyring_backend=keyring.backends.fail.Keyring(), environ={})
    raw = sandbox.issue_token(lifetime_s=3600)
    store.save("p", raw)
    expired = {"message": "The access token expired.", "type": "OAuthException", "code": 190}  # no subcode
    sandbox.fail_next({"status": 400, "error": expired}, times=5)
    with pytest.raises(E.TokenExpired) as caught:
        mab.session("p", store=store, **opts)
    assert "has expired" in caught.value.reason
