"""What to say when Graph reports that the pinned version has ended for the Marketing API.

Since 2026-07-29 Marketing API calls on an ended version are either
auto-upgraded, with an ``X-Ad-Api-Version-Warning`` reply header, or refused
with code 2635. Both mean the same thing to the user: change the pinned
version. :func:`version_advice` says so, naming the setting
(``META_GRAPH_VERSION``) and the version to move to: the newest of those the
message mentions and the default (the newest in the table of
:mod:`meta_auth_nb._base.versions`), never the version already in use.
Graph layer, I/O-free.
"""

from __future__ import annotations

import re

from .._base.settings import ENV_GRAPH_VERSION
from .._base.versions import DEFAULT_GRAPH_VERSION, version_number

__all__ = ["VERSION_WARNING_HEADER", "mentioned_versions", "version_advice"]

#: The reply header of an auto-upgraded Marketing API call.
VERSION_WARNING_HEADER = "x-ad-api-version-warning"
_VERSION = re.compile(r"\bv(\d+)\.(\d+)\b")


def mentioned_versions(text: str | None) -> list[str]:
    """The Graph versions named in ``text``, oldest first, each once."""
    found = {(int(a), int(b)) for a, b in _VERSION.findall(text or "")}
    return [f"v{a}.{b}" for a, b in sorted(found)]


def version_advice(text: str | None, in_use: str | None = None) -> str:
    """One sentence: which setting to change, and to what.

    The version advised is the newest of those the text names and the
    default, but never the one in use (it is the one that ended) nor an older
    one; when no newer version is known here, the advice says to pick one
    newer than it from Meta's changelog.

    Parameters
    ----------
    text : str or None
        Graph's warning header or error message.
    in_use : str, optional
        The version the session pinned.
    """
    ended = f"Graph version {in_use}" if in_use else "The Graph version in use"
    used = version_number(in_use or "")
    candidates = [v for v in {*mentioned_versions(text), DEFAULT_GRAPH_VERSION} if v != in_use]
    newer = [v for v in candidates if used is None or (version_number(v) or (0, 0)) > used]
    if not newer:
        return (
            f"{ended} has ended for the Marketing API: set {ENV_GRAPH_VERSION} to a newer version "
            "(Meta's changelog lists them) and check the changelog for that version."
        )
    target = max(newer, key=lambda v: version_number(v) or (0, 0))
    return (
        f"{ended} has ended for the Marketing API: set {ENV_GRAPH_VERSION}={target} "
        f"(or pass version={target!r} to the session) and check the changelog for that version."
    )
