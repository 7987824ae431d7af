"""Every setting, its environment variable and its default, read in this one module.

Every setting has an environment variable so scheduled notebooks, scripts and
workshops can point the extension somewhere else (the sandbox, a proxy) with
no code change. Settings are a value: they are read once where a user's call
enters the package (a magic, a ``meta-auth`` command, a public function such
as ``mab.session()`` or ``GraphSession``) with :func:`current_settings`, and
passed down; the layers below take what they need as parameters, and where
a message is read (:attr:`Settings.place`) travels with them.
Base layer: stdlib only.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from .commands import ANYWHERE, SURFACES, Place
from .errors import ConfigError, NotifyError
from .urls import check_http_url, check_redirect_uri
from .versions import DEFAULT_GRAPH_VERSION

# --- the environment variables ----------------------------------------------------
ENV_GRAPH_URL = "META_GRAPH_URL"
ENV_DIALOG_URL = "META_DIALOG_URL"
ENV_GRAPH_VERSION = "META_GRAPH_VERSION"
ENV_APP_ID = "META_APP_ID"
ENV_APP_SECRET = "META_APP_SECRET"
ENV_ACCESS_TOKEN = "META_ACCESS_TOKEN"
ENV_PROFILE = "META_AUTH_PROFILE"
#: ``catch`` or ``paste``: how the login redirect gets back (overrides the detection).
ENV_REDIRECT = "META_AUTH_REDIRECT"
#: A redirect URI registered in the app (HTTPS; live apps need one): the browser lands there, the address is pasted.
ENV_REDIRECT_URI = "META_AUTH_REDIRECT_URI"
#: A Facebook Login for Business configuration id: the dialog asks for what the configuration holds.
ENV_CONFIG_ID = "META_AUTH_CONFIG_ID"
#: Who the sandbox autopilot logs in as (``1``/``on`` for the default user, ``off``).
ENV_AUTOPILOT = "META_AUTH_SANDBOX_AUTOPILOT"
#: ``1``: use a keyring backend that keeps secrets in a file (keyrings.alt), which is refused by default.
ENV_ALLOW_FILE_KEYRING = "META_AUTH_ALLOW_FILE_KEYRING"
#: The folder of the token store's non-secret profile index (default: the user's config folder).
ENV_CONFIG_DIR = "META_AUTH_CONFIG_DIR"
#: ``keyring`` (default) or ``memory``: keep saved tokens in this process's memory only, never the keyring.
ENV_STORE = "META_AUTH_STORE"
#: Set by ``%meta_login --sandbox`` while the kernel's sandbox runs (not a user setting): hints name its commands.
ENV_KERNEL_SANDBOX = "META_AUTH_KERNEL_SANDBOX"
#: ``1``: the CLI prints a (redacted) traceback with its one-line errors.
ENV_DEBUG = "META_AUTH_DEBUG"
ENV_SMTP_PREFIX = "META_SMTP_"
#: Longest wait (seconds) a session accepts for a rate limit before it raises RateLimited.
ENV_MAX_RATE_LIMIT_WAIT = "META_MAX_RATE_LIMIT_WAIT"

# --- defaults ----------------------------------------------------------------------
DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_DIALOG_URL = "https://www.facebook.com"
DEFAULT_PROFILE = "default"
DEFAULT_SCOPES = ("ads_read",)
DEFAULT_WARN_DAYS = 7.0
#: Seconds: the development tier's 300 s block is waited out; anything longer is raised.
DEFAULT_MAX_RATE_LIMIT_WAIT = 300.0
#: The fixed local port of the redirect catcher.
REDIRECT_PORT = 8765
CALLBACK_PATH = "/callback"
#: The one loopback redirect, caught on a local kernel and pasted back from a remote one. Apps in
#: development mode accept ``http://localhost`` redirects without registering them (not 127.0.0.1).
LOOPBACK_REDIRECT_URI = f"http://localhost:{REDIRECT_PORT}{CALLBACK_PATH}"
#: Meta's page for desktop apps, offered as a registered redirect (it must be listed in the app too).
LOGIN_SUCCESS_PATH = "/connect/login_success.html"
#: Seconds the local catcher waits for the login to come back once the login page is opened. A login that
#: ends on one of Meta's error pages never comes back, so the wait is short and says which pages those are.
REDIRECT_TIMEOUT_S = 120.0
#: Seconds a login link may wait unused before its catcher lets the port go.
LOGIN_LINK_IDLE_S = 600.0

CATCH, PASTE = "catch", "paste"
#: The values of :data:`ENV_STORE`.
STORE_KEYRING, STORE_MEMORY = "keyring", "memory"
_TRUE = frozenset({"1", "true", "yes", "on"})
_VERSION_RE = re.compile(r"^v\d+\.\d+$")
#: Meta's numeric ids (apps, Login for Business configurations): ASCII digits only, which "²" or "٣" are
#: not, though str.isdigit says they are digits.
_NUMERIC_ID_RE = re.compile(r"[0-9]{1,20}")
_STARTTLS_MODES = ("auto", "always", "never")
_ADDRESS_RE = re.compile(r"^[^@\s,;<>\"'()\[\]\\]+@[A-Za-z0-9.\-]+$")


def env_value(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The stripped value of an environment variable, None when unset or blank.

    Parameters
    ----------
    name : str
        The variable, e.g. :data:`ENV_ACCESS_TOKEN`.
    environ : mapping, optional
        Default ``os.environ`` (tests and the token store pass their own).
    """
    env = os.environ if environ is None else environ
    value = (env.get(name) or "").strip()
    return value or None


