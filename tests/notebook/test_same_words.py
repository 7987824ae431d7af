"""The same facts read the same wherever a person reads them.

Six tokens, each in a state a person meets (valid with an unknown expiry,
never expiring, expired, invalid, expiring in 3 hours, in 59 days), are saved
under profiles of one store; after one ``meta-auth check --all`` their expiry
and type are read in ``%meta_tokens``, ``meta-auth profiles``, ``meta-auth
check``, ``meta-auth inspect`` and the panel's token card, and must be the
same words everywhere (the words of :mod:`meta_auth_nb._base.words`).
"""

from __future__ import annotations

import io
import json
import re
import sys
from contextlib import redirect_stdout

import pytest

from meta_auth_nb import cli
from meta_auth_nb.cli import CommandContext
from meta_auth_nb.notebook import render
from tests.conftest import FAST_RETRY

DATE = r"\(20\d\d-\d\d-\d\d \d\d:\d\d UTC\)"
HOUR, DAY = 3600, 86400

#: profile -> (how to make its token, the expiry words, the type words)
CASES = {
    "agency": (dict(user="dana", lifetime_s=HOUR), r"unknown", "unknown"),  # no role on the app, no app secret
    "forever": (dict(kind="system_user", lifetime_s=0), r"never", "SYSTEM_USER"),
    "lapsed": (dict(lifetime_s=-60), r"-", "-"),
    "changed": (dict(user="carol", lifetime_s=30 * DAY), r"-", "-"),  # her password changes below
    "soon": (dict(lifetime_s=3 * HOUR + 60), rf"in 3 hours {DATE}", "USER"),
    "later": (dict(lifetime_s=59 * DAY + 60), rf"in 59 days {DATE}", "USER"),
}


def table(text: str) -> list[dict[str, str]]:
    """A ``meta-auth`` table as rows of {header: cell}, cut at the columns the header line sets."""
    lines = [line for line in text.splitlines() if line.strip()]
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    names = header.split()
    rows = []
    for line in lines[1:]:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
        rows.append(dict(zip(names, cells, strict=True)))
    return rows


@pytest.fixture
def cli_out(store, monkeypatch):
    """Run a ``meta-auth`` command in process, on the test's store; its stdout."""

    def run(*argv: str) -> str:
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        out = io.StringIO()
        context = CommandContext(open_store=lambda: store, graph_options={"retry": FAST_RETRY})
        with redirect_stdout(out):
            cli.main(list(argv), context=context)
        return out.getvalue()

    return run


def test_expiry_and_type_read_the_same_everywhere(shell, magics, store, sandbox_env, monkeypatch, cli_out):
    box = sandbox_env
    monkeypatch.delenv("META_APP_SECRET")  # an analyst without the app secret: dana's expiry stays unknown
    for name, (how, _, _) in CASES.items():
        store.save(name, box.issue_token(**how))
    box.change_password("carol")
    check = json.loads(cli_out("check", "--all", "--json"))  # checks each, and caches what Graph said

    summary = shell.run_line_magic("meta_tokens", "")
    in_notebook = {row["profile"]: row for _, row in summary.iterrows()}
    listed = {row["PROFILE"]: row for row in table(cli_out("profiles"))}
    listed_json = {row["profile"]: row for row in json.loads(cli_out("profiles", "--json"))["profiles"]}
    checked = {row["profile"]: row for row in check["reports"]}
    check_table = {row["PROFILE"]: row for row in table(cli_out("check", "--all").split("\n\n")[0])}

    for name, (_, expiry, kind) in CASES.items():
        inspected = {row["FIELD"]: row["VALUE"] for row in table(cli_out("inspect", "--profile", name))}
        stored = store.load(name)
        card = dict(re.findall(r"<tr><th>([^<]+)</th><td[^>]*>([^<]*)</td>", render.token_card(stored.info)))
        said = {
            "%meta_tokens": in_notebook[name]["expires"],
            "meta-auth profiles": listed[name]["EXPIRES"],
            "meta-auth profiles --json": listed_json[name]["expires"],
            "meta-auth check --json": checked[name]["expires"],
            "meta-auth check": check_table[name]["EXPIRES"],
            "meta-auth inspect": inspected["expires"],
            "the panel's card": card["Expires"].split(" (only")[0],
        }
        assert all(re.fullmatch(expiry, words) for words in said.values()), (name, said)
        assert len(set(said.values())) == 1, (name, said)
        typed = {
            "%meta_tokens": in_notebook[name]["type"],
            "meta-auth profiles": listed[name]["TYPE"],
            "meta-auth check": check_table[name]["TYPE"],
            "meta-auth inspect": inspected["type"],
            "the panel's card": card["Type"],
        }
        assert set(typed.values()) == {kind}, (name, typed)
