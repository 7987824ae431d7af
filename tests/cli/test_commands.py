"""``meta-auth inspect``, ``extend``, ``logout``, ``profiles`` and every command's --help."""

from __future__ import annotations

import json

import httpx
import pytest

from meta_auth_nb import cli
from tests.cli.helpers import DAY

INSPECT_KEYS = {
    "expiry_known",
    "profile",
    "source",
    "token",
    "valid",
    "reason",
    "type",
    "app_id",
    "application",
    "user_id",
    "issued_at",
    "expires_at",
    "never_expires",
    "data_access_expires_at",
    "scopes",
    "granular_scopes",
    "permissions",
    "checked_at",
}
PROFILE_KEYS = {
    "profile",
    "token",
    "type",
    "backend",
    "app_id",
    "has_app_secret",
    "expires_at",
    "expires",
    "status",
    "reason",
    "scopes",
    "required_scopes",
    "checked_at",
    "saved_at",
}


def _masked(raw: str) -> str:
    return raw[:4] + "\u2026" + raw[-4:]


# --- inspect --------------------------------------------------------------------------------------------


def test_inspect_profile_json(store, env, cli_run):
    raw = env.issue_token(user="bob", lifetime_s=60 * DAY)  # bob always declines ads_read
    store.save("bob", raw)
    result = cli_run("inspect", "--profile", "bob", "--json")
    assert result.code == 0, result.text
    payload = json.loads(result.out)
    assert set(payload) == INSPECT_KEYS
    assert payload["profile"] == "bob" and payload["source"] == "profile:keyring"
    assert payload["token"] == _masked(raw)
    assert payload["valid"] is True and payload["reason"] is None
    assert (payload["type"], payload["app_id"], payload["user_id"]) == ("USER", env.app_id, env.user_id("bob"))
    assert payload["application"]
    assert payload["expires_at"].endswith("+00:00") and payload["never_expires"] is False
    statuses = {p["permission"]: p["status"] for p in payload["permissions"]}
    assert statuses.get("ads_read") == "declined"
    assert all(set(g) == {"scope", "target_ids"} for g in payload["granular_scopes"])
    assert raw not in result.text
    # the facts are cached for `profiles`
    assert store.load("bob").info.user_id == env.user_id("bob")


def test_inspect_token_env_human(env, monkeypatch, cli_run):
    raw = env.issue_token(lifetime_s=3600)
    monkeypatch.setenv("SOME_TOKEN", raw)
    result = cli_run("inspect", "--token-env", "SOME_TOKEN")
    assert result.code == 0, result.text
    fields = dict(line.split(None, 1) for line in result.out.splitlines()[1:] if not line.startswith(" "))
    assert fields["token"].strip() == _masked(raw)
    assert fields["source"].strip() == "env:SOME_TOKEN"
    assert fields["valid"].strip() == "yes"
    assert "in 59 minutes" in result.out or "in 1 hour" in result.out
    assert raw not in result.text


def test_inspect_explains_an_invalid_token(env, monkeypatch, cli_run):
    raw = env.issue_token(user="carol", lifetime_s=60 * DAY)
    env.change_password("carol")
    monkeypatch.setenv("T", raw)
    result = cli_run("inspect", "--token-env", "T", "--json")
    assert result.code == 2
    payload = json.loads(result.out)
    assert payload["valid"] is False and "password" in payload["reason"]
    assert payload["permissions"] is None


def test_inspect_errors(store, env, cli_run, monkeypatch):
    monkeypatch.delenv("EMPTY", raising=False)
    assert cli_run("inspect", "--token-env", "EMPTY").code == 3
    assert cli_run("inspect", "--token-env", "NOT-A-NAME").code == 3
    assert cli_run("inspect", "--profile", "a", "--token-env", "X").code == 3
    missing = cli_run("inspect", "--profile", "ghost")
    assert missing.code == 3 and "No token is stored for profile 'ghost'" in missing.err


# --- extend ---------------------------------------------------------------------------------------------


def test_extend_with_the_secret_from_the_environment(store, env, cli_run):
    raw = env.issue_token(lifetime_s=3600)
    store.save("work", raw, app_id=env.app_id)  # no secret stored; META_APP_SECRET of the same app is set
    result = cli_run("extend", "--profile", "work")
    assert result.code == 0, result.text
    assert result.out.startswith(f"Extended profile work: {_masked(raw)} (expires ")
    after = store.load("work")
    assert after.token.get_secret_value() != raw
    assert not after.has_app_secret  # lent for the call, not stored


