"""Building a Graph request: URL with the pinned version, Bearer header, encoded parameters, proof.

:class:`Endpoint` is where a session's calls go and how they are signed;
:meth:`Endpoint.request` turns a call into the :class:`~.plan.Send` a driver
sends, and is the one place that refuses a URL carrying a token or secret
(:func:`~.links.url_problem`) and checks a paging link before it is
followed (same host, same path, no ``method``). :func:`call_facts` says what
a call is: a read or a write, which ad account it is counted against, and
whether it spends a login code. Graph layer, I/O-free.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .._base.commands import Place
from .._base.errors import ConfigError, GraphError
from .._base.settings import Settings, check_base_url, check_version
from .._base.tokens import AccessToken, as_token
from .._version import __version__
from .links import key_name, query_pairs, scrub_url, url_problem
from .plan import Send
from .proof import appsecret_proof

__all__ = ["READ_COST", "USER_AGENT", "WRITE_COST", "CallFacts", "Endpoint", "call_facts", "encode_params"]

USER_AGENT = f"meta_auth_nb/{__version__}"
_VERSION_PREFIX = re.compile(r"^v\d+\.\d+/")
#: Endpoints that change something whatever the HTTP method: a login code
#: spent, a token created or revoked.
_WRITE_PATHS = re.compile(r"^(?:v\d+\.\d+/)?(?:oauth/(?:access_token|revoke|client_code)|[^/?]+/access_tokens)/?$")
_CODE_EXCHANGE = re.compile(r"^(?:v\d+\.\d+/)?oauth/access_token/?$")
_ACCOUNT = re.compile(r"^(?:v\d+\.\d+/)?(act_\d+)(?:/|$)")
#: Points a call costs in an ad account's rate-limit score (Marketing API).
READ_COST, WRITE_COST = 1, 3


def encode_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Encode parameters the way Graph expects.

    Lists of strings become comma lists (``fields``), dicts and other lists
    JSON, booleans ``true``/``false``; None values are dropped.

    Raises
    ------
    ConfigError
        For an ``access_token`` parameter, however spelt: the session sends
        the token itself, in a header.
    """
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if key_name(key) == "access_token":
            raise ConfigError(
                "pass the access token to the session, not as a parameter: it would end up in a URL "
                "(the session sends it in an Authorization header)"
            )
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value):
            out[key] = ",".join(value)
        elif isinstance(value, (dict, list, tuple)):
            out[key] = json.dumps(value, separators=(",", ":"))
        elif isinstance(value, AccessToken):
            out[key] = value.get_secret_value()
        else:
            out[key] = str(value)
    return out


@dataclass(frozen=True)
class CallFacts:
    """What a call is, for deciding whether it may be repeated and what it costs.

    Attributes
    ----------
    read : bool
        It changes nothing (GET, a POST with ``method=get``), so sending it
        twice is harmless.
    account : str or None
        The ``act_`` id it is counted against, when the path names one.
    cost : int
        Points in the ad account's score: 1 for a read, 3 for a write.
    code_exchange : bool
        It exchanges a login code (``oauth/access_token`` with ``code``):
        whatever happens after it left, the code may be spent.
    insights : bool
        It is an insights call (an ``insights`` edge, a report run), held back
        while ``x-fb-ads-insights-throttle`` says the budget is used up.
    """

    read: bool
    account: str | None = None
    cost: int = READ_COST
    code_exchange: bool = False
    insights: bool = False


def _graph_path(path: str) -> tuple[str, list[tuple[str, str]]]:
    """The Graph path (no leading slash) and the query pairs of a path or URL."""
    parts = urlsplit(path)
    return parts.path.lstrip("/"), query_pairs(parts.query)


def effective_method(method: str, pairs: list[tuple[str, str]]) -> str:
    """The method Graph runs: GET and POST stand in for others with ``method=``."""
    method = method.upper()
    override = next((str(v).strip().upper() for k, v in pairs if key_name(k) == "method"), "")
    if method in ("GET", "POST") and override in ("GET", "POST", "DELETE"):
        return override
    return method


def same_list(path: str, listed: str) -> bool:
    """True when a paging link's path stays on the list at ``listed``.

    The version may differ (an auto-upgraded call) and ``me`` may come back
    as the user's numeric id, as Graph writes its links; nothing else.
    """

    def segments(p: str) -> list[str]:
        return _VERSION_PREFIX.sub("", p.strip("/") + "/").strip("/").split("/")

    got, want = segments(path), segments(listed)
    if len(got) != len(want):
        return False
    for index, (a, b) in enumerate(zip(got, want, strict=True)):
        if a != b and not (index == 0 and {a, b} & {"me"} and (a + b).replace("me", "", 1).isdigit()):
            return False
    return True


def call_facts(method: str, path: str, params: Mapping[str, Any] | None = None) -> CallFacts:
    """Decide what one call is (see :class:`CallFacts`): the single place reads are told from writes."""
    graph, pairs = _graph_path(path)
    pairs += [(str(k), str(v)) for k, v in (params or {}).items() if v is not None]
    read = effective_method(method, pairs) == "GET" and not _WRITE_PATHS.match(graph)
    account = _ACCOUNT.match(graph)
    exchange = bool(_CODE_EXCHANGE.match(graph)) and any(key_name(k) == "code" for k, _ in pairs)
    cost = READ_COST if read else WRITE_COST
    return CallFacts(
        read, account.group(1) if account else None, cost, exchange, graph.rstrip("/").endswith("/insights")
    )


