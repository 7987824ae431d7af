"""Which app secret goes with a token: decided here and nowhere else.

An app secret belongs to one app. Used with a token of another app it only
produces a wrong ``appsecret_proof`` (Graph refuses the call) or a refused
exchange, so a secret is used only for a token of its own app:

1. the secret typed into the panel for the app id typed beside it;
2. the secret stored with the profile, for the profile's app;
3. ``META_APP_SECRET`` for the app named by ``META_APP_ID`` (without
   ``META_APP_ID`` the environment's secret belongs to no known app, and is
   not used). A stored profile whose app is not known (its owner has no
   role on the app, so the token could not be inspected) is taken to be of
   ``META_APP_ID``'s app: that is how its expiry becomes readable.

A secret from the environment or the panel is used, never stored, unless the
user asks. Auth layer, I/O-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._base.settings import Settings, get_settings

if TYPE_CHECKING:
    from ..store import StoredProfile

__all__ = ["AppSecret", "app_secret_for", "environment_secret", "profile_app", "secret_for_profile", "stored_secret"]


@dataclass(frozen=True)
class AppSecret:
    """An app secret and the app it belongs to (the value never shows in a repr)."""

    app_id: str | None
    value: str = field(repr=False)
    source: str = "given"


def environment_secret(settings: Settings | None = None) -> AppSecret | None:
    """``META_APP_SECRET`` with the app of ``META_APP_ID``, or None when no secret is set."""
    settings = settings or get_settings()
    if not settings.app_secret:
        return None
    return AppSecret(settings.app_id, settings.app_secret, "META_APP_SECRET")


def stored_secret(stored: StoredProfile | None) -> AppSecret | None:
    """The secret saved with a profile, belonging to the profile's app."""
    if stored is None or not stored.app_secret:
        return None
    return AppSecret(stored.app_id or (stored.info.app_id if stored.info else None), stored.app_secret, "profile")


def app_secret_for(
    app_id: str | None,
    *candidates: AppSecret | None,
    settings: Settings | None = None,
    use_environment: bool = True,
) -> str | None:
    """The secret to use for a token of app ``app_id``, or None.

    Parameters
    ----------
    app_id : str or None
        The token's app (from debug_token, or the app the token is assumed to
        belong to). None: no secret can be matched.
    *candidates : AppSecret or None
        Secrets at hand, most specific first (typed in the panel, stored with
        the profile).
    use_environment : bool
        Also consider ``META_APP_SECRET`` (last).
    """
    if not app_id:
        return None
    pool = [*candidates, environment_secret(settings) if use_environment else None]
    for candidate in pool:
        if candidate is not None and candidate.app_id == app_id:
            return candidate.value
    return None


def profile_app(stored: StoredProfile, settings: Settings | None = None) -> tuple[str | None, str | None]:
    """A stored profile's app id and the secret to use with its token (see the rules above)."""
    app_id = stored.app_id or (stored.info.app_id if stored.info else None)
    if app_id is None and (stored.info is None or not stored.info.expiry_known):
        environment = environment_secret(settings)
        app_id = environment.app_id if environment is not None else None
    return app_id, app_secret_for(app_id, stored_secret(stored), settings=settings)


def secret_for_profile(stored: StoredProfile, settings: Settings | None = None) -> str | None:
    """The secret to use with a stored profile's token (its own, else ``META_APP_SECRET`` for the same app)."""
    return profile_app(stored, settings)[1]
