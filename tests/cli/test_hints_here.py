"""Every hint ``meta-auth`` prints names a command that works in a terminal, and running it works.

The hints are read off what the commands print in the situations a person
meets (no profile, an expired token, a missing permission, no app secret for
an extension, a leaked token found by ``scan``, a pasted login); each quoted
command is then run through the same ``main()`` on the same store. None may
be a notebook magic, and none may stop as a usage error (exit 3 from a flag
that does not exist or cannot go with another).
"""

from __future__ import annotations

import re

from tests.conftest import make_canary

COMMAND = re.compile(r"`(meta-auth [^`]+|%meta_[^`]+|!meta-auth [^`]+)`")
DAY = 86400


def test_every_hint_the_cli_prints_is_a_terminal_command_that_runs(store, env, cli_run, monkeypatch, tmp_path):
    texts: list[str] = []
    texts.append(cli_run("check", "--profile", "nobody").text)  # nothing stored
    texts.append(cli_run("profiles").text)  # nothing stored, in words
    store.save("work", env.issue_token(lifetime_s=60))
    env.advance(120)
    texts.append(cli_run("check", "--profile", "work").text)  # expired
    store.save("narrow", env.issue_token(user="carol", scopes=["ads_read"], lifetime_s=60 * DAY))
    texts.append(cli_run("check", "--profile", "narrow", "--require-scopes", "ads_management").text)
    store.save("soon", env.issue_token(lifetime_s=2 * DAY))
    texts.append(cli_run("check", "--profile", "soon").text)  # expiring: extend it
    texts.append(cli_run("login", "--profile", "pasted", stdin=env.issue_token(lifetime_s=3600)).text)
    leaked = tmp_path / "leak.log"
    leaked.write_text(f"token={make_canary()}\n")
    texts.append(cli_run("scan", str(leaked)).text)
    store.save("agency", env.issue_token(user="dana", lifetime_s=60 * DAY))
    monkeypatch.delenv("META_APP_SECRET")
    texts.append(cli_run("extend", "--profile", "soon").text)  # no app secret at hand
    texts.append(cli_run("check", "--profile", "agency").text)  # no role on the app: its expiry is unknown

    commands = list(dict.fromkeys(c for text in texts for c in COMMAND.findall(text)))
    assert not [c for c in commands if not c.startswith("meta-auth ")], commands  # no magic, no `!`
    named = {c.split()[1] for c in commands}
    assert {"login", "check", "extend", "logout", "scan"} <= named, commands
    monkeypatch.setenv("META_APP_SECRET", env.app_secret)
    for command in commands:
        argv = command.split()[1:]
        argv = [str(leaked) if a == "PATH" else "someone" if a == "NAME" else a for a in argv]
        if argv[0] == "login":
            if "--oauth" in argv:
                continue  # runs a browser login; its flags are parsed by the login tests
            argv.append("--token-stdin")
        result = cli_run(*argv, stdin=env.issue_token(lifetime_s=60 * DAY))
        assert result.code != 3 or "see `meta-auth" not in result.err, (command, result.text)


def test_the_paste_login_says_why_in_the_terminals_words(store, env, terminal):
    from .conftest import URL_RE, open_printed
    from .conftest import finish_terminal as _finish

    thread, box, out, err, type_line = terminal("login", "--profile", "p", "--oauth", "--paste", "--no-browser")
    login_url = open_printed(out.wait_for(URL_RE).group(1))
    err.wait_for("paste it here")
    type_line(env.approve(login_url))
    assert _finish(thread, box, err) == 0, err.getvalue()
    said = err.getvalue()
    assert "--paste was given" in said and "--remote" not in said
    assert "This command runs elsewhere" in said and "kernel" not in said


def test_scan_in_a_terminal_names_terminal_commands(cli_run, tmp_path):
    leaked = tmp_path / "notes.txt"
    leaked.write_text(f"access_token={make_canary()}\n")
    said = cli_run("scan", str(leaked)).out
    assert "`meta-auth logout --revoke`" in said and "`meta-auth login`" in said
    assert "%meta" not in said
