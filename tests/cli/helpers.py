"""Helpers for the CLI tests: a real SMTP server, a stdout tap for threads."""

from __future__ import annotations

import io
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

DAY = 86400


# --- a real SMTP server --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[Any] = field(default_factory=list)  # (envelope, email.message.Message)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            "META_SMTP_HOST": self.host,
            "META_SMTP_PORT": str(self.port),
            "META_SMTP_FROM": "meta-auth@test.example",
        }

    def wait(self, count: int = 1, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)


class _Collector:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.box.messages.append(
            (envelope, message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        )
        return "250 Message accepted for delivery"


def start_smtp(box: Mailbox, **controller_kwargs: Any) -> Any:
    from aiosmtpd.controller import Controller

    controller = Controller(_Collector(box), hostname=box.host, port=box.port, **controller_kwargs)
    controller.start()
    return controller


class LineTap(io.TextIOBase):
    """A thread-safe stdout stand-in: collects what is written, lets a test wait for a line."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._changed:
            self._parts.append(text)
            self._changed.notify_all()
        return len(text)

    def getvalue(self) -> str:
        with self._lock:
            return "".join(self._parts)

    def wait_for(self, pattern: Any, timeout: float = 10.0) -> Any:
        import re

        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = re.search(pattern, "".join(self._parts))
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{pattern!r} not printed; got {''.join(self._parts)!r}")
                self._changed.wait(left)


def run_in_thread(target: Any) -> tuple[threading.Thread, dict[str, Any]]:
    box: dict[str, Any] = {}

    def body() -> None:
        try:
            box["value"] = target()
        except BaseException as exc:  # handed to the test
            box["error"] = exc

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, box


def self_signed_cert(folder: Any) -> tuple[str, str]:
    """A certificate for 127.0.0.1/localhost and its key, as PEM files; returns (cert, key)."""
    import datetime
    import ipaddress
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "meta-auth test SMTP")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = Path(folder)
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


def password_checker(box: Mailbox, user: str, password: str) -> Any:
    """An aiosmtpd authenticator that accepts one user and records every attempt."""
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, secret = data.login.decode(), data.password.decode()
        box.logins.append((login, secret))
        return AuthResult(success=(login, secret) == (user, password))

    return check
