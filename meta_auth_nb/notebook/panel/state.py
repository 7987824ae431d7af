"""What the login panel knows, kept out of any widget, and the decisions made on it.

Notebook layer, no widgets here. Secrets (the token, the app secret) live only
in :class:`FlowState`, a plain Python object: widget traits are synced to
the browser and saved with the notebook, so secret fields are emptied as
soon as they are read and their values moved here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..._base.settings import Settings
from ..._base.tokens import AccessToken, Permission, TokenInfo
from ...auth.app_choice import AppChoice, app_for
from ...auth.extension import extension_offer
from ...auth.health import HealthReport, Status
from ...auth.new_token import NewToken

if TYPE_CHECKING:
    from ...auth.oauth import LoginRequest

__all__ = [
    "EXPLORER",
    "EXTEND",
    "FACEBOOK",
    "INSPECT",
    "METHOD",
    "METHODS",
    "SAVE",
    "SCOPES",
    "STEPS",
    "SYSTEM_USER",
    "USE",
    "Fix",
    "FlowState",
    "fix_for",
]

SCOPES, METHOD, INSPECT, EXTEND, SAVE, USE = "scopes", "method", "inspect", "extend", "save", "use"
#: (step name, label) in order.
STEPS: tuple[tuple[str, str], ...] = (
    (SCOPES, "Permissions"),
    (METHOD, "Get a token"),
    (INSPECT, "Inspect"),
    (EXTEND, "Extend"),
    (SAVE, "Save"),
    (USE, "Use"),
)
EXPLORER, FACEBOOK, SYSTEM_USER = "explorer", "facebook", "system_user"
#: Tab order of the ways to get a token.
METHODS: tuple[tuple[str, str], ...] = (
    (EXPLORER, "Graph API Explorer"),
    (FACEBOOK, "Facebook Login"),
    (SYSTEM_USER, "System user token"),
)


@dataclass
class FlowState:
    """Everything one panel has learned so far.

    Attributes
    ----------
    settings : Settings
        The magic's settings (``META_APP_ID``, ``META_APP_SECRET``...).
    scopes : list of str
        Permissions asked for.
    app_id : str or None
        The app typed in the panel (or given with ``--app-id``).
    app_secret : str or None
        Typed in the panel (held here, never in a widget); not in the repr.
    stored : StoredProfile or None
        The profile the panel was opened for (its app and secret count).
    store_app_secret : bool
        The user ticked "also store the app secret".
    new : NewToken or None
        The token being worked on, its facts, its app, whether extending helps.
    config_id : str or None
        The Facebook Login for Business configuration to log in with.
    redirect_uri : str or None
        The registered redirect to log in with (None: the localhost one).
    """

    profile: str
    settings: Settings = field(default_factory=Settings, repr=False)
    scopes: list[str] = field(default_factory=lambda: ["ads_read"])
    app_id: str | None = None
    app_secret: str | None = field(default=None, repr=False)
    stored: Any = field(default=None, repr=False)
    store_app_secret: bool = False
    method: str | None = None
    new: NewToken | None = field(default=None, repr=False)
    login: LoginRequest | None = None
    #: The secret of the login in progress (for its code exchange); kernel memory only.
    login_secret: str | None = field(default=None, repr=False)
    auth_type: str | None = None
    saved: Any = None
    session_name: str = "meta"
    config_id: str | None = None
    redirect_uri: str | None = None

    # --- the token in hand -----------------------------------------------------------------
    @property
    def token(self) -> AccessToken | None:
        """The token being worked on (masked in every repr)."""
        return self.new.token if self.new is not None else None

    @property
    def info(self) -> TokenInfo | None:
        """Its latest debug_token facts."""
        return self.new.info if self.new is not None else None

    @property
    def report(self) -> HealthReport | None:
        return self.new.report if self.new is not None else None

    @property
    def permissions(self) -> tuple[Permission, ...]:
        return self.new.report.permissions if self.new is not None else ()

    @property
    def token_config(self) -> str | None:
        """The configuration the current token came from (it decided the permissions)."""
        return self.new.config_id if self.new is not None else None

    @property
    def before(self) -> AccessToken | None:
        """The token the current one was extended from."""
        return self.new.before.token if self.new is not None and self.new.before is not None else None

    @property
    def before_info(self) -> TokenInfo | None:
        """Its facts."""
        return self.new.before.info if self.new is not None and self.new.before is not None else None

    def take_token(self, new: NewToken, method: str) -> None:
        """Adopt a new token and its facts."""
        self.new, self.method, self.saved = new, method, None

    def forget_token(self) -> None:
        """Back to the start: no token, no login attempt (the app id and secret stay)."""
        self.new = self.login = self.auth_type = self.saved = self.method = None

    def app(self, token_app: str | None = None) -> AppChoice:
        """The app (and secret) for the token in hand, or for ``token_app``: one rule, :func:`app_for`'s."""
        if token_app is None and self.info is not None:
            token_app = self.info.app_id
        token_app = token_app or None
        return app_for(
            self.settings,
            token_app=token_app,
            given=self.app_id,
            given_secret=self.app_secret,
            given_as="the app id typed in the panel",
            stored=self.stored,
        )

    def login_app(self) -> AppChoice:
        """The app to log in with (no token yet): typed, else the profile's, else ``META_APP_ID``'s."""
        return self.app(token_app="")

    def declined_requested(self) -> list[str]:
        """Requested permissions the user declined (the dialog must ask again); none when a configuration decided."""
        if self.token_config:
            return []
        declined = {p.name for p in self.permissions if p.status == "declined"}
        return [s for s in self.scopes if s in declined]

    def missing_requested(self) -> list[str]:
        """Requested permissions the token does not have; none when a configuration decided them."""
        if self.token_config:
            return []
        granted = set(self.info.scopes) if self.info is not None else set()
        return [s for s in self.scopes if s not in granted]


