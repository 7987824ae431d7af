"""What a user reads for each kind of Graph error, and whether the session tries again.

``test_errors.py`` checks each family's exception class; these check what the user sees and what
happens next: the words of the message (the thing to do, the command for where it is read), the
wait a rate limit announces, and whether the call is retried (``is_transient``), for replies as
Graph writes them.
"""

from __future__ import annotations

import json

import pytest

from meta_auth_nb import errors as E
from meta_auth_nb._base.commands import Place
from meta_auth_nb._base.tokens import TokenInfo
from meta_auth_nb.graph.classify import classify, error_from_token_info

TERMINAL = Place(surface="terminal")
NOTEBOOK = Place(surface="notebook")


def envelope(code, subcode=None, message="msg", **extra):
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC123", **extra}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def said(code, subcode=None, message="msg", *, status=400, place=TERMINAL, headers=None, **extra):
    err = classify(envelope(code, subcode, message, **extra), status=status, place=place, headers=headers)
    return err, str(err)


# --- what to do, per family --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "subcode", "message", "kind", "advice"),
    [
        (100, 36007, "Code was invalid or expired.", E.CodeExchangeFailed, "codes live about 10 minutes"),
        (100, 36008, "Error validating verification code.", E.CodeExchangeFailed, "character for character"),
        (100, 36009, "This authorization code has been used.", E.CodeExchangeFailed, "Each login code works once"),
        (100, None, "Invalid verification code format.", E.CodeExchangeFailed, "Paste the whole redirected URL"),
        (1, None, "Error validating client secret.", E.CodeExchangeFailed, "App settings > Basic"),
        (101, None, "Error validating application. Invalid application ID.", E.CodeExchangeFailed, "--app-id"),
        (1, None, "(#100) Missing required parameter: fields", E.GraphError, "A required parameter was not sent"),
        (1, None, "The parameter fields is missing", E.GraphError, "A required parameter was not sent"),
        (1, None, "Please reduce the amount of data you're asking for, then retry your request", E.TooMuchData,
         "Ask for less per call"),
        (100, 1487534, "Too much data per call", E.TooMuchData, "Ask for less per call"),
        (100, 1504018, "Request timed out", E.TooMuchData, "Meta timed out on the request"),
        (2, 1504038, "Request timed out", E.TooMuchData, "Meta timed out on the request"),
        (-3, 1504045, "Request too large", E.TooMuchData, "Meta timed out on the request"),
        (10, None, "(#10) Application does not have permission for this action", E.MissingPermission,
         "asking for the permission it needs"),
        (299, None, "(#299) Requires ads_read", E.MissingPermission, "asking for the permission it needs"),
    ],
)  # fmt: skip
def test_each_kind_of_error_says_what_to_do(code, subcode, message, kind, advice):
    err, text = said(code, subcode, message)
    assert type(err) is kind and advice in text and text.startswith(message)
    assert not err.is_transient  # none of these passes by itself


def test_code_300_is_not_a_permission_error():
    err, text = said(300, None, "(#300) Edit failure")
    assert type(err) is E.GraphError and "quote the fbtrace_id" in text


def test_an_unknown_code_keeps_its_fields_and_says_how_to_get_help():
    err, text = said(12345, 6789, "something new")
    assert type(err) is E.GraphError and (err.code, err.subcode) == (12345, 6789) and not err.is_transient
    assert text == (
        "something new (code 12345/6789, fbtrace_id AbC123). "
        "Check the request; quote the fbtrace_id if you ask Meta for help."
    )


def test_permission_errors_raised_while_impersonating_a_page_are_permissions_not_tokens():
    err, _ = said(190, None, "(#190) Requires pages_read_engagement permission(s) must be granted before impersonating")
    assert type(err) is E.MissingPermission


# --- insights --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("subcode", "part"), [(1504041, "breakdowns"), (1504042, "custom metrics")])
def test_a_refused_insights_query_names_the_part_and_is_not_retried(subcode, part):
    err, text = said(2, subcode, "", is_transient=True)  # even when Graph calls it transient: the request is wrong
    assert type(err) is E.InsightsQueryRefused and err.part == part and not err.is_transient
    assert text.startswith(f"Meta refused the query's {part} (code 2/{subcode}, fbtrace_id AbC123)")
    assert "then run the pull again" in text


@pytest.mark.parametrize("subcode", [1504022, 1504039])
def test_too_many_insights_requests_is_a_rate_limit_waited_out(subcode):
    err, text = said(4, subcode, "")
    assert type(err) is E.RateLimited and err.retry_after == 60.0
    assert text.startswith("There have been too many insights requests") and "about 60 s" in text
    headers = {
        "x-business-use-case-usage": json.dumps(
            {"1": [{"type": "ads_insights", "call_count": 100, "estimated_time_to_regain_access": 3}]}
        )
    }
    assert said(4, subcode, "", headers=headers)[0].retry_after == 180


