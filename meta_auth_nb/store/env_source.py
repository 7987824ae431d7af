"""Read-only token sources for the default profile: Colab's Secrets panel, then ``META_ACCESS_TOKEN``.

Store layer. Nothing is ever written there; the facts of a check are cached
in this kernel's memory, keyed by a fingerprint of the token, so a changed
variable is never described by an older token's facts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from .._base.settings import ENV_ACCESS_TOKEN, ENV_APP_ID, ENV_APP_SECRET, env_value
from .._base.tokens import AccessToken
from .colab import ColabSecrets, read_colab_secret
from .memory import vault
from .profile import StoredProfile, profile_from_record

__all__ = [
    "COLAB_TOKEN_SECRET",
    "fingerprint",
    "forget_pseudo_facts",
    "load_pseudo_profile",
    "remember_pseudo_facts",
    "serves_default",
]

#: The Colab secret read for the default profile.
COLAB_TOKEN_SECRET = ENV_ACCESS_TOKEN


def fingerprint(value: str) -> str:
    """Kept in memory only, to tell whether cached facts belong to the token of now."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _app_pair(colab: ColabSecrets | None, environ: Mapping[str, str] | None) -> tuple[str | None, str | None]:
    """The app of a Colab or environment profile, with its secret, from one source only.

    Colab's ``META_APP_ID`` secret (with Colab's ``META_APP_SECRET``) when it
    names an app, else the environment's pair: never one source's app id
    with the other's secret, which would belong to another app.
    """
    if colab is not None:
        app_id = read_colab_secret(colab, ENV_APP_ID)[0]
        if app_id:
            return app_id, read_colab_secret(colab, ENV_APP_SECRET)[0]
    return env_value(ENV_APP_ID, environ), env_value(ENV_APP_SECRET, environ)


def _candidates(
    colab: ColabSecrets | None, environ: Mapping[str, str] | None, problems: list[str]
) -> list[tuple[str, str, str | None, str | None]]:
    """(backend, token, app id, app secret) from Colab's Secrets panel and the environment, in that order."""
    found: list[tuple[str, str, str | None, str | None]] = []
    if colab is not None:
        secret_value, problem = read_colab_secret(colab, COLAB_TOKEN_SECRET)
        if problem == "no-access":
            problems.append(
                f"Colab has a secret named {COLAB_TOKEN_SECRET} but this notebook may not read it: "
                "open the Secrets panel (key icon) and turn on Notebook access for it."
            )
        elif problem:
            problems.append(f"Colab's Secrets panel could not be read ({problem}).")
        if secret_value:
            found.append(("colab", secret_value, *_app_pair(colab, environ)))
    value = env_value(ENV_ACCESS_TOKEN, environ)
    if value:
        found.append(("env", value, *_app_pair(None, environ)))
    return found


def load_pseudo_profile(
    name: str, folder: str, *, colab: ColabSecrets | None, environ: Mapping[str, str] | None, problems: list[str]
) -> StoredProfile | None:
    """The default profile as served by Colab's Secrets panel or the environment, or None.

    Parameters
    ----------
    name : str
        The default profile's name.
    folder : str
        The store's config folder (memory caches are kept per folder).
    colab : module or None
        ``google.colab.userdata``.
    environ : mapping, optional
        Default ``os.environ``.
    problems : list of str
        Why a source could not be used is appended here, for the not-found message.
    """
    for backend, value, app_id, app_secret in _candidates(colab, environ, problems):
        try:
            token = AccessToken(value, source=backend)
        except (TypeError, ValueError) as exc:
            where = "the Colab secret" if backend == "colab" else "the environment variable"
            problems.append(f"{where} {ENV_ACCESS_TOKEN} does not hold a usable token ({exc}).")
            continue
        fp = fingerprint(token.get_secret_value())
        key = (folder, name)
        with vault.lock:
            vault.pseudo_served[key] = (backend, fp)
            facts = vault.pseudo_facts.get(key)
        record: dict[str, Any] = {"app_id": app_id}
        if facts and facts.get("fingerprint") == fp:
            record.update(info=facts.get("info"), checked_at=facts.get("checked_at"))
        secret = (app_secret or "").strip() or None
        return profile_from_record(name, token, app_secret=secret, record=record, backend=backend)
    return None


def serves_default(environ: Mapping[str, str] | None) -> bool:
    """True when ``META_ACCESS_TOKEN`` is set (Colab secrets are not probed: that can prompt)."""
    return env_value(ENV_ACCESS_TOKEN, environ) is not None


def remember_pseudo_facts(folder: str, name: str, facts: dict[str, Any], checked_at: str | None) -> bool:
    """Cache check facts for the token a pseudo-profile served last; False when it served none."""
    key = (folder, name)
    with vault.lock:
        served = vault.pseudo_served.get(key)
        if served is None:
            return False
        vault.pseudo_facts[key] = {"fingerprint": served[1], "info": facts, "checked_at": checked_at}
        return True


def forget_pseudo_facts(folder: str, name: str) -> None:
    """Drop what is cached for a pseudo-profile (its source itself is read-only)."""
    with vault.lock:
        vault.pseudo_facts.pop((folder, name), None)
        vault.pseudo_served.pop((folder, name), None)
