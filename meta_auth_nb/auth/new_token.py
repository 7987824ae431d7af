"""What happens once a token is obtained: inspect it, offer to extend it, save it. One policy for every front end.

Auth layer. The panel's steps (a pasted token or Facebook Login, "Extend",
"Save"), ``meta-auth login`` and ``meta-auth extend`` all call these, and
differ only in how they ask the person:

* :func:`receive_token` inspects a new token with the app that fits it
  (:func:`~meta_auth_nb.auth.app_choice.app_for`), judges it, and says
  whether extending it would help (:func:`~meta_auth_nb.auth.extension.extension_offer`);
* :func:`extend_new_token` extends (or, for a 60-day system user token,
  refreshes) it with that app's secret and inspects the result;
* :func:`save_token` stores it under a profile with what the next login and
  check need (:func:`login_setup` for the configuration and redirect,
  :func:`required_after_login` for the permissions the work needs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .._base.errors import ConfigError
from .._base.login_errors import OAuthError
from .._base.settings import DEFAULT_WARN_DAYS, Settings
from .._base.tokens import AccessToken, TokenInfo
from .app_choice import AppChoice
from .extension import SYSTEM_USER, ExtensionOffer, extension_offer
from .health import HealthReport, entry_settings, validate
from .lifecycle import extend_token, refresh_system_user_token
from .oauth import normalize_scopes
from .verdict import judge

if TYPE_CHECKING:
    from ..store import StoredProfile, TokenStore

__all__ = [
    "NewToken",
    "SavedLogin",
    "extend_new_token",
    "login_setup",
    "receive_token",
    "required_after_login",
    "save_token",
]

#: Backends a profile only reads from (nothing about it is remembered there).
READ_ONLY_BACKENDS = ("env", "colab")


@dataclass(frozen=True)
class NewToken:
    """A token in hand, its facts, the app it belongs to, and whether extending it helps.

    Attributes
    ----------
    token : AccessToken
    report : HealthReport
        Its facts and verdict.
    app : AppChoice
        The token's app and, when one is at hand for that very app, its secret.
    offer : ExtensionOffer
        Whether extending it gives it a longer life, and why.
    config_id : str or None
        The Login for Business configuration it came from (which decided its permissions).
    asked : tuple of str
        The permissions the login asked for (none for a pasted token).
    before : NewToken or None
        The token it was extended from.
    """

    token: AccessToken
    report: HealthReport
    app: AppChoice
    offer: ExtensionOffer
    config_id: str | None = None
    asked: tuple[str, ...] = ()
    before: NewToken | None = None

    @property
    def info(self) -> TokenInfo:
        return self.report.info

    @property
    def can_extend(self) -> bool:
        """Extending helps and the secret of the token's app is at hand."""
        return self.offer.offered and self.app.usable

    @property
    def notes(self) -> tuple[str, ...]:
        return self.report.notes


def receive_token(
    token: AccessToken,
    *,
    settings: Settings,
    app: AppChoice,
    profile: str | None = None,
    config_id: str | None = None,
    asked: Sequence[str] = (),
    warn_days: float = DEFAULT_WARN_DAYS,
    **options: Any,
) -> NewToken:
    """Inspect a token just obtained (pasted, or from a login) and judge it.

    Parameters
    ----------
    app : AppChoice
        The app chosen for this login (:func:`~meta_auth_nb.auth.app_choice.app_for`
        with what was given), and its secret. When Graph says the token is of
        another app, or refuses the secret, the secret is not used.
    config_id : str, optional
        The configuration the login used.
    asked : sequence of str
        The permissions the login asked for.
    """
    report = validate(
        token, app=app, warn_days=warn_days, profile=profile, config_id=config_id, settings=settings, **options
    )
    notes = list(report.notes)
    token_app = report.info.app_id
    if token_app and app.app_id and token_app != app.app_id:
        if app.secret:
            notes.append(
                f"the token belongs to app {token_app}, not {app.app_id} (from {app.source}), so that app's "
                "secret is not used"
            )
        app = AppChoice(token_app, None, "the token (debug_token)")
    elif not report.secret_fits:
        app = AppChoice(token_app or app.app_id, None, app.source)  # Graph refused it: not this token's app's
    report = replace(report, notes=tuple(notes))
    offer = extension_offer(report.info, now=report.checked_at, warn_days=warn_days)
    return NewToken(token, report, app, offer, config_id, normalize_scopes(asked))


