"""A real, private, unlocked OS keyring for tests: gnome-keyring on its own D-Bus bus.

Nothing of the user's own keyring or session bus is touched: the bus and the
daemon run with a temporary HOME / XDG folders, the bus has its own config
(no service activation, so nothing else gets started on it), and both
processes are stopped afterwards.

Needs the system packages ``gnome-keyring dbus dbus-daemon libsecret-1-0``
and the Python package ``secretstorage`` (keyring's SecretService backend).

Tests that need it skip, saying what is missing, unless ``REQUIRE_REAL_KEYRING=1``
is set (for CI), which turns the skip into a failure.

Use the fixtures (a conftest imports them)::

    def test_x(secret_service_keyring):        # a keyring.backends.SecretService.Keyring
        ...

or, outside pytest, :func:`start_secret_service` / :meth:`SecretServiceSession.stop`.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "SYSTEM_PACKAGES",
    "KeyringDaemonRestarted",
    "KeyringUnavailable",
    "SecretServiceSession",
    "own_secret_service",
    "secret_service",
    "secret_service_keyring",
    "start_secret_service",
]

SYSTEM_PACKAGES = "gnome-keyring dbus dbus-daemon libsecret-1-0"
_SESSION_COLLECTION = "/org/freedesktop/secrets/collection/session"

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={socket_dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class KeyringUnavailable(RuntimeError):
    """The private keyring could not be started; the message says what is missing."""


class KeyringDaemonRestarted(UserWarning):
    """gnome-keyring-daemon had exited between tests and was started again (shown in the test summary)."""


@dataclass
class SecretServiceSession:
    """A running private bus + unlocked gnome-keyring.

    Attributes
    ----------
    address : str
        The bus address, for ``DBUS_SESSION_BUS_ADDRESS``.
    collection : str or None
        A collection path to pin (only when no default "login" collection
        could be made; then secrets live in the daemon's memory).
    """

    address: str
    root: Path
    collection: str | None = None
    processes: list[subprocess.Popen] = field(default_factory=list)
    password: str = "test-keyring-password"
    daemon_env: dict[str, str] = field(default_factory=dict, repr=False)
    restarts: int = 0

    def env(self) -> dict[str, str]:
        """Variables a subprocess needs to use this keyring."""
        return {"DBUS_SESSION_BUS_ADDRESS": self.address}

    def keyring(self) -> Any:
        """A ``keyring.backends.SecretService.Keyring`` bound to this daemon's collection.

        The backend connects on each call using ``DBUS_SESSION_BUS_ADDRESS``,
        so that variable must point here when it is used.
        """
        from keyring.backends import SecretService

        backend = SecretService.Keyring()
        if self.collection:
            backend.preferred_collection = self.collection
        return backend

    def connect(self) -> Any:
        """A secretstorage (jeepney) connection to this bus."""
        from jeepney.io.blocking import open_dbus_connection

        return open_dbus_connection(bus=self.address)

    def purge(self, service: str) -> None:
        """Delete every item stored for ``service`` (keeps tests independent)."""
        import secretstorage

        with closing(self.connect()) as conn:
            for collection in secretstorage.get_all_collections(conn):
                for item in collection.search_items({"service": service}):
                    item.delete()

    @property
    def log_path(self) -> Path:
        return self.root / "gnome-keyring.log"

    def daemon_alive(self) -> bool:
        """True while gnome-keyring-daemon runs and owns the Secret Service name on the bus."""
        import secretstorage

        if not self.processes or any(proc.poll() is not None for proc in self.processes):
            return False
        try:
            with closing(self.connect()) as conn:
                return bool(secretstorage.check_service_availability(conn))
        except Exception:
            return False

    def ensure_running(self, timeout: float = 10.0) -> str | None:
        """Restart gnome-keyring-daemon if it has exited; returns why it was restarted, else None.

        gnome-keyring aborts now and then on a GLib assertion when a client
        leaves mid-request (``gkd_secret_service_get_pkcs11_session:
        assertion 'client' failed``). The "login" keyring lives on disk, so a
        new daemon unlocked with the same password serves the same entries.
        """
        if self.daemon_alive():
            return None
        detail = self.log_path.read_text(errors="replace")[-800:] if self.log_path.exists() else ""
        bus, daemon = self.processes
        if bus.poll() is not None:
            raise KeyringUnavailable(f"the private D-Bus daemon exited (code {bus.poll()}); daemon log: {detail!r}")
        _stop_process(daemon)
        self.processes[1] = _start_daemon(self, timeout)
        self.restarts += 1
        return f"gnome-keyring-daemon had exited (code {daemon.returncode}) and was restarted; its log ended: {detail}"

    def stop(self) -> None:
        """Stop the daemon and the bus (only the processes this session started)."""
        for proc in reversed(self.processes):
            _stop_process(proc)
        self.processes.clear()


def _stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # its own session: takes any helper children too
        except (ProcessLookupError, PermissionError):
            proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                proc.kill()
            proc.wait(5)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def _read_line(stream: Any, timeout: float) -> str:
    box: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: box.put(stream.readline()), daemon=True).start()
    try:
        return box.get(timeout=timeout).strip()
    except queue.Empty:
        return ""


def start_secret_service(
    root: Path, *, password: str = "test-keyring-password", timeout: float = 10.0
) -> SecretServiceSession:
    """Start a private session bus and an unlocked gnome-keyring under ``root``.

    Raises
    ------
    KeyringUnavailable
        When a program or package is missing, or the daemon does not come up;
        the message says which.
    """
    missing = [exe for exe in ("dbus-daemon", "gnome-keyring-daemon") if shutil.which(exe) is None]
    if missing:
        raise KeyringUnavailable(
            f"{' and '.join(missing)} not found; install them with "
            f"`apt-get install --no-install-recommends {SYSTEM_PACKAGES}`"
        )
    try:
        import secretstorage
        from jeepney.io.blocking import open_dbus_connection
        from keyring.backends import SecretService  # noqa: F401
    except ImportError as exc:
        raise KeyringUnavailable(f"Python package missing ({exc}); `pip install secretstorage keyring`") from None

    home, data, config, cache, run = (root / n for n in ("home", "data", "config", "cache", "run"))
    for folder in (home, data, config, cache, run):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
    bus_conf = root / "bus.conf"
    bus_conf.write_text(_BUS_CONFIG.format(socket_dir=run))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "GNOME_KEYRING", "XDG_"))}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(data),
        XDG_CONFIG_HOME=str(config),
        XDG_CACHE_HOME=str(cache),
        XDG_RUNTIME_DIR=str(run),
    )

    session = SecretServiceSession(address="", root=root, password=password)
    try:
        bus = subprocess.Popen(
            ["dbus-daemon", "--config-file", str(bus_conf), "--nofork", "--print-address=1"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
            start_new_session=True,
        )
        session.processes.append(bus)
        session.address = _read_line(bus.stdout, timeout)
        if not session.address:
            raise KeyringUnavailable(f"dbus-daemon printed no address (exit code {bus.poll()})")
        env["DBUS_SESSION_BUS_ADDRESS"] = session.address

        session.daemon_env = env
        session.processes.append(_start_daemon(session, timeout))
        with closing(open_dbus_connection(bus=session.address)) as conn:
            try:
                secretstorage.get_default_collection(conn)
            except secretstorage.exceptions.SecretStorageException:
                # No "login" collection (and making one would need a GUI prompt):
                # the always-present in-memory "session" collection still works.
                session.collection = _SESSION_COLLECTION
            # Prove it can really store, read and delete, headless.
            target = (
                secretstorage.Collection(conn, session.collection)
                if session.collection
                else secretstorage.get_default_collection(conn)
            )
            item = target.create_item("probe", {"service": "keyring-support-probe"}, b"probe", replace=True)
            ok = item.get_secret() == b"probe"
            item.delete()
            if not ok:
                raise KeyringUnavailable("gnome-keyring stored a probe secret but read back something else")
    except KeyringUnavailable:
        session.stop()
        raise
    except Exception as exc:
        session.stop()
        raise KeyringUnavailable(f"could not start a private gnome-keyring: {type(exc).__name__}: {exc}") from None
    return session


def _start_daemon(session: SecretServiceSession, timeout: float) -> subprocess.Popen:
    """Start gnome-keyring-daemon on the session's bus, unlocked, and wait until it serves."""
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    with session.log_path.open("ab") as daemon_log:
        daemon = subprocess.Popen(
            # --unlock reads the password on stdin and creates + unlocks the "login"
            # collection (alias "default") with it, so no prompt is ever needed.
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=daemon_log,
            env=session.daemon_env,
            start_new_session=True,
        )
    assert daemon.stdin is not None
    daemon.stdin.write(session.password.encode())
    daemon.stdin.close()
    deadline = time.monotonic() + timeout
    with closing(open_dbus_connection(bus=session.address)) as conn:
        while not secretstorage.check_service_availability(conn):
            if daemon.poll() is not None or time.monotonic() > deadline:
                _stop_process(daemon)
                detail = session.log_path.read_text(errors="replace")[-500:]
                raise KeyringUnavailable(f"gnome-keyring-daemon did not start on the private bus: {detail!r}")
            time.sleep(0.05)
    return daemon


# --- pytest fixtures ------------------------------------------------------------


def _started_or_skip(root: Path) -> SecretServiceSession:
    """:func:`start_secret_service`, or a skip saying why (a failure under ``REQUIRE_REAL_KEYRING=1``)."""
    try:
        return start_secret_service(root)
    except KeyringUnavailable as exc:
        if os.environ.get("REQUIRE_REAL_KEYRING", "") not in ("", "0"):
            pytest.fail(f"REQUIRE_REAL_KEYRING is set but the real OS keyring could not start: {exc}")
        pytest.skip(f"real OS keyring not available: {exc}")


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretServiceSession]:
    """A private unlocked gnome-keyring for the whole test session (skips if it cannot start)."""
    session = _started_or_skip(tmp_path_factory.mktemp("keyring"))
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture
def own_secret_service(tmp_path: Path) -> Iterator[SecretServiceSession]:
    """A private unlocked gnome-keyring for one test only, for tests that stress the daemon."""
    session = _started_or_skip(tmp_path / "own-keyring")
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture
def secret_service_keyring(secret_service: SecretServiceSession, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A ``keyring.backends.SecretService.Keyring`` on the private daemon.

    ``DBUS_SESSION_BUS_ADDRESS`` points at the private bus for this test only;
    entries of service ``meta_auth_nb`` are removed afterwards.
    """
    restarted = secret_service.ensure_running()
    if restarted:
        warnings.warn(restarted, KeyringDaemonRestarted, stacklevel=1)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service.address)
    secret_service.purge("meta_auth_nb")
    yield secret_service.keyring()
    secret_service.purge("meta_auth_nb")