@dataclass(frozen=True)
class Fix:
    """Where the panel opens for an unhealthy stored profile, and what it says."""

    step: str
    level: str
    title: str
    text: str
    method: str | None = None
    auth_type: str | None = None
    scopes: tuple[str, ...] = ()
    keep_token: bool = False


def fix_for(report: HealthReport, config_id: str | None = None, *, sandbox: bool = False) -> Fix:
    """The step that fixes a stored profile's problem, and why it is needed.

    With a Login for Business ``config_id`` a missing permission is not
    re-asked (``auth_type=rerequest`` is classic Login's): the advice says
    to add it to the configuration and log in again. In the ``sandbox`` a
    new token comes from its login dialog only.
    """
    profile = report.profile or "this profile"
    reason = report.reason or report.status
    new_one = (
        "Log in again below (Facebook Login, about 10 s)."
        if sandbox
        else "Get a new one below: paste one from the Graph API Explorer or log in again."
    )
    if report.status in (Status.EXPIRED, Status.INVALID):
        return Fix(
            METHOD,
            "error",
            f"The token of {profile} cannot be used: {reason}.",
            new_one,
            method=FACEBOOK if sandbox else None,
        )
    if report.status == Status.MISSING_SCOPES and config_id:
        return Fix(METHOD, "error", f"The token of {profile} is {reason}.", report.advice, method=FACEBOOK)
    if report.status == Status.MISSING_SCOPES:
        wanted = tuple(dict.fromkeys([*report.info.scopes, *report.missing_scopes]))
        rerequest = "rerequest" if report.declined_scopes else None
        return Fix(
            METHOD,
            "error",
            f"The token of {profile} is {reason}.",
            "Log in again asking for them" + (" (the dialog will ask again for declined ones)." if rerequest else "."),
            method=FACEBOOK,
            auth_type=rerequest,
            scopes=wanted,
        )
    if report.status == Status.EXPIRING:
        if extension_offer(report.info, now=report.checked_at, warn_days=float("inf")).offered:
            return Fix(
                EXTEND,
                "warn",
                f"The token of {profile} {reason}.",
                "Extend it now (one call, needs the app secret), or get a new one.",
                keep_token=True,
            )
        return Fix(METHOD, "warn", f"The token of {profile} {reason}.", new_one, method=FACEBOOK if sandbox else None)
    if report.status == Status.DATA_ACCESS_EXPIRING:
        return Fix(
            METHOD,
            "warn",
            f"The token of {profile}: {reason}.",
            "Data access is renewed when you log in again.",
            method=FACEBOOK,
            keep_token=True,
        )
    return Fix(USE, "ok", f"The token of {profile} is healthy.", "")
