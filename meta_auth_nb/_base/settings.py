"""Settings read from environment variables.

Every setting has an environment variable so scheduled notebooks, scripts and
workshops can point the extension somewhere else (the sandbox, a proxy) with
no code change. Base layer: stdlib only.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from ipaddress import ip_address
from typing import Mapping
from urllib.parse import urlsplit

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_DIALOG_URL = "https://www.facebook.com"
DEFAULT_GRAPH_VERSION = "v25.0"
DEFAULT_PROFILE = "default"

_VERSION_RE = re.compile(r"^v\d+\.\d+$")


class ConfigError(ValueError):
    """A setting has a value the extension cannot use."""


def is_loopback_host(host: str | None) -> bool:
    """Return True for ``localhost`` and loopback IP addresses.

    Parameters
    ----------
    host : str or None
        A host name or address, without port; IPv6 may keep its brackets.
    """
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, *, setting: str = "URL") -> str:
    """Validate a Graph or dialog root URL and return it without a trailing slash.

    HTTPS is required, except for loopback hosts (the sandbox, a redirect catcher).

    Raises
    ------
    ConfigError
        If the URL is not absolute, or uses plain HTTP on a non-loopback host.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{setting} must be an absolute http(s) URL, got {parts.scheme or 'no'} scheme")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigError(
            f"{setting} must use HTTPS (plain HTTP is only allowed for loopback hosts "
            f"such as 127.0.0.1); got host {parts.hostname!r}"
        )
    return url.strip().rstrip("/")


def check_version(version: str) -> str:
    """Validate a Graph API version such as ``v25.0``."""
    if not _VERSION_RE.match(version or ""):
        raise ConfigError(f"Graph API version must look like 'v25.0', got {version!r}")
    return version


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
    """

    graph_url: str = DEFAULT_GRAPH_URL
    dialog_url: str = DEFAULT_DIALOG_URL
    graph_version: str = DEFAULT_GRAPH_VERSION
    app_id: str | None = None
    app_secret: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    profile: str = DEFAULT_PROFILE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``os.environ`` (or the mapping given)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            graph_url=check_base_url(get("META_GRAPH_URL") or DEFAULT_GRAPH_URL, setting="META_GRAPH_URL"),
            dialog_url=check_base_url(get("META_DIALOG_URL") or DEFAULT_DIALOG_URL, setting="META_DIALOG_URL"),
            graph_version=check_version(get("META_GRAPH_VERSION") or DEFAULT_GRAPH_VERSION),
            app_id=get("META_APP_ID"),
            app_secret=get("META_APP_SECRET"),
            access_token=get("META_ACCESS_TOKEN"),
            profile=get("META_AUTH_PROFILE") or DEFAULT_PROFILE,
        )

    def with_(self, **changes: object) -> Settings:
        """Return a copy with some fields changed (None values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def get_settings() -> Settings:
    """Return settings read from the current environment."""
    return Settings.from_env()
