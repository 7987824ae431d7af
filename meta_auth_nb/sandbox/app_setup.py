"""The app's dashboard settings: mode, registered redirect URIs, who has a role, Login for Business configurations.

These are the rules real Meta applies and a forgiving emulator would skip:

* Redirect URIs must match an entry of "Valid OAuth Redirect URIs" exactly
  (no prefix match), and HTTPS is enforced for every entry; an app in
  development mode also accepts ``http://localhost`` redirects without an
  entry (``127.0.0.1`` gets no such pass here: that exemption is unverified).
  Anything else gets a page like Meta's error 191 and no redirect.
* In development mode only people with a role on the app can log in.
* ``debug_token`` is answered for the app token and for users with a role;
  a user without one (an agency analyst on a live app) gets code 100.
* A Facebook Login for Business configuration fixes the token type (user or
  system user) and the permissions; the person grants all of them or none.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = [
    "APP_MODES",
    "DEVELOPMENT",
    "LIVE",
    "MSG_NEEDS_ROLE",
    "AppSetup",
    "LoginConfig",
]

DEVELOPMENT, LIVE = "development", "live"
APP_MODES = (DEVELOPMENT, LIVE)
#: Roles a person can have on the app (app roles in the App Dashboard).
ROLES = ("administrator", "developer", "tester")
MSG_NEEDS_ROLE = (
    "(#100) You must provide an app access token, or a user access token that is an owner or developer of the app"
)
#: Who has which role at the start; dana (an agency analyst) has none.
DEFAULT_ROLES = {"alice": "administrator", "bob": "developer", "carol": "tester"}
LOGIN_SUCCESS_PATH = "/connect/login_success.html"


@dataclass(frozen=True)
class LoginConfig:
    """A Facebook Login for Business configuration.

    Attributes
    ----------
    id : str
        The configuration id (digits, like Meta's).
    name : str
        Shown in the dialog.
    token_type : {"user", "system_user"}
        What the code exchange gives.
    scopes : tuple of str
        The permissions: all granted, or none.
    lifetime_s : int
        Lifetime of the tokens it gives (system user tokens: 60 days).
    """

    id: str
    name: str
    token_type: str
    scopes: tuple[str, ...]
    lifetime_s: int


@dataclass
class AppSetup:
    """The mutable app settings, under their own lock.

    Parameters
    ----------
    seed : int
        Fixes the configuration ids.
    mode : {"development", "live"}
    redirect_uris : iterable of str
        Valid OAuth Redirect URIs (HTTPS, or the sandbox's own pages).
    """

    seed: int = 0
    mode: str = DEVELOPMENT
    redirect_uris: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ROLES))
    configs: dict[str, LoginConfig] = field(default_factory=dict)
    own_root: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        if self.mode not in APP_MODES:
            raise ValueError(f"app_mode must be one of {', '.join(APP_MODES)}, not {self.mode!r}")
        rng = random.Random(f"meta-auth-nb-sandbox-configs:{self.seed}")
        for name, kind, scopes, lifetime in (
            ("Ads reporting (user)", "user", ("ads_read",), 7200),
            ("Reporting integration (system user)", "system_user", ("ads_read", "business_management"), 60 * 86400),
        ):
            config = LoginConfig(str(rng.randrange(10**15, 10**16)), name, kind, scopes, lifetime)
            self.configs[config.id] = config
        pending, self.redirect_uris = list(self.redirect_uris), []
        for uri in pending:
            self.register(uri)

    # ---- settings --------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        """Switch between development and live mode."""
        if mode not in APP_MODES:
            raise ValueError(f"app_mode must be one of {', '.join(APP_MODES)}, not {mode!r}")
        with self.lock:
            self.mode = mode

    def register(self, uri: str) -> None:
        """Add a Valid OAuth Redirect URI (HTTPS enforced; the sandbox's own pages count as Meta's).

        Raises
        ------
        ValueError
            Not absolute, a fragment, or plain HTTP elsewhere than the sandbox.
        """
        parts = urlsplit(uri or "")
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment or "#" in uri:
            raise ValueError(f"{uri!r} is not an absolute URL without a fragment")
        if parts.scheme == "http" and not self.is_own(uri):
            raise ValueError(
                "Enforce HTTPS is on: register an https:// redirect. (http://localhost works without "
                "registering while the app is in development mode.)"
            )
        with self.lock:
            if uri not in self.redirect_uris:
                self.redirect_uris.append(uri)

    def set_role(self, user: str, role: str | None) -> None:
        """Give ``user`` a role on the app, or take it away (None)."""
        if role is not None and role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)} or None, not {role!r}")
        with self.lock:
            if role is None:
                self.roles.pop(user, None)
            else:
                self.roles[user] = role

    # ---- questions ----------------------------------------------------------------
    def is_own(self, uri: str) -> bool:
        """True for a page of this sandbox (its own login_success.html stands for Meta's)."""
        return bool(self.own_root) and (uri == self.own_root or uri.startswith(self.own_root + "/"))

    def role(self, user: str | None) -> str | None:
        """The role ``user`` has on the app (None: none)."""
        with self.lock:
            return self.roles.get(user or "")

    def redirect_refusal(self, uri: str) -> str | None:
        """Why the dialog must refuse ``uri`` (Meta's error 191 words), or None when it may redirect there."""
        parts = urlsplit(uri)
        with self.lock:
            if uri in self.redirect_uris:
                return None
            if self.mode == DEVELOPMENT and parts.scheme == "http" and (parts.hostname or "") == "localhost":
                return None
            mode = self.mode
        extra = (
            " (http://localhost redirects are accepted only while the app is in development mode; this app is live)"
            if parts.scheme == "http" and parts.hostname == "localhost"
            else ""
        )
        return (
            "URL Blocked: This redirect failed because the redirect URI is not whitelisted in the app's Client "
            "OAuth Settings. Make sure Client and Web OAuth Login are on and add all your app domains as Valid "
            f"OAuth Redirect URIs{extra}. (#191, app in {mode} mode)"
        )

    def login_refusal(self, user: str) -> str | None:
        """Why ``user`` cannot log in (development mode without a role), or None."""
        with self.lock:
            if self.mode == DEVELOPMENT and user not in self.roles:
                return (
                    "App not active: This app is not currently accessible and the app developer is aware of the "
                    f"issue. ({user} has no role on this app, and the app is in development mode.)"
                )
        return None

    def info(self) -> dict[str, object]:
        """What ``/__sandbox__/info`` says about the app settings."""
        with self.lock:
            return {
                "app_mode": self.mode,
                "redirect_uris": list(self.redirect_uris),
                "roles": dict(self.roles),
                "login_configs": {
                    c.id: {"name": c.name, "token_type": c.token_type, "scopes": list(c.scopes)}
                    for c in self.configs.values()
                },
            }
