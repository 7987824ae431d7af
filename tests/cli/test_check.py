"""``meta-auth check``: every exit code against sandbox tokens, human and JSON output."""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import DAY

REPORT_KEYS = {
    "profile",
    "token",
    "status",
    "severity",
    "reason",
    "advice",
    "type",
    "app_id",
    "user_id",
    "valid",
    "expiry_known",
    "expires_at",
    "expires",
    "data_access_expires_at",
    "scopes",
    "missing_scopes",
    "declined_scopes",
    "checked_at",
}


@pytest.fixture
def save(store, env):
    """Save a sandbox token under a profile (as `login` would, without the app secret)."""

    def put(profile: str = "work", **issue) -> str:
        raw = env.issue_token(**issue)
        store.save(profile, raw)
        return raw

    return put


def test_healthy_exits_0_with_a_table(save, cli_run):
    raw = save(lifetime_s=60 * DAY)
    result = cli_run("check", "--profile", "work")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0].split() == ["PROFILE", "TOKEN", "TYPE", "STATUS", "EXPIRES", "DETAIL"]
    row = result.out.splitlines()[1]
    assert row.split()[:4] == ["work", raw[:4] + "\u2026" + raw[-4:], "USER", "ok"]
    assert "Healthy" in result.out
    assert raw not in result.text


def test_expiring_soon_exits_1_with_instructions(save, env, cli_run):
    raw = save(lifetime_s=60 * DAY)
    env.advance(55 * DAY)
    result = cli_run("check", "--profile", "work", "--warn-days", "7")
    assert result.code == 1, result.text
    # Graph's Date header has whole seconds, so "5 days less a moment" may read either way.
    assert "expiring" in result.out and ("in 4 days" in result.out or "in 5 days" in result.out)
    assert "What to do:" in result.out and "meta-auth login --profile work" in result.out
    # a wider window than what is left, and a narrower one
    assert cli_run("check", "--profile", "work", "--warn-days", "3").code == 0
    assert raw not in result.text


def test_expired_exits_2(save, env, cli_run):
    save(lifetime_s=3600)
    env.advance(2 * 3600)
    result = cli_run("check", "--profile", "work")
    assert result.code == 2, result.text
    assert "expired" in result.out
    assert "Get a new token" in result.out


def test_password_change_exits_2(save, env, cli_run):
    save(user="alice", lifetime_s=60 * DAY)
    env.change_password("alice")
    result = cli_run("check", "--profile", "work", "--json")
    assert result.code == 2
    report = json.loads(result.out)["reports"][0]
    assert report["status"] == "invalid"
    assert "password" in report["reason"]
    assert report["valid"] is False


def test_missing_required_scope_exits_2(save, cli_run):
    save(scopes=["ads_read"], lifetime_s=60 * DAY)
    result = cli_run("check", "--profile", "work", "--require-scopes", "ads_management", "--json")
    assert result.code == 2
    report = json.loads(result.out)["reports"][0]
    assert report["status"] == "missing_scopes"
    assert report["missing_scopes"] == ["ads_management"]
    assert "ads_management" in report["advice"]
    assert cli_run("check", "--profile", "work", "--require-scopes", "ads_read").code == 0


@pytest.mark.parametrize(
    "argv, says",
    [
        (["check", "--profile", "nobody"], "No token is stored for profile 'nobody'"),
        (["check", "--warn-days", "soon"], "--warn-days"),
        (["check", "--profile", "a", "--all"], "not allowed with argument"),
        (["check", "--require-scopes", "ads read!"], "not a permission name"),
        (["check", "--bogus"], "unrecognized arguments"),
        (["check", "--profile", "bad name"], "profile"),
        (["check", "--email-always"], "--email-always needs --email"),
    ],
)
def test_usage_and_setup_errors_exit_3_with_one_line(store, env, cli_run, argv, says):
    result = cli_run(*argv)
    assert result.code == 3
    assert result.out == ""
    assert says in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert "Traceback" not in result.err


def test_json_errors_still_print_a_json_object(store, env, cli_run):
    result = cli_run("check", "--profile", "nobody", "--json")
    assert result.code == 3
    assert "No token is stored for profile 'nobody'" in result.err
    payload = json.loads(result.out)
    assert payload["exit_code"] == 3
    (row,) = payload["reports"]
    assert set(row) == REPORT_KEYS
    assert (row["profile"], row["status"], row["severity"]) == ("nobody", "error", 3)