def test_extend_without_a_secret_or_of_an_expired_token(store, env, cli_run, monkeypatch):
    raw = env.issue_token(lifetime_s=60)
    store.save("work", raw, app_id=env.app_id)
    store.save("fresh", env.issue_token(lifetime_s=3600), app_id=env.app_id)
    env.advance(120)
    expired = cli_run("extend", "--profile", "work")
    assert expired.code == 2, expired.text
    assert "not valid" in expired.err and "`meta-auth login --profile work`" in expired.err
    monkeypatch.delenv("META_APP_SECRET")
    no_secret = cli_run("extend", "--profile", "fresh")
    assert no_secret.code == 3 and "META_APP_SECRET" in no_secret.err
    assert "`meta-auth login --profile fresh --save-app-secret`" in no_secret.err
    assert "%meta_login" not in no_secret.err  # a terminal is told what works in a terminal


# --- logout ---------------------------------------------------------------------------------------------


def _works(sandbox, raw: str) -> bool:
    answer = httpx.get(f"{sandbox.graph_url}/v25.0/me", headers={"Authorization": f"Bearer {raw}"}, trust_env=False)
    return answer.status_code == 200


def test_logout_revoke_with_app_credentials(store, env, cli_run):
    raw = env.issue_token(lifetime_s=60 * DAY)
    store.save("work", raw, app_id=env.app_id)
    assert _works(env, raw)
    result = cli_run("logout", "--profile", "work", "--revoke")
    assert result.code == 0, result.text
    assert f"revoked {_masked(raw)} at Graph" in result.out and "deleted profile work" in result.out
    assert not _works(env, raw)
    assert store.profiles() == []


def test_logout_revoke_without_app_secret_removes_the_app(store, sandbox, monkeypatch, cli_run):
    monkeypatch.setenv("META_GRAPH_URL", sandbox.graph_url)
    raw = sandbox.issue_token(user="carol", lifetime_s=60 * DAY)
    other = sandbox.issue_token(user="carol", lifetime_s=60 * DAY)
    store.save("carol", raw)
    result = cli_run("logout", "--profile", "carol", "--revoke")
    assert result.code == 0, result.text
    assert "removed the app's permissions" in result.out
    assert not _works(sandbox, raw) and not _works(sandbox, other)


def test_logout_of_an_unusable_token_still_forgets_it(store, env, cli_run, monkeypatch):
    monkeypatch.delenv("META_APP_SECRET")  # so the expired token itself must call DELETE /me/permissions
    raw = env.issue_token(lifetime_s=60)
    store.save("work", raw, app_id=env.app_id)
    env.advance(120)
    result = cli_run("logout", "--profile", "work", "--revoke")
    assert result.code == 0, result.text
    assert "already unusable" in result.out
    assert store.profiles() == []


def test_logout_without_revoke_and_errors(store, env, cli_run, monkeypatch):
    raw = env.issue_token()
    store.save("work", raw)
    assert cli_run("logout", "--profile", "work").code == 0
    assert _works(env, raw)  # only forgotten, not revoked
    assert cli_run("logout", "--profile", "work").code == 3
    monkeypatch.setenv("META_ACCESS_TOKEN", raw)
    env_profile = cli_run("logout")
    assert env_profile.code == 3 and "META_ACCESS_TOKEN" in env_profile.err


# --- profiles -------------------------------------------------------------------------------------------


