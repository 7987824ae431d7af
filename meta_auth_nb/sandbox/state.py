"""Who exists in the sandbox and what they hold: the app, users, tokens, codes.

Identities (ids, the app secret) derive from the seed so a workshop can
hand out the same app id twice; token and code values come from
:mod:`secrets` because nothing should be able to predict them.
"""

from __future__ import annotations

import random
import re
import secrets
import string
import threading

from .clock import SandboxClock, fb_date
from .errors import (
    MSG_APP_REMOVED,
    MSG_CANNOT_PARSE,
    MSG_PASSWORD,
    MSG_REVOKED,
    MSG_UNKNOWN_TOKEN,
    GraphError,
    token_error,
)
from .records import APP_NAME, App, Code, Grant, Token, User
from .scenarios import Scenario

__all__ = [
    "APP_NAME",
    "DAY",
    "KINDS",
    "App",
    "Code",
    "Grant",
    "SandboxState",
    "Token",
    "User",
]

DAY = 86400
KINDS = ("user", "system_user", "page", "app")
_ALNUM = string.ascii_letters + string.digits
_TOKEN_LEN = 180  # after "EAA"; real tokens are 150-250 characters
_EAA_SHAPE = re.compile(r"EAA[A-Za-z0-9]{20,}\Z")
_CODE_SHAPE = re.compile(r"AQ[A-Za-z0-9_-]{40,}\Z")


def _digits(rng: random.Random, n: int) -> str:
    """``n`` random digits, the first not zero (ids never start with 0)."""
    return str(rng.randrange(10 ** (n - 1), 10**n))


def new_token_value() -> str:
    """A fresh ``EAA`` token: easy to grep for when leaked, impossible to guess."""
    return "EAA" + "".join(secrets.choice(_ALNUM) for _ in range(_TOKEN_LEN))


def looks_like_code(value: str) -> bool:
    """True when ``value`` has the shape of a sandbox authorization code."""
    return bool(_CODE_SHAPE.match(value))


