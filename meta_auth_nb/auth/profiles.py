"""What can be done with a stored profile: check, inspect, extend, log out. One function per use case.

Auth layer. ``%meta_login`` (its fast path), ``%meta_scopes``,
``%meta_logout``, ``mab.session()`` and the ``meta-auth`` commands ``check``,
``inspect``, ``extend`` and ``logout`` call these and only show what they
return. Which app a profile's token belongs to is
:func:`~meta_auth_nb.auth.app_choice.app_for`'s answer; the settings (and
so the place whose commands the advice names) are the ``settings`` option,
read now when not given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._base.errors import GraphError, TokenError
from .._base.redact import get_logger
from .._base.settings import DEFAULT_WARN_DAYS
from .._base.tokens import AccessToken, Permission
from .app_choice import AppChoice, app_for
from .extension import extension_offer
from .facts import Facts, inspect_facts
from .health import HealthReport, entry_settings, validate
from .lifecycle import permissions as list_permissions
from .lifecycle import revoke_permission, revoke_token
from .new_token import READ_ONLY_BACKENDS, NewToken, extend_new_token, save_token
from .oauth import normalize_scopes
from .verdict import Status

if TYPE_CHECKING:
    from ..store import StoredProfile, TokenStore

__all__ = [
    "Inspection",
    "Logout",
    "check_profile",
    "extend_profile",
    "extend_stored",
    "inspect_token_of",
    "logout_profile",
    "revoke_profile",
]

log = get_logger(__name__)


def check_profile(
    store: TokenStore,
    profile: str | None = None,
    *,
    required_scopes: Iterable[str] | str | None = None,
    warn_days: float = DEFAULT_WARN_DAYS,
    auto_extend: bool = False,
    now: datetime | None = None,
    **options: Any,
) -> HealthReport:
    """Load a stored profile, validate it and cache the facts in the store.

    With ``auto_extend=True`` (and the app secret at hand) a token that is
    expiring is extended (or, for a 60-day system user token, refreshed)
    and saved before the report is made.
    """
    settings, options = entry_settings(options)
    stored = store.load(profile)
    scopes = stored.required_scopes if required_scopes is None else normalize_scopes(required_scopes)
    app = app_for(settings, stored=stored)
    report = validate(
        stored.token,
        app=app,
        required_scopes=scopes,
        warn_days=warn_days,
        profile=stored.name,
        now=now,
        config_id=stored.config_id,
        **options,
    )
    if stored.backend not in READ_ONLY_BACKENDS:
        store.update_info(stored.name, report.info, checked_at=report.checked_at)
    if auto_extend and report.status == Status.EXPIRING and app.usable:
        extend_profile(store, stored.name, warn_days=warn_days, **options)
        return check_profile(store, stored.name, required_scopes=scopes, warn_days=warn_days, now=now, **options)
    return report


def extend_profile(
    store: TokenStore, profile: str | None = None, *, warn_days: float = DEFAULT_WARN_DAYS, **options: Any
) -> tuple[AccessToken, AccessToken]:
    """Extend (user token) or refresh (60-day system user token) a stored profile, and save the new token.

    Returns
    -------
    (before, after) tokens, both masked when shown; :func:`extend_stored` gives their facts too.
    """
    after = extend_stored(store, profile, warn_days=warn_days, **options)
    assert after.before is not None  # an extension
    return after.before.token, after.token


def extend_stored(store: TokenStore, profile: str | None = None, *, warn_days: float = DEFAULT_WARN_DAYS, **options: Any
                  ) -> NewToken:  # fmt: skip
    """:func:`extend_profile`, giving the new token with its facts, and the old one's (``.before``).

    Everything else the profile holds (its app, stored secret, required
    permissions, how it logs in) is kept.

    Raises
    ------
    ConfigError
        No secret of the token's app is at hand (the message says how to give one).
    OAuthError
        Extending would not help (an invalid or never-expiring token), or Graph refused the exchange.
    """
    settings, options = entry_settings(options)
    stored = store.load(profile)
    app = app_for(settings, stored=stored)
    report = validate(stored.token, app=app, profile=stored.name, warn_days=warn_days, **options)
    # Asked for by name: extend whenever Graph would give a longer life, even outside the warning window.
    offer = extension_offer(report.info, now=report.checked_at, warn_days=float("inf"))
    new = NewToken(stored.token, report, app, offer, stored.config_id)
    after = extend_new_token(new, warn_days=warn_days, **options)
    save_token(
        store,
        stored.name,
        after,
        keep_secret=None,
        required_scopes=stored.required_scopes,
        config_id=stored.config_id,
        redirect_uri=stored.redirect_uri,
        previous=stored,
        warn_days=warn_days,
        settings=settings,
    )
    log.info("extended profile %s: %s -> %s", stored.name, stored.token.masked, after.token.masked)
    return after


@dataclass(frozen=True)
class Inspection:
    """What Graph says about a token: its facts, its permissions and the app it belongs to.

    Attributes
    ----------
    facts : Facts
    permissions : list of Permission or None
        ``/me/permissions`` (None for tokens that have none: app and Page tokens).
    app : AppChoice
        The token's app (Graph's word when it said) and the secret that fits it.
    notes : tuple of str
        What a person should know about how it was asked.
    """

    facts: Facts
    permissions: list[Permission] | None
    app: AppChoice
    notes: tuple[str, ...] = field(default=())


def inspect_token_of(
    token: AccessToken,
    *,
    stored: StoredProfile | None = None,
    store: TokenStore | None = None,
    now: datetime | None = None,
    **options: Any,
) -> Inspection:
    """Inspect a token (a stored profile's, or one from the environment) and cache the facts with its profile.

    Parameters
    ----------
    stored : StoredProfile, optional
        The profile the token comes from (its app and secret are used).
    store : TokenStore, optional
        Where the facts of ``stored`` are cached.
    """
    settings, options = entry_settings(options)
    app = app_for(settings, stored=stored)
    facts = inspect_facts(token, app, **options)
    info = facts.info
    notes = [facts.note] if facts.note else []
    chosen = app_for(settings, token_app=info.app_id, stored=stored)
    perms: list[Permission] | None = list(facts.permissions) or None
    if not perms and info.is_valid and info.type not in ("APP", "PAGE"):
        try:
            perms = list_permissions(token, app_secret=chosen.secret if facts.secret_used else None, **options)
        except GraphError as error:
            notes.append(f"the permissions could not be listed: {error.message}")
    if store is not None and stored is not None and stored.backend not in READ_ONLY_BACKENDS:
        try:
            store.update_info(stored.name, info, checked_at=now or facts.server_time)
        except Exception as error:  # caching is a courtesy; the inspection stands
            notes.append(f"the facts were not cached ({error})")
    return Inspection(facts, perms, chosen, tuple(notes))


def revoke_profile(stored: StoredProfile, **options: Any) -> str:
    """Revoke a stored profile's token at Graph, the best way the secrets at hand allow.

    With the app secret of the token's app: ``oauth/revoke`` ends this token.
    Without it: ``DELETE /me/permissions`` removes the app for the user, which
    ends every token that user has for the app. A token that is already
    unusable has nothing to revoke.

    Returns
    -------
    str
        What was done, in words (the token masked).

    Raises
    ------
    GraphError
        Graph could not be reached, or refused (the caller keeps the profile).
    """
    settings, options = entry_settings(options)
    token = stored.token
    app = app_for(settings, stored=stored)
    try:
        if app.usable and not token.is_app_token:
            assert app.app_id is not None and app.secret is not None
            revoke_token(token, app_id=app.app_id, app_secret=app.secret, **options)
            return f"revoked {token.masked} at Graph"
        revoke_permission(token, None, app_secret=app.secret, **options)
    except TokenError as exc:
        return f"{token.masked} was already unusable ({exc.reason}), so there was nothing to revoke"
    return (
        f"removed the app's permissions for the user of {token.masked} "
        "(every token of theirs for the app stops working)"
    )


@dataclass(frozen=True)
class Logout:
    """What logging out did, in words: ``done`` (each step), ``remains`` (what only the user can remove)."""

    token: str
    done: tuple[str, ...]
    remains: str | None = None


def logout_profile(store: TokenStore, profile: str | None = None, *, revoke: bool = False, **options: Any) -> Logout:
    """Forget a stored profile (``revoke``: revoke its token at Graph first).

    A profile served by ``META_ACCESS_TOKEN`` or a Colab secret cannot be
    deleted here: :attr:`Logout.remains` says where to remove it.

    Raises
    ------
    GraphError
        The revocation failed (nothing was deleted).
    StoreError
        The store could not delete it.
    """
    stored = store.load(profile)
    done = [revoke_profile(stored, **options)] if revoke else []
    remains = None
    if stored.backend in READ_ONLY_BACKENDS:
        where = "the META_ACCESS_TOKEN environment variable" if stored.backend == "env" else "a Colab secret"
        remains = f"profile {stored.name} comes from {where}, which cannot be deleted from here: unset it there"
    elif store.delete(stored.name):
        done.append(f"deleted profile {stored.name} ({stored.backend})")
    return Logout(stored.token.masked, tuple(done), remains)
