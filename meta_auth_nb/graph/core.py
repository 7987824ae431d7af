"""The parts of a Graph call that do not touch the network.

Shared by :class:`~meta_auth_nb.graph.GraphSession` and
:class:`~meta_auth_nb.agraph.AsyncGraphSession` so both behave identically:
URL building, parameter encoding, ``appsecret_proof``, reading a reply,
retry decisions and paging-URL sanitizing. Graph layer; stdlib only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .._base.errors import (
    GraphConnectionError,
    GraphError,
    RateLimited,
    TransientError,
)
from .._base.settings import Settings, check_base_url, check_version, get_settings
from .._base.tokens import AccessToken, as_token
from .._base.usage import Usage, parse_usage
from .._base.version import __version__
from .classify import classify

USER_AGENT = f"meta_auth_nb/{__version__}"
MAX_BATCH = 50
_VERSION_PREFIX = re.compile(r"^v\d+\.\d+/")


def appsecret_proof(access_token: str | AccessToken, app_secret: str, *, timestamp: int | None = None) -> str:
    """Return ``hex(HMAC-SHA256(app_secret, access_token))``.

    Parameters
    ----------
    access_token : str or AccessToken
    app_secret : str
    timestamp : int, optional
        For the time-stamped variant: the HMAC covers ``token|timestamp``;
        send the same value as ``appsecret_time``.
    """
    raw = access_token.get_secret_value() if isinstance(access_token, AccessToken) else access_token
    message = raw if timestamp is None else f"{raw}|{timestamp}"
    return hmac.new(app_secret.encode(), message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before trying a call again.

    Attributes
    ----------
    max_retries : int
        Retries after the first attempt, for transient errors, dropped
        connections and rate limits without a known wait.
    backoff_base, backoff_max : float
        Exponential backoff in seconds: ``base * 2**attempt``, capped, with
        full jitter (a random share of it) so parallel clients spread out.
    max_rate_limit_wait : float
        Longest wait (s) a rate limit may impose before the error is raised
        instead of waited out.
    near_limit_pause : float
        Pause (s) before the next call when a usage header reports 95% or
        more of a quota, to avoid being cut off.
    """

    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_rate_limit_wait: float = 300.0
    near_limit_pause: float = 2.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return (rng or random).uniform(ceiling / 2, ceiling)

    def delay_for(self, error: Exception, attempt: int, *, idempotent: bool) -> float | None:
        """Seconds to wait before retrying after ``error``, or None to give up."""
        if attempt >= self.max_retries:
            return None
        if isinstance(error, RateLimited):
            if error.retry_after:
                if error.retry_after > self.max_rate_limit_wait:
                    return None
                return error.retry_after + random.uniform(0, 0.1 * error.retry_after)
            return self.backoff(attempt + 1)
        if isinstance(error, TransientError):
            return self.backoff(attempt)
        if isinstance(error, GraphConnectionError):
            # A request that may have reached the server is only repeated when
            # repeating it cannot do anything twice.
            if idempotent or getattr(error, "before_send", False):
                return self.backoff(attempt)
        return None


def encode_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Encode parameters the way Graph expects.

    Lists of strings become comma lists (``fields``), dicts and other lists
    JSON, booleans ``true``/``false``; None values are dropped.
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
    """Where a session sends its calls: Graph root, pinned version, token, app secret."""

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

    # -- requests --------------------------------------------------------
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
        token = self.token.masked if self.token is not None else "none"
        return f"token={token}, version={self.version}, graph={self.base_url}"


def read_reply(status: int, headers: Mapping[str, str], body: bytes) -> tuple[Any, Usage | None]:
    """Decode one reply; raise the classified error when it is one.

    Returns
    -------
    (payload, usage)
        The decoded JSON (or text when not JSON) and the parsed usage headers.
    """
    usage = parse_usage(headers)
    try:
        payload = json.loads(body) if body else None
    except ValueError:
        payload = body.decode("utf-8", "replace")
    if status >= 400 or (isinstance(payload, Mapping) and "error" in payload and status != 200):
        raise classify(payload if isinstance(payload, Mapping) else None, status=status, headers=headers)
    if isinstance(payload, Mapping) and isinstance(payload.get("error"), Mapping) and "data" not in payload:
        raise classify(payload, status=status, headers=headers)
    return payload, usage


def connection_error(exc: Exception, method: str, url: str, *, before_send: bool) -> GraphConnectionError:
    """Wrap an httpx transport error without leaking the URL's query."""
    where = urlsplit(url)
    err = GraphConnectionError(
        f"{type(exc).__name__} while calling {method} {where.scheme}://{where.netloc}{where.path}"
    )
    err.before_send = before_send  # type: ignore[attr-defined]
    return err


def page_rows(payload: Any) -> tuple[list[Any], str | None, str | None]:
    """Split a list reply into (rows, next URL, after cursor)."""
    if not isinstance(payload, Mapping):
        raise GraphError(
            "Expected a list reply with 'data', got something else", hint="Check the path: it is not a list edge."
        )
    rows = payload.get("data") or []
    paging = payload.get("paging") if isinstance(payload.get("paging"), Mapping) else {}
    cursors = paging.get("cursors") if isinstance(paging.get("cursors"), Mapping) else {}
    after = cursors.get("after")
    return list(rows), paging.get("next"), str(after) if after else None


@dataclass(frozen=True)
class BatchItem:
    """One request of a batch."""

    method: str
    relative_url: str
    body: Mapping[str, Any] | None = None
    name: str | None = None

    def as_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"method": self.method.upper(), "relative_url": self.relative_url.lstrip("/")}
        if self.body:
            item["body"] = urlencode(encode_params(self.body))
        if self.name:
            item["name"] = self.name
        return item