class SandboxState:
    """The mutable world: app, users, grants, tokens and codes, under one lock.

    Parameters
    ----------
    seed : int
        Drives every id and the app secret.
    clock : SandboxClock
        Expiry is judged by this clock.
    scenario : Scenario
        The active workshop scenario.
    ad_accounts : int
        How many ad accounts alice (and so the business' system user) has; the
        first two are always the same, the others are drawn apart so that no
        other id changes.
    """

    def __init__(self, seed: int, clock: SandboxClock, scenario: Scenario, *, ad_accounts: int = 2) -> None:
        rng = random.Random(f"meta-auth-nb-sandbox:{seed}")
        self.clock = clock
        self.scenario = scenario
        self.lock = threading.RLock()
        self.app = App(app_id=_digits(rng, 16), secret=f"{rng.getrandbits(128):032x}")
        self.business_id = _digits(rng, 15)
        self.business_name = "Sandbox Business"
        full = frozenset({"ads_read", "ads_management", "business_management", "public_profile"})
        specs = [
            # name, display, default scopes, always declines, number of ad accounts, own business
            ("alice", "Alice Analyst", full, frozenset(), 2, False),
            ("bob", "Bob Buyer", frozenset({"public_profile"}), frozenset({"ads_read"}), 1, True),
            ("carol", "Carol Client", frozenset({"public_profile", "ads_read"}), frozenset(), 1, True),
        ]
        self.users: dict[str, User] = {}
        for spec in specs:
            self._add_user(rng, *spec)
        # The business' admin system user sees the business-owned accounts (alice's).
        self.system_user = User(
            name="admin",
            id=_digits(rng, 15),
            display_name="Sandbox Admin",
            email="",
            default_scopes=frozenset({"ads_read", "ads_management", "business_management"}),
            always_declines=frozenset(),
            ad_accounts=list(self.users["alice"].ad_accounts),
            business_id=self.business_id,
            page_id="",
            page_name="",
            is_system=True,
        )
        # Added last so the others' ids stay what they were: an agency analyst with no role on the app.
        self._add_user(rng, "dana", "Dana Agency", frozenset({"public_profile", "ads_read"}), frozenset(), 1, True)
        if ad_accounts < 1:
            raise ValueError("ad_accounts must be 1 or more")
        more = random.Random(f"meta-auth-nb-sandbox-accounts:{seed}")
        alice = self.users["alice"].ad_accounts
        del alice[ad_accounts:]
        alice += [f"act_{_digits(more, 15)}" for _ in range(ad_accounts - len(alice))]
        self.system_user.ad_accounts = list(alice)
        self.tokens: dict[str, Token] = {}
        self.codes: dict[str, Code] = {}
        self.grants: dict[tuple[str, str], Grant] = {}
        # APP_ID|APP_SECRET works as an app token, like on real Graph.
        self._store(
            Token(f"{self.app.app_id}|{self.app.secret}", self.app.app_id, "app", None, set(), set(), 0.0, 0.0, 0.0)
        )
        self._password_change_due: float | None = None
        self._password_change_done = False

    def _add_user(
        self,
        rng: random.Random,
        name: str,
        display: str,
        scopes: frozenset[str],
        declines: frozenset[str],
        n_accounts: int,
        own_business: bool,
    ) -> None:
        self.users[name] = User(
            name=name,
            id=_digits(rng, 15),
            display_name=display,
            email=f"{name}@example.com",
            default_scopes=scopes,
            always_declines=declines,
            ad_accounts=[f"act_{_digits(rng, 15)}" for _ in range(n_accounts)],
            business_id=_digits(rng, 15) if own_business else self.business_id,
            page_id=_digits(rng, 15),
            page_name=f"{display.split()[0]}'s Shop",
        )

    # ---- look-ups -------------------------------------------------------
    def person(self, name: str) -> User:
        """Return the user (or the system user) called ``name``.

        Raises
        ------
        KeyError
            With a message naming the known users.
        """
        if name == self.system_user.name:
            return self.system_user
        try:
            return self.users[name]
        except KeyError:
            known = ", ".join([*self.users, self.system_user.name])
            raise KeyError(f"unknown sandbox user {name!r}; known: {known}") from None

    def person_by_id(self, user_id: str) -> User | None:
        """Return the user with Graph id ``user_id``, if any."""
        for u in [*self.users.values(), self.system_user]:
            if u.id == user_id:
                return u
        return None

    def grant(self, user: str, app_id: str | None = None) -> Grant:
        """The user's grant record for the app, created empty on first use."""
        key = (user, app_id or self.app.app_id)
        with self.lock:
            return self.grants.setdefault(key, Grant())

    # ---- issuing ----------------------------------------------------------
    def _store(self, tok: Token) -> Token:
        with self.lock:
            self.tokens[tok.value] = tok
        return tok

    def issue(
        self,
        user: str | None,
        kind: str = "user",
        scopes: set[str] | frozenset[str] | None = None,
        lifetime_s: float = 3600,
        *,
        declined: set[str] | None = None,
        short_lived: bool = False,
        auth_type: str | None = None,
        auth_nonce: str | None = None,
    ) -> Token:
        """Issue and record a token.

        Parameters
        ----------
        user : str or None
            User name; ``None`` means alice (or the system user for
            ``kind="system_user"``). Ignored for app tokens.
        kind : {"user", "system_user", "page", "app"}
        scopes : set of str, optional
            Requested scopes; ``None`` = the user's defaults. The user's
            ``always_declines`` scopes end up declined, not granted.
        lifetime_s : float
            Seconds until expiry by the sandbox clock; 0 = never expires.
        declined : set of str, optional
            Scopes to record as declined on top of the refused ones.

        Returns
        -------
        Token
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        now = self.clock.now()
        if kind == "app":
            # Real client_credentials tokens look like APP_ID|<hash>.
            value = self.app.app_id + "|" + "".join(secrets.choice(_ALNUM) for _ in range(27))
            return self._store(Token(value, self.app.app_id, "app", None, set(), set(), now, 0.0, 0.0))
        if kind == "system_user":
            person = self.person(user or self.system_user.name)
            if not person.is_system:
                raise ValueError(f"{person.name!r} is not a system user; use user=None or 'admin'")
        else:
            person = self.person(user or "alice")
            if person.is_system:
                raise ValueError("use kind='system_user' for the system user")
        asked = set(person.default_scopes if scopes is None else scopes)
        refused = set(person.always_declines) if scopes is None else asked & person.always_declines
        granted = asked - refused
        if kind in ("user", "page"):
            granted.add("public_profile")  # cannot be declined on real Facebook either
        refused |= (declined or set()) - granted
        tok = Token(
            value=new_token_value(),
            app_id=self.app.app_id,
            kind=kind,
            user=person.name,
            granted=granted,
            declined=refused,
            issued_at=now,
            expires_at=now + lifetime_s if lifetime_s else 0.0,
            data_access_expires_at=0.0 if kind == "system_user" else now + 90 * DAY,
            short_lived=short_lived,
            auth_type=auth_type,
            auth_nonce=auth_nonce,
        )
        with self.lock:
            g = self.grant(person.name)
            g.granted = (g.granted | granted) - refused
            g.declined = (g.declined | refused) - granted
            self._schedule_password_change(person.name, now)
            return self._store(tok)

    def new_code(
        self,
        user: str,
        redirect_uri: str,
        granted: set[str],
        declined: set[str],
        auth_type: str | None,
        auth_nonce: str | None,
        config_id: str | None = None,
    ) -> Code:
        """Create a 10-minute single-use authorization code."""
        value = "AQ" + secrets.token_urlsafe(160)
        expires = self.clock.now() + 600
        code = Code(
            value,
            self.app.app_id,
            redirect_uri,
            user,
            granted,
            declined,
            expires,
            auth_type,
            auth_nonce,
            False,
            config_id,
        )
        with self.lock:
            self.codes[value] = code
        return code

    # ---- validity ---------------------------------------------------------
    def inspect(self, value: str) -> tuple[Token | None, GraphError | None]:
        """Find a token and say whether it works.

        Returns
        -------
        (Token or None, GraphError or None)
            The record when known (even if invalid) and the error a Graph
            call with it would get, ``None`` when it is valid.
        """
        with self.lock:
            self._fire_due_events()
            tok = self.tokens.get(value)
        if tok is None:
            if _EAA_SHAPE.match(value):
                return None, token_error(MSG_UNKNOWN_TOKEN, 467)
            return None, token_error(MSG_CANNOT_PARSE)
        return tok, self.token_error(tok)

    def token_error(self, tok: Token) -> GraphError | None:
        """The error for an invalidated or expired token, else ``None``."""
        if tok.invalid == "password":
            return token_error(MSG_PASSWORD, 460)
        if tok.invalid == "app_removed":
            return token_error(MSG_APP_REMOVED.format(app_id=tok.app_id), 458)
        if tok.invalid == "revoked":
            return token_error(MSG_REVOKED)
        now = self.clock.now()
        if tok.expires_at and now >= tok.expires_at:
            return token_error(
                f"Error validating access token: Session has expired on {fb_date(tok.expires_at)}."
                f" The current time is {fb_date(now)}.",
                463,
            )
        return None

    def resolve(self, value: str) -> Token:
        """Return the valid token ``value`` or raise its :class:`GraphError`."""
        tok, err = self.inspect(value)
        if err is not None:
            raise err
        assert tok is not None
        return tok

    # ---- invalidation -----------------------------------------------------
    def _invalidate(self, user: str, reason: str, before: float | None = None) -> int:
        n = 0
        with self.lock:
            for tok in self.tokens.values():
                if tok.user == user and tok.invalid is None and (before is None or tok.issued_at < before):
                    tok.invalid = reason
                    n += 1
        return n

    def change_password(self, user: str) -> int:
        """Invalidate every token ``user`` holds (190/460); return how many."""
        self.person(user)
        return self._invalidate(user, "password")

    def remove_app(self, user: str) -> None:
        """The user removed the app: all their tokens fail with 190/458."""
        with self.lock:
            self._invalidate(user, "app_removed")
            self.grants.pop((user, self.app.app_id), None)

    def revoke(self, tok: Token) -> None:
        """Invalidate one token (``oauth/revoke``)."""
        with self.lock:
            if tok.invalid is None:
                tok.invalid = "revoked"

    def revoke_permission(self, user: str, perm: str) -> None:
        """Make ``perm`` declined for ``user`` in the grant and all their tokens."""
        with self.lock:
            g = self.grant(user)
            g.granted.discard(perm)
            g.declined.add(perm)
            for tok in self.tokens.values():
                if tok.user == user and tok.app_id == self.app.app_id:
                    tok.granted.discard(perm)
                    tok.declined.add(perm)

    # ---- scenario: password change a minute after the first token ----------
    def _schedule_password_change(self, user: str, now: float) -> None:
        sc = self.scenario
        if sc.password_change_user == user and self._password_change_due is None:
            self._password_change_due = now + sc.password_change_after_s

    def _fire_due_events(self) -> None:
        due = self._password_change_due
        if due is None or self._password_change_done or self.clock.now() < due:
            return
        self._password_change_done = True
        # Only tokens that existed when the password changed die; newer ones work.
        user = self.scenario.password_change_user
        if user:
            self._invalidate(user, "password", before=due)
