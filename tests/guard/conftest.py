"""A real kernel for the guard tests, and what a notebook frontend gets from it."""

from __future__ import annotations

import json
import queue
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from meta_auth_nb.cli.demo import kernel_env

jupyter_client = pytest.importorskip("jupyter_client")


@dataclass
class Transcript:
    """Every message a frontend got for one request: iopub messages, then the reply."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    reply: dict[str, Any] = field(default_factory=dict)

    def shown(self) -> str:
        """All of it as text, the way a notebook keeps it.

        The content and metadata of every message (display data, widget
        state, pager payloads), and each output stream joined into one text,
        as frontends join consecutive stream messages into one output.
        """
        parts = [json.dumps([m["content"], m["metadata"]], ensure_ascii=False) for m in self.messages]
        parts.append(json.dumps([self.reply.get("content"), self.reply.get("metadata")], ensure_ascii=False))
        for name in ("stdout", "stderr"):
            parts.append("".join(self.stream(name)))
        return "\n".join(parts)

    def stream(self, name: str) -> list[str]:
        """The texts of the ``name`` stream messages, in order."""
        return [
            m["content"]["text"]
            for m in self.messages
            if m["msg_type"] == "stream" and m["content"].get("name") == name
        ]

    @property
    def ok(self) -> bool:
        return self.reply.get("content", {}).get("status") == "ok"


class Kernel:
    """A running ipykernel and a client, as a notebook frontend uses them."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def run(self, code: str, timeout: float = 60, settle: float = 0.05) -> Transcript:
        """Execute ``code``; every iopub message of the request, then the reply.

        Output of child processes can arrive after the kernel is idle again
        (ipykernel reads it in a thread); a notebook still shows it in the
        cell, so messages of the request are collected until none came for
        ``settle`` seconds.
        """
        transcript = Transcript()
        reply = self.client.execute_interactive(code, output_hook=transcript.messages.append, timeout=timeout)
        transcript.reply = reply
        request = reply["parent_header"].get("msg_id")
        while True:
            try:
                msg = self.client.get_iopub_msg(timeout=settle)
            except queue.Empty:
                break
            if msg["parent_header"].get("msg_id") == request:
                transcript.messages.append(msg)
        return transcript

    def check(self, code: str) -> Transcript:
        """Execute ``code`` and fail with its error if it fails."""
        transcript = self.run(code)
        assert transcript.ok, transcript.reply["content"].get("evalue")
        return transcript

    def inspect(self, code: str) -> str:
        """What Shift-Tab shows for ``code`` (the inspect reply), as text."""
        reply = self.client.inspect(code, cursor_pos=len(code), detail_level=0, reply=True, timeout=30)
        return json.dumps([reply["content"], reply["metadata"]], ensure_ascii=False)


def kernel_environment(config_dir: Path) -> dict[str, str]:
    """A test kernel's environment: private config, no keyring, no META_* settings, and no pytest marker.

    ipykernel only captures what child processes write to file descriptors 1
    and 2 when ``PYTEST_CURRENT_TEST`` is unset, as in a real notebook.
    """
    env = kernel_env(config_dir, autopilot=None)
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    env = kernel_environment(tmp_path_factory.mktemp("guard-kernel") / "config")
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="python3", extra_arguments=[], env=env)
    try:
        yield Kernel(client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