class Endpoint:
    """Where a session sends its calls: Graph root, pinned version, token, app secret.

    Parameters
    ----------
    token : AccessToken or str or None
        Sent as ``Authorization: Bearer``; None for calls that need none.
    app_secret : str, optional
        Adds ``appsecret_proof`` to every call made with a user token.
    version : str, optional
        Graph version, default from the settings.
    base_url : str, optional
        Graph root, default from the settings; HTTPS unless loopback.
    settings : Settings
        What the call that made the session started from (its place names
        the commands in error hints).
    timestamped_proof : bool
        Send the time-stamped proof with ``appsecret_time``.
    """

    def __init__(
        self,
        token: AccessToken | str | None,
        *,
        app_secret: str | None = None,
        version: str | None = None,
        base_url: str | None = None,
        settings: Settings,
        timestamped_proof: bool = False,
    ) -> None:
        self.settings = settings
        self.token = as_token(token) if token is not None else None
        self.app_secret = app_secret
        self.version = check_version(version or settings.graph_version)
        self.base_url = check_base_url(base_url or settings.graph_url, setting="base_url")
        root = urlsplit(self.base_url)
        self.origin = (root.scheme, (root.hostname or "").lower(), root.port)
        self.timestamped_proof = timestamped_proof
        if app_secret:
            from .._base.redact import remember_secret

            remember_secret(app_secret)

    @property
    def place(self) -> Place:
        """Where the session's errors are read."""
        return self.settings.place

    @property
    def secrets(self) -> tuple[str, ...]:
        """The session's own secrets (token, app secret), for the URL checks."""
        token = self.token.get_secret_value() if self.token is not None else None
        return tuple(s for s in (token, self.app_secret) if s)

    def request(self, method: str, path: str, params: Mapping[str, Any] | None, *, follows: str | None = None) -> Send:
        """The request for one call: absolute URL, signed parameters, headers.

        Parameters
        ----------
        method, path, params
            The call; ``path`` is a Graph path (``me/adaccounts``) or an
            absolute paging link.
        follows : str, optional
            The URL path of the list a paging link must stay on: the link is
            followed only to that same path.

        Raises
        ------
        ConfigError
            A token or secret would end up in the URL (``access_token``
            however spelt, a token-shaped value, a known secret), in the path,
            its query or the parameters of a GET.
        GraphError
            A paging link that leaves the Graph host or the list's path, or
            that carries ``method``.
        """
        method = method.upper()
        url = self.url_for(path, follows=follows)
        encoded = encode_params(params)
        self.check_url(url, None if method == "POST" else encoded)
        return Send(method, url, self.signed(encoded), self.headers())

    def check_url(self, url: str, params: Mapping[str, str] | None = None) -> None:
        """Refuse a URL (or a batch item's ``relative_url``) that would carry a token or secret.

        Raises
        ------
        ConfigError
            Saying what was found; nothing is sent.
        """
        problem = url_problem(url, params, self.secrets)
        if problem:
            raise ConfigError(f"Refusing to send a token in a URL: {problem}. Nothing was sent.")

    def url_for(self, path: str, *, follows: str | None = None) -> str:
        """Absolute URL for a Graph path (``me/adaccounts``) or a checked paging URL."""
        if path.startswith(("http://", "https://")):
            return self.checked_next_url(path, follows=follows)
        path = path.lstrip("/")
        if path and not _VERSION_PREFIX.match(path):
            path = f"{self.version}/{path}"
        elif not path:
            path = f"{self.version}/"
        return f"{self.base_url}/{path}"

    def checked_next_url(self, url: str, *, follows: str | None = None) -> str:
        """A paging link made safe to follow, or GraphError.

        Its ``access_token`` (Graph puts the caller's token in ``next``) and
        any other token-bearing parameter are removed; it must stay on the
        Graph host, on the path ``follows`` (when given), and carry no
        ``method`` (``method=post`` makes Graph treat a GET as a write).

        Raises
        ------
        GraphError
            When it leaves the host or the path, or carries ``method``.
        """
        parts = urlsplit(url)
        origin = (parts.scheme, (parts.hostname or "").lower(), parts.port)
        if origin != self.origin:
            raise GraphError(
                f"Refusing to follow a paging link to {parts.scheme}://{parts.hostname}: "
                f"it leaves the Graph host {self.origin[1]}",
                hint="This may be a hostile or misconfigured proxy; the token was not sent.",
            )
        if follows is not None and not same_list(parts.path, follows):
            raise GraphError(
                f"Refusing to follow a paging link to {parts.path}: the list being read is {follows}",
                hint="A paging link stays on its list; this one may be hostile. The token was not sent.",
            )
        if any(key_name(k) == "method" for k, _ in query_pairs(parts.query)):
            raise GraphError(
                "Refusing to follow a paging link that sets 'method': it could turn a read into a write",
                hint="This may be a hostile or misconfigured proxy; the token was not sent.",
            )
        clean = scrub_url(urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")), self.secrets)
        return clean

    def headers(self) -> dict[str, str]:
        """User agent, JSON, and the token as a Bearer header."""
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token.get_secret_value()}"
        return headers

    def signed(self, encoded: dict[str, str]) -> dict[str, str]:
        """Encoded params plus ``appsecret_proof`` when an app secret is known."""
        if self.app_secret and self.token is not None and not self.token.is_app_token:
            if self.timestamped_proof:
                now = int(time.time())
                encoded["appsecret_time"] = str(now)
                encoded["appsecret_proof"] = appsecret_proof(self.token, self.app_secret, timestamp=now)
            else:
                encoded["appsecret_proof"] = appsecret_proof(self.token, self.app_secret)
        return encoded

    def describe(self) -> str:
        """One masked line: token, version, Graph root."""
        token = self.token.masked if self.token is not None else "none"
        return f"token={token}, version={self.version}, graph={self.base_url}"
