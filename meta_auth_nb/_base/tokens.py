"""The token model: :class:`AccessToken`, :class:`TokenInfo`, :class:`Permission`.

Base layer: stdlib only. An :class:`AccessToken` never shows its value in a
repr, str or format; the raw value comes only from
:meth:`AccessToken.get_secret_value`.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from .redact import mask, redact, remember_secret
from .timefmt import from_unix, utcnow
from .token_errors import token_error_meaning

#: Permissions whose granular targets are ad accounts (Graph calls them ``act_<id>``).
AD_ACCOUNT_SCOPES = frozenset({"ads_read", "ads_management"})


class AccessToken:
    """An access token whose value is never shown.

    Parameters
    ----------
    value : str
        The raw token.
    expires_at : datetime, optional
        When it expires, if known (aware UTC). None means unknown or never.
    issued_at : datetime, optional
        When it was issued, if known.
    source : str, optional
        Where it came from (``"code exchange"``, ``"pasted"``...), for display.

    Notes
    -----
    ``str()``, ``repr()`` and ``format()`` give a mask such as ``EAAB…x7Qz``;
    use :meth:`get_secret_value` for the raw token. Equality compares values
    in constant time.
    """

    __slots__ = ("_value", "expires_at", "issued_at", "source")

    def __init__(
        self,
        value: str | AccessToken,
        *,
        expires_at: datetime | None = None,
        issued_at: datetime | None = None,
        source: str | None = None,
    ) -> None:
        if isinstance(value, AccessToken):
            value = value.get_secret_value()
        if not isinstance(value, str):
            raise TypeError("an access token must be a string")
        value = value.strip()
        if not value:
            raise ValueError("the access token is empty")
        if any(c.isspace() for c in value):
            raise ValueError("an access token cannot contain spaces or line breaks")
        self._value = value
        self.expires_at = expires_at
        self.issued_at = issued_at
        self.source = source
        remember_secret(value)

    @classmethod
    def from_oauth_response(
        cls, payload: Mapping[str, Any], *, now: datetime | None = None, source: str | None = None
    ) -> AccessToken:
        """Build a token from an ``oauth/access_token`` reply.

        Reads ``expires_in`` (or the old ``expires``) seconds; absent or 0
        means no known expiry.
        """
        now = now or utcnow()
        lifetime = payload.get("expires_in", payload.get("expires"))
        expires_at = None
        try:
            if lifetime is not None and float(lifetime) > 0:
                expires_at = now + timedelta(seconds=float(lifetime))
        except (TypeError, ValueError):
            expires_at = None
        return cls(str(payload["access_token"]), expires_at=expires_at, issued_at=now, source=source)

    def get_secret_value(self) -> str:
        """Return the raw token. Keep it out of output, logs and files."""
        return self._value

    @property
    def masked(self) -> str:
        """The masked token, e.g. ``EAAB…x7Qz``."""
        return mask(self._value)

    @property
    def is_app_token(self) -> bool:
        """True for ``APP_ID|APP_SECRET``-style app tokens."""
        return "|" in self._value

    def expires_in(self, now: datetime | None = None) -> timedelta | None:
        """Time left before expiry, or None when unknown or never."""
        if self.expires_at is None:
            return None
        return self.expires_at - (now or utcnow())

    def __str__(self) -> str:
        return self.masked

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)

    def __repr__(self) -> str:
        expiry = self.expires_at.isoformat(timespec="seconds") if self.expires_at else None
        return f"AccessToken({self.masked!r}, expires_at={expiry!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AccessToken):
            return hmac.compare_digest(self._value, other._value)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("AccessToken", self._value))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickling would write the raw token wherever the pickle goes.
        raise TypeError("AccessToken cannot be pickled; store it with TokenStore")

    def __copy__(self) -> AccessToken:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> AccessToken:
        return self


def as_token(token: AccessToken | str) -> AccessToken:
    """Accept an :class:`AccessToken` or a raw string."""
    return token if isinstance(token, AccessToken) else AccessToken(token)


@dataclass(frozen=True)
class GranularScope:
    """A permission limited to some objects (ad accounts, pages, businesses)."""

    scope: str
    target_ids: tuple[str, ...] = ()

    @property
    def on_ad_accounts(self) -> bool:
        """True when the targets are ad accounts (``ads_read``, ``ads_management``)."""
        return self.scope in AD_ACCOUNT_SCOPES

    @property
    def graph_ids(self) -> tuple[str, ...]:
        """The targets as Graph paths name them: ad accounts as ``act_<id>``, others as given."""
        if not self.on_ad_accounts:
            return self.target_ids
        return tuple(t if t.startswith("act_") else f"act_{t}" for t in self.target_ids)


@dataclass(frozen=True)
class Permission:
    """A permission and its status: ``granted``, ``declined`` or ``expired``."""

    name: str
    status: str

    @property
    def granted(self) -> bool:
        return self.status == "granted"


@dataclass(frozen=True)
class TokenInfo:
    """What ``debug_token`` says about a token.

    Times are aware UTC datetimes; ``expires_at`` and
    ``data_access_expires_at`` are None when they never expire.
    ``error_message`` is Graph's text, redacted: it can quote the token
    ("Malformed access token EAA...").

    ``expiry_known`` is False when ``debug_token`` could not be asked (a
    person without a role on the app, and no app secret at hand): the facts
    then come from ``/me`` and ``/me/permissions``, and None times mean
    *unknown*, not *never*. ``user_name`` is who ``/me`` says the token
    speaks for (a person, a system user, a Page), when it was asked.
    """

    is_valid: bool
    app_id: str | None = None
    type: str | None = None
    application: str | None = None
    user_id: str | None = None
    profile_id: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    data_access_expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    granular_scopes: tuple[GranularScope, ...] = ()
    error_code: int | None = None
    error_subcode: int | None = None
    error_message: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    expiry_known: bool = True
    user_name: str | None = None

    def __post_init__(self) -> None:
        if self.error_message:
            object.__setattr__(self, "error_message", redact(self.error_message))

    @classmethod
    def from_debug_token(cls, payload: Mapping[str, Any]) -> TokenInfo:
        """Parse a ``debug_token`` reply (with or without its ``data`` wrapper).

        Lenient: unknown fields are ignored, ids may be ints or strings,
        ``expires_at: 0`` means never.
        """
        data = payload.get("data", payload) if isinstance(payload, Mapping) else {}
        if not isinstance(data, Mapping):
            data = {}
        error = data.get("error") if isinstance(data.get("error"), Mapping) else {}
        granular = []
        for item in _as_list(data.get("granular_scopes")):
            if isinstance(item, Mapping) and item.get("scope"):
                targets = tuple(str(t) for t in _as_list(item.get("target_ids")) if t is not None)
                granular.append(GranularScope(str(item["scope"]), targets))
        metadata = data.get("metadata") if isinstance(data.get("metadata"), Mapping) else {}
        return cls(
            is_valid=data.get("is_valid") is True or str(data.get("is_valid")).lower() == "true",
            app_id=_str_or_none(data.get("app_id")),
            type=_str_or_none(data.get("type")),
            application=_str_or_none(data.get("application")),
            user_id=_str_or_none(data.get("user_id")),
            profile_id=_str_or_none(data.get("profile_id")),
            issued_at=from_unix(data.get("issued_at")),
            expires_at=from_unix(data.get("expires_at")),
            data_access_expires_at=from_unix(data.get("data_access_expires_at")),
            scopes=tuple(str(s) for s in _as_list(data.get("scopes")) if s),
            granular_scopes=tuple(granular),
            error_code=_int_or_none(error.get("code")),
            error_subcode=_int_or_none(error.get("subcode", error.get("error_subcode"))),
            error_message=_str_or_none(error.get("message")),
            metadata=dict(metadata),
        )

    @property
    def never_expires(self) -> bool:
        """True for a valid token with no expiry (``expires_at: 0``); False when the expiry is unknown."""
        return self.is_valid and self.expires_at is None and self.expiry_known

    @property
    def invalid_reason(self) -> str | None:
        """Why the token is invalid, in plain words (the token-error table's), or None when valid."""
        if self.is_valid:
            return None
        meaning = token_error_meaning(self.error_code, self.error_subcode, self.error_message)
        return meaning.reason if meaning is not None else "the token is invalid"

    def expires_in(self, now: datetime | None = None) -> timedelta | None:
        """Time left before expiry, or None when it never expires."""
        return None if self.expires_at is None else self.expires_at - (now or utcnow())

    def data_access_expires_in(self, now: datetime | None = None) -> timedelta | None:
        """Time left before data access expires, or None."""
        if self.data_access_expires_at is None:
            return None
        return self.data_access_expires_at - (now or utcnow())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (times as unix seconds, 0 for never)."""
        out = asdict(self)
        for key in ("issued_at", "expires_at", "data_access_expires_at"):
            value = getattr(self, key)
            out[key] = int(value.timestamp()) if value else 0
        out["scopes"] = list(self.scopes)
        out["granular_scopes"] = [{"scope": g.scope, "target_ids": list(g.target_ids)} for g in self.granular_scopes]
        out["metadata"] = dict(self.metadata)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TokenInfo:
        """Rebuild from :meth:`to_dict` output."""
        payload = dict(data)
        payload["error"] = {
            "code": data.get("error_code"),
            "subcode": data.get("error_subcode"),
            "message": data.get("error_message"),
        }
        info = replace(cls.from_debug_token(payload), user_name=_str_or_none(data.get("user_name")))
        return replace(info, expiry_known=False) if data.get("expiry_known") is False else info


def _as_list(value: Any) -> list[Any]:
    """A list field read leniently: a list as is, a comma string split, anything else empty."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return [value]
    return []


def _str_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