def env_flag(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """True when an environment variable says yes (``1``, ``true``, ``yes``, ``on``)."""
    return (env_value(name, environ) or "").lower() in _TRUE


def store_in_memory(environ: Mapping[str, str] | None = None) -> bool:
    """True when :data:`ENV_STORE` says ``memory``: saved tokens stay in this process, never in the keyring.

    Raises
    ------
    ConfigError
        A value other than ``keyring`` or ``memory``.
    """
    value = (env_value(ENV_STORE, environ) or STORE_KEYRING).lower()
    if value not in (STORE_KEYRING, STORE_MEMORY):
        raise ConfigError(f"{ENV_STORE} must be '{STORE_KEYRING}' or '{STORE_MEMORY}', not {value!r}")
    return value == STORE_MEMORY


def check_base_url(url: str, *, setting: str = "URL") -> str:
    """Validate a Graph or dialog root URL and return it without a trailing slash.

    Raises
    ------
    ConfigError
        If the URL is not absolute, or uses plain HTTP on a non-loopback host.
    """
    try:
        return check_http_url(url.strip(), what=setting).rstrip("/")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def check_version(version: str) -> str:
    """Validate a Graph API version such as ``v27.0``."""
    if not _VERSION_RE.match(version or ""):
        raise ConfigError(f"Graph API version must look like {DEFAULT_GRAPH_VERSION!r}, got {version!r}")
    return version


def check_app_id(app_id: object, *, setting: str = "the app id") -> str:
    """Validate a Meta app id and return it stripped: the one rule every front end and ``login_url`` apply.

    Parameters
    ----------
    setting : str
        How the person gave it (``--app-id``, ``META_APP_ID``, the panel's field), named in the error.

    Raises
    ------
    ConfigError
        Not a number of 1 to 20 digits (0-9), with where to find the right one.
    """
    text = str(app_id if app_id is not None else "").strip()
    if not _NUMERIC_ID_RE.fullmatch(text):
        raise ConfigError(
            f"{setting} must be the App ID of your Meta app: the number (digits 0-9, at most 20) shown in "
            "App settings > Basic of the App Dashboard"
        )
    return text


def check_config_id(config_id: object, *, setting: str = "the configuration ID") -> str:
    """Validate a Facebook Login for Business configuration id (digits) and return it stripped.

    Raises
    ------
    ConfigError
        Not a number (it is shown in the App Dashboard under Facebook Login
        for Business > Configurations).
    """
    text = str(config_id or "").strip()
    if not _NUMERIC_ID_RE.fullmatch(text):
        raise ConfigError(
            f"{setting} must be the numeric ID of a Facebook Login for Business configuration "
            "(App Dashboard > Facebook Login for Business > Configurations)"
        )
    return text


def check_registered_redirect(uri: object, *, setting: str = "the redirect URI") -> str:
    """Validate a registered redirect URI (HTTPS, or plain HTTP on loopback; no fragment).

    Raises
    ------
    ConfigError
        With what a good value looks like.
    """
    try:
        return check_redirect_uri(str(uri or "").strip(), what=setting)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def check_wait(value: str | float | None, *, setting: str = "max_rate_limit_wait") -> float:
    """Validate a number of seconds to wait (None gives :data:`DEFAULT_MAX_RATE_LIMIT_WAIT`).

    Raises
    ------
    ConfigError
        Not a number, negative, or not finite.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_MAX_RATE_LIMIT_WAIT
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ConfigError(f"{setting} must be a number of seconds (0 or more), got {value!r}")
    return seconds


@dataclass(frozen=True)
class Settings:
    """The extension's settings.

    Attributes
    ----------
    graph_url : str
        Graph API root, no version (``META_GRAPH_URL``).
    dialog_url : str
        Root of the login dialog host (``META_DIALOG_URL``).
    graph_version : str
        Pinned Graph API version (``META_GRAPH_VERSION``); unpinned calls go to
        the oldest version, so one is always sent.
    app_id : str or None
        ``META_APP_ID``.
    app_secret : str or None
        ``META_APP_SECRET``; never printed (excluded from repr).
    access_token : str or None
        ``META_ACCESS_TOKEN``; never printed (excluded from repr).
    profile : str
        ``META_AUTH_PROFILE``, the store profile used when none is named.
    redirect_mode : {"catch", "paste"} or None
        ``META_AUTH_REDIRECT``: how the login redirect gets back; None detects it.
    redirect_uri : str or None
        ``META_AUTH_REDIRECT_URI``: a redirect registered in the app (an HTTPS
        page; the address the browser lands on is pasted back).
    config_id : str or None
        ``META_AUTH_CONFIG_ID``: a Facebook Login for Business configuration.
    autopilot : str or None
        ``META_AUTH_SANDBOX_AUTOPILOT`` as given (read by the sandbox autopilot).
    debug : bool
        ``META_AUTH_DEBUG``: the CLI adds a redacted traceback to its errors.
    max_rate_limit_wait : float
        ``META_MAX_RATE_LIMIT_WAIT``: the longest wait, in seconds, a session
        accepts for a rate limit (pacing or a block) before it raises
        ``RateLimited``; 0 never waits.
    sandbox : bool
        The kernel's sandbox runs (``META_AUTH_KERNEL_SANDBOX`` in its child
        processes): hints name the commands that reach its tokens.
    surface : {"notebook", "terminal", "anywhere"}
        Where the call entered, so where its messages are read; not an
        environment variable: each entry point sets it (see :attr:`place`).
    """

    graph_url: str = DEFAULT_GRAPH_URL
    dialog_url: str = DEFAULT_DIALOG_URL
    graph_version: str = DEFAULT_GRAPH_VERSION
    app_id: str | None = None
    app_secret: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    profile: str = DEFAULT_PROFILE
    redirect_mode: str | None = None
    redirect_uri: str | None = None
    config_id: str | None = None
    autopilot: str | None = None
    debug: bool = False
    max_rate_limit_wait: float = DEFAULT_MAX_RATE_LIMIT_WAIT
    sandbox: bool = False
    surface: str = ANYWHERE

    def __post_init__(self) -> None:
        if self.surface not in SURFACES:
            raise ConfigError(f"surface must be one of {', '.join(SURFACES)}, not {self.surface!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``os.environ`` (or the mapping given).

        Raises
        ------
        ConfigError
            A URL that is not HTTPS (outside loopback), a malformed version,
            a ``META_AUTH_REDIRECT`` other than ``catch`` / ``paste``, or a
            malformed ``META_APP_ID`` / ``META_AUTH_REDIRECT_URI`` / ``META_AUTH_CONFIG_ID``, or a
            ``META_MAX_RATE_LIMIT_WAIT`` that is not a number of seconds.
        """

        def get(name: str) -> str | None:
            return env_value(name, environ)

        redirect = (get(ENV_REDIRECT) or "").lower() or None
        if redirect not in (None, CATCH, PASTE):
            raise ConfigError(f"{ENV_REDIRECT} must be 'catch' or 'paste', not {redirect!r}")
        return cls(
            graph_url=check_base_url(get(ENV_GRAPH_URL) or DEFAULT_GRAPH_URL, setting=ENV_GRAPH_URL),
            dialog_url=check_base_url(get(ENV_DIALOG_URL) or DEFAULT_DIALOG_URL, setting=ENV_DIALOG_URL),
            graph_version=check_version(get(ENV_GRAPH_VERSION) or DEFAULT_GRAPH_VERSION),
            app_id=_optional(get(ENV_APP_ID), check_app_id, ENV_APP_ID),
            app_secret=get(ENV_APP_SECRET),
            access_token=get(ENV_ACCESS_TOKEN),
            profile=get(ENV_PROFILE) or DEFAULT_PROFILE,
            redirect_mode=redirect,
            redirect_uri=_optional(get(ENV_REDIRECT_URI), check_registered_redirect, ENV_REDIRECT_URI),
            config_id=_optional(get(ENV_CONFIG_ID), check_config_id, ENV_CONFIG_ID),
            autopilot=get(ENV_AUTOPILOT),
            debug=env_flag(ENV_DEBUG, environ),
            max_rate_limit_wait=check_wait(get(ENV_MAX_RATE_LIMIT_WAIT), setting=ENV_MAX_RATE_LIMIT_WAIT),
            sandbox=env_flag(ENV_KERNEL_SANDBOX, environ),
        )

    def at(self, surface: str) -> Settings:
        """These settings for a call that entered at ``surface`` (``notebook``, ``terminal``, ``anywhere``)."""
        return replace(self, surface=surface)

    @property
    def place(self) -> Place:
        """Where messages of a call with these settings are read, and so which commands they name."""
        return Place(self.surface, self.sandbox, self.profile)

    @property
    def login_success_url(self) -> str:
        """Meta's ``login_success.html`` on the dialog host (the sandbox serves its own)."""
        return self.dialog_url + LOGIN_SUCCESS_PATH


