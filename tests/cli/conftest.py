"""Fixtures for the ``meta-auth`` CLI tests.

Two ways to run the CLI, both against the real sandbox over HTTP:

* in process: ``cli_run("check", ...)`` calls ``meta_auth_nb.cli.main`` with a
  :class:`CommandContext` whose store is a TokenStore on an in-process
  keyring backend (so several commands share one store) and whose Graph
  calls retry quickly;
* in a subprocess: ``cli_proc("check", ...)`` runs ``python -m meta_auth_nb.cli``
  with the real OS keyring (gnome-keyring on a private D-Bus, see
  tests/keyring_support.py); skipped when that keyring cannot start.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from meta_auth_nb import cli
from meta_auth_nb.cli import CommandContext
from meta_auth_nb.store import TokenStore
from meta_auth_nb.store.memory import vault
from tests.cli.helpers import LineTap, Mailbox, free_port, run_in_thread, start_smtp
from tests.conftest import FAST_RETRY
from tests.dialog_client import to_dialog
from tests.store.store_helpers import DictKeyring

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_vault() -> Iterator[None]:
    vault.clear()
    yield
    vault.clear()


@pytest.fixture
def keyring_backend() -> DictKeyring:
    return DictKeyring()


@pytest.fixture
def cli_context() -> dict:
    """What in-process commands are given: fields of :class:`CommandContext`, changeable by a test."""
    return {"graph_options": {"retry": FAST_RETRY}}  # production retries take ~10 s


def make_context(fields: dict) -> CommandContext:
    return CommandContext(**fields)


@pytest.fixture
def store(keyring_backend, cli_context) -> TokenStore:
    """The store every in-process command uses (config under the per-test XDG_CONFIG_HOME)."""
    cli_context["open_store"] = lambda: TokenStore(keyring_backend=keyring_backend)
    return TokenStore(keyring_backend=keyring_backend)


@pytest.fixture
def env(sandbox, monkeypatch):
    """The sandbox's settings in the environment (META_GRAPH_URL, META_APP_ID, ...)."""
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    return sandbox


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture
def cli_run(capsys, monkeypatch, cli_context):
    """``cli_run("check", "--json", stdin="...")`` -> Result, running main() in this process."""

    def run(*argv: str, stdin: str = "") -> Result:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(list(argv), context=make_context(cli_context))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def terminal(monkeypatch, cli_context):
    """Run ``meta-auth ARGS`` in a thread; the test types into its stdin with ``type_line``."""
    pipes = []

    def start(*argv: str):
        read_fd, write_fd = os.pipe()
        monkeypatch.setattr(sys, "stdin", os.fdopen(read_fd, "r"))
        writer = os.fdopen(write_fd, "w")
        pipes.append(writer)
        out, err = LineTap(), LineTap()
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        thread, box = run_in_thread(lambda: cli.main(list(argv), context=make_context(cli_context)))

        def type_line(text: str) -> None:
            writer.write(text + "\n")
            writer.flush()

        return thread, box, out, err, type_line

    yield start
    for writer in pipes:
        writer.close()


#: What ``meta-auth login --oauth`` prints against the sandbox: the login dialog's address, or, where it
#: catches the redirect, its own link to it (which tells it the login page was opened).
URL_RE = r"(http://(?:127\.0\.0\.1:\d+/v\d+\.\d+/dialog/oauth|localhost:\d+/login)\?\S+)"


def open_printed(url: str) -> str:
    """What a browser does with the printed address, up to the login dialog; the dialog's URL."""
    return to_dialog(url)


def finish_terminal(thread, box, err) -> int:
    """Wait for a command started with ``terminal``; its exit code."""
    thread.join(20)
    assert not thread.is_alive(), err.getvalue()
    return box.get("value")


@pytest.fixture
def cli_proc(secret_service_keyring, secret_service):
    """Run ``python -m meta_auth_nb.cli ARGS`` with the real OS keyring; returns Result."""

    def run(*argv: str, stdin: str = "", extra_env: dict[str, str] | None = None, timeout: float = 30) -> Result:
        environ = dict(os.environ)
        environ.update(secret_service.env())
        environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.SecretService.Keyring"
        environ["PYTHONPATH"] = str(REPO)
        environ.update(extra_env or {})
        done = subprocess.run(
            [sys.executable, "-m", "meta_auth_nb.cli", *argv],
            input=stdin,
            capture_output=True,
            text=True,
            env=environ,
            timeout=timeout,
            cwd=str(REPO),
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run


# --- a real SMTP server ---------------------------------------------------------------


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A plain aiosmtpd server on 127.0.0.1 that keeps what it receives."""
    box = Mailbox("127.0.0.1", free_port())
    controller = start_smtp(box)
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def smtp_env(mailbox, monkeypatch) -> Mailbox:
    for key, value in mailbox.env().items():
        monkeypatch.setenv(key, value)
    return mailbox
