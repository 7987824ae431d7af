"""Workshop scenarios: small, named twists on the sandbox's normal behaviour.

Each scenario is plain data read by the state and routes, so a facilitator
can explain every one in a sentence (its ``description``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .report_runs import JobTiming

__all__ = ["DESCRIPTIONS", "SCENARIOS", "Scenario", "get_scenario"]


@dataclass(frozen=True)
class Scenario:
    """What a scenario changes.

    Attributes
    ----------
    name : str
        Its name (``None`` scenario is the empty name ``""``).
    description : str
        One sentence a facilitator can read out.
    login_lifetime_s : int or None
        Lifetime of tokens from a code exchange, when it differs from 2 h.
    extend_lifetime_s : int or None
        Lifetime of tokens from ``fb_exchange_token``, when it differs from 60 days.
    dialog_declines : dict
        user name -> scopes that user declines in the login dialog unless
        the dialog is opened with ``auth_type=rerequest``.
    password_change_user : str or None
        The user whose password changes ``password_change_after_s`` seconds
        (sandbox clock) after the first token is issued to them.
    password_change_after_s : float
        See ``password_change_user``.
    tier : str or None
        The rate-limit tier (``development`` / ``standard``) when the scenario sets one.
    rate_limit_speed : float or None
        How much faster than real time the rate-limit clock runs, when the scenario sets it.
    insights_rows : int or None
        Insights rows per ad account, when the scenario needs more than the sandbox's default.
    ad_accounts : int or None
        How many ad accounts alice (and the business' system user) has, when not 2.
    latency_ms : float or None
        Delay before every Graph answer, when the scenario sets one.
    insights_sync_limit : int or None
        Most rows a synchronous insights report may have, when not the sandbox's default.
    job_timing : JobTiming or None
        How long insights report runs take, when not the sandbox's default.
    """

    name: str
    description: str
    login_lifetime_s: int | None = None
    extend_lifetime_s: int | None = None
    dialog_declines: dict[str, frozenset[str]] = field(default_factory=dict)
    password_change_user: str | None = None
    password_change_after_s: float = 60.0
    tier: str | None = None
    rate_limit_speed: float | None = None
    insights_rows: int | None = None
    ad_accounts: int | None = None
    latency_ms: float | None = None
    insights_sync_limit: int | None = None
    job_timing: JobTiming | None = None


_ALL = (
    Scenario(
        "expiring-token",
        "Every token from the login dialog and from extending lives only 5 minutes, "
        "so you can watch expiry warnings and a 190/463 error without waiting 60 days.",
        login_lifetime_s=300,
        extend_lifetime_s=300,
    ),
    Scenario(
        "declined-ads-read",
        "alice declines ads_read in the login dialog, so ads calls fail with #200 until "
        "she logs in again with auth_type=rerequest.",
        dialog_declines={"alice": frozenset({"ads_read"})},
    ),
    Scenario(
        "password-changed",
        "alice changes her password one minute (sandbox clock) after her first token is "
        "issued, so every token she got before then fails with 190/460 and she must log in again.",
        password_change_user="alice",
        password_change_after_s=60.0,
    ),
    Scenario(
        "rate-limited",
        "The app is on the Marketing API development tier (an ad account's score holds 60 points, a read "
        "costs 1 and the score decays to zero over 300 s; going over blocks the account for 300 s with error 17), "
        "each account has 40,000 insights rows and the rate-limit clock runs 10x faster, so pulling an account's "
        "insights must pace itself for about 10 s and the progress says why it waits.",
        tier="development",
        rate_limit_speed=10.0,
        insights_rows=40_000,
    ),
    Scenario(
        "insights-at-scale",
        "alice's business has 12 ad accounts, every Graph answer takes 150 ms and a synchronous insights report "
        "may hold at most 200 rows (more gets 'Please reduce the amount of data'), so a pull over every account "
        "and a quarter of daily ad rows has to plan: slices, async report runs side by side, retries.",
        ad_accounts=12,
        latency_ms=150.0,
        insights_sync_limit=200,
    ),
)

SCENARIOS: dict[str, Scenario] = {s.name: s for s in _ALL}
DESCRIPTIONS: dict[str, str] = {s.name: s.description for s in _ALL}
_NONE = Scenario("", "No scenario: the sandbox behaves like the Graph API on a good day.")


def get_scenario(name: str | None) -> Scenario:
    """Return the scenario called ``name`` (``None`` or ``""`` for none).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known ones.
    """
    if not name:
        return _NONE
    try:
        return SCENARIOS[name]
    except KeyError:
        known = ", ".join(sorted(SCENARIOS))
        raise ValueError(f"unknown sandbox scenario {name!r}; known: {known}") from None
