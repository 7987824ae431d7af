"""DataFrame builders for token and scope state.

Frames layer: pandas is imported here, and this module is imported only
when a frame is asked for. Columns are typed: UTC datetimes, timedeltas,
booleans, and pandas' nullable string dtype.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from ._base.settings import DEFAULT_WARN_DAYS
from ._base.timefmt import utcnow
from ._base.tokens import AccessToken, Permission, TokenInfo

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
SCOPE_COLUMNS = ["permission", "status", "target_id", "source"]


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
        "scopes": len(info.scopes) if info else 0,
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
    frame["scopes"] = frame["scopes"].astype("int64")
    for column in ("profile", "token", "type", "app_id", "application", "user_id", "status", "reason", "backend"):
        frame[column] = frame[column].astype("string")
    return frame


def token_info_frame(info: TokenInfo, *, token: AccessToken | None = None, profile: str | None = None) -> pd.DataFrame:
    """One token's debug_token facts as a one-row frame."""
    return typed_tokens_frame([token_row(info, token=token, profile=profile)])


def scope_rows(info: TokenInfo | None, permissions: Iterable[Permission] = ()) -> list[dict[str, Any]]:
    """One row per permission and per granular target.

    ``source`` says where a row comes from: ``permissions`` (``/me/permissions``),
    ``debug_token`` (scopes of the token) or ``granular`` (a target id).
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
            for target in granular.target_ids:
                rows.append(
                    {"permission": granular.scope, "status": "granted", "target_id": target, "source": "granular"}
                )
    return rows


def scopes_frame_from(info: TokenInfo | None, permissions: Iterable[Permission] = ()) -> pd.DataFrame:
    """The scopes frame for facts already fetched."""
    frame = pd.DataFrame.from_records(scope_rows(info, permissions), columns=SCOPE_COLUMNS)
    return frame.astype({c: "string" for c in SCOPE_COLUMNS})


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
    from .auth.facts import fetch_facts

    if isinstance(profile_or_token, TokenInfo):
        return scopes_frame_from(profile_or_token)
    if isinstance(profile_or_token, AccessToken) or (
        isinstance(profile_or_token, str) and profile_or_token.startswith("EAA")
    ):
        # A token whose owner has no role on the app cannot inspect itself: its permissions still show.
        fresh, listed, _ = fetch_facts(AccessToken(profile_or_token), **options)
        return scopes_frame_from(fresh, listed if fresh.type in ("USER", None) else ())
    from .auth.app_secret import profile_app
    from .store import TokenStore

    profile = (store or TokenStore()).load(profile_or_token)
    if profile.info is not None and not profile.info.is_valid:
        return scopes_frame_from(profile.info)
    app_id, secret = profile_app(profile)
    fresh, listed, _ = fetch_facts(profile.token, app_id=app_id, app_secret=secret, **options)
    return scopes_frame_from(fresh, listed if fresh.type in ("USER", None) else ())