def test_graph_unreachable_exits_3(store, monkeypatch, cli_run):
    from tests.cli.helpers import free_port

    store.save("work", "EAA" + "x" * 160)
    monkeypatch.setenv("META_GRAPH_URL", f"http://127.0.0.1:{free_port()}")
    result = cli_run("check", "--profile", "work")
    assert result.code == 3, result.text
    assert "Traceback" not in result.err


def test_default_profile_is_served_by_meta_access_token(env, store, monkeypatch, cli_run):
    monkeypatch.setenv("META_ACCESS_TOKEN", env.issue_token(lifetime_s=60 * DAY))
    result = cli_run("check")
    assert result.code == 0, result.text
    assert result.out.splitlines()[1].startswith("default")


def test_json_shape_is_stable(save, env, cli_run):
    save("fine", lifetime_s=60 * DAY)
    save("soon", lifetime_s=5 * DAY)
    result = cli_run("check", "--all", "--json")
    payload = json.loads(result.out)
    assert set(payload) == {"exit_code", "checked_at", "warn_days", "graph_version", "version_notice", "reports"}
    assert payload["graph_version"] == "v27.0" and payload["version_notice"] is None
    assert payload["exit_code"] == result.code == 1
    assert payload["warn_days"] == 7
    assert [r["profile"] for r in payload["reports"]] == ["fine", "soon"]
    for report in payload["reports"]:
        assert set(report) == REPORT_KEYS
        assert report["token"].startswith("EAA") and "\u2026" in report["token"]
    fine, soon = payload["reports"]
    assert (fine["status"], fine["severity"], fine["valid"], fine["type"]) == ("ok", 0, True, "USER")
    assert (soon["status"], soon["severity"]) == ("expiring", 1)
    assert fine["expires_at"].endswith("+00:00")
    assert set(fine["scopes"]) >= {"ads_read"}
    assert fine["app_id"] == env.app_id


def test_all_takes_the_worst_and_keeps_going_past_errors(save, env, store, keyring_backend, cli_run):
    save("fine", lifetime_s=60 * DAY)
    save("gone", lifetime_s=60)
    env.advance(120)
    result = cli_run("check", "--all")
    assert result.code == 2
    lines = result.out.splitlines()
    assert [line.split()[0] for line in lines[1:3]] == ["fine", "gone"]
    assert "expired" in lines[2]
    # a profile whose keyring entry is unusable becomes an "error" row: exit 3 = worst
    keyring_backend.data[("meta_auth_nb", "fine:token")] = "not a token"
    result = cli_run("check", "--all", "--json")
    assert result.code == 3
    statuses = {r["profile"]: r["status"] for r in json.loads(result.out)["reports"]}
    assert statuses == {"fine": "error", "gone": "expired"}


def test_all_without_profiles_is_a_setup_error(store, env, cli_run):
    result = cli_run("check", "--all")
    assert result.code == 3 and "No profiles" in result.err


def test_auto_extend_renews_an_expiring_token(store, env, cli_run):
    raw = env.issue_token(lifetime_s=2 * 3600)
    store.save("work", raw, app_id=env.app_id, app_secret=env.app_secret)
    result = cli_run("check", "--profile", "work", "--auto-extend", "--json")
    assert result.code == 0, result.text
    report = json.loads(result.out)["reports"][0]
    assert report["status"] == "ok" and report["token"] != raw[:4] + "\u2026" + raw[-4:]
    assert store.load("work").token.get_secret_value() != raw


# --- the same, as a real process with the real OS keyring --------------------------------------


@pytest.mark.keyring
def test_exit_codes_from_a_real_process(env, cli_proc, monkeypatch):
    raw = env.issue_token(lifetime_s=60 * DAY, scopes=["ads_read"])
    saved = cli_proc("login", "--profile", "work", "--token-stdin", stdin=raw + "\n")
    assert saved.code == 0, saved.text
    assert "Saved profile work (system keyring)" in saved.out

    healthy = cli_proc("check", "--profile", "work")
    assert healthy.code == 0, healthy.text
    assert cli_proc("check", "--profile", "work", "--require-scopes", "ads_management").code == 2
    env.advance(55 * DAY)
    soon = cli_proc("check", "--profile", "work", "--warn-days", "7", "--json")
    assert soon.code == 1, soon.text
    assert json.loads(soon.out)["reports"][0]["status"] == "expiring"
    env.advance(6 * DAY)
    assert cli_proc("check", "--profile", "work").code == 2
    missing = cli_proc("check", "--profile", "nobody")
    assert missing.code == 3 and "Traceback" not in missing.err
    assert cli_proc("check", "--warn-days").code == 3
    for result in (saved, healthy, soon, missing):
        assert raw not in result.text
