"""What the sandbox records: the app, people, their grants, tokens and authorization codes.

Plain data; :class:`~meta_auth_nb.sandbox.state.SandboxState` keeps them
under its lock and decides what they mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["APP_NAME", "App", "Code", "Grant", "Token", "User"]

APP_NAME = "Sandbox Marketing App"


@dataclass(frozen=True)
class App:
    """The Meta app the sandbox knows (its only one)."""

    app_id: str
    secret: str
    name: str = APP_NAME


@dataclass
class User:
    """A person or the system user.

    ``ad_accounts`` hold ``act_`` ids; ``always_declines`` are scopes this
    user refuses in the dialog whatever is asked (bob and ``ads_read``).
    """

    name: str
    id: str
    display_name: str
    email: str
    default_scopes: frozenset[str]
    always_declines: frozenset[str]
    ad_accounts: list[str]
    business_id: str
    page_id: str
    page_name: str
    is_system: bool = False


@dataclass
class Grant:
    """What a user has granted / declined to an app (``/me/permissions``)."""

    granted: set[str] = field(default_factory=set)
    declined: set[str] = field(default_factory=set)


@dataclass
class Token:
    """Everything the sandbox records about one issued token."""

    value: str
    app_id: str
    kind: str
    user: str | None
    granted: set[str]
    declined: set[str]
    issued_at: float
    expires_at: float  # 0 = never
    data_access_expires_at: float  # 0 = not applicable
    short_lived: bool = False  # code-exchange tokens: debug_token omits issued_at
    auth_type: str | None = None
    auth_nonce: str | None = None
    invalid: str | None = None  # "password" | "app_removed" | "revoked"


@dataclass
class Code:
    """An authorization code from the login dialog (single use, 10 minutes)."""

    value: str
    app_id: str
    redirect_uri: str
    user: str
    granted: set[str]
    declined: set[str]
    expires_at: float
    auth_type: str | None
    auth_nonce: str | None
    used: bool = False
    config_id: str | None = None  # Facebook Login for Business