def _optional(value: str | None, check: Callable[..., str], setting: str) -> str | None:
    return None if value is None else check(value, setting=setting)


def current_settings() -> Settings:
    """The settings a call entering the package starts from, read from the environment now.

    Raises
    ------
    ConfigError
        An environment variable holds a value that cannot be used.
    """
    return Settings.from_env()


def get_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of now (:func:`current_settings`), or those of ``environ`` when given."""
    return current_settings() if environ is None else Settings.from_env(environ)


@dataclass(frozen=True)
class SmtpSettings:
    """How ``meta-auth check --email`` sends mail, from the ``META_SMTP_*`` variables.

    ``META_SMTP_HOST`` (required), ``META_SMTP_PORT`` (default 465 with
    ``META_SMTP_SSL=1``, 587 with a user, else 25), ``META_SMTP_USER``,
    ``META_SMTP_PASSWORD``, ``META_SMTP_FROM``,
    ``META_SMTP_STARTTLS=auto|always|never``, ``META_SMTP_SSL``,
    ``META_SMTP_ALLOW_PLAIN_AUTH``, ``META_SMTP_CAFILE``, ``META_SMTP_TIMEOUT``.
    """

    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "meta-auth@localhost"
    starttls: str = "auto"
    implicit_tls: bool = False
    allow_plain_auth: bool = False
    cafile: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        """Read and check the settings.

        Raises
        ------
        NotifyError
            ``META_SMTP_HOST`` is missing, or a value cannot be used.
        """

        def get(name: str) -> str | None:
            return env_value(ENV_SMTP_PREFIX + name, environ)

        host = get("HOST")
        if not host:
            raise NotifyError(
                "META_SMTP_HOST is not set: set it (and META_SMTP_PORT, META_SMTP_USER... as needed) to send email"
            )
        implicit = env_flag(ENV_SMTP_PREFIX + "SSL", environ)
        user = get("USER")
        env = os.environ if environ is None else environ
        password = env.get(ENV_SMTP_PREFIX + "PASSWORD") or None  # a password may start or end with spaces
        if user and not password:
            raise NotifyError("META_SMTP_USER is set but META_SMTP_PASSWORD is not")
        raw_port = get("PORT")
        if raw_port is None:
            port = 465 if implicit else (587 if user else 25)
        else:
            try:
                port = int(raw_port)
            except ValueError:
                port = -1
            if not 0 < port < 65536:
                raise NotifyError(f"META_SMTP_PORT must be a port number (1-65535), got {raw_port!r}")
        starttls = (get("STARTTLS") or "auto").lower()
        if starttls not in _STARTTLS_MODES:
            raise NotifyError(f"META_SMTP_STARTTLS must be one of {', '.join(_STARTTLS_MODES)}, got {starttls!r}")
        sender = get("FROM") or f"meta-auth@{socket.gethostname() or 'localhost'}"
        if not _ADDRESS_RE.match(sender):
            raise NotifyError(f"META_SMTP_FROM must be a plain address such as meta-auth@example.com, got {sender!r}")
        cafile = get("CAFILE")
        if cafile and not os.path.isfile(cafile):
            raise NotifyError(f"META_SMTP_CAFILE points to {cafile!r}, which is not a file")
        try:
            timeout = float(get("TIMEOUT") or 30)
        except ValueError:
            raise NotifyError("META_SMTP_TIMEOUT must be a number of seconds") from None
        return cls(
            host=host,
            port=port,
            user=user,
            password=password,
            sender=sender,
            starttls=starttls,
            implicit_tls=implicit,
            allow_plain_auth=env_flag(ENV_SMTP_PREFIX + "ALLOW_PLAIN_AUTH", environ),
            cafile=cafile,
            timeout=timeout,
        )


def is_valid_address(address: str) -> bool:
    """True for a plain email address such as ``ops@example.com``."""
    return bool(_ADDRESS_RE.match(address))
