"""Helpers shared by the sandbox tests: drive the login dialog over real HTTP."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from meta_auth_nb.sandbox import Sandbox

REDIRECT = "http://localhost:8765/callback"


class FormParser(HTMLParser):
    """Collects the login form: its action, inputs, selected user and buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method: str | None = None
        self.fields: dict[str, str] = {}
        self.buttons: dict[str, dict[str, str]] = {}
        self.options: list[tuple[str, bool]] = []
        self._button: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action, self.method = a.get("action"), a.get("method")
        elif tag == "input" and a.get("name") and "disabled" not in a:
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "option":
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "button":
            self._button = a.get("id", "")
            self.buttons[self._button] = {**a, "text": ""}

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self.buttons[self._button]["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._button = None


def parse_form(html: str) -> FormParser:
    """Parse a dialog page."""
    p = FormParser()
    p.feed(html)
    return p


def query_of(location: str) -> dict[str, str]:
    """Query parameters of a redirect Location (single values)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query, keep_blank_values=True).items()}


class OAuth:
    """Drives the login dialog and the code exchange over real HTTP."""

    def __init__(self, sb: Sandbox, http: httpx.Client) -> None:
        self.sb, self.http = sb, http

    def dialog(self, **params: str) -> httpx.Response:
        q = {"client_id": self.sb.app_id, "redirect_uri": REDIRECT, "state": "st-123", **params}
        return self.http.get("/dialog/oauth", params=q)

    def decide(
        self, page: httpx.Response, decision: str = "allow", user: str | None = None, **overrides: str
    ) -> httpx.Response:
        form = parse_form(page.text)
        data = {**form.fields, "decision": decision, **overrides}
        if user:
            data["user"] = user
        return self.http.post(self.sb.dialog_url + (form.action or ""), data=data)

    def code(self, user: str | None = None, scope: str = "ads_read,ads_management", **params: str) -> str:
        page = self.dialog(scope=scope, **params)
        assert page.status_code == 200, page.text
        resp = self.decide(page, "allow", user)
        assert resp.status_code == 302
        return query_of(resp.headers["location"])["code"]

    def exchange(self, code: str, **overrides: str) -> httpx.Response:
        q = {
            "client_id": self.sb.app_id,
            "client_secret": self.sb.app_secret,
            "redirect_uri": REDIRECT,
            "code": code,
            **overrides,
        }
        return self.http.get("/oauth/access_token", params=q)

    def login(self, user: str | None = None, scope: str = "ads_read,ads_management", **params: str) -> str:
        resp = self.exchange(self.code(user, scope, **params))
        assert resp.status_code == 200, resp.text
        return resp.json()["access_token"]

    def debug(self, token: str) -> dict[str, Any]:
        resp = self.http.get(
            "/debug_token",
            params={"input_token": token},
            headers={"Authorization": f"Bearer {self.sb.app_id}|{self.sb.app_secret}"},
        )
        assert resp.status_code == 200, resp.text
        return resp.json()["data"]


def bearer(token: str) -> dict[str, str]:
    """Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


def graph_error(resp: httpx.Response) -> dict[str, Any]:
    """The ``error`` object of an error answer."""
    body = resp.json()
    assert "error" in body, body
    assert body["error"]["fbtrace_id"]
    return body["error"]


def read_banner(proc: subprocess.Popen[str]) -> str:
    """What a sandbox started from the command line prints, up to its "Ctrl-C to stop" line."""
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if "Ctrl-C" in line:
            break
    return "".join(lines)