def extend_new_token(new: NewToken, *, warn_days: float = DEFAULT_WARN_DAYS, **options: Any) -> NewToken:
    """Extend ``new`` (or refresh a 60-day system user token) and inspect the result.

    Raises
    ------
    OAuthError
        Extending would not help (the message says why).
    ConfigError
        The secret of the token's app is not at hand.
    GraphError
        Graph refused (an expired token cannot be extended; a wrong secret).
    """
    settings, options = entry_settings(options)
    if not new.offer.offered:
        hint = new.report.advice if not new.info.is_valid else "Nothing to do: the token keeps working as it is."
        raise OAuthError(f"Nothing to extend: {new.offer.why}", hint=hint, place=settings.place)
    if not new.app.usable:
        raise _no_secret(new.app, new.report.profile, settings)
    assert new.app.app_id is not None and new.app.secret is not None  # usable
    renew = refresh_system_user_token if new.offer.kind == SYSTEM_USER else extend_token
    after = renew(new.token, app_id=new.app.app_id, app_secret=new.app.secret, **options)
    after.source = new.token.source
    report = validate(
        after,
        app_id=new.app.app_id,
        app_secret=new.app.secret,
        warn_days=warn_days,
        profile=new.report.profile,
        config_id=new.config_id,
        **options,
    )
    offer = extension_offer(report.info, now=report.checked_at, warn_days=warn_days)
    return NewToken(after, report, new.app, offer, new.config_id, new.asked, before=new)


def _no_secret(app: AppChoice, profile: str | None, settings: Settings) -> ConfigError:
    place = settings.place
    return ConfigError(
        f"This needs the app secret of app {app.app_id or '?'} (the token's app), and none is at hand for it: "
        f"set META_APP_ID={app.app_id or '<the app id>'} and META_APP_SECRET (App settings > Basic), or store "
        f"the app secret with the profile: {place.save_app_secret(profile)}."
    )


def login_setup(
    settings: Settings,
    *,
    config_id: str | None = None,
    redirect_uri: str | None = None,
    previous: StoredProfile | None = None,
) -> tuple[str | None, str | None]:
    """How a profile logs in: (configuration id, registered redirect).

    Each is the one given for this login, else the one remembered with the
    profile, else the environment's (``META_AUTH_CONFIG_ID``,
    ``META_AUTH_REDIRECT_URI``).
    """
    kept = previous if previous is not None and previous.backend not in READ_ONLY_BACKENDS else None
    config = config_id or (kept.config_id if kept else None) or settings.config_id
    redirect = redirect_uri or (kept.redirect_uri if kept else None) or settings.redirect_uri
    return config, redirect


def required_after_login(
    given: Sequence[str] | None, asked: Sequence[str], granted: Sequence[str], previous: StoredProfile | None
) -> tuple[str, ...]:
    """The permissions a profile's work needs, recorded at a login (``check`` fails without them).

    The ones given (``--require-scopes``); else those the login asked for
    that were granted; else, when it asked for none (a pasted token), what the
    profile recorded before.
    """
    if given is not None:
        return normalize_scopes(given)
    if asked:
        return tuple(s for s in normalize_scopes(asked) if s in granted)
    if previous is not None and previous.backend not in READ_ONLY_BACKENDS:
        return tuple(previous.required_scopes)
    return ()


@dataclass(frozen=True)
class SavedLogin:
    """A saved token: the profile as stored, and its verdict with what was recorded."""

    stored: StoredProfile
    report: HealthReport


def save_token(
    store: TokenStore,
    name: str,
    new: NewToken,
    *,
    keep_secret: bool | None = None,
    required_scopes: Sequence[str] | None = None,
    config_id: str | None = None,
    redirect_uri: str | None = None,
    previous: StoredProfile | None = None,
    warn_days: float = DEFAULT_WARN_DAYS,
    settings: Settings,
) -> SavedLogin:
    """Save ``new`` under ``name`` with what the next login and check need.

    Parameters
    ----------
    keep_secret : bool or None
        True: store the secret of the token's app (it must be at hand);
        False: store none; None: keep one stored before for the same app.
    required_scopes : sequence of str, optional
        Given by the user; else see :func:`required_after_login`.
    config_id, redirect_uri : str, optional
        How the profile logs in (from :func:`login_setup`).
    previous : StoredProfile, optional
        What the profile held before.

    Raises
    ------
    ConfigError
        ``keep_secret`` is True but no secret of the token's app is at hand.
    """
    if keep_secret and not new.app.usable:
        raise _no_secret(new.app, name, settings)
    info = new.info
    required = required_after_login(required_scopes, new.asked, info.scopes, previous)
    stored = store.save(
        name,
        new.token,
        app_id=new.app.app_id,
        app_secret=new.app.secret if keep_secret else None,
        info=info,
        required_scopes=required,
        checked_at=new.report.checked_at,
        keep_app_secret=keep_secret is None,
        config_id=config_id,
        redirect_uri=redirect_uri,
    )
    verdict = judge(
        info,
        new.report.permissions,
        required_scopes=required,
        warn_days=warn_days,
        now=new.report.checked_at,
        profile=name,
        can_extend=stored.has_app_secret and new.offer.offered,
        config_id=config_id,
        place=settings.place,
    )
    report = HealthReport(
        verdict, info, new.report.permissions, profile=name, token=new.token, checked_at=new.report.checked_at
    )
    return SavedLogin(stored, report)
