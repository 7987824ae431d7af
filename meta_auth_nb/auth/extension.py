"""Whether extending a token gains anything, and why: one rule for the panel, the CLI and the verdict.

Auth layer, I/O-free. Extending is one call (``grant_type=fb_exchange_token``,
needing the app secret of the token's app): a short-lived user token (1-2 h
from a browser login) becomes a long-lived one (about 60 days), and a 60-day
system user token is refreshed for another 60 days
(``set_token_expires_in_60_days``). It is offered when it gives the token a
longer life than it has: a short-lived token, one expiring within the warning
window, or one whose expiry cannot be read here. Never-expiring tokens, Page
and app tokens, invalid tokens and tokens of the Graph API Explorer's own app
(nobody has its secret) are not extended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .._base.settings import DEFAULT_WARN_DAYS
from .._base.timefmt import utcnow
from .._base.tokens import TokenInfo
from .._base.words import expiry_of

__all__ = ["EXPLORER_APP_ID", "SHORT_LIVED", "SYSTEM_USER", "USER", "ExtensionOffer", "extension_offer"]

#: The Graph API Explorer's own app: its tokens cannot be extended (nobody has its secret).
EXPLORER_APP_ID = "145634995501895"
#: A user token with less than this left is a short-lived one (a browser login gives 1-2 hours).
SHORT_LIVED = timedelta(days=2)
#: The kinds of extension: a user token's exchange, a system user token's 60-day refresh.
USER, SYSTEM_USER = "user", "system_user"


@dataclass(frozen=True)
class ExtensionOffer:
    """Whether to offer extending a token, and why, in words.

    Attributes
    ----------
    kind : {"user", "system_user"} or None
        What extending does (None: it is not offered).
    why : str
        Why it is offered, or why not (a sentence without its final stop).
    short_lived : bool
        A user token with less than :data:`SHORT_LIVED` left (a fresh browser login's).
    later : bool
        Not offered now, but the token will need it before it ends (a long-lived or 60-day token).
    """

    kind: str | None
    why: str
    short_lived: bool = False
    later: bool = False

    @property
    def offered(self) -> bool:
        return self.kind is not None

    @property
    def action(self) -> str:
        """The button's words: ``Extend to 60 days`` or ``Refresh for 60 days``."""
        return "Refresh for 60 days" if self.kind == SYSTEM_USER else "Extend to 60 days"


def extension_offer(
    info: TokenInfo | None, *, now: datetime | None = None, warn_days: float = DEFAULT_WARN_DAYS
) -> ExtensionOffer:
    """Whether extending ``info``'s token gives it a longer life, and why (see the module's rule)."""
    now = now or utcnow()
    expiry = expiry_of(info, now=now)
    if info is None or not info.is_valid:
        return ExtensionOffer(None, "the token is not valid, so it cannot be extended: get a new one")
    if info.app_id == EXPLORER_APP_ID:
        return ExtensionOffer(
            None,
            f"this token was made for the Graph API Explorer's own app, which cannot be extended; it "
            f"{expiry.sentence}. For a 60-day token, pick your own app in the Explorer and paste its token instead",
        )
    if info.type not in (None, "USER", "SYSTEM_USER"):
        return ExtensionOffer(None, f"a {info.type} token is not extended; it {expiry.sentence}")
    if not info.expiry_known:
        return ExtensionOffer(
            USER,
            "its expiry cannot be read here (debug_token needs the app token or a role on the app); with the app "
            "secret of the token's app, extending gives a 60-day token whose expiry is known",
        )
    if expiry.left is None:
        return ExtensionOffer(None, "it never expires, so there is nothing to extend")
    kind = SYSTEM_USER if info.type == "SYSTEM_USER" else USER
    if kind == USER and expiry.left < SHORT_LIVED:
        return ExtensionOffer(
            USER,
            f"it is short-lived: it {expiry.sentence}; extending exchanges it for a long-lived one (about 60 days)",
            short_lived=True,
        )
    if expiry.left.total_seconds() <= warn_days * 86400:
        if kind == SYSTEM_USER:
            return ExtensionOffer(
                SYSTEM_USER, f"this 60-day system user token {expiry.sentence}; refreshing gives it another 60 days"
            )
        return ExtensionOffer(USER, f"it {expiry.sentence}; extending gives a new 60-day token")
    lived = "60-day system user token" if kind == SYSTEM_USER else "long-lived token"
    return ExtensionOffer(None, f"this {lived} {expiry.sentence}: there is nothing to extend yet", later=True)
