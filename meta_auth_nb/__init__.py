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
    "AccessToken": ".tokens",
    "TokenInfo": ".tokens",
    "Permission": ".tokens",
    "GranularScope": ".tokens",
    "Settings": ".config",
    "get_settings": ".config",
    "GraphError": ".errors",
    "TokenError": ".errors",
    "TokenExpired": ".errors",
    "TokenInvalidated": ".errors",
    "MissingPermission": ".errors",
    "RateLimited": ".errors",
    "OAuthError": ".errors",
    "StateMismatch": ".errors",
    "LoginDenied": ".errors",
    "CodeExchangeFailed": ".errors",
    "GraphSession": ".graph",
    "AsyncGraphSession": ".agraph",
    "LoginRequest": ".oauth",
    "login_url": ".oauth",
    "parse_redirect": ".oauth",
    "exchange_code": ".oauth",
    "extend_token": ".lifecycle",
    "app_token": ".lifecycle",
    "inspect_token": ".lifecycle",
    "inspect_tokens": ".lifecycle",
    "permissions": ".lifecycle",
    "revoke_permission": ".lifecycle",
    "revoke_token": ".lifecycle",
    "create_system_user_token": ".lifecycle",
    "refresh_system_user_token": ".lifecycle",
    "appsecret_proof": ".graph_core",
    "TokenStore": ".store",
    "StoredProfile": ".store",
    "session": ".headless",
    "tokens_frame": ".frames",
    "scopes_frame": ".frames",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'meta_auth_nb' has no attribute {name!r}")
    module = import_module(module_name, __name__)
    value = module if name == "errors" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics (``%load_ext meta_auth_nb``); heavy imports wait for first use."""
    from .magics import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Undo :func:`load_ipython_extension` where possible."""
    from .magics import unload_ipython_extension as _unload

    _unload(ipython)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from . import errors
    from .config import Settings, get_settings
    from .errors import (
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
    from .tokens import AccessToken, GranularScope, Permission, TokenInfo
