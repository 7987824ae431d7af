"""A stored profile (:class:`StoredProfile`), profile names, and index records.

Store layer. A record is the non-secret JSON the index keeps per profile;
:func:`profile_from_record` turns one (plus the secrets) into a
:class:`StoredProfile`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._base.errors import InvalidProfileName
from .._base.redact import redact, remember_secret
from .._base.settings import DEFAULT_PROFILE, ENV_PROFILE, env_value
from .._base.timefmt import from_iso, to_iso
from .._base.tokens import AccessToken, TokenInfo

__all__ = [
    "StoredProfile",
    "clean_app_id",
    "clean_scopes",
    "default_profile_name",
    "info_from_record",
    "profile_from_record",
    "validate_profile",
]

PROFILE_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def validate_profile(name: object) -> str:
    """Return ``name`` if it is a valid profile name.

    Parameters
    ----------
    name : object
        The candidate name.

    Raises
    ------
    InvalidProfileName
        Also a ValueError, so ``except ValueError`` works too.
    """
    if not isinstance(name, str) or not PROFILE_RE.match(name):
        shown = repr(name) if isinstance(name, str) and len(name) <= 80 else f"a {type(name).__name__}"
        if isinstance(name, str) and len(name) > 80:
            shown = f"a {len(name)}-character string"
        raise InvalidProfileName(
            f"{redact(shown)} is not a valid profile name: use 1 to 64 letters, digits, "
            "'-', '_' or '.' (for example 'default', 'client-a', 'prod_2024')."
        )
    return name


def default_profile_name(environ: Mapping[str, str] | None = None) -> str:
    """``META_AUTH_PROFILE`` if set (and valid), else ``"default"``."""
    raw = env_value(ENV_PROFILE, environ)
    if not raw:
        return DEFAULT_PROFILE
    try:
        return validate_profile(raw)
    except InvalidProfileName as exc:
        raise InvalidProfileName(f"{ENV_PROFILE} holds an invalid profile name: {exc}") from None


def clean_app_id(app_id: Any) -> str | None:
    """An app id as a stripped string, None when empty."""
    if app_id is None:
        return None
    text = str(app_id).strip()
    return text or None


def clean_scopes(scopes: Iterable[str] | str | None) -> tuple[str, ...]:
    """Scopes as a tuple, order kept, duplicates and blanks dropped."""
    if not scopes:
        return ()
    if isinstance(scopes, str):
        scopes = scopes.split(",")
    return tuple(dict.fromkeys(s.strip() for s in map(str, scopes) if s.strip()))


def info_from_record(record: Mapping[str, Any] | None) -> TokenInfo | None:
    """The cached debug_token facts of an index record, None when absent or unreadable."""
    raw = record.get("info") if record else None
    if not isinstance(raw, Mapping):
        return None
    try:
        return TokenInfo.from_dict(raw)
    except Exception:  # a hand-edited index must not break loading
        return None


@dataclass
class StoredProfile:
    """A profile as loaded from the store.

    Attributes
    ----------
    name : str
        Profile name.
    token : AccessToken
        The token (masked in every repr/str).
    app_id : str or None
        The token's app id, when known.
    app_secret : str or None
        Only when the user chose to store it; never shown in repr/str or
        :meth:`to_public_dict`.
    info : TokenInfo or None
        Facts cached from the last inspection (``debug_token``).
    checked_at : datetime or None
        When ``info`` was obtained.
    backend : str
        Where the token came from: ``"keyring"``, ``"colab"``, ``"env"`` or
        ``"memory"``.
    saved_at : datetime or None
        When the profile was saved (None for colab/env pseudo-profiles).
    required_scopes : tuple of str
        Scopes the user's work needs (checked by the lifecycle code).
    config_id : str or None
        The Facebook Login for Business configuration it logs in with.
    redirect_uri : str or None
        The registered redirect its logins use (None: the localhost one).
    """

    name: str
    token: AccessToken
    app_id: str | None = None
    app_secret: str | None = field(default=None, repr=False)
    info: TokenInfo | None = None
    checked_at: datetime | None = None
    backend: str = "memory"
    saved_at: datetime | None = None
    required_scopes: tuple[str, ...] = ()
    config_id: str | None = None
    redirect_uri: str | None = None

    @property
    def has_app_secret(self) -> bool:
        """True when an app secret is stored with the profile."""
        return bool(self.app_secret)

    @property
    def persistent(self) -> bool:
        """True when the token outlives this kernel (anything but memory)."""
        return self.backend != "memory"

    def __repr__(self) -> str:
        info = None
        if self.info is not None:
            info = f"{'valid' if self.info.is_valid else 'invalid'} {self.info.type or 'token'}"
        return (
            f"StoredProfile(name={self.name!r}, token={self.token!r}, app_id={self.app_id!r}, "
            f"app_secret={'<stored>' if self.app_secret else None}, backend={self.backend!r}, "
            f"info={info!r}, checked_at={to_iso(self.checked_at)!r}, saved_at={to_iso(self.saved_at)!r}, "
            f"required_scopes={self.required_scopes!r}, config_id={self.config_id!r}, "
            f"redirect_uri={self.redirect_uri!r})"
        )

    __str__ = __repr__

    def to_public_dict(self) -> dict[str, Any]:
        """A JSON-ready dict without secrets (the token masked, no app secret).

        Datetimes are ISO 8601 UTC strings (or None); ``info`` is
        ``TokenInfo.to_dict()`` (unix seconds, 0 for never).
        """
        return {
            "name": self.name,
            "backend": self.backend,
            "token": self.token.masked,
            "token_expires_at": to_iso(self.token.expires_at),
            "app_id": self.app_id,
            "has_app_secret": self.has_app_secret,
            "info": self.info.to_dict() if self.info is not None else None,
            "checked_at": to_iso(self.checked_at),
            "saved_at": to_iso(self.saved_at),
            "required_scopes": list(self.required_scopes),
            "config_id": self.config_id,
            "redirect_uri": self.redirect_uri,
        }


def record_of(
    token: AccessToken,
    *,
    backend: str,
    app_id: str | None,
    has_app_secret: bool,
    info: TokenInfo | None,
    checked_at: datetime | None,
    saved_at: datetime | None,
    required_scopes: Iterable[str] | str = (),
    config_id: str | None = None,
    redirect_uri: str | None = None,
) -> dict[str, Any]:
    """The index record of a profile: facts only, the token masked."""
    return {
        "backend": backend,
        "token": token.masked,
        "token_expires_at": to_iso(token.expires_at),
        "token_issued_at": to_iso(token.issued_at),
        "token_source": token.source,
        "app_id": app_id,
        "has_app_secret": has_app_secret,
        "info": info.to_dict() if info is not None else None,
        "checked_at": to_iso(checked_at),
        "saved_at": to_iso(saved_at),
        "required_scopes": list(clean_scopes(required_scopes)),
        "config_id": config_id,
        "redirect_uri": redirect_uri,
    }


def profile_from_record(
    name: str,
    token: AccessToken | str,
    *,
    app_secret: str | None,
    record: Mapping[str, Any] | None,
    backend: str,
) -> StoredProfile:
    """A :class:`StoredProfile` from its secret parts and its index record.

    A raw token string gets its expiry, issue time and source back from the
    record (or, failing that, from the cached debug_token facts).
    """
    record = record or {}
    info = info_from_record(record)
    value = token.get_secret_value() if isinstance(token, AccessToken) else token
    expires = token.expires_at if isinstance(token, AccessToken) else from_iso(record.get("token_expires_at"))
    issued = token.issued_at if isinstance(token, AccessToken) else from_iso(record.get("token_issued_at"))
    source = token.source if isinstance(token, AccessToken) else record.get("token_source")
    if expires is None and info is not None and info.is_valid:
        expires = info.expires_at  # debug_token's word is better than nothing
    if app_secret:
        remember_secret(app_secret)
    return StoredProfile(
        name=name,
        token=AccessToken(
            value,
            expires_at=expires,
            issued_at=issued or (info.issued_at if info else None),
            source=source if isinstance(source, str) else None,
        ),
        app_id=clean_app_id(record.get("app_id")),
        app_secret=app_secret or None,
        info=info,
        checked_at=from_iso(record.get("checked_at")),
        backend=backend,
        saved_at=from_iso(record.get("saved_at")),
        required_scopes=clean_scopes(record.get("required_scopes")),
        config_id=_text(record.get("config_id")),
        redirect_uri=_text(record.get("redirect_uri")),
    )


def _text(value: Any) -> str | None:
    # A hand-edited index may hold anything: only non-empty strings count.
    return value.strip() or None if isinstance(value, str) else None