def test_profiles_table_and_json(store, env, cli_run):
    assert "No profiles are stored" in cli_run("profiles").out
    fine = env.issue_token(lifetime_s=60 * DAY)
    soon = env.issue_token(lifetime_s=3 * DAY)
    store.save("fine", fine)
    store.save("soon", soon)
    store.save("fresh", env.issue_token())
    assert cli_run("check", "--all").code == 1  # caches the facts
    store.save("fresh", env.issue_token())  # saved again without facts: unchecked
    sent_before = len(env.request_log)
    table = cli_run("profiles")
    assert table.code == 0
    assert len(env.request_log) == sent_before  # no Graph call
    lines = table.out.splitlines()
    assert lines[0].split() == ["PROFILE", "TOKEN", "TYPE", "EXPIRES", "STATUS", "CHECKED", "STORED", "IN"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {"fine", "fresh", "soon"}
    assert _masked(fine) in rows["fine"] and " ok " in rows["fine"] and "USER" in rows["fine"]
    assert "expiring" in rows["soon"] and ("in 2 days" in rows["soon"] or "in 3 days" in rows["soon"])
    assert "unchecked" in rows["fresh"] and "never" in rows["fresh"]
    assert fine not in table.text and soon not in table.text
    listed = json.loads(cli_run("profiles", "--json").out)
    assert set(listed) == {"profiles"}
    assert [p["profile"] for p in listed["profiles"]] == ["fine", "fresh", "soon"]
    for row in listed["profiles"]:
        assert set(row) == PROFILE_KEYS
    assert {p["profile"]: p["status"] for p in listed["profiles"]} == {
        "fine": "ok",
        "fresh": "unchecked",
        "soon": "expiring",
    }


@pytest.mark.keyring
def test_profiles_and_logout_in_real_processes(env, cli_proc):
    raw = env.issue_token(lifetime_s=60 * DAY)
    assert cli_proc("login", "--profile", "work", "--token-stdin", stdin=raw).code == 0
    listed = cli_proc("profiles")
    assert listed.code == 0 and listed.out.splitlines()[1].split()[:3] == ["work", _masked(raw), "USER"]
    out = cli_proc("logout", "--profile", "work", "--revoke")
    assert out.code == 0, out.text
    assert not _works(env, raw)
    assert "No profiles are stored" in cli_proc("profiles").out


# --- help -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command, says",
    [
        ("login", "save it under a profile"),
        ("inspect", "debug_token"),
        ("extend", "long-lived"),
        ("check", "exit codes:"),
        ("logout", "revoked at Graph"),
        ("profiles", "no network call"),
        ("sandbox", "sandbox"),
        ("demo", "sandbox"),
        ("scan", "tokens and app secrets"),
    ],
)
def test_every_command_has_help(command, says, capsys):
    assert cli.main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: meta-auth {command}")
    assert says.lower() in " ".join(out.split()).lower()


def test_top_level_help_lists_the_commands(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("login", "inspect", "extend", "check", "logout", "profiles", "sandbox", "demo", "scan"):
        assert f"    {command}" in out
    assert cli.main([]) == 3


def test_scan_is_reachable_and_keeps_its_own_exit_codes(tmp_path, capsys):
    clean = tmp_path / "clean.txt"
    clean.write_text("nothing here\n")
    assert cli.main(["scan", "--no-store", str(clean)]) == 0
    leaky = tmp_path / "leaky.py"
    leaky.write_text('TOKEN = "EAA' + "b1" * 40 + '"\n')
    assert cli.main(["scan", "--no-store", str(leaky)]) == 1
    assert cli.main(["scan"]) == 2  # scan's usage errors stay 2 (1 means "found" there)
    assert "EAA" + "b1" * 40 not in capsys.readouterr().out


def test_profiles_and_tokens_frame_use_the_same_status_words(store, env, cli_run):
    """`meta-auth profiles` and %meta_tokens (tokens_frame) judge the same cached facts alike."""
    import dataclasses
    from datetime import timedelta

    from meta_auth_nb._base.timefmt import utcnow
    from meta_auth_nb.auth.lifecycle import inspect_token
    from meta_auth_nb.frames import tokens_frame

    app = {"app_id": env.app_id, "app_secret": env.app_secret, "base_url": env.graph_url}
    cases = {
        "fine": env.issue_token(lifetime_s=60 * DAY),
        "soon": env.issue_token(lifetime_s=3 * DAY),
        "lapsed": env.issue_token(lifetime_s=60 * DAY),
        "narrow": env.issue_token(lifetime_s=60 * DAY, scopes=["ads_read"]),
    }
    for name, raw in cases.items():
        info = inspect_token(raw, **app)
        if name == "lapsed":  # valid when it was checked, two days ago its expiry passed
            info = dataclasses.replace(info, expires_at=utcnow() - timedelta(days=2))
        required = ["ads_management"] if name == "narrow" else []
        store.save(name, raw, info=info, required_scopes=required)
    store.save("fresh", env.issue_token())  # never checked
    listed = {p["profile"]: p["status"] for p in json.loads(cli_run("profiles", "--json").out)["profiles"]}
    frame = tokens_frame(store)
    framed = dict(zip(frame["profile"], frame["status"], strict=True))
    assert listed == framed
    assert listed == {
        "fine": "ok",
        "soon": "expiring",
        "lapsed": "expired",
        "narrow": "missing_scopes",
        "fresh": "unchecked",
    }
