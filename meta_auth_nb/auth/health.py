"""Is a token healthy? One look at Graph, judged: :class:`HealthReport` and :func:`validate`.

Auth layer. :func:`validate` asks Graph once (``debug_token`` and
``/me/permissions`` in one batch round trip) and judges the answer with
:func:`~meta_auth_nb.auth.verdict.judge`. The use cases on a stored profile
(check, extend, revoke) are in :mod:`.profiles`; what happens to a token just
obtained, in :mod:`.new_token`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._base.settings import DEFAULT_WARN_DAYS, Settings, current_settings
from .._base.timefmt import to_iso, utcnow
from .._base.tokens import AccessToken, Permission, TokenInfo, as_token
from .._base.words import expiry_of
from .app_choice import AppChoice
from .facts import inspect_facts
from .verdict import Status, Verdict, judge

__all__ = ["DEFAULT_WARN_DAYS", "HealthReport", "Status", "Verdict", "entry_settings", "validate"]


def entry_settings(options: dict[str, Any]) -> tuple[Settings, dict[str, Any]]:
    """The settings of a call entering here (given in ``options``, else read now), and the options carrying them."""
    settings = options.get("settings") or current_settings()
    return settings, {**options, "settings": settings}


@dataclass(frozen=True)
class HealthReport:
    """The state of one token, the facts behind it, and what to do about it.

    Attributes
    ----------
    verdict : Verdict
        Status, reason and advice (see :func:`~meta_auth_nb.auth.verdict.judge`).
    info : TokenInfo
        What debug_token said.
    permissions : tuple of Permission
    profile : str or None
    token : AccessToken or None
        Masked in every repr.
    checked_at : datetime
        The time the verdict was judged by (Graph's clock when known).
    notes : tuple of str
        What a person should know about how it was checked (an app secret
        that could not be used...).
    secret_fits : bool
        The app secret at hand took part in the check: it is the token's app's.
    """

    verdict: Verdict
    info: TokenInfo
    permissions: tuple[Permission, ...] = ()
    profile: str | None = None
    token: AccessToken | None = field(default=None, repr=False)
    checked_at: datetime = field(default_factory=utcnow)
    notes: tuple[str, ...] = ()
    secret_fits: bool = False

    @property
    def status(self) -> Status:
        return self.verdict.status

    @property
    def reason(self) -> str | None:
        return self.verdict.reason

    @property
    def advice(self) -> str:
        return self.verdict.advice

    @property
    def missing_scopes(self) -> tuple[str, ...]:
        return self.verdict.missing_scopes

    @property
    def declined_scopes(self) -> tuple[str, ...]:
        return self.verdict.declined_scopes

    @property
    def severity(self) -> int:
        return self.verdict.severity

    @property
    def ok(self) -> bool:
        return self.status == Status.OK

    def summary(self) -> str:
        """One line: who, app, type, expiry, scopes (the token masked)."""
        info = self.info
        parts = [self.profile or "token", self.token.masked if self.token else None, self.status.value]
        if info.is_valid:
            expiry = expiry_of(info, now=self.checked_at).sentence
            app = info.application or info.app_id
            parts += [
                info.type or "token",
                f"app {app}" if app else None,
                info.user_name or (f"user {info.user_id}" if info.user_id else None),
                expiry,
                f"scopes {', '.join(info.scopes) or 'none'}",
            ]
        elif self.reason:
            parts.append(self.reason)
        return " \u00b7 ".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready and secret-free."""
        info = self.info
        return {
            "profile": self.profile,
            "token": self.token.masked if self.token else None,
            "status": self.status.value,
            "severity": self.severity,
            "reason": self.reason,
            "advice": self.advice,
            "type": info.type,
            "app_id": info.app_id,
            "user_id": info.user_id,
            "valid": info.is_valid,
            "expiry_known": info.expiry_known,
            "expires_at": to_iso(info.expires_at),
            "expires": expiry_of(info, self.token, self.checked_at).cell,
            "data_access_expires_at": to_iso(info.data_access_expires_at),
            "scopes": list(info.scopes),
            "missing_scopes": list(self.missing_scopes),
            "declined_scopes": list(self.declined_scopes),
            "checked_at": to_iso(self.checked_at),
        }


def validate(
    token: AccessToken | str,
    *,
    app_id: str | None = None,
    app_secret: str | None = None,
    required_scopes: Iterable[str] | str = (),
    warn_days: float = DEFAULT_WARN_DAYS,
    profile: str | None = None,
    now: datetime | None = None,
    config_id: str | None = None,
    app: AppChoice | None = None,
    **options: Any,
) -> HealthReport:
    """Check a token against Graph and say whether it is healthy.

    Parameters
    ----------
    app_id, app_secret : str, optional
        The app the token is taken to belong to (see
        :func:`~meta_auth_nb.auth.app_choice.app_for`), and its secret.
    required_scopes : str or iterable of str
        Permissions the work needs; a missing one makes the token unusable.
    warn_days : float
        Warn this many days ahead of expiry and of data-access expiry.
    config_id : str, optional
        The Login for Business configuration the token comes from (changes
        the advice for a missing permission).
    app : AppChoice, optional
        The app chosen for the token (instead of ``app_id`` and ``app_secret``).
    **options
        Session options; ``settings`` (default: read now) also says where
        the advice is read, so which commands it names.

    Notes
    -----
    A token whose owner has no role on the app, checked without the app
    secret, is reported valid with its scopes and an unknown expiry
    (:attr:`~meta_auth_nb.auth.verdict.Status.EXPIRY_UNKNOWN`), with the
    reason and the fix in words. A secret Graph refuses (another app's) is
    dropped, and a note says so.
    """
    settings, options = entry_settings(options)
    token = as_token(token)
    facts = inspect_facts(token, app or AppChoice(app_id, app_secret, "given"), **options)
    now = now or facts.server_time or utcnow()
    verdict = judge(
        facts.info,
        facts.permissions,
        required_scopes=required_scopes,
        warn_days=warn_days,
        now=now,
        profile=profile,
        can_extend=facts.secret_used,
        config_id=config_id,
        place=settings.place,
    )
    notes = (facts.note,) if facts.note else ()
    return HealthReport(
        verdict,
        facts.info,
        facts.permissions,
        profile=profile,
        token=token,
        checked_at=now,
        notes=notes,
        secret_fits=facts.secret_used,
    )
