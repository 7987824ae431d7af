"""The public :class:`Sandbox`: start a Graph API emulator on loopback."""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType
from typing import Any, ClassVar

from .app_setup import DEVELOPMENT, LOGIN_SUCCESS_PATH, AppSetup
from .control import info as _info
from .engine import Engine, LogEntry
from .person import press_dialog_button
from .report_runs import job_timing
from .scenarios import DESCRIPTIONS, get_scenario
from .server import SandboxServer
from .trouble import Trouble

__all__ = ["Sandbox"]


class Sandbox(Trouble):
    """A Graph API and Facebook Login emulator on ``127.0.0.1``.

    Parameters
    ----------
    port : int, optional
        TCP port; 0 picks a free one.
    latency_ms : float, optional
        Delay before every Graph answer.
    fault_rate : float, optional
        Probability that a Graph call fails (500, 503, dropped connection,
        rate limit, chosen evenly by a ``random.Random(seed)``).
    insights_rows : int, optional
        Insights rows per ad account (generated on demand).
    seed : int, optional
        Fixes ids, the app secret, data and the fault sequence.
    scenario : str, optional
        A workshop scenario, one of :attr:`scenarios`.
    app_mode : {"development", "live"}, optional
        The app's mode. In development mode the dialog accepts
        ``http://localhost`` redirects without registering them and only
        people with a role on the app can log in; a live app needs every
        redirect registered (HTTPS).
    redirect_uris : iterable of str, optional
        The app's Valid OAuth Redirect URIs (HTTPS; the sandbox's own
        :attr:`login_success_url` can be added with :meth:`register_redirect_uri`
        once it runs). Anything else gets an error 191 page.
    strict_versions : bool, optional
        Refuse Marketing API calls on an ended Graph version with error 2635
        instead of upgrading them with an ``X-Ad-Api-Version-Warning`` header.
    tier : {"standard", "development"}, optional
        The Marketing API rate-limit tier (default: the scenario's, else
        standard). See :mod:`~meta_auth_nb.sandbox.ratelimit` for the model:
        per ad account a score (read 1, write 3) that decays linearly to zero
        over 300 s, a maximum of 60 (development) or 9000 (standard), and a
        block of 300 s / 60 s for the call that goes over (code 17).
    rate_limit_speed : float, optional
        How many times faster than real time the rate-limit clock runs
        (default the scenario's, else 1); the headers still give real seconds.
    ad_accounts : int, optional
        alice's ad accounts, and the system user's (default the scenario's, else 2).
    insights_sync_limit, insights_async_limit : int, optional
        Most rows of a synchronous report (1000; more is answered HTTP 500, code 1 "Please
        reduce the amount of data you're asking for") and of one report run (50,000; 100/1487534).
    insights_async_cells : int, optional
        Most cells (rows times the metrics asked for) of one report run, none by default; more is
        100/1487534 too, so a day with too many fields must be split by fields.
    app_calls_per_hour : int, optional
        The app's hourly budget of calls outside the Marketing API (200 per user; over it: code 4,
        or 32 with a page token), reported in ``x-app-usage`` / ``x-page-usage``.
    insights_job_s, insights_job_rows_per_s, insights_ready_s : float, optional
        A report run takes ``insights_job_s`` (1) plus its rows over ``insights_job_rows_per_s``
        (2000) seconds of the sandbox clock; for ``insights_ready_s`` (0.3) more its rows answer
        2601/1815107. See :mod:`~meta_auth_nb.sandbox.reports`.

    Notes
    -----
    Users: alice (administrator of the app), bob (developer), carol (tester)
    and dana, an agency analyst with no role on the app: her token cannot
    inspect itself with ``debug_token`` (code 100, as on Meta) and, while the
    app is in development mode, she cannot log in.

    Examples
    --------
    >>> with Sandbox() as sb:                                   # doctest: +SKIP
    ...     token = sb.issue_token("alice")
    ...     env = sb.env()  # META_GRAPH_URL, META_DIALOG_URL, META_APP_ID, META_APP_SECRET
    """

    scenarios: ClassVar[dict[str, str]] = dict(DESCRIPTIONS)

    def __init__(
        self,
        port: int = 0,
        latency_ms: float = 0,
        fault_rate: float = 0.0,
        insights_rows: int = 1000,
        seed: int = 0,
        scenario: str | None = None,
        app_mode: str = DEVELOPMENT,
        redirect_uris: tuple[str, ...] | list[str] = (),
        strict_versions: bool = False,
        tier: str | None = None,
        rate_limit_speed: float | None = None,
        ad_accounts: int | None = None,
        insights_sync_limit: int | None = None,
        insights_async_limit: int | None = None,
        insights_job_s: float | None = None,
        insights_job_rows_per_s: float | None = None,
        insights_ready_s: float | None = None,
        insights_async_cells: int | None = None,
        app_calls_per_hour: int | None = None,
    ) -> None:
        self._port = int(port)
        self.seed = seed
        self.scenario = scenario or None
        setup = AppSetup(seed, app_mode, list(redirect_uris))
        self._engine = Engine(
            seed,
            int(insights_rows),
            get_scenario(scenario),
            fault_rate,
            latency_ms,
            app_setup=setup,
            strict_versions=strict_versions,
            tier=tier,
            rate_limit_speed=rate_limit_speed,
            ad_accounts=ad_accounts,
            insights_sync_limit=insights_sync_limit,
            insights_async_limit=insights_async_limit,
            job_timing=job_timing(get_scenario(scenario), insights_job_s, insights_job_rows_per_s, insights_ready_s),
            insights_async_cells=insights_async_cells,
            app_calls_per_hour=app_calls_per_hour,
        )
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------
    def start(self) -> Sandbox:
        """Bind and serve in a daemon thread; returns ``self``."""
        if self._server is not None:
            return self
        server = SandboxServer(self._port, self._engine)
        self._server = server
        self._engine.graph_url = f"http://127.0.0.1:{server.server_port}"
        self._engine.app_setup.own_root = self._engine.graph_url
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"meta-graph-sandbox:{server.server_port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection (safe to call twice)."""
        server, self._server = self._server, None
        if server is None:
            return
        stopper = threading.Thread(target=server.shutdown, daemon=True)
        stopper.start()
        # Wake serve_forever's select so shutdown need not wait for its next poll.
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", server.server_port), timeout=0.5).close()
        stopper.join(timeout=5)
        server.server_close()
        server.close_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self._engine.graph_url if self._server else "stopped"
        return f"<Sandbox {where} app_id={self.app_id} scenario={self.scenario}>"

    # ---- addresses and credentials ------------------------------------------------
    def _require_started(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running; use start() or a with block")
        return self._engine.graph_url

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        self._require_started()
        assert self._server is not None
        return self._server.server_port

    @property
    def graph_url(self) -> str:
        """Graph root without a version, e.g. ``http://127.0.0.1:54321``."""
        return self._require_started()

    @property
    def dialog_url(self) -> str:
        """Login dialog root without a version (the same server as Graph)."""
        return self._require_started()

    @property
    def app_id(self) -> str:
        """The app id (16 digits)."""
        return self._engine.state.app.app_id

    @property
    def app_secret(self) -> str:
        """The app secret (32 lowercase hex characters, fixed by the seed)."""
        return self._engine.state.app.secret

    def env(self) -> dict[str, str]:
        """Settings that point the extension at this sandbox."""
        return {
            "META_GRAPH_URL": self.graph_url,
            "META_DIALOG_URL": self.dialog_url,
            "META_APP_ID": self.app_id,
            "META_APP_SECRET": self.app_secret,
        }

    @property
    def login_success_url(self) -> str:
        """The sandbox's ``/connect/login_success.html`` (standing for Meta's); register it to use it."""
        return self._require_started() + LOGIN_SUCCESS_PATH

    # ---- the app's settings (App Dashboard) ---------------------------------------------
    @property
    def app_mode(self) -> str:
        """``"development"`` or ``"live"``."""
        return self._engine.app_setup.mode

    def set_app_mode(self, mode: str) -> None:
        """Switch the app between ``"development"`` and ``"live"`` mode."""
        self._engine.app_setup.set_mode(mode)

    @property
    def redirect_uris(self) -> list[str]:
        """The app's Valid OAuth Redirect URIs."""
        return list(self._engine.app_setup.redirect_uris)

    def register_redirect_uri(self, uri: str) -> None:
        """Add a Valid OAuth Redirect URI (HTTPS, or this sandbox's own :attr:`login_success_url`).

        Raises
        ------
        ValueError
            Plain HTTP elsewhere (Enforce HTTPS is on), a fragment, not absolute.
        """
        self._engine.app_setup.register(uri)

    def role(self, user: str) -> str | None:
        """The role ``user`` has on the app (``administrator``, ``developer``, ``tester``), None for none."""
        return self._engine.app_setup.role(user)

    def set_role(self, user: str, role: str | None) -> None:
        """Give ``user`` a role on the app, or take it away with None."""
        self._engine.state.person(user)
        self._engine.app_setup.set_role(user, role)

    @property
    def login_configs(self) -> dict[str, dict[str, Any]]:
        """Facebook Login for Business configurations: id -> name, token_type, scopes."""
        return {
            c.id: {"name": c.name, "token_type": c.token_type, "scopes": list(c.scopes)}
            for c in self._engine.app_setup.configs.values()
        }

    def config_id(self, token_type: str = "user") -> str:
        """The id of the configuration giving ``token_type`` (``"user"`` or ``"system_user"``) tokens."""
        for config in self._engine.app_setup.configs.values():
            if config.token_type == token_type:
                return config.id
        raise ValueError(f"no configuration gives {token_type!r} tokens; known: user, system_user")

    # ---- people and data ------------------------------------------------------------
    @property
    def users(self) -> list[str]:
        """Seeded user names: ``["alice", "bob", "carol", "dana"]``."""
        return list(self._engine.state.users)

    def user_id(self, name: str) -> str:
        """Graph id of user ``name`` (``"admin"`` gives the system user's)."""
        return self._engine.state.person(name).id

    @property
    def system_user_id(self) -> str:
        """Id of the business' admin system user."""
        return self._engine.state.system_user.id

    @property
    def business_id(self) -> str:
        """Id of the business that owns alice's ad accounts and the system user."""
        return self._engine.state.business_id

    def ad_account_ids(self, user: str | None = None) -> list[str]:
        """``act_`` ids of ``user``'s ad accounts (alice's by default)."""
        return list(self._engine.state.person(user or "alice").ad_accounts)

    def info(self) -> dict[str, Any]:
        """What ``GET /__sandbox__/info`` answers (no secret)."""
        return _info(self._engine)

    # ---- test helpers ----------------------------------------------------------------
    def issue_token(
        self,
        user: str | None = None,
        scopes: list[str] | set[str] | str | None = None,
        lifetime_s: float = 3600,
        kind: str = "user",
    ) -> str:
        """Issue a token directly, as if the user had logged in.

        Parameters
        ----------
        user : str, optional
            User name; ``None`` = alice (the system user for ``kind="system_user"``).
        scopes : list of str or comma string, optional
            ``None`` = the user's default grants; scopes the user always
            declines (bob: ``ads_read``) are recorded as declined.
        lifetime_s : float
            Seconds to live by the sandbox clock; 0 = never expires.
        kind : {"user", "system_user", "page", "app"}

        Returns
        -------
        str
            The token (``EAA...``; app tokens are ``APP_ID|...``).
        """
        if isinstance(scopes, str):
            scopes = [s.strip() for s in scopes.split(",") if s.strip()]
        return self._engine.state.issue(user, kind, None if scopes is None else set(scopes), lifetime_s).value

    def advance(self, seconds: float) -> float:
        """Move the sandbox clock forward (the rate-limit clock too); returns the new :meth:`now`."""
        now = self._engine.clock.advance(seconds)
        self._engine.rate_clock.advance(seconds)
        return now

    def now(self) -> float:
        """The sandbox clock, unix seconds."""
        return self._engine.clock.now()

    def change_password(self, user: str) -> int:
        """Invalidate ``user``'s existing tokens (190/460); returns how many."""
        return self._engine.state.change_password(user)

    def approve(self, login_url: str, *, user: str | None = None, decision: str = "allow") -> str:
        """Do what a person does in the login dialog: press Allow (or Cancel).

        Sends the dialog's form over real HTTP, as a browser would, and
        returns the URL the dialog redirects to (``...?code=...&state=...#_=_``).
        For headless demos and tests; the browser tests click the real page.
        """
        return press_dialog_button(self._require_started(), login_url, user=user or "alice", decision=decision)

    def report_run_seconds(self) -> float:
        """Seconds the sandbox spent making report runs' rows (one worker, one run after another)."""
        return self._engine.report_runs.work_s

    def report_run_count(self) -> int:
        """How many insights report runs were started (``POST act_<id>/insights``)."""
        return self._engine.report_runs.count()

    def request_count(self, path: str | None = None, method: str | None = None) -> int:
        """How many Graph requests reached the sandbox (control calls excluded).

        Parameters
        ----------
        path : str, optional
            Only those on this Graph path, whatever the version (``oauth/access_token``).
        method : str, optional
            Only those sent with this HTTP method.
        """
        return self._engine.request_count(path, method)

    @property
    def request_log(self) -> list[LogEntry]:
        """``(method, path, has_bearer_header, query_keys)`` per request, control calls excluded."""
        return list(self._engine.request_log)

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of sandbox bugs answered as HTTP 500 (tests expect none)."""
        return list(self._engine.internal_errors)
