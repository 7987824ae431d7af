"""The debugger protocol in a real kernel: the variable views and a paused cell show the token masked.

JupyterLab's debugger talks to the kernel with ``debug_request`` messages on
the control channel: the variable explorer asks ``inspectVariables`` and
``richInspectVariables`` (no debug session needed), and a cell paused at a
breakpoint is looked into with ``stackTrace``, ``scopes``, ``variables`` and
``evaluate``. Their replies, and the ``debug_event`` messages on iopub, are
messages the kernel's session sends like any other, so the guard masks them.
"""

from __future__ import annotations

import json
import queue
from typing import Any

import pytest

from meta_auth_nb._base.redact import TOKEN_PATTERN
from tests.conftest import make_canary

pytest.importorskip("debugpy")

ELLIPSIS = "\u2026"
CELL = "def pay(tok):\n    note = 'using ' + tok\n    print(note)\n    return note\npay(tok)\n"


class Debugger:
    """A debug adapter client over the kernel's control channel, as JupyterLab's debugger is."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.seq = 0
        self.seen: list[dict[str, Any]] = []  # every reply and event, as the frontend gets them

    def request(self, command: str, **arguments: Any) -> dict[str, Any]:
        self.seq += 1
        content = {"type": "request", "seq": self.seq, "command": command, "arguments": arguments}
        msg = self.client.session.msg("debug_request", content)
        self.client.control_channel.send(msg)
        while True:
            reply = self.client.control_channel.get_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                self.seen.append(reply)
                assert reply["content"].get("success"), reply["content"]
                return reply["content"]

    def wait_for(self, event: str) -> dict[str, Any]:
        while True:
            msg = self.client.get_iopub_msg(timeout=60)
            self.seen.append(msg)
            if msg["msg_type"] == "debug_event" and msg["content"].get("event") == event:
                return msg["content"]

    def shown(self) -> str:
        return "\n".join(json.dumps([m["content"], m["metadata"]], ensure_ascii=False) for m in self.seen)


def _variable_views(debugger: Debugger) -> None:
    debugger.request("inspectVariables")
    for name in ("tok", "secret", "holder"):
        debugger.request("richInspectVariables", variableName=name)


@pytest.fixture
def values(kernel):
    canary, secret = make_canary(), "d4" * 16
    kernel.check(
        "import meta_auth_nb.notebook.leak_guard as guard\nfrom meta_auth_nb._base.redact import remember_secret\n"
        f"tok, secret = {canary!r}, {secret!r}\nremember_secret(secret)\nholder = {{'token': tok}}"
    )
    return canary, secret


def test_the_variable_explorer_shows_the_token_masked(kernel, values):
    canary, secret = values
    bare = Debugger(kernel.client)
    _variable_views(bare)
    assert canary in bare.shown() and secret in bare.shown()  # the path carries them

    kernel.check("guard.install()")
    try:
        guarded = Debugger(kernel.client)
        _variable_views(guarded)
    finally:
        kernel.check("guard.uninstall()")
    shown = guarded.shown()
    assert canary not in shown and secret not in shown and not TOKEN_PATTERN.search(shown)
    assert canary[:4] + ELLIPSIS + canary[-4:] in shown


def test_a_cell_paused_at_a_breakpoint_shows_the_token_masked(kernel, values):
    canary, secret = values
    kernel.check("guard.install()")
    debugger = Debugger(kernel.client)
    try:
        debugger.request("initialize", clientID="test", adapterID="python", pathFormat="path", linesStartAt1=True)
        debugger.request("attach")
        source = debugger.request("dumpCell", code=CELL)["body"]["sourcePath"]
        debugger.request("setBreakpoints", source={"path": source}, breakpoints=[{"line": 3}], sourceModified=False)
        debugger.request("configurationDone")
        kernel.client.execute(CELL)
        thread = debugger.wait_for("stopped")["body"]["threadId"]
        frame = debugger.request("stackTrace", threadId=thread)["body"]["stackFrames"][0]["id"]
        for scope in debugger.request("scopes", frameId=frame)["body"]["scopes"]:
            debugger.request("variables", variablesReference=scope["variablesReference"])
        debugger.request("evaluate", expression="note", frameId=frame, context="hover")
        debugger.request("richInspectVariables", variableName="tok", frameId=frame)
        debugger.request("continue", threadId=thread)
        while True:  # the cell's own output and the rest of the events, until it is done
            try:
                msg = kernel.client.get_iopub_msg(timeout=5)
            except queue.Empty:
                break
            debugger.seen.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        debugger.request("disconnect", restart=False, terminateDebuggee=False)
    finally:
        kernel.check("guard.uninstall()")
    shown = debugger.shown()
    assert canary not in shown and secret not in shown and not TOKEN_PATTERN.search(shown)
    assert "using " + canary[:4] + ELLIPSIS in shown  # the paused frame's variable, masked
