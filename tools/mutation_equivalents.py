"""Surviving mutants judged equivalent: they change nothing a user could notice, and why.

Keyed by module, the source line as written (stripped) and the change as ``tools/mutate.py`` names it, so
an entry follows its line when code above it moves, and lapses when the line itself changes (the mutant
is then judged again). ``tests/MUTATION.md`` lists every entry that matched a survivor in the last run.
"""

from __future__ import annotations

EQUIVALENT: dict[tuple[str, str, str], str] = {
    # --- graph/classify.py
    (
        "meta_auth_nb/graph/classify.py",
        "build: Callable[[Family, ErrorReply], GraphError] | None = field(default=None, repr=False)",
        "False -> True",
    ): "only how a Family prints in a debugger",
    (
        "meta_auth_nb/graph/classify.py",
        'kind = _BUC_KIND.get(reply.code or 0) or _RATE_LIMIT_KIND.get(reply.code or 0, "")',
        "0 -> 1",
    ): "the rate-limit family takes only replies whose code is one of its codes, never a reply without one",
    (
        "meta_auth_nb/graph/classify.py",
        'part = INSIGHTS_REFUSED_PARTS.get(reply.subcode or 0, "query")',
        "0 -> 1",
    ): "the refused-query family takes only replies whose subcode names the part, never one without a subcode",
    # --- graph/pacing.py: a score's starting values, overwritten by the reading that makes it known
    ("meta_auth_nb/graph/pacing.py", "percent: float = 0.0", "0.0 -> 1.0"): (
        "a score's figure is set by the reading that makes it known; until then it holds no call"
    ),
    ("meta_auth_nb/graph/pacing.py", "at: float = 0.0", "0.0 -> 1.0"): (
        "set with the figure by the reading that makes the score known"
    ),
    ("meta_auth_nb/graph/pacing.py", "blocked_until: float = 0.0", "0.0 -> 1.0"): (
        "a monotonic clock is far past 1 s when a session runs; a block sets its own end"
    ),
    (
        "meta_auth_nb/graph/pacing.py",
        "insights_until: float = 0.0  # insights calls wait until then (x-fb-ads-insights-throttle at 100%)",
        "0.0 -> 1.0",
    ): "a monotonic clock is far past 1 s when a session runs; a hold sets its own end",
    ("meta_auth_nb/graph/pacing.py", "read: int = 0  # the ticket of the call whose answer gave the score", "0 -> 1"): (
        "tickets start at 1, so the first answer is read either way"
    ),
    ("meta_auth_nb/graph/pacing.py", "counted: int = 0  # calls (their cost) counted so far", "0 -> 1"): (
        "only differences of the count are used (one call's share of the app's hour)"
    ),
    ("meta_auth_nb/graph/pacing.py", "return max(0.0, self.percent - rate * max(0.0, t - self.at))", "0.0 -> 1.0"): (
        "a decayed score read as 1% instead of 0% holds a call only within 1% of the limit, which a decayed "
        "score is not"
    ),
    ("meta_auth_nb/graph/pacing.py", "self._tickets = 0", "0 -> 1"): "tickets are only compared with each other",
    ("meta_auth_nb/graph/pacing.py", "self._tickets += 1", "1 -> 2"): "tickets are only compared with each other",
    ("meta_auth_nb/graph/pacing.py", "if not score.known:", "if statement removed"): (
        "a score not read yet is at 0% with nothing in flight (calls are counted only on a known score), so the "
        "sum below lets the call go as this early return does"
    ),
    ("meta_auth_nb/graph/pacing.py", "if over <= 0:", "LtE -> Lt"): "a wait of exactly 0 s is no wait",
    ("meta_auth_nb/graph/pacing.py", "if percent is None and not regain and not throttle:", "if statement removed"): (
        "an early return: for a reply with none of these figures the rest of the method changes nothing either"
    ),
    ("meta_auth_nb/graph/pacing.py", "if percent is None and not regain:", "if statement removed"): (
        "an early return: without a score or a regain time only the tier could be noted, and Graph sends the "
        "tier with the score"
    ),
    ("meta_auth_nb/graph/pacing.py", "fresh = ticket is None or ticket >= score.read", "GtE -> Gt"): (
        "a ticket equal to the one read last is the same call's answer, read once"
    ),
    (
        "meta_auth_nb/graph/pacing.py",
        "if ticket is not None and ticket < score.read and score.known:",
        "Lt -> LtE",
    ): "a ticket equal to the one read last is the same call's answer, read once",
    ("meta_auth_nb/graph/pacing.py", "if reset and reset > 0 and percent > 0:", "Gt -> GtE"): (
        "`reset >= 0`: a reset of 0 is already stopped by `reset and` (the same change to `percent > 0` is killed "
        "by the test of a score read at zero)"
    ),
    ("meta_auth_nb/graph/pacing.py", "reported = 0.0 if usage.regain_access_s else max(percents)", "0.0 -> 1.0"): (
        "while the app is blocked the block decides the wait, and the next reading replaces the figure"
    ),
    ("meta_auth_nb/graph/pacing.py", "if until > score.insights_until:", "Gt -> GtE"): (
        "the same end of a hold, noted again, holds calls as long"
    ),
    # --- scan/detect.py
    ("meta_auth_nb/scan/detect.py", 'r"(?i)(?:meta[ _-]?)?(?:app|client)[ _-]?secret"', "regex {0,80} -> {1,80}"): (
        "`\\bor\\b` cannot follow the name's last letter directly, so at least one character always stands between them"
    ),
    (
        "meta_auth_nb/scan/detect.py",
        '_TRIGGER = re.compile(r"EAA|[0-9](?:\\||%7[Cc])|(?i:secret)|token=")',
        "regex without '|%7[Cc]'",
    ): "the scan also reads the percent-decoded text, where `%7C` is a bar: the same app token, the same mask",
    ("meta_auth_nb/scan/detect.py", "value: str = field(repr=False, compare=False)", "False -> True"): (
        "nothing compares or hashes matches"
    ),
    (
        "meta_auth_nb/scan/detect.py",
        "if not secret_context and not _TRIGGER.search(text) and not any(value in text for value in known):",
        "if statement removed",
    ): "a shortcut: every pattern needs one of the trigger's pieces, so without it the scan finds the same, slower",
    ("meta_auth_nb/scan/detect.py", "if not text:", "if statement removed"): (
        "an early return: empty text has no secrets either way"
    ),
    ("meta_auth_nb/scan/detect.py", "if not matches:", "if statement removed"): (
        "an early return: with no match the text is rebuilt as it was"
    ),
    # --- _base/redact.py
    (
        "meta_auth_nb/_base/redact.py",
        "self.spaced = False",
        "False -> True",
    ): "a shortcut of the leak guard (skip looking across white space): with it off the guard looks more, "
    "and shows the same",
    (
        "meta_auth_nb/_base/redact.py",
        'APP_TOKEN_PATTERN = re.compile(r"(?:(?<=%[0-9A-Fa-f]{2})|(?<![%\\w]))'
        '(\\d{5,20})(?:\\||%7[Cc])([A-Za-z0-9_\\-]{16,})")',
        "regex {2} -> {3}",
    ): (
        "the mask keeps what precedes the secret as written, so the masked text is the same; and the scanner "
        "reports the match of the percent-decoded text, which starts at the app id"
    ),
    ("meta_auth_nb/_base/redact.py", "if not text:", "if statement removed"): (
        "an early return: empty text comes out empty either way"
    ),
}


def equivalent_reason(module: str, line: str, change: str) -> str | None:
    """Why a survivor changing ``line`` of ``module`` by ``change`` is equivalent; None when it is not judged so."""
    return EQUIVALENT.get((module, line.strip(), change))
