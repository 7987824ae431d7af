"""meta_auth_nb: get, extend, inspect and safely store Meta Marketing API tokens in notebooks.

Importing the package is cheap: httpx, pandas and ipywidgets are imported
only when something that needs them is first used.

>>> import meta_auth_nb as mab
>>> info = mab.inspect_token(token, app_id=..., app_secret=...)   # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

# name -> module that defines it; resolved on first access (PEP 562).
_LAZY: dict[str, str] = {
    "errors": ".errors",
    "leak_guard": ".notebook.leak_guard",
    "kernel_sandbox": ".notebook.kernel_sandbox",
    "AccessToken": "._base.tokens",
    "TokenInfo": "._base.tokens",
    "Permission": "._base.tokens",
    "GranularScope": "._base.tokens",
    "Settings": "._base.settings",
    "get_settings": "._base.settings",
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
    "GraphSession": ".graph.drivers.sync",
    "AsyncGraphSession": ".graph.drivers.aio",
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
    "appsecret_proof": ".graph.proof",
    "TokenStore": ".store",
    "StoredProfile": ".store",
    "session": ".auth.headless",
    "tokens_frame": ".frames",
    "scopes_frame": ".frames",
}

#: Public names that are modules rather than attributes of one.
_MODULES = frozenset({"errors", "leak_guard"})

__all__ = ["__version__", *sorted(_LAZY)]


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
    from . import errors as errors
    from ._base.settings import Settings as Settings
    from ._base.settings import get_settings as get_settings
    from ._base.tokens import AccessToken as AccessToken
    from ._base.tokens import GranularScope as GranularScope
    from ._base.tokens import Permission as Permission
    from ._base.tokens import TokenInfo as TokenInfo
    from .auth.headless import session as session
    from .auth.lifecycle import app_token as app_token
    from .auth.lifecycle import create_system_user_token as create_system_user_token
    from .auth.lifecycle import extend_token as extend_token
    from .auth.lifecycle import inspect_token as inspect_token
    from .auth.lifecycle import inspect_tokens as inspect_tokens
    from .auth.lifecycle import permissions as permissions
    from .auth.lifecycle import refresh_system_user_token as refresh_system_user_token
    from .auth.lifecycle import revoke_permission as revoke_permission
    from .auth.lifecycle import revoke_token as revoke_token
    from .auth.oauth import LoginRequest as LoginRequest
    from .auth.oauth import exchange_code as exchange_code
    from .auth.oauth import login_url as login_url
    from .auth.oauth import parse_redirect as parse_redirect
    from .errors import CodeExchangeFailed as CodeExchangeFailed
    from .errors import GraphError as GraphError
    from .errors import LoginDenied as LoginDenied
    from .errors import MissingPermission as MissingPermission
    from .errors import OAuthError as OAuthError
    from .errors import RateLimited as RateLimited
    from .errors import StateMismatch as StateMismatch
    from .errors import TokenError as TokenError
    from .errors import TokenExpired as TokenExpired
    from .errors import TokenInvalidated as TokenInvalidated
    from .frames import scopes_frame as scopes_frame
    from .frames import tokens_frame as tokens_frame
    from .graph.drivers.aio import AsyncGraphSession as AsyncGraphSession
    from .graph.drivers.sync import GraphSession as GraphSession
    from .graph.proof import appsecret_proof as appsecret_proof
    from .notebook import leak_guard as leak_guard
    from .notebook.kernel_sandbox import kernel_sandbox as kernel_sandbox
    from .store import StoredProfile as StoredProfile
    from .store import TokenStore as TokenStore
