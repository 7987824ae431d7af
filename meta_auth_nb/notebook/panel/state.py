"""What the login panel knows, kept out of any widget, and the decisions made on it.

Notebook layer, no widgets here. Secrets (the token, the app secret) live only
in :class:`FlowState`, a plain Python object: widget traits are synced to
the browser and saved with the notebook, so secret fields are emptied as
soon as they are read and their values moved here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..._base.tokens import AccessToken, Permission, TokenInfo
from ...auth.app_secret import AppSecret, app_secret_for
from ...auth.health import HealthReport, Status

if TYPE_CHECKING:
    from ...auth.oauth import LoginRequest

__all__ = [
    "EXPLORER",
    "EXPLORER_APP_ID",
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
    "needs_extension",
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
#: The Graph API Explorer's own app: its tokens cannot be extended (nobody has its secret).
EXPLORER_APP_ID = "145634995501895"


@dataclass
class FlowState:
    """Everything one panel has learned so far.

    Attributes
    ----------
    scopes : list of str
        Permissions asked for.
    app_id : str or None
    app_secret : str or None
        Held here (never in a widget) once read; not in the repr.
    store_app_secret : bool
        The user ticked "also store the app secret".
    token : AccessToken or None
        The token being worked on (masked in every repr).
    info : TokenInfo or None
        Its latest debug_token facts.
    config_id : str or None
        The Facebook Login for Business configuration to log in with.
    redirect_uri : str or None
        The registered redirect to log in with (None: the localhost one).
    token_config : str or None
        The configuration the current token came from (it decided the permissions).
    """

    profile: str
    scopes: list[str] = field(default_factory=lambda: ["ads_read"])
    app_id: str | None = None
    app_secret: str | None = field(default=None, repr=False)
    store_app_secret: bool = False
    method: str | None = None
    token: AccessToken | None = None
    info: TokenInfo | None = None
    permissions: tuple[Permission, ...] = ()
    report: HealthReport | None = field(default=None, repr=False)
    login: LoginRequest | None = None
    auth_type: str | None = None
    before: AccessToken | None = None
    before_info: TokenInfo | None = None
    saved: Any = None
    session_name: str = "meta"
    config_id: str | None = None
    redirect_uri: str | None = None
    token_config: str | None = None

    def take_token(self, token: AccessToken, report: HealthReport, method: str, config: str | None = None) -> None:
        """Adopt a new token and its facts (``config``: the configuration it came from); forget an older extension."""
        self.token, self.report, self.method = token, report, method
        self.info, self.permissions = report.info, report.permissions
        self.token_config = config
        self.before = self.before_info = None
        self.saved = None

    def forget_token(self) -> None:
        """Back to the start: no token, no login attempt (the app id and secret stay)."""
        self.token = self.info = self.report = self.login = self.auth_type = self.token_config = None
        self.before = self.before_info = self.saved = self.method = None
        self.permissions = ()

    def app_for_token(self) -> tuple[str | None, str | None]:
        """The current token's app id, and the secret to use with it (typed here, else META_APP_SECRET)."""
        app_id = (self.info.app_id if self.info is not None else None) or self.app_id
        return app_id, self.secret_for(app_id)

    def secret_for(self, app_id: str | None) -> str | None:
        """The secret for a token of ``app_id``: the one typed for that app, else META_APP_SECRET for it."""
        typed = AppSecret(self.app_id, self.app_secret, "typed") if self.app_secret else None
        return app_secret_for(app_id, typed)

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


def needs_extension(info: TokenInfo | None) -> str | None:
    """Why extending makes sense for this token, or None when it does not.

    Returns
    -------
    str or None
        ``"user"`` for a user token that is not long-lived yet (or any user
        token: extending a long-lived one refreshes it; also a token whose
        expiry is unknown), ``"system_user"`` for a 60-day system user token,
        None for tokens that never expire, invalid ones, and page/app tokens.
    """
    if info is None or not info.is_valid or (info.expires_at is None and info.expiry_known):
        return None
    if info.type == "SYSTEM_USER":
        return "system_user"
    if info.type in ("USER", None):
        return "user"
    return None


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
        if needs_extension(report.info):
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
