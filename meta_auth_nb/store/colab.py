"""Google Colab detection and access to Colab's Secrets panel.

Store layer. Nothing here imports Colab at package import time: the checks
run only when called, and outside Colab they cost one failed import. The
Secrets panel is read-only for this package.
"""

from __future__ import annotations

from importlib import import_module
from typing import Protocol

from .._base.redact import get_logger
from .keyring_source import describe_exception

__all__ = ["ColabSecrets", "in_colab", "read_colab_secret", "userdata_module"]

log = get_logger("meta_auth_nb.store")


def in_colab() -> bool:
    """Return True when running inside a Google Colab runtime.

    Returns
    -------
    bool
        True if ``google.colab`` can be imported.
    """
    try:
        import_module("google.colab")
    except Exception:  # ImportError outside Colab; anything else means "not usable"
        return False
    return True


class ColabSecrets(Protocol):
    """What the store uses of ``google.colab.userdata``: one secret by name."""

    def get(self, key: str) -> str: ...


def userdata_module() -> ColabSecrets | None:
    """Return ``google.colab.userdata`` (Colab's Secrets panel), or None outside Colab.

    Returns
    -------
    module or None
        The module, whose ``get(name)`` returns a secret's value and raises
        ``SecretNotFoundError`` / ``NotebookAccessError`` when the secret is
        missing or this notebook was not granted access.
    """
    try:
        from google.colab import userdata
    except Exception:  # not Colab, or a Colab too old to have the Secrets panel
        return None
    secrets: ColabSecrets = userdata
    return secrets


def read_colab_secret(userdata: ColabSecrets, name: str) -> tuple[str | None, str | None]:
    """Read one secret from Colab's Secrets panel.

    Parameters
    ----------
    userdata : module
        ``google.colab.userdata`` (or a stand-in with ``get`` and the two
        exception classes).
    name : str
        The secret's name, e.g. ``META_ACCESS_TOKEN``.

    Returns
    -------
    (value, problem) : tuple
        ``value`` is the stripped secret or None; ``problem`` is ``"no-access"``
        when the secret exists but this notebook was not granted access,
        another short text for unexpected failures, else None.
    """
    not_found = getattr(userdata, "SecretNotFoundError", None)
    no_access = getattr(userdata, "NotebookAccessError", None)
    try:
        value = userdata.get(name)
    except Exception as exc:
        if isinstance(no_access, type) and isinstance(exc, no_access):
            return None, "no-access"
        if isinstance(not_found, type) and isinstance(exc, not_found):
            return None, None
        # Anything else (a timeout, an older Colab) is a reason to fall through, not to crash.
        log.debug("Reading the Colab secret %s failed: %s", name, describe_exception(exc))
        return None, describe_exception(exc)
    if not isinstance(value, str) or not value.strip():
        return None, None
    return value.strip(), None
