"""meta_auth_nb: get, extend, inspect and safely store Meta Marketing API tokens in notebooks.

Importing the package is cheap: httpx, pandas and ipywidgets are imported
only when something that needs them is first used.

>>> import meta_auth_nb as mab
>>> info = mab.inspect_token(token, app_id=..., app_secret=...)   # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it; resolved on first access (PEP 562).
_LAZY: dict[str, str] = {
    "errors": ".errors",
    "leak_guard": ".notebook.leak_guard",
    "kernel_sandbox": ".notebook.magics",
    "AccessToken": "._base.tokens",
    "TokenInfo": "._base.tokens",
    "Permission": "._base.tokens",
    "GranularScope": "._base.tokens",
    "Settings": "._base.settings",
    "get_settings": "._base.settings",
    "GraphError": "._base.errors",
    "TokenError": "._base.errors",
    "TokenExpired": "._base.errors",
    "TokenInvalidated": "._base.errors",
    "MissingPermission": "._base.errors",
    "RateLimited": "._base.errors",
    "OAuthError": "._base.errors",
    "StateMismatch": "._base.errors",
    "LoginDenied": "._base.errors",
    "CodeExchangeFailed": "._base.errors",
    "GraphSession": ".graph.sync",
    "AsyncGraphSession": ".graph.aio",
    "LoginRequest": ".auth.oauth",
    "login_url": ".auth.oauth",
    "parse_redirect": ".auth.oauth",
    "exchange_code": ".auth.oauth",
    "extend_token": ".auth.lifecycle",
    "app_token": ".auth.lifecycle",
    "inspect_token": ".auth.lifecycle",
    "inspect_tokens": ".auth.lifecycle",
    "permissions": ".auth.lifecycle",
    "revoke_permission": ".auth.lifecycle",
    "revoke_token": ".auth.lifecycle",
    "create_system_user_token": ".auth.lifecycle",
    "refresh_system_user_token": ".auth.lifecycle",
    "appsecret_proof": ".graph.core",
    "TokenStore": ".store",
    "StoredProfile": ".store",
    "session": ".auth.headless",
    "tokens_frame": ".frames",
    "scopes_frame": ".frames",
}

#: Public names that are modules rather than attributes of one.
_MODULES = frozenset({"errors", "leak_guard"})

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'meta_auth_nb' has no attribute {name!r}")
    module = import_module(module_name, __name__)
    value = module if name in _MODULES else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics (``%load_ext meta_auth_nb``); heavy imports wait for first use."""
    from .notebook.magics import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Undo :func:`load_ipython_extension` where possible."""
    from .notebook.magics import unload_ipython_extension as _unload

    _unload(ipython)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from . import errors
    from ._base.settings import Settings, get_settings
    from ._base.errors import (
        CodeExchangeFailed,
        GraphError,
        LoginDenied,
        MissingPermission,
        OAuthError,
        RateLimited,
        StateMismatch,
        TokenError,
        TokenExpired,
        TokenInvalidated,
    )
    from ._base.tokens import AccessToken, GranularScope, Permission, TokenInfo
