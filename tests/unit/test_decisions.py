"""The decisions every front end shows, each as a promise a person would notice.

Which app a token belongs to and which secret goes with it; whether extending
helps; how an expiry reads; what a token's state is and what to do; the command
each piece of advice names, where it is read. No network: the facts are built here.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from meta_auth_nb._base.commands import NOTEBOOK, TERMINAL, Place
from meta_auth_nb._base.settings import Settings
from meta_auth_nb._base.status import Status
from meta_auth_nb._base.tokens import AccessToken, Permission, TokenInfo
from meta_auth_nb._base.words import data_access_expiry_of, expiry_of, kept_words, type_words
from meta_auth_nb.auth.app_choice import AppChoice, app_for
from meta_auth_nb.auth.extension import EXPLORER_APP_ID, extension_offer
from meta_auth_nb.auth.verdict import judge
from meta_auth_nb.store import StoredProfile

NOW = datetime(2031, 6, 2, 12, 0, tzinfo=timezone.utc)  # far from this machine's clock: "now" is the one given
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
NOTEBOOK_HERE, TERMINAL_HERE = Place(NOTEBOOK), Place(TERMINAL)
SANDBOX = Place(NOTEBOOK, sandbox=True, default_profile="sandbox")


def valid(left: timedelta | None = 59 * DAY, **facts) -> TokenInfo:
    """A valid user token of app 111 that expires ``left`` from NOW (None: never)."""
    facts.setdefault("type", "USER")
    facts.setdefault("app_id", "111")
    facts.setdefault("scopes", ("ads_read",))
    return TokenInfo(is_valid=True, expires_at=None if left is None else NOW + left, **facts)


def stored(app_id=None, secret=None, info=None, name="work") -> StoredProfile:
    return StoredProfile(name, AccessToken("EAAB" + "x1" * 40), app_id=app_id, app_secret=secret, info=info)


# --- which app, which secret -------------------------------------------------------------------------------------
ENV = Settings(app_id="111", app_secret="s" * 32)


def test_a_token_of_unknown_app_is_taken_to_be_the_environments_with_its_secret():
    choice = app_for(ENV, stored=stored())
    assert (choice.app_id, choice.secret, choice.source) == ("111", "s" * 32, "META_APP_ID")
    assert choice.usable and "s" * 32 not in repr(choice)


def test_the_tokens_own_app_beats_what_was_given_and_never_gets_another_apps_secret():
    choice = app_for(ENV, token_app="222", given="111", given_secret="g" * 32, stored=stored(app_id="111"))
    assert (choice.app_id, choice.secret) == ("222", None)
    assert not choice.usable


@pytest.mark.parametrize(
    ("kwargs", "app", "secret", "source"),
    [
        ({"given": "333", "given_secret": "g" * 32}, "333", "g" * 32, "--app-id"),
        ({"given": "333"}, "333", None, "--app-id"),  # META_APP_SECRET is 111's, not 333's
        ({"stored": stored(app_id="444", secret="p" * 32)}, "444", "p" * 32, "the profile"),
        ({"stored": stored(info=valid(app_id="555"))}, "555", None, "the token (debug_token, at its last check)"),
        ({"stored": stored(info=valid(app_id="111"))}, "111", "s" * 32, "the token (debug_token, at its last check)"),
        ({"given_secret": "g" * 32}, "111", "g" * 32, "META_APP_ID"),  # typed without an app id: META_APP_ID's
    ],
)
def test_the_one_order_of_apps_and_the_secret_that_belongs_to_each(kwargs, app, secret, source):
    choice = app_for(ENV, **kwargs)
    assert (choice.app_id, choice.secret, choice.source) == (app, secret, source)


def test_no_app_anywhere_means_no_secret():
    choice = app_for(Settings(app_secret="s" * 32))
    assert choice == AppChoice(None, None, "none") and not choice.usable


# --- whether extending helps -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("info", "kind", "words"),
    [
        (valid(1 * HOUR), "user", "short-lived: it expires in 1 hour"),
        (valid(2 * DAY - timedelta(minutes=1)), "user", "short-lived"),
        (valid(2 * DAY + HOUR), "user", "it expires in 2 days; extending gives a new 60-day token"),
        (valid(7 * DAY), "user", "expires in 7 days"),
        (valid(8 * DAY), None, "this long-lived token expires in 8 days: there is nothing to extend yet"),
        (valid(5 * DAY, type="SYSTEM_USER"), "system_user", "refreshing gives it another 60 days"),
        (valid(59 * DAY, type="SYSTEM_USER"), None, "60-day system user token expires in 59 days"),
        (valid(None), None, "never expires"),
        (valid(HOUR, type="PAGE"), None, "a PAGE token is not extended"),
        (valid(HOUR, app_id=EXPLORER_APP_ID), None, "Graph API Explorer's own app"),
        (valid(None, expiry_known=False, type=None), "user", "cannot be read here"),
        (TokenInfo(is_valid=False, error_code=190, error_subcode=460), None, "not valid"),
        (None, None, "not valid"),
    ],
)
def test_extending_is_offered_when_it_gives_a_longer_life(info, kind, words):
    offer = extension_offer(info, now=NOW, warn_days=7)
    assert offer.kind == kind and offer.offered is (kind is not None)
    assert words in offer.why
    assert offer.action == ("Refresh for 60 days" if kind == "system_user" else "Extend to 60 days")


def test_the_boundaries_of_short_lived_and_of_the_warning_window():
    at_two_days = extension_offer(valid(2 * DAY), now=NOW, warn_days=7)
    assert at_two_days.offered and not at_two_days.short_lived  # two days left: a long-lived token expiring
    just_outside = extension_offer(valid(7 * DAY + timedelta(seconds=1)), now=NOW, warn_days=7)
    assert not just_outside.offered and just_outside.later


def test_a_token_not_extended_now_is_said_to_need_it_later_only_when_it_will():
    assert extension_offer(valid(30 * DAY), now=NOW).later
    assert not extension_offer(valid(None), now=NOW).later
    assert (
        extension_offer(valid(HOUR), now=NOW).short_lived and not extension_offer(valid(3 * DAY), now=NOW).short_lived
    )


# --- how an expiry reads -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("info", "relative", "cell", "sentence"),
    [
        (valid(59 * DAY), "in 59 days", "in 59 days (2031-07-31 12:00 UTC)", "expires in 59 days"),
        (valid(3 * HOUR), "in 3 hours", "in 3 hours (2031-06-02 15:00 UTC)", "expires in 3 hours"),
        (valid(-2 * HOUR), "2 hours ago", "2 hours ago (2031-06-02 10:00 UTC)", "expired 2 hours ago"),
        (valid(None), "never", "never", "never expires"),
        (valid(None, expiry_known=False), "unknown", "unknown", "expiry unknown"),
        (
            TokenInfo(is_valid=False, error_code=190, error_subcode=460, expires_at=NOW + DAY),
            "-",
            "-",
            "expiry not known",
        ),
        (
            TokenInfo(is_valid=False, expires_at=NOW - DAY),
            "1 day ago",
            "1 day ago (2031-06-01 12:00 UTC)",
            "expired 1 day ago",
        ),
        (None, "-", "-", "expiry not known"),
    ],
)
def test_an_expiry_reads_the_same_in_every_form(info, relative, cell, sentence):
    expiry = expiry_of(info, now=NOW)
    assert (expiry.relative, expiry.cell, expiry.sentence) == (relative, cell, sentence)
    assert expiry.past is relative.endswith("ago")


def test_an_unchecked_token_reads_its_own_expiry_and_the_exact_moment_is_past():
    token = AccessToken("EAAB" + "y2" * 40, expires_at=NOW + 2 * HOUR)
    assert expiry_of(None, token, NOW).cell == "in 2 hours (2031-06-02 14:00 UTC)"
    assert expiry_of(valid(timedelta(0)), now=NOW).past  # at its very moment it has lapsed
    assert not expiry_of(valid(timedelta(seconds=0.5)), now=NOW).past  # half a second left still counts
    ended_now = TokenInfo(is_valid=False, expires_at=NOW)  # refused because its time is up: that is why
    assert expiry_of(ended_now, now=NOW).past


def test_data_access_expiry_and_the_other_words():
    info = valid(59 * DAY, data_access_expires_at=NOW + 89 * DAY)
    assert data_access_expiry_of(info, NOW).cell == "in 89 days (2031-08-30 12:00 UTC)"
    assert data_access_expiry_of(valid(None), NOW).relative == "never"
    assert data_access_expiry_of(valid(None, expiry_known=False), NOW).relative == "unknown"
    assert data_access_expiry_of(None, NOW).relative == "-"
    assert data_access_expiry_of(TokenInfo(is_valid=False), NOW).relative == "-"
    assert [
        type_words(valid()),
        type_words(valid(type=None)),
        type_words(TokenInfo(is_valid=False)),
        type_words(None),
    ] == [
        "USER",
        "unknown",
        "-",
        "-",
    ]
    assert [kept_words(b) for b in ("keyring", "memory", "env", "colab", None, "other")] == [
        "system keyring",
        "this kernel's memory",
        "META_ACCESS_TOKEN",
        "Colab secret",
        "-",
        "other",
    ]


# --- a token's state and what to do, for where it is read --------------------------------------------------------
def test_each_state_and_its_severity_which_sets_the_exit_code_of_check():
    severities = {status: status.severity for status in Status}
    assert severities == {
        Status.OK: 0,
        Status.EXPIRY_UNKNOWN: 1,
        Status.EXPIRING: 1,
        Status.DATA_ACCESS_EXPIRING: 1,
        Status.UNCHECKED: 1,
        Status.MISSING_SCOPES: 2,
        Status.EXPIRED: 2,
        Status.INVALID: 2,
        Status.UNREADABLE: 2,
        Status.ERROR: 3,
    }
    assert [s for s in Status if s.usable] == [
        Status.OK,
        Status.EXPIRY_UNKNOWN,
        Status.EXPIRING,
        Status.DATA_ACCESS_EXPIRING,
    ]
    assert str(Status.OK) == "ok" and Status.OK == "ok"


def test_a_declined_permission_is_named_and_asked_again():
    verdict = judge(
        valid(),
        [Permission("ads_read", "granted"), Permission("ads_management", "declined")],
        required_scopes=["ads_read", "ads_management"],
        now=NOW,
        profile="work",
        place=TERMINAL_HERE,
    )
    assert verdict.status == Status.MISSING_SCOPES and verdict.declined_scopes == ("ads_management",)
    assert verdict.reason == "missing required permission: ads_management (declined: ads_management)"
    assert "`meta-auth login --profile work --oauth --scopes ads_management --auth-type rerequest`" in verdict.advice
    plain = judge(valid(), required_scopes=["ads_read", "business_management"], now=NOW, place=TERMINAL_HERE)
    assert plain.reason == "missing required permission: business_management"
    assert "rerequest" not in plain.advice and plain.declined_scopes == ()
    two = judge(valid(scopes=()), required_scopes="ads_read,ads_management", now=NOW)
    assert two.reason == "missing required permissions: ads_read, ads_management"


def test_a_configuration_decides_the_permissions_so_the_advice_changes_it():
    verdict = judge(valid(), required_scopes=["business_management"], now=NOW, config_id="123", place=NOTEBOOK_HERE)
    assert "Login for Business configuration" in verdict.advice and "`%meta_login --config-id 123`" in verdict.advice


@pytest.mark.parametrize(
    ("subcode", "first"),
    [
        (459, "Log in on facebook.com to clear the security checkpoint, then"),
        (464, "Confirm the account on facebook.com, then"),
    ],
)
def test_a_token_needing_facebook_first_says_so_before_the_login(subcode, first):
    verdict = judge(TokenInfo(is_valid=False, error_code=190, error_subcode=subcode), now=NOW, place=NOTEBOOK_HERE)
    assert verdict.status == Status.INVALID
    login = "log in again with `%meta_login` (or paste a new token from the Graph API Explorer)."
    assert verdict.advice == f"{first}: get a new token: {login}"


def test_expiring_expired_and_data_access_read_by_the_clock_given():
    soon = judge(valid(2 * DAY), now=NOW, can_extend=True, place=TERMINAL_HERE, profile="p")
    assert (soon.status, soon.reason) == (Status.EXPIRING, "expires in 2 days")
    assert soon.advice.startswith("Extend it (one call): `meta-auth extend --profile p`.")
    cannot = judge(valid(2 * DAY), now=NOW, place=TERMINAL_HERE)
    assert "extend" not in cannot.advice and cannot.advice.startswith("Get a new token")
    system = judge(valid(2 * DAY, type="SYSTEM_USER"), now=NOW, can_extend=True, place=TERMINAL_HERE)
    assert system.advice.startswith("Refresh it for another 60 days: `meta-auth extend`.")
    assert judge(valid(8 * DAY), now=NOW, warn_days=7).status == Status.OK
    assert judge(valid(7 * DAY), now=NOW, warn_days=7).status == Status.EXPIRING
    lapsed = judge(valid(-HOUR), now=NOW)  # valid when Graph last said, but its time is up
    assert (lapsed.status, lapsed.reason) == (Status.EXPIRED, "the token has expired")
    access = judge(valid(59 * DAY, data_access_expires_at=NOW + 3 * DAY), now=NOW)
    assert (access.status, access.reason) == (Status.DATA_ACCESS_EXPIRING, "data access expires in 3 days")
    assert judge(valid(59 * DAY, data_access_expires_at=NOW + 30 * DAY), now=NOW).status == Status.OK
    at_the_edge = judge(valid(59 * DAY, data_access_expires_at=NOW + 7 * DAY), now=NOW, warn_days=7)
    assert at_the_edge.status == Status.DATA_ACCESS_EXPIRING


def test_unchecked_and_unknown_expiry_name_the_check_for_where_they_are_read():
    assert judge(None, place=TERMINAL_HERE, profile="p").advice == "Check it: `meta-auth check --profile p`."
    assert judge(None, place=SANDBOX).advice == "Check it: `%meta_login --sandbox`."
    unknown = judge(valid(None, expiry_known=False), now=NOW, place=NOTEBOOK_HERE)
    assert unknown.status == Status.EXPIRY_UNKNOWN and "then check again: `%meta_login`" in unknown.advice


def test_the_sandbox_login_advice_and_the_default_profile_go_unnamed():
    expired = TokenInfo(is_valid=False, error_code=190, error_subcode=463)
    assert judge(expired, place=SANDBOX, profile="sandbox").advice == (
        "Get a new token: run `%meta_login --sandbox` and log in again (about 10 s)."
    )
    assert "--profile other" in judge(expired, place=SANDBOX, profile="other").advice
    anywhere = judge(expired, place=Place(), profile="default").advice
    assert "`%meta_login` in a notebook, `meta-auth login` in a terminal" in anywhere


# --- what a token error means ------------------------------------------------------------------------------------
def test_a_token_error_explains_why_then_what_to_do():
    from meta_auth_nb._base.token_errors import token_error_meaning

    expired = token_error_meaning(190, 463, None)
    assert expired is not None
    assert expired.explained(TERMINAL_HERE, "p") == (
        "The token has expired. Get a new token: log in again with `meta-auth login --profile p` "
        "(or paste a new token from the Graph API Explorer)."
    )
    # The subcode decides, whatever the message says.
    changed = token_error_meaning(190, 460, "Error validating access token: The session has been invalidated")
    assert changed is not None and changed.reason == "the user changed their password"
    # Another code is not about the token, even when its message mentions an expiry.
    assert token_error_meaning(100, None, "(#100) The time range expired: pick another") is None
    assert token_error_meaning(None, None, "Session has expired").reason == "the token has expired"
