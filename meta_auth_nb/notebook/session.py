"""The session put into the notebook namespace, and its injection.

Notebook layer. :class:`NotebookSession` is a :class:`~meta_auth_nb.graph.drivers.sync.GraphSession`
(sync calls work in any cell) with awaitable twins (``await meta.aget(...)``)
that delegate to an :class:`~meta_auth_nb.graph.drivers.aio.AsyncGraphSession`, and a
one-line human summary as its repr (profile, masked token, who, expiry in
words, version, sandbox or Meta). ``GraphSession`` itself is left untouched.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, MutableMapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._base.settings import DEFAULT_GRAPH_URL, Settings
from .._base.timefmt import utcnow
from .._base.tokens import AccessToken, TokenInfo
from .._base.words import expiry_of
from ..graph.drivers.sync import GraphSession

if TYPE_CHECKING:
    import pandas as pd

    from ..graph.drivers.aio import AsyncGraphSession

__all__ = ["NotebookSession", "inject", "injected_names", "remove_injected", "remove_sandbox_sessions"]

# Attribute on the shell recording name -> profile of what we injected, so
# %meta_logout removes only sessions this extension put there.
_REGISTRY_ATTR = "_meta_auth_nb_injected"


class NotebookSession(GraphSession):
    """A Graph session for notebooks: sync calls plus ``aget``/``apost``/``adelete``/``aframe``/``ainsights``.

    Parameters
    ----------
    token : AccessToken
    profile : str, optional
        The store profile it came from, shown in the summary.
    info : TokenInfo, optional
        Graph's facts about the token, for the summary (who, type, expiry).
    sandbox : bool
        It talks to the kernel's sandbox (said in the summary).
    checked_at : datetime, optional
        Graph's clock when ``info`` was read: the expiry is said by Graph's
        clock (a sandbox's may have been moved ahead), not this machine's.
    **options
        As for :class:`~meta_auth_nb.graph.drivers.sync.GraphSession`.
    """

    def __init__(
        self,
        token: AccessToken | str,
        *,
        profile: str | None = None,
        info: TokenInfo | None = None,
        sandbox: bool = False,
        checked_at: datetime | None = None,
        **options: Any,
    ) -> None:
        super().__init__(token, **options)
        self.profile = profile
        self.info = info
        self.sandbox = sandbox
        #: Graph's clock minus this machine's, at the check.
        self._skew = (checked_at - utcnow()) if checked_at is not None else timedelta(0)
        self._options = dict(options)
        self._async: AsyncGraphSession | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._async_keeper: AsyncGenerator[None, None] | None = None

    def graph_now(self) -> datetime:
        """Now by Graph's clock, as it was when the token was checked."""
        return utcnow() + self._skew

    @property
    def where(self) -> str:
        """``the sandbox``, ``Meta``, or the Graph host it talks to."""
        if self.sandbox:
            return "the sandbox"
        if self.base_url.rstrip("/") == DEFAULT_GRAPH_URL:
            return "Meta"
        return urlsplit(self.base_url).netloc or self.base_url

    def expiry_words(self) -> str | None:
        """``expires in 58 days``, ``never expires``, ``expiry unknown``; None without facts."""
        info = self.info
        if info is None or not info.is_valid:
            return None
        return expiry_of(info, now=self.graph_now()).sentence

    def who(self) -> str | None:
        """Whose token it is, in words: ``Alice Analyst (USER token)``, ``user 1300... (USER token)``."""
        info = self.info
        if info is None or not info.is_valid:
            return None
        kind = f"{info.type} token" if info.type else "token"
        name = info.user_name or (f"user {info.user_id}" if info.user_id else None)
        return f"{name} ({kind})" if name else kind

    def summary(self) -> str:
        """One line: profile, masked token, who, expiry in words, version, sandbox or Meta."""
        token = self.token.masked if self.token is not None else "no token"
        parts = [
            f"Graph API session on {self.where}",
            f"profile {self.profile}" if self.profile else "not saved",
            token,
            self.who(),
            self.expiry_words(),
            f"Graph {self.version}",
        ]
        return " \u00b7 ".join(p for p in parts if p)

    def __repr__(self) -> str:
        return self.summary()

    # An async client belongs to one event loop: one per loop in use, the one it replaces closed.
    async def _async_session(self) -> AsyncGraphSession:
        from ..graph.drivers.aio import AsyncGraphSession

        loop = asyncio.get_running_loop()
        if self._async is None or self._async_loop is not loop:
            self._retire_async()
            session = AsyncGraphSession(self.token, **self._options)
            keeper = _closed_when_its_loop_ends(session)
            await keeper.asend(None)  # started: the loop now knows it, and closes it when it shuts down
            self._async, self._async_loop, self._async_keeper = session, loop, keeper
        return self._async

    def _retire_async(self) -> None:
        """Close the async session on its own loop (its connections belong there): now, or when that loop runs next.

        A loop already closed closed it as it shut down (``asyncio.run`` does).
        """
        loop, keeper = self._async_loop, self._async_keeper
        self._async = self._async_loop = self._async_keeper = None
        if loop is not None and keeper is not None and not loop.is_closed():
            asyncio.run_coroutine_threadsafe(keeper.aclose(), loop)

    async def aget(self, path: str, **params: Any) -> Any:
        """``await meta.aget("me/adaccounts")``: GET without blocking the event loop."""
        return await (await self._async_session()).get(path, **params)

    async def apost(self, path: str, **params: Any) -> Any:
        """Awaitable :meth:`post`."""
        return await (await self._async_session()).post(path, **params)

    async def adelete(self, path: str, **params: Any) -> Any:
        """Awaitable :meth:`delete`."""
        return await (await self._async_session()).delete(path, **params)

    async def aframe(self, path: str, **params: Any) -> pd.DataFrame:
        """Awaitable :meth:`frame`."""
        return await (await self._async_session()).frame(path, **params)

    async def ainsights(self, accounts: Any, **options: Any) -> Any:
        """Awaitable :meth:`insights`: the pull's slices run as tasks on the notebook's event loop."""
        return await (await self._async_session()).insights(accounts, **options)

    def close(self) -> None:
        """Close the sync client, and the async one on its loop."""
        super().close()
        self._retire_async()


async def _closed_when_its_loop_ends(session: AsyncGraphSession) -> AsyncGenerator[None, None]:
    """Held open while ``session`` serves its loop; closing it closes the session.

    An event loop closes the async generators still open when it shuts down
    (``asyncio.run`` does, before it closes the loop), on that loop: so a
    session whose loop ends is closed with it, not left to the garbage collector.
    """
    try:
        yield
    finally:
        await session.aclose()


def inject(
    namespace: MutableMapping[str, Any],
    name: str,
    token: AccessToken,
    *,
    profile: str | None = None,
    info: TokenInfo | None = None,
    app_secret: str | None = None,
    owner: Any = None,
    sandbox: bool = False,
    checked_at: datetime | None = None,
    settings: Settings | None = None,
) -> NotebookSession:
    """Put a :class:`NotebookSession` into ``namespace[name]``, closing one we put there before.

    Parameters
    ----------
    owner : object, optional
        Where the record of injected names is kept (the shell); default
        the namespace itself is not used for that.
    sandbox, checked_at
        As for :class:`NotebookSession`.
    settings : Settings, optional
        The magic's settings: the session's errors name the notebook's commands.
    """
    session = NotebookSession(
        token,
        profile=profile,
        info=info,
        app_secret=app_secret,
        sandbox=sandbox,
        checked_at=checked_at,
        settings=settings,
    )
    previous = namespace.get(name)
    if isinstance(previous, NotebookSession):
        # A new login does not reset the app's or its ad accounts' budgets: %meta_usage keeps what was read.
        if previous.base_url == session.base_url and _app_of(previous) == _app_of(session):
            session.carry_usage(previous.usage)
        previous.close()
    namespace[name] = session
    if owner is not None:
        _registry(owner)[name] = profile
    return session


def _app_of(session: NotebookSession) -> str | None:
    """The app a session's token belongs to, when Graph said."""
    return session.info.app_id if session.info is not None else None


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


def remove_sandbox_sessions(namespace: MutableMapping[str, Any], owner: Any) -> list[str]:
    """Remove (and close) the sessions this extension injected for the kernel's sandbox; returns their names."""
    removed = []
    registry = _registry(owner)
    for name in list(registry):
        value = namespace.get(name)
        if isinstance(value, NotebookSession) and value.sandbox:
            registry.pop(name)
            value.close()
            namespace.pop(name, None)
            removed.append(name)
    return removed
