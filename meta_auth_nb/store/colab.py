"""Google Colab detection and access to Colab's Secrets panel.

Flows layer. Nothing here imports Colab at package import time: the checks
run only when called, and outside Colab they cost one failed import.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

__all__ = ["in_colab", "userdata_module"]


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


def userdata_module() -> ModuleType | None:
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
    return userdata
