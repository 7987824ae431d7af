"""The URL policy: HTTPS everywhere, plain HTTP only to this machine's loopback.

Used for the Graph and dialog roots, redirect URIs and paging links, so the
rule is written once. Base layer; stdlib only.
"""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

__all__ = ["check_http_url", "check_redirect_uri", "is_loopback_host"]


def is_loopback_host(host: str | None) -> bool:
    """Return True for ``localhost`` and literal loopback addresses (127.0.0.0/8, ::1).

    Other names are not trusted, ``*.localhost`` included: whatever DNS answers
    for them decides where a plain-HTTP request (and its Bearer token) goes.

    Parameters
    ----------
    host : str or None
        A host name or address, without port; IPv6 may keep its brackets.
    """
    if not host:
        return False
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def check_http_url(url: str, *, what: str = "URL", example: str = "https://example.com") -> str:
    """Return ``url`` if it is an absolute http(s) URL allowed by the policy.

    Parameters
    ----------
    url : str
        The URL.
    what : str
        How to name it in the error (``META_GRAPH_URL``, ``redirect_uri``...).
    example : str
        An example of a good value, for the error.

    Raises
    ------
    ValueError
        Not absolute http(s), or plain HTTP to a host that is not loopback.
    """
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} must be an absolute http(s) URL such as {example}, got {parts.scheme or 'no'} scheme")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError(
            f"{what} must use HTTPS (plain HTTP is only allowed for loopback hosts "
            f"such as 127.0.0.1 or localhost); got host {parts.hostname!r}"
        )
    return url


def check_redirect_uri(uri: str, *, what: str = "redirect_uri") -> str:
    """Return ``uri`` if it can be a login redirect: allowed by :func:`check_http_url`, without a fragment.

    Raises
    ------
    ValueError
        With what a good value looks like.
    """
    check_http_url(uri, what=what, example="https://example.com/meta-login or http://localhost:8765/callback")
    if urlsplit(uri).fragment or "#" in uri:
        raise ValueError(f"{what} cannot contain a #fragment")
    return uri
