"""The session put into the notebook namespace, and its injection.

Notebook layer. :class:`NotebookSession` is a :class:`~meta_auth_nb.graph.sync.GraphSession`
(sync calls work in any cell) with awaitable twins (``await meta.aget(...)``)
that delegate to an :class:`~meta_auth_nb.graph.aio.AsyncGraphSession`, and a
one-line masked repr. ``GraphSession`` itself is left untouched.
"""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from .._base.timefmt import describe_delta
from .._base.tokens import AccessToken, TokenInfo
from ..graph.sync import GraphSession

if TYPE_CHECKING:
    import pandas as pd

    from ..graph.aio import AsyncGraphSession

__all__ = ["NotebookSession", "inject", "injected_names", "remove_injected"]

# Attribute on the shell recording name -> profile of what we injected, so
# %meta_logout removes only sessions this extension put there.
_REGISTRY_ATTR = "_meta_auth_nb_injected"


class NotebookSession(GraphSession):
    """A Graph session for notebooks: sync calls plus ``aget``/``apost``/``adelete``/``aframe``/``ainsights``.

    Parameters
    ----------
    token : AccessToken
    profile : str, optional
        The store profile it came from, shown in the repr.
    info : TokenInfo, optional
        debug_token facts, for the repr (type, expiry).
    **options
        As for :class:`~meta_auth_nb.graph.sync.GraphSession`.
    """

    def __init__(
        self, token: AccessToken | str, *, profile: str | None = None, info: TokenInfo | None = None, **options: Any
    ) -> None:
        super().__init__(token, **options)
        self.profile = profile
        self.info = info
        self._options = dict(options)
        self._async: AsyncGraphSession | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        token = self.token.masked if self.token is not None else "no token"
        parts = [f"profile={self.profile}" if self.profile else None, token]
        info = self.info
        if info is not None and info.is_valid:
            parts.append(info.type)
            parts.append("never expires" if info.expires_at is None else f"expires {describe_delta(info.expires_in())}")
        parts.append(f"{self.version} @ {self.base_url}")
        return f"<NotebookSession {' '.join(p for p in parts if p)}>"

    # An async client belongs to one event loop: make one per loop in use.
    def _async_session(self) -> AsyncGraphSession:
        from ..graph.aio import AsyncGraphSession

        loop = asyncio.get_running_loop()
        if self._async is None or self._async_loop is not loop:
            self._async = AsyncGraphSession(self.token, **self._options)
            self._async_loop = loop
        return self._async

    async def aget(self, path: str, **params: Any) -> Any:
        """``await meta.aget("me/adaccounts")``: GET without blocking the event loop."""
        return await self._async_session().get(path, **params)

    async def apost(self, path: str, **params: Any) -> Any:
        """Awaitable :meth:`post`."""
        return await self._async_session().post(path, **params)

    async def adelete(self, path: str, **params: Any) -> Any:
        """Awaitable :meth:`delete`."""
        return await self._async_session().delete(path, **params)

    async def aframe(self, path: str, **params: Any) -> pd.DataFrame:
        """Awaitable :meth:`frame`."""
        return await self._async_session().frame(path, **params)

    async def ainsights(self, accounts: Any, **options: Any) -> pd.DataFrame:
        """Awaitable :meth:`insights`: the pull's slices run as tasks on the notebook's event loop."""
        return await self._async_session().insights(accounts, **options)

    def close(self) -> None:
        """Close the sync client (an async one is dropped with its loop)."""
        super().close()
        self._async = None
        self._async_loop = None


def inject(
    namespace: MutableMapping[str, Any],
    name: str,
    token: AccessToken,
    *,
    profile: str | None = None,
    info: TokenInfo | None = None,
    app_secret: str | None = None,
    owner: Any = None,
) -> NotebookSession:
    """Put a :class:`NotebookSession` into ``namespace[name]``, closing one we put there before.

    Parameters
    ----------
    owner : object, optional
        Where the record of injected names is kept (the shell); default
        the namespace itself is not used for that.
    """
    session = NotebookSession(token, profile=profile, info=info, app_secret=app_secret)
    previous = namespace.get(name)
    if isinstance(previous, NotebookSession):
        previous.close()
    namespace[name] = session
    if owner is not None:
        _registry(owner)[name] = profile
    return session


def _registry(owner: Any) -> dict[str, str | None]:
    registry = getattr(owner, _REGISTRY_ATTR, None)
    if registry is None:
        registry = {}
        setattr(owner, _REGISTRY_ATTR, registry)
    return registry


def injected_names(owner: Any) -> dict[str, str | None]:
    """name -> profile of the sessions injected through ``owner``."""
    return dict(_registry(owner))


def remove_injected(namespace: MutableMapping[str, Any], owner: Any, profile: str | None) -> list[str]:
    """Remove (and close) the sessions of ``profile`` this extension injected; returns their names."""
    removed = []
    registry = _registry(owner)
    for name, source in list(registry.items()):
        if source != profile:
            continue
        registry.pop(name)
        value = namespace.get(name)
        if isinstance(value, NotebookSession) and value.profile == profile:
            value.close()
            namespace.pop(name, None)
            removed.append(name)
    return removed
