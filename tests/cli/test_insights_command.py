"""``meta-auth insights``: the same rows as ``meta.insights`` for the same query, exit codes like ``check``'s."""

from __future__ import annotations

import pandas as pd

import meta_auth_nb as mab
from tests.cli.helpers import DAY
from tests.conftest import FAST_RETRY

Q1 = ("--since", "2025-01-01", "--until", "2025-03-31")
FIELDS = ["impressions", "clicks", "spend", "actions"]


def pulled(env, token: str, accounts, **options) -> pd.DataFrame:
    with mab.GraphSession(token, base_url=env.graph_url, retry=FAST_RETRY) as meta:
        return meta.insights(
            accounts, time_range={"since": "2025-01-01", "until": "2025-03-31"}, progress=False, **options
        )


def test_the_command_writes_the_rows_meta_insights_gives(store, env, cli_run, tmp_path):
    token = env.issue_token(lifetime_s=60 * DAY)
    store.save("work", token)
    out = tmp_path / "q1.csv"
    result = cli_run(
        "insights",
        "all",
        *Q1,
        "--level",
        "campaign",
        "--fields",
        ",".join(FIELDS),
        "--time-increment",
        "1",
        "-o",
        str(out),
        "--profile",
        "work",
    )
    assert result.code == 0, result.text
    expected = pulled(env, token, "all", level="campaign", fields=FIELDS, time_increment=1)
    assert out.read_text() == expected.to_csv(index=False)
    assert f"{len(expected):,} rows of 2 ad account(s) written to {out}" in result.err
    assert token not in result.text

    parquet = tmp_path / "q1.parquet"
    act = env.ad_account_ids()[0]
    again = cli_run("insights", act, *Q1, "--breakdowns", "age", "-o", str(parquet), "--profile", "work")
    assert again.code == 0, again.text
    pd.testing.assert_frame_equal(pd.read_parquet(parquet), pulled(env, token, act, breakdowns=["age"]))


def test_bad_input_exits_3_before_any_call_and_missing_slices_exit_1_with_the_rest_written(
    store, env, cli_run, tmp_path
):
    store.save("default", env.issue_token(lifetime_s=60 * DAY))
    out = tmp_path / "q1.csv"
    typo = cli_run("insights", "all", *Q1, "--fields", "impresions", "-o", str(out))
    assert typo.code == 3 and "did you mean 'impressions'" in typo.err and env.request_count() == 0
    half = cli_run("insights", "all", "--since", "2025-01-01", "-o", str(out))
    assert half.code == 3 and "--since and --until go together" in half.err
    assert cli_run("insights", "all", *Q1, "-o", str(tmp_path / "q1.xlsx")).code == 3
    accounts = env.ad_account_ids()
    gone = {
        "message": "(#100) Object does not exist, cannot be loaded due to missing permissions",
        "code": 100,
        "error_subcode": 33,
        "type": "GraphMethodException",
    }
    env.fail_next({"status": 400, "error": gone}, path=f"{accounts[1]}/insights", times=100)
    partial = cli_run(
        "insights",
        ",".join(accounts),
        *Q1,
        "--level",
        "ad",
        "--time-increment",
        "1",
        "-o",
        str(out),
        "--checkpoint",
        str(tmp_path / "q1.checkpoint"),
    )
    assert partial.code == 1, partial.text
    assert "missing" in partial.err and "q1.checkpoint" in partial.err
    written = pd.read_csv(out)
    assert len(written) == 90 * 20 and set(written["account_id"]) == {accounts[0]}
