"""DataFrame builders for token and scope state.

Frames layer: pandas is imported here, and this module is imported only
when a frame is asked for. Columns are typed: UTC datetimes, timedeltas,
booleans, and pandas' nullable string dtype. :func:`tokens_frame` has every
fact, for code; :func:`tokens_summary` is the few columns a person reads
(``%meta_tokens``), with the expiry in words and the permissions by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from ._base.errors import GraphError
from ._base.settings import DEFAULT_WARN_DAYS
from ._base.timefmt import utcnow
from ._base.tokens import AccessToken, Permission, TokenInfo
from ._base.words import KEPT_WORDS, expiry_of, kept_words, type_words

if TYPE_CHECKING:
    from .store import StoredProfile

TOKEN_COLUMNS = [
    "profile",
    "token",
    "type",
    "app_id",
    "application",
    "user_id",
    "issued_at",
    "expires_at",
    "expires_in",
    "data_access_expires_at",
    "valid",
    "status",
    "reason",
    "scopes",
    "backend",
    "checked_at",
]
SCOPE_COLUMNS = ["permission", "status", "target_id", "target_name", "source"]
#: The columns of :func:`tokens_summary`.
SUMMARY_COLUMNS = ["profile", "token", "type", "status", "expires", "scopes", "stored"]
#: Where a profile's token is kept, in words (by the store's backend name).
STORED_WORDS = KEPT_WORDS


def _utc(value: datetime | None) -> pd.Timestamp:
    return pd.Timestamp(value) if value is not None else pd.NaT


def token_status(
    info: TokenInfo | None,
    *,
    now: datetime | None = None,
    warn_days: float | None = None,
    required_scopes: Iterable[str] = (),
) -> tuple[str, str | None]:
    """(status, reason) of cached facts, judged as ``meta-auth check`` and ``meta-auth profiles`` do."""
    from .auth.verdict import judge

    verdict = judge(
        info, required_scopes=required_scopes, warn_days=DEFAULT_WARN_DAYS if warn_days is None else warn_days, now=now
    )
    return verdict.status.value, verdict.reason


def token_row(
    info: TokenInfo | None,
    *,
    token: AccessToken | None = None,
    profile: str | None = None,
    backend: str | None = None,
    checked_at: datetime | None = None,
    required_scopes: Iterable[str] = (),
    now: datetime | None = None,
) -> dict[str, Any]:
    """One row of :func:`tokens_frame`; the token appears masked only."""
    now = now or utcnow()
    status, reason = token_status(info, now=now, required_scopes=required_scopes)
    expires_at = info.expires_at if info else (token.expires_at if token else None)
    return {
        "profile": profile,
        "token": token.masked if token is not None else None,
        "type": info.type if info else None,
        "app_id": info.app_id if info else None,
        "application": info.application if info else None,
        "user_id": info.user_id if info else None,
        "issued_at": _utc(info.issued_at if info else None),
        "expires_at": _utc(expires_at),
        "expires_in": pd.Timedelta(expires_at - now) if expires_at else pd.NaT,
        "data_access_expires_at": _utc(info.data_access_expires_at if info else None),
        "valid": bool(info.is_valid) if info else pd.NA,
        "status": status,
        "reason": reason,
        # The permissions by name, as %meta_tokens shows them (a count would say less, and differ).
        "scopes": ", ".join(info.scopes) if info else None,
        "backend": backend,
        "checked_at": _utc(checked_at),
    }


def typed_tokens_frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Build the tokens frame with stable, typed columns."""
    frame = pd.DataFrame.from_records(list(rows), columns=TOKEN_COLUMNS)
    for column in ("issued_at", "expires_at", "data_access_expires_at", "checked_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    # Built value by value: a column of NaT only (no profile with a known expiry) would be read as datetimes.
    frame["expires_in"] = pd.Series(
        [pd.NaT if pd.isna(value) else pd.Timedelta(value) for value in frame["expires_in"]],
        index=frame.index,
        dtype="timedelta64[ns]",
    )
    frame["valid"] = frame["valid"].astype("boolean")
    for column in (
        "profile",
        "token",
        "type",
        "app_id",
        "application",
        "user_id",
        "status",
        "reason",
        "scopes",
        "backend",
    ):
        frame[column] = frame[column].astype("string")
    return frame


def token_info_frame(info: TokenInfo, *, token: AccessToken | None = None, profile: str | None = None) -> pd.DataFrame:
    """One token's debug_token facts as a one-row frame."""
    return typed_tokens_frame([token_row(info, token=token, profile=profile)])


def scope_rows(
    info: TokenInfo | None, permissions: Iterable[Permission] = (), accounts: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """One row per permission and per granular target.

    ``source`` says where a row comes from: ``permissions`` (``/me/permissions``),
    ``debug_token`` (scopes of the token) or ``granular`` (a target). Ad
    account targets are ``act_<id>``, named from ``accounts`` (``act_`` id -> name) when known.
    """
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for permission in permissions:
        rows.append(
            {"permission": permission.name, "status": permission.status, "target_id": None, "source": "permissions"}
        )
        seen.add(permission.name)
    if info is not None:
        for scope in info.scopes:
            if scope not in seen:
                rows.append({"permission": scope, "status": "granted", "target_id": None, "source": "debug_token"})
        for granular in info.granular_scopes:
            for target in granular.graph_ids:
                rows.append(
                    {
                        "permission": granular.scope,
                        "status": "granted",
                        "target_id": target,
                        "target_name": (accounts or {}).get(target),
                        "source": "granular",
                    }
                )
    return rows


def scopes_frame_from(
    info: TokenInfo | None, permissions: Iterable[Permission] = (), accounts: dict[str, str] | None = None
) -> pd.DataFrame:
    """The scopes frame for facts already fetched (``accounts``: ad account names by ``act_`` id)."""
    frame = pd.DataFrame.from_records(scope_rows(info, permissions, accounts), columns=SCOPE_COLUMNS)
    return frame.astype({c: "string" for c in SCOPE_COLUMNS})


def ad_account_names(token: AccessToken, *, app_secret: str | None = None, **options: Any) -> dict[str, str]:
    """``act_`` id -> name of the ad accounts ``token`` can read; empty when it may not list them."""
    from .graph.drivers.sync import GraphSession

    try:
        with GraphSession(token, app_secret=app_secret, **options) as session:
            rows = list(session.pages("me/adaccounts", fields="id,name", limit=500))
    except GraphError:
        return {}
    return {str(row["id"]): str(row.get("name") or "") for row in rows if isinstance(row, dict) and row.get("id")}


def _with_names(
    token: AccessToken, info: TokenInfo, listed: Iterable[Permission], app_secret: str | None, **options: Any
) -> pd.DataFrame:
    """The scopes frame of fresh facts, ad account targets named (one more call, only when there are some)."""
    targets = any(g.on_ad_accounts and g.target_ids for g in info.granular_scopes)
    accounts = ad_account_names(token, app_secret=app_secret, **options) if targets else {}
    return scopes_frame_from(info, listed if info.type in ("USER", None) else (), accounts)


def profile_row(profile: StoredProfile, *, now: datetime | None = None) -> dict[str, Any]:
    """One tokens-frame row for a stored profile, from its cached facts."""
    return token_row(
        profile.info,
        token=profile.token,
        profile=profile.name,
        backend=profile.backend,
        checked_at=profile.checked_at,
        required_scopes=profile.required_scopes,
        now=now,
    )


def summary_row(profile: StoredProfile, *, now: datetime | None = None) -> dict[str, Any]:
    """One row of :func:`tokens_summary`: what a person reads about a stored profile."""
    now = now or utcnow()
    info = profile.info
    status, _ = token_status(info, now=now, required_scopes=profile.required_scopes)
    return {
        "profile": profile.name,
        "token": profile.token.masked,
        "type": type_words(info),
        "status": status,
        "expires": expiry_of(info, profile.token, now).cell,
        "scopes": ", ".join(info.scopes) if info else None,
        "stored": kept_words(profile.backend),
    }


def tokens_summary(store: Any = None, *, now: datetime | None = None) -> pd.DataFrame:
    """One row per stored profile, the columns a person reads (see :data:`SUMMARY_COLUMNS`).

    Strings throughout: the expiry in words (with its date), the permissions
    by name, where the token is kept. :func:`tokens_frame` has every fact, typed.
    """
    from .auth.verdict import Status
    from .store import StoreError, TokenStore

    store = store or TokenStore()
    rows = []
    for name in store.profiles():
        try:
            rows.append(summary_row(store.load(name), now=now))
        except StoreError:
            rows.append({"profile": name, "status": Status.UNREADABLE.value})
    frame = pd.DataFrame.from_records(rows, columns=SUMMARY_COLUMNS)
    return frame.astype({c: "string" for c in SUMMARY_COLUMNS})


def tokens_frame(store: Any = None, *, now: datetime | None = None) -> pd.DataFrame:
    """One row per stored profile, from the facts cached at its last check.

    No network call: run ``%meta_login`` or ``meta-auth check`` to refresh
    the facts. A profile that cannot be loaded shows as ``missing``.
    """
    from .auth.verdict import Status
    from .store import StoreError, TokenStore

    store = store or TokenStore()
    rows = []
    for name in store.profiles():
        try:
            rows.append(profile_row(store.load(name), now=now))
        except StoreError as exc:
            reason = str(exc).split(".")[0]
            rows.append({**token_row(None, profile=name, now=now), "status": Status.UNREADABLE.value, "reason": reason})
    return typed_tokens_frame(rows)


def scopes_frame(profile_or_token: Any = None, *, store: Any = None, **options: Any) -> pd.DataFrame:
    """One row per permission and granular target of a profile or a token.

    Parameters
    ----------
    profile_or_token : str, AccessToken, TokenInfo or None
        A profile name (None: the default profile), a token (inspected now,
        with ``/me/permissions``), or TokenInfo facts already fetched.
    **options
        ``app_id``/``app_secret`` and session options for the calls.
    """
    from .auth.app_choice import AppChoice
    from .auth.facts import inspect_facts
    from .auth.profiles import inspect_token_of

    if isinstance(profile_or_token, TokenInfo):
        return scopes_frame_from(profile_or_token)
    if isinstance(profile_or_token, AccessToken) or (
        isinstance(profile_or_token, str) and profile_or_token.startswith("EAA")
    ):
        # A token whose owner has no role on the app cannot inspect itself: its permissions still show.
        token = AccessToken(profile_or_token)
        given = AppChoice(options.pop("app_id", None), options.pop("app_secret", None), "given")
        facts = inspect_facts(token, given, **options)
        secret = given.secret if facts.secret_used else None
        return _with_names(token, facts.info, facts.permissions, secret, **options)
    from .store import TokenStore

    store = store or TokenStore()
    profile = store.load(profile_or_token)
    if profile.info is not None and not profile.info.is_valid:
        return scopes_frame_from(profile.info)
    found = inspect_token_of(profile.token, stored=profile, store=store, **options)
    secret = found.app.secret if found.facts.secret_used else None
    return _with_names(profile.token, found.facts.info, found.permissions or (), secret, **options)
