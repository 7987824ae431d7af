"""Acts as the person in front of the login dialog: reads the form and presses a button.

Parses the sandbox's dialog page as a browser would (form action, hidden
inputs, the pressed button's name/value), so tests exercise the real HTML.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "get"
        self.fields: dict[str, str] = {}
        self.buttons: dict[str, tuple[str | None, str | None]] = {}
        self.selects: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self.method = a.get("action") or "", (a.get("method") or "get").lower()
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("hidden", "text") or (kind in ("checkbox", "radio") and "checked" in a):
                self.fields[a["name"]] = a.get("value") or ""
            if kind == "submit" and a.get("id"):
                self.buttons[a["id"]] = (a.get("name"), a.get("value"))
        elif tag == "button" and a.get("id"):
            self.buttons[a["id"]] = (a.get("name"), a.get("value"))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.selects):
            self.selects[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def press(
    dialog_url: str, button: str = "allow", *, user: str | None = None, client: httpx.Client | None = None
) -> str:
    """Open the dialog, press ``allow`` or ``cancel``; return the redirect Location."""
    own = client is None
    client = client or httpx.Client(follow_redirects=False, trust_env=False)
    try:
        page = client.get(dialog_url)
        page.raise_for_status()
        form = _FormReader()
        form.feed(page.text)
        assert form.action is not None, "the dialog page has no form"
        data = {**form.selects, **form.fields}
        if user is not None:
            data["user"] = user
        name, value = form.buttons[button]
        if name:
            data[name] = value or ""
        target = urljoin(str(page.url), form.action)
        answer = client.post(target, data=data) if form.method == "post" else client.get(target, params=data)
        assert answer.status_code in (302, 303), f"expected a redirect, got {answer.status_code}: {answer.text[:200]}"
        return answer.headers["location"]
    finally:
        if own:
            client.close()


def to_dialog(address: str) -> str:
    """What a browser does with a login link, up to the dialog: the dialog's URL.

    Where the redirect is caught, the link is the catcher's own ``/login`` address,
    which sends the browser on to the dialog (and so tells the catcher the page was opened).
    """
    if "/dialog/oauth?" in address:
        return address
    answer = httpx.get(address, follow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]
