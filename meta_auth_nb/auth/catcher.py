"""A one-shot local server that catches the login dialog's redirect.

Auth layer, stdlib only (the servers and their pages are in :mod:`.loopback`).
Used by ``meta-auth login --oauth`` and by the notebook panel when the kernel
runs on the user's own machine. What it promises:

* It listens on the loopback addresses only, ``127.0.0.1`` and ``::1`` on one
  port (whichever ``localhost`` resolves to), and refuses a port another
  program holds on either (that program would get the redirect). It answers
  only requests whose ``Host`` is its own (no DNS rebinding).
* Only a ``GET <path>`` carrying this attempt's ``state`` (and a ``code`` or an
  ``error``) counts: its URL goes to :meth:`RedirectCatcher.wait`, the browser
  gets "you can close this tab", later ones 410. A wrong or missing state
  (any page can make a browser call the callback) gets 400 and does not count.
* The link a person clicks is its own ``/login?attempt=...``
  (:attr:`RedirectCatcher.login_address`), which sends the browser on to the
  dialog with a 302: so the catcher knows when the login page was opened and
  waits ``timeout`` seconds from then (an unused link stops it after
  ``idle_timeout``). The dialog's address holds nothing secret, and a page
  elsewhere cannot read the 302. A link of another attempt gets a page
  saying it is out of date.
* Whatever it says is HTML-escaped, behind a CSP that forbids scripts and
  sub-resources, with ``Referrer-Policy: no-referrer``; it never logs a
  request line (the code travels there).
* A login no longer awaited (its panel closed, a newer login started) is
  retired (:meth:`~RedirectCatcher.retire`), not stopped: until its timeout a
  late tab gets a page saying why (410) and nothing is taken. A new catcher
  on the same port takes the port over, and tells those late tabs the same.

The caller still reads the URL with :func:`meta_auth_nb.auth.oauth.parse_redirect`,
which checks the state again and says what went wrong.

Example
-------
>>> state = new_state()                                              # doctest: +SKIP
>>> with RedirectCatcher(port=8765, state=state) as catcher:       # doctest: +SKIP
...     request = login_url(app_id, catcher.redirect_uri, ["ads_read"], state=state)
...     catcher.send_to(request.url)
...     print("Open", catcher.login_address)
...     code = parse_redirect(catcher.wait(), state)
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from .._base.login_errors import CatcherTimeout
from .loopback import (
    ALREADY_USED,
    LOOPBACK,
    LOOPBACK6,
    NOT_THIS_LOGIN,
    OUT_OF_DATE,
    WRONG_HOST,
    LoopbackHandler,
    LoopbackServer,
    bind_pair,
    loopback_port_free,
)

__all__ = [
    "LOGIN_PATH",
    "LOOPBACK",
    "LOOPBACK6",
    "CatcherTimeout",
    "RedirectCatcher",
    "loopback_port_free",
    "new_state",
]

#: The catcher's own address that sends the browser on to the login dialog (and so knows it was opened).
LOGIN_PATH = "/login"

#: Retired catchers of this process by port, so a new catcher can take its port over.
_RETIRED: dict[int, RedirectCatcher] = {}
_RETIRED_LOCK = threading.Lock()


def new_state() -> str:
    """A fresh random ``state`` for one login attempt."""
    return secrets.token_urlsafe(24)


class RedirectCatcher:
    """Catch one OAuth redirect on ``http://localhost:PORT/callback`` (127.0.0.1 and ::1).

    Parameters
    ----------
    port : int
        TCP port on the loopback addresses; 0 picks a free one. A real Meta
        app in development mode accepts ``http://localhost`` redirects, so
        use the fixed port 8765 there.
    path : str
        The callback path.
    timeout : float
        Seconds to wait for the redirect, counted from the moment the login
        page was opened through :attr:`login_address` (or, when it never
        is, from :meth:`start`); then the catcher stops and :meth:`wait`
        raises :class:`CatcherTimeout`.
    state : str
        The ``state`` of the login attempt (:func:`new_state`); only a
        redirect carrying it is taken.
    idle_timeout : float, optional
        With :meth:`send_to`: how long the login link may wait unused
        before the catcher stops (default: ``timeout``).

    Attributes
    ----------
    redirect_uri : str
        ``http://localhost:PORT/callback``; pass it to ``login_url`` and
        ``exchange_code`` unchanged.
    """

    def __init__(
        self,
        port: int = 0,
        path: str = "/callback",
        timeout: float = 300,
        *,
        state: str,
        idle_timeout: float | None = None,
    ) -> None:
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError("port must be 0 (any free port) or 1-65535")
        if not path.startswith("/") or "?" in path or "#" in path or path == LOGIN_PATH:
            raise ValueError(f"path must start with '/', hold no query or fragment, and not be {LOGIN_PATH}")
        for value in (timeout, idle_timeout if idle_timeout is not None else 1):
            if value is None or value <= 0:
                raise ValueError("timeouts must be positive numbers of seconds")
        if not isinstance(state, str) or len(state) < 16:
            raise ValueError("state must be the login attempt's random state (new_state()), 16+ characters")
        self._port = port
        self.path = path
        self.timeout = float(timeout)
        self.idle_timeout = float(idle_timeout) if idle_timeout is not None else self.timeout
        self._state = state
        self._servers: list[LoopbackServer] = []
        self._threads: list[threading.Thread] = []
        self._deadline: float | None = None
        self._done = threading.Event()
        self._opened = threading.Event()
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._url: str | None = None
        self._retired: tuple[str, str] | None = None
        self._dialog: str | None = None
        self._attempt = secrets.token_urlsafe(9)
        #: What retired catchers whose port this one took over tell their late tabs, by state and by attempt.
        self._former: dict[str, tuple[str, str]] = {}

    # --- lifecycle ---------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port (the one asked for until :meth:`start` binds a free one)."""
        if self._servers:
            return int(self._servers[0].server_address[1])
        if self._port == 0:
            raise RuntimeError("the port is chosen when the catcher starts; call start() first")
        return self._port

    @property
    def redirect_uri(self) -> str:
        """``http://localhost:PORT<path>``."""
        return f"http://localhost:{self.port}{self.path}"

    @property
    def login_address(self) -> str:
        """``http://localhost:PORT/login?attempt=...``: opens the login dialog given to :meth:`send_to`.

        The one link to show a person: the catcher learns that the login page
        was opened (its wait starts then), and a link of an earlier attempt
        gets a page saying so instead of a dialog that cannot come back.
        """
        return f"http://localhost:{self.port}{LOGIN_PATH}?attempt={self._attempt}"

    @property
    def state(self) -> str:
        """The login attempt's ``state``, the only one taken."""
        return self._state

    @property
    def addresses(self) -> list[str]:
        """The addresses listened on (``127.0.0.1``, and ``::1`` where the machine has it)."""
        return [str(server.server_address[0]) for server in self._servers]

    @property
    def running(self) -> bool:
        return bool(self._servers) and not self._stopped.is_set()

    @property
    def opened(self) -> bool:
        """True once the login page was opened through :attr:`login_address`."""
        return self._opened.is_set()

    def send_to(self, dialog_url: str) -> None:
        """Have :attr:`login_address` open ``dialog_url`` (this attempt's login dialog).

        Until that address is opened the catcher waits ``idle_timeout``
        seconds at most; once it is, ``timeout`` seconds for the redirect.
        """
        with self._lock:
            self._dialog = dialog_url
            if self._servers and not self._opened.is_set():
                self._deadline = time.monotonic() + self.idle_timeout

    def start(self) -> RedirectCatcher:
        """Bind 127.0.0.1 and ::1 and serve in daemon threads until a redirect, :meth:`stop` or the timeout.

        Raises
        ------
        OSError
            When another program holds the port on either address (that
            program would get the redirect; pick another port, or another
            redirect).
        """
        if self._servers:
            return self
        if self._port:
            with _RETIRED_LOCK:
                retired = _RETIRED.pop(self._port, None)
            if retired is not None:  # our own retired catcher: it lets go of the port, and its late tabs are told here
                retired.stop()
                self._former = retired.farewells()
        servers = [server for server in bind_pair(self._port) if server is not None]
        self._deadline = time.monotonic() + (self.idle_timeout if self._dialog else self.timeout)
        for server in servers:
            server.catcher = self
            server.timeout = 0.1  # handle_request polls, so the deadline is honoured
        self._servers = servers
        for server in servers:
            name = f"meta-auth-catcher:{self.port}:{len(self._threads) + 1}"
            thread = threading.Thread(target=self._serve, args=(server,), name=name, daemon=True)
            self._threads.append(thread)
            thread.start()
        return self

    def _serve(self, server: LoopbackServer) -> None:
        try:
            while not self._stopped.is_set() and self._deadline is not None and time.monotonic() < self._deadline:
                server.handle_request()
        finally:
            self._stopped.set()
            server.server_close()
            with _RETIRED_LOCK:
                if self._servers and _RETIRED.get(self.port) is self:
                    _RETIRED.pop(self.port, None)

    def retire(self, title: str, message: str) -> None:
        """Stop taking the login, and tell a login tab still open why (``title``, ``message``) until the timeout.

        A catcher that already caught its redirect, is not running, or whose
        login link was never opened (no tab can come back to it), just stops.
        """
        if not self.running or self._done.is_set() or (self._dialog and not self._opened.is_set()):
            self.stop()
            return
        self._retired = (title, message)
        with _RETIRED_LOCK:
            _RETIRED[self.port] = self

    def farewells(self) -> dict[str, tuple[str, str]]:
        """What a late tab of this login (or of those it took over from) is told, by state and by attempt."""
        said = dict(self._former)
        if self._retired:
            said[self._state] = said[self._attempt] = self._retired
        return said

    @property
    def retired(self) -> bool:
        """True once :meth:`retire` took it off this login."""
        return self._retired is not None

    def stop(self) -> None:
        """Stop serving and free the port (safe to call twice)."""
        self._stopped.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=5)

    def __enter__(self) -> RedirectCatcher:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "caught" if self._done.is_set() else ("waiting" if self.running else "stopped")
        where = self.redirect_uri if (self._servers or self._port) else f"http://localhost:?{self.path}"
        return f"<RedirectCatcher {where} {state}>"

    # --- the result -----------------------------------------------------------------
    def _ended(self) -> bool:
        """Nothing more can arrive: retired, stopped, or past its deadline."""
        deadline = self._deadline
        return bool(self._retired) or self._stopped.is_set() or (deadline is not None and time.monotonic() >= deadline)

    def wait_opened(self, timeout: float | None = None) -> bool:
        """Block until the login page is opened through :attr:`login_address`; False when the catcher ended first.

        A redirect that arrives without it (the dialog's address opened some
        other way) also ends the wait, with True.
        """
        if not self._servers:
            raise RuntimeError("start() the catcher before waiting for the login page")
        limit = None if timeout is None else time.monotonic() + timeout
        while not (self._opened.is_set() or self._done.is_set()):
            if self._ended() or (limit is not None and time.monotonic() >= limit):
                return False
            self._opened.wait(0.1)
        return True

    def wait(self, timeout: float | None = None) -> str:
        """Block until the redirect arrives and return its full URL.

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait; default: until the catcher's own deadline (which
            moves on when the login page is opened).

        Raises
        ------
        CatcherTimeout
            Nothing came in time (the catcher keeps running when a shorter
            ``timeout`` than its own ran out, so waiting again is possible).
            ``opened`` says whether the login page had been opened.
        RuntimeError
            The catcher was never started.
        """
        if not self._servers:
            raise RuntimeError("start() the catcher before waiting for the redirect")
        limit = None if timeout is None else time.monotonic() + timeout
        while not self._done.is_set():
            if self._ended() or (limit is not None and time.monotonic() >= limit):
                break
            self._done.wait(0.1)
        if not self._done.is_set():
            raise self._timeout_error()
        assert self._url is not None
        return self._url

    def _timeout_error(self) -> CatcherTimeout:
        if self._opened.is_set():
            said = f"No login came back within {_duration(self.timeout)} of opening the login page"
        elif self._dialog:
            said = f"The login link was not opened within {_duration(self.idle_timeout)}"
        else:
            said = f"No login redirect reached {self.redirect_uri} within {_duration(self.timeout)}"
        return CatcherTimeout(said, opened=self._opened.is_set())

    @property
    def result(self) -> str | None:
        """The caught URL, or None while waiting."""
        return self._url

    # --- request handling (called in the server's threads) --------------------------------
    def _host_ok(self, host: str | None) -> bool:
        if not host:
            return False
        host = host.strip().lower()
        return host in (f"localhost:{self.port}", f"{LOOPBACK}:{self.port}", f"[{LOOPBACK6}]:{self.port}")

    def _state_ok(self, state: str | None) -> bool:
        return bool(state) and hmac.compare_digest(str(state).encode(), self._state.encode())

    def _handle(self, request: LoopbackHandler) -> None:
        if not self._host_ok(request.headers.get("Host")):
            request.page(421, *WRONG_HOST)
            return
        parts = urlsplit(request.path)
        params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if parts.path == LOGIN_PATH:
            self._open_dialog(request, params.get("attempt", ""))
            return
        if parts.path != self.path:
            request.page(404, "Not found", "This address only answers the login redirect.")
            return
        if self._retired:
            request.page(410, *self._retired)
            return
        if "code" not in params and "error" not in params:
            request.page(400, "Nothing to do", "This address expects the login dialog's redirect.")
            return
        if not self._state_ok(params.get("state")):
            # Not this login's redirect (forged, or an older attempt's): refused, and the real one still counts.
            farewell = self._former.get(params.get("state") or "")
            if farewell is not None:
                request.page(410, *farewell)
                return
            request.page(400, *NOT_THIS_LOGIN)
            return
        with self._lock:
            first = self._url is None
            if first:
                self._url = f"{self.redirect_uri}?{parts.query}"
        if not first:
            request.page(410, *ALREADY_USED)
            return
        try:
            if "error" in params:
                description = params.get("error_description") or params.get("error_reason") or params["error"]
                request.page(
                    200,
                    "Login not completed",
                    f"Facebook said: {description[:300]}. Close this tab and go back to the notebook or terminal: "
                    "it says what to do next.",
                )
            else:
                request.page(
                    200,
                    "Login received",
                    "You can close this tab and go back to the terminal or notebook; it finishes the login there.",
                )
        finally:
            self._done.set()  # later requests get 410 until stop() or the timeout

    def _open_dialog(self, request: LoopbackHandler, attempt: str) -> None:
        """``/login``: send the browser to this attempt's dialog, or say why this link no longer works."""
        if self._retired:
            request.page(410, *self._retired)
            return
        if self._dialog is None or not hmac.compare_digest(attempt.encode(), self._attempt.encode()):
            farewell = self._former.get(attempt)
            if farewell is not None:
                request.page(410, *farewell)
                return
            request.page(410, *OUT_OF_DATE)
            return
        if self._done.is_set():
            request.page(410, *ALREADY_USED)
            return
        with self._lock:
            if not self._opened.is_set():
                self._opened.set()
                self._deadline = time.monotonic() + self.timeout
        request.send_to(self._dialog)


def _duration(seconds: float) -> str:
    """``2 minutes``, ``90 seconds``: a wait in words."""
    if seconds >= 120 and seconds % 60 == 0:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds:.0f} seconds" if seconds != 1 else "1 second"