def test_an_insights_report_not_ready_right_after_completion_is_retried():
    err, text = said(2601, 1815107, "Error accessing adreport job.")
    assert type(err) is E.TransientError and err.is_transient and "usually passes" in text
    assert not said(2601, 1815108, "Error accessing adreport job.")[0].is_transient


# --- rate limits ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "words"),
    [
        (4, "The app rate limit"),
        (17, "The user rate limit"),
        (32, "The page rate limit"),
        (613, "The call rate limit"),
        (80000, "The ads insights rate limit"),
        (80001, "The pages rate limit"),
        (80002, "The Instagram rate limit"),
        (80003, "The custom audience rate limit"),
        (80004, "The ads management rate limit"),
        (80005, "The lead generation rate limit"),
        (80006, "The Messenger rate limit"),
        (80008, "The WhatsApp rate limit"),
        (80009, "The catalog rate limit"),
        (80014, "The catalog batch rate limit"),
    ],
)
def test_a_rate_limit_without_a_message_names_whose_limit_it_was(code, words):
    err, text = said(code, None, "")
    assert type(err) is E.RateLimited and text.startswith(f"{words} was reached (code {code}, fbtrace_id AbC123)")


@pytest.mark.parametrize("code", [3, 16, 31, 614, 79999, 80015])
def test_codes_next_to_the_rate_limit_codes_are_not_rate_limits(code):
    assert not isinstance(said(code, None, "x")[0], E.RateLimited)


# --- what is retried ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "status", "graph_says", "retried"),
    [
        (1, 400, None, True),  # "An unknown error occurred": temporary unless Graph says otherwise
        (2, 400, None, True),
        (960, 400, None, True),
        (1, 400, False, False),  # Graph says it is not: not retried
        (1, 500, False, False),
        (999, 500, None, True),  # an unknown code with HTTP 500 or more: Meta's side
        (999, 503, None, True),
        (999, 499, None, False),
        (999, 400, True, True),  # Graph says it is
        (3, 400, None, False),
    ],
)
def test_which_errors_are_tried_again(code, status, graph_says, retried):
    extra = {} if graph_says is None else {"is_transient": graph_says}
    err, text = said(code, None, "An unknown error occurred", status=status, **extra)
    assert err.is_transient is retried
    assert (type(err) is E.TransientError) is retried
    assert ("usually passes" in text) is retried


def test_a_bare_http_500_is_tried_again_and_a_404_is_not():
    assert classify(None, status=500).is_transient and isinstance(classify(None, status=500), E.TransientError)
    assert str(classify(None, status=500)).startswith("The Graph API answered HTTP 500")
    missing = classify(None, status=404)
    assert type(missing) is E.GraphError and str(missing).startswith(
        "The Graph API answered HTTP 404 with no error details"
    )


# --- hints that know where they are read -----------------------------------------------------------------------------
def test_a_dead_tokens_hint_names_the_command_for_where_it_is_read():
    _, terminal = said(190, 463, "Session has expired", place=TERMINAL)
    _, notebook = said(190, 463, "Session has expired", place=NOTEBOOK)
    assert "meta-auth login" in terminal and "%meta_login" not in terminal
    assert "%meta_login" in notebook and "meta-auth login" not in notebook


def test_a_token_error_known_only_by_its_subcode_is_still_a_token_error():
    err, _ = said(999, 463, "Session has expired")
    assert isinstance(err, E.TokenExpired)


# --- replies that say little ---------------------------------------------------------------------------------------
def test_an_ended_version_without_a_message_still_says_so_and_what_to_set():
    _, text = said(2635, None, "")
    assert text.startswith("This Graph API version has ended (code 2635") and "META_GRAPH_VERSION" in text


def test_an_oauth_endpoints_error_string_is_kept_as_the_message():
    err = classify({"error": "invalid_request"}, status=400, place=TERMINAL)
    assert type(err) is E.GraphError and err.message == "invalid_request" and err.type == "OAuthException"


def test_an_invalid_token_that_debug_token_gives_no_words_for_still_says_why():
    err = error_from_token_info(TokenInfo(is_valid=False), place=TERMINAL)
    assert isinstance(err, E.TokenError) and (err.code, err.status) == (190, 200)
    assert str(err).startswith(f"The access token is not valid: {err.reason}") and "meta-auth login" in str(err)
    told = error_from_token_info(TokenInfo(is_valid=False, error_code=102, error_message="Session key invalid"))
    assert told is not None and told.code == 102 and told.message == "Session key invalid"
