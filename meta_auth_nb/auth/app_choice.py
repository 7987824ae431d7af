"""Which app a token belongs to, and the app secret to use with it: decided here and nowhere else.

Auth layer, I/O-free. Every caller (``mab.session()``, ``%meta_login``'s
session, the panel, ``meta-auth login``/``inspect``/``extend``/``check``,
``%meta_scopes``) asks :func:`app_for`, which looks in one order:

1. the token's own app, when Graph said it (``debug_token``'s ``app_id``,
   fresh or cached with the profile): a fact beats an assumption;
2. the app given for this call (typed in the panel, ``--app-id``);
3. the app remembered with the profile;
4. ``META_APP_ID``. So a token whose app is not known (its owner has no role
   on the app, so it could not be inspected) is taken to be of
   ``META_APP_ID``'s app: that is how its expiry becomes readable.

An app secret belongs to one app; used with a token of another app it only
produces a wrong ``appsecret_proof`` (Graph refuses the call) or a refused
exchange, so a secret is used only for its own app: the one typed with the
given app, the one stored with the profile (for the profile's app), or
``META_APP_SECRET`` (for ``META_APP_ID``'s app). A secret from the
environment or the panel is used, never stored, unless the user asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._base.settings import ENV_APP_ID, Settings

if TYPE_CHECKING:
    from ..store import StoredProfile

__all__ = ["AppChoice", "app_for"]


@dataclass(frozen=True)
class AppChoice:
    """The app a token is taken to belong to, and the secret to use with it (never shown in a repr).

    Attributes
    ----------
    app_id : str or None
        None when no app is known at all.
    secret : str or None
        The secret of that very app, when one is at hand.
    source : str
        Where the app id came from, in words (``the token (debug_token)``,
        ``--app-id``, ``the profile``, ``META_APP_ID``).
    """

    app_id: str | None
    secret: str | None = field(default=None, repr=False)
    source: str = "none"

    @property
    def usable(self) -> bool:
        """Both the app id and its secret are at hand (the app token can ask, a token can be extended)."""
        return bool(self.app_id and self.secret)


def _clean(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def app_for(
    settings: Settings,
    *,
    token_app: str | None = None,
    given: str | None = None,
    given_secret: str | None = None,
    given_as: str = "--app-id",
    stored: StoredProfile | None = None,
) -> AppChoice:
    """The app a token belongs to and the secret to use with it, in the module's one order.

    Parameters
    ----------
    settings : Settings
        ``META_APP_ID`` and ``META_APP_SECRET`` come from here.
    token_app : str, optional
        The token's app as Graph said it (fresh ``debug_token`` facts).
    given, given_secret : str, optional
        An app id (and its secret) given for this call: typed in the panel,
        ``--app-id``. A secret typed without an app id belongs to ``META_APP_ID``'s app.
    given_as : str
        How the given app id is named in :attr:`AppChoice.source`.
    stored : StoredProfile, optional
        The profile the token comes from: its cached facts' app, its
        remembered app and its stored secret.
    """
    cached_app = stored.info.app_id if stored is not None and stored.info is not None else None
    profile_app = _clean(stored.app_id) if stored is not None else None
    environment_app = _clean(settings.app_id)
    candidates = (
        (_clean(token_app), "the token (debug_token)"),
        (_clean(cached_app), "the token (debug_token, at its last check)"),
        (_clean(given), given_as),
        (profile_app, "the profile"),
        (environment_app, ENV_APP_ID),
    )
    app_id, source = next(((app, why) for app, why in candidates if app), (None, "none"))
    if app_id is None:
        return AppChoice(None, None, source)
    # Each secret at hand, with the app it belongs to.
    secrets = (
        (_clean(given) or environment_app, _clean(given_secret)),
        (profile_app or _clean(cached_app), _clean(stored.app_secret) if stored is not None else None),
        (environment_app, _clean(settings.app_secret)),
    )
    secret = next((value for owner, value in secrets if value and owner == app_id), None)
    return AppChoice(app_id, secret, source)
