"""Building a Graph request: URL with the pinned version, Bearer header, encoded parameters, proof.

:class:`Endpoint` is where a session's calls go and how they are signed;
:meth:`Endpoint.request` turns a call into the :class:`~.plan.Send` a driver
sends. Paging links are checked here before they are followed. Graph layer,
I/O-free.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .._base.errors import GraphError
from .._base.settings import Settings, check_base_url, check_version, get_settings
from .._base.tokens import AccessToken, as_token
from .._base.about import __version__
from .plan import Send
from .proof import appsecret_proof

__all__ = ["USER_AGENT", "Endpoint", "encode_params"]

USER_AGENT = f"meta_auth_nb/{__version__}"
_VERSION_PREFIX = re.compile(r"^v\d+\.\d+/")


def encode_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Encode parameters the way Graph expects.

    Lists of strings become comma lists (``fields``), dicts and other lists
    JSON, booleans ``true``/``false``; None values are dropped.

    Raises
    ------
    ValueError
        For an ``access_token`` parameter: the token would end up in a URL.
    """
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if key == "access_token":
            raise ValueError("pass the access token to the session, not as a parameter: it would end up in a URL")
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
    settings : Settings, optional
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
        settings: Settings | None = None,
        timestamped_proof: bool = False,
    ) -> None:
        settings = settings or get_settings()
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

    def request(self, method: str, path: str, params: Mapping[str, Any] | None) -> Send:
        """The request for one call: absolute URL, signed parameters, headers.

        Raises
        ------
        GraphError
            For a paging URL that leaves the Graph host.
        ValueError
            For an ``access_token`` parameter.
        """
        return Send(method.upper(), self.url_for(path), self.signed(params), self.headers())

    def url_for(self, path: str) -> str:
        """Absolute URL for a Graph path (``me/adaccounts``) or a checked paging URL."""
        if path.startswith(("http://", "https://")):
            return self.checked_next_url(path)
        path = path.lstrip("/")
        if path and not _VERSION_PREFIX.match(path):
            path = f"{self.version}/{path}"
        elif not path:
            path = f"{self.version}/"
        return f"{self.base_url}/{path}"

    def checked_next_url(self, url: str) -> str:
        """Strip ``access_token`` from a paging URL; refuse one that leaves the Graph host.

        Raises
        ------
        GraphError
            When the URL's scheme, host or port differ from the Graph root's.
        """
        parts = urlsplit(url)
        origin = (parts.scheme, (parts.hostname or "").lower(), parts.port)
        if origin != self.origin:
            raise GraphError(
                f"Refusing to follow a paging link to {parts.scheme}://{parts.hostname}: "
                f"it leaves the Graph host {self.origin[1]}",
                hint="This may be a hostile or misconfigured proxy; the token was not sent.",
            )
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "access_token"]
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))

    def headers(self) -> dict[str, str]:
        """User agent, JSON, and the token as a Bearer header."""
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token.get_secret_value()}"
        return headers

    def signed(self, params: Mapping[str, Any] | None) -> dict[str, str]:
        """Encoded params plus ``appsecret_proof`` when an app secret is known."""
        encoded = encode_params(params)
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