def as_batch_items(requests: Iterable[Any]) -> list[BatchItem]:
    """Accept ``"me"``, ``("GET", "me")``, ``{"method", "relative_url", ...}`` or BatchItem."""
    items: list[BatchItem] = []
    for request in requests:
        if isinstance(request, BatchItem):
            items.append(request)
        elif isinstance(request, str):
            items.append(BatchItem("GET", request))
        elif isinstance(request, Mapping):
            if "relative_url" not in request:
                raise ValueError("a batch request needs a 'relative_url'")
            if "access_token=" in str(request["relative_url"]):
                raise ValueError("do not put access_token in a batch relative_url; the session sends it")
            items.append(
                BatchItem(
                    str(request.get("method", "GET")),
                    str(request["relative_url"]),
                    request.get("body"),
                    request.get("name"),
                )
            )
        elif isinstance(request, Sequence) and len(request) in (2, 3):
            items.append(BatchItem(str(request[0]), str(request[1]), request[2] if len(request) == 3 else None))
        else:
            raise ValueError(f"cannot make a batch request from {type(request).__name__}")
    return items


def chunks(items: Sequence[Any], size: int = MAX_BATCH) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def decode_batch_item(item: Any) -> Any:
    """Decode one batch answer: its body, or the classified error, or None if timed out."""
    if item is None:
        return None
    if not isinstance(item, Mapping):
        return GraphError("The batch answer had an item of an unexpected shape")
    code = int(item.get("code") or 0)
    headers = {
        str(h.get("name", "")).lower(): str(h.get("value", ""))
        for h in item.get("headers") or ()
        if isinstance(h, Mapping)
    }
    raw = item.get("body")
    try:
        body = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        body = raw
    if code >= 400 or (isinstance(body, Mapping) and isinstance(body.get("error"), Mapping)):
        return classify(body if isinstance(body, Mapping) else None, status=code, headers=headers)
    return body


def retryable_item(result: Any) -> bool:
    """True for a batch item worth sending again (timed out, transient, rate limited)."""
    return result is None or isinstance(result, (TransientError, RateLimited))


def batch_request(items: Sequence[BatchItem]) -> tuple[dict[str, Any], bool]:
    """Form parameters for one batch call, and whether repeating it is safe."""
    params = {"batch": json.dumps([item.as_json() for item in items]), "include_headers": False}
    return params, all(item.method.upper() == "GET" for item in items)


def batch_answers(answers: Any, items: Sequence[BatchItem]) -> list[Any]:
    """Decode a batch reply into one result per item."""
    if not isinstance(answers, list) or len(answers) != len(items):
        raise GraphError("The batch answer did not have one item per request")
    return [decode_batch_item(answer) for answer in answers]


def finish_batch(results: list[Any], raise_errors: bool) -> list[Any]:
    for index, result in enumerate(results):
        if result is None:
            results[index] = GraphError(
                "A batch request timed out repeatedly", hint="Retry it alone, or send smaller batches."
            )
    if raise_errors:
        for result in results:
            if isinstance(result, GraphError):
                raise result
    return results


def server_time(headers: Mapping[str, str]) -> datetime | None:
    """The time in a response's ``Date`` header, as an aware UTC datetime."""
    raw = headers.get("date")
    if not raw:
        return None
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def summary(kind: str, endpoint: Endpoint) -> str:
    return f"<{kind} {endpoint.describe()}>"


class SessionCore:
    """What the sync and async sessions share: where calls go, the retry
    policy, and what the latest answers said about usage and the server clock.

    Attributes
    ----------
    usage : Usage or None
        The latest usage headers.
    server_time : datetime or None
        The server's clock (its ``Date`` header) at the latest answer, for
        judging expiry the way Graph does even if this machine's clock is off.
    """

    def __init__(
        self,
        token: AccessToken | str | None,
        *,
        app_secret: str | None,
        version: str | None,
        base_url: str | None,
        retry: RetryPolicy | None,
        settings: Settings | None,
        timestamped_proof: bool,
    ) -> None:
        self._endpoint = Endpoint(
            token,
            app_secret=app_secret,
            version=version,
            base_url=base_url,
            settings=settings,
            timestamped_proof=timestamped_proof,
        )
        self.retry = retry or RetryPolicy()
        self.usage: Usage | None = None
        self.server_time: datetime | None = None
        self._pause_until = 0.0
        self._rng = random.Random()

    @property
    def token(self) -> AccessToken | None:
        return self._endpoint.token

    @property
    def version(self) -> str:
        return self._endpoint.version

    @property
    def base_url(self) -> str:
        return self._endpoint.base_url

    def __repr__(self) -> str:
        return summary(type(self).__name__, self._endpoint)

    def _pause_left(self) -> float:
        """Seconds still to wait because usage came near a limit."""
        return self._pause_until - time.monotonic()

    def _read(self, status: int, headers: Mapping[str, str], body: bytes) -> Any:
        """Decode an answer, noting its usage headers and server clock."""
        self.server_time = server_time(headers) or self.server_time
        try:
            payload, usage = read_reply(status, headers, body)
        except RateLimited as error:
            self._note_usage(error.usage)
            raise
        self._note_usage(usage)
        return payload

    def _note_usage(self, usage: Usage | None) -> None:
        if usage is None:
            return
        self.usage = usage
        if usage.near_limit and self.retry.near_limit_pause:
            self._pause_until = max(self._pause_until, time.monotonic() + self.retry.near_limit_pause)


__all__ = [
    "BatchItem",
    "Endpoint",
    "RetryPolicy",
    "appsecret_proof",
    "as_batch_items",
    "decode_batch_item",
    "encode_params",
    "page_rows",
    "read_reply",
    "retryable_item",
]
