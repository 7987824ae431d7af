"""What a person's browser does at the sandbox's login dialog: press Allow (or Cancel).

For headless demos, the autopilot and tests; the browser tests click the
real page. Plain HTTP to the running sandbox, as a browser would send it.
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = ["press_dialog_button"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the redirect is the answer: hand it back instead of following it


def press_dialog_button(root: str, login_url: str, *, user: str, decision: str) -> str:
    """Post the dialog's form for ``user`` and return the URL it redirects to.

    Parameters
    ----------
    root : str
        The running sandbox's root URL.
    login_url : str
        The dialog URL (``.../dialog/oauth?client_id=...``).
    user : str
        The sandbox user who answers.
    decision : {"allow", "cancel"}
        The button pressed.

    Raises
    ------
    RuntimeError
        The dialog refused (with its page's reason) or did not redirect.
    """
    parts = urlsplit(login_url)
    form = dict(parse_qsl(parts.query))
    form.update({"user": user, "decision": decision})
    target = f"{root}{parts.path.rstrip('/')}/decide"
    request = urllib.request.Request(target, data=urlencode(form).encode(), method="POST")
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=10) as answer:
            raise RuntimeError(f"the dialog did not redirect (HTTP {answer.status})")
    except urllib.error.HTTPError as redirect:
        if redirect.code not in (302, 303) or not redirect.headers.get("Location"):
            page = redirect.read().decode("utf-8", "replace")
            found = re.search(r'<p class="error">(.*?)</p>', page, re.S)
            why = f": {html.unescape(found.group(1))}" if found else ""
            raise RuntimeError(f"the dialog refused the request (HTTP {redirect.code}){why}") from None
        return str(redirect.headers["Location"])
