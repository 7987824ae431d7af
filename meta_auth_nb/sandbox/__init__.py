"""A Graph API and Facebook Login emulator for tests, demos and workshops.

Stands apart from the rest of :mod:`meta_auth_nb`: it imports only the
standard library, so tests that use it are not the client checking itself.

Examples
--------
>>> from meta_auth_nb.sandbox import Sandbox
>>> with Sandbox() as sb:                                      # doctest: +SKIP
...     print(sb.graph_url, sb.app_id)
"""

from __future__ import annotations

from .auth import appsecret_proof
from .core import Sandbox

__all__ = ["Sandbox", "appsecret_proof"]
