"""Masking of tokens and secrets in anything a person or a log could see.

Base layer: stdlib only. Every other module that renders a token, an
exception message or a log line goes through :func:`mask` or :func:`redact`.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

#: Anything shaped like a Meta access token: ``EAA`` then a long run of
#: letters and digits in mixed case (user, page and system-user tokens all look
#: like this: 150 or more random letters and digits). The run must hold a
#: lowercase letter and a digit: an uppercase hex digest or base32 string that
#: happens to contain ``EAA`` is not a token, nor is a name such as
#: ``EAAccessTokenProviderFactory`` (150 random letters and digits hold both).
TOKEN_PATTERN = re.compile(r"EAA(?=[A-Z0-9]*[a-z])(?=[A-Za-z]*[0-9])[A-Za-z0-9]{20,}")
#: App tokens are ``APP_ID|APP_SECRET`` (32 hex) or ``APP_ID|<opaque>``; in a
#: URL the bar is often percent-encoded (``APP_ID%7CAPP_SECRET``).
#: (An app id starts at a word's start or right after a percent escape, whose hex digits are not the id's.)
APP_TOKEN_PATTERN = re.compile(r"(?:(?<=%[0-9A-Fa-f]{2})|(?<![%\w]))(\d{5,20})(?:\||%7[Cc])([A-Za-z0-9_\-]{16,})")
_SECRET_PARAMS = (
    "access_token",
    "client_secret",
    "fb_exchange_token",
    "input_token",
    "revoke_token",
    "appsecret_proof",
)
#: Query parameters that carry secrets in URLs: one of the names above at the start of a word,
#: or ``code`` right after ``?`` or ``&`` (as a word it is everywhere in source code).
#: Each alternative starts with its name and checks what precedes it afterwards, so the regex
#: engine skips ahead to candidate letters: ten times faster on long output than ``\b(?:...)``.
SECRET_PARAM_PATTERN = re.compile(
    r"((?:" + "|".join(rf"{name}(?<!\w{name})" for name in _SECRET_PARAMS) + r"|code(?<=[?&]code))=)([^&#\s\"']+)"
)

_ELLIPSIS = "\u2026"


def mask(value: str | None) -> str:
    """Return a masked form of a secret, e.g. ``EAAB…x7Qz``.

    Long values keep their first and last four characters (enough to tell
    two tokens apart), short ones keep less, so the mask never gives away a
    meaningful part of the secret.

    Parameters
    ----------
    value : str or None
        The secret. ``None`` or empty gives ``"<none>"``.
    """
    if not value:
        return "<none>"
    if len(value) >= 24:
        return f"{value[:4]}{_ELLIPSIS}{value[-4:]}"
    if len(value) >= 12:
        return f"{value[:2]}{_ELLIPSIS}{value[-2:]}"
    return _ELLIPSIS * 3


class _KnownSecrets:
    """Secrets the process has seen, so they are masked even when not token-shaped."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        #: Some secret holds white space (none of Meta's do), so one may go on across a space.
        self.spaced = False

    def add(self, value: str | None) -> None:
        # Very short values would mask ordinary words; real secrets are long.
        if value and len(value) >= 8:
            with self._lock:
                self._values.add(value)
                self.spaced = self.spaced or any(char.isspace() for char in value)

    def snapshot(self) -> list[str]:
        with self._lock:
            # Longest first so a secret that contains another is masked whole.
            return sorted(self._values, key=len, reverse=True)


known_secrets = _KnownSecrets()


def remember_secret(value: str | None) -> None:
    """Register a secret so :func:`redact` masks it wherever it appears."""
    known_secrets.add(value)


def app_token_mask(match: re.Match[str]) -> str:
    """The mask of an :data:`APP_TOKEN_PATTERN` match: the app id and its bar as written (``|`` or ``%7C``)."""
    return match.group(0)[: match.start(2) - match.start()] + mask(match.group(2))


def redact(text: str, extra: Iterable[str | None] = ()) -> str:
    """Mask every known secret and every token-shaped string in ``text``.

    Parameters
    ----------
    text : str
        Any text: an exception message, a log line, a URL.
    extra : iterable of str
        Further secrets to mask in this call only.
    """
    if not text:
        return text
    for secret in [*(s for s in extra if s and len(s) >= 8), *known_secrets.snapshot()]:
        if secret in text:
            text = text.replace(secret, mask(secret))
    text = TOKEN_PATTERN.sub(lambda m: mask(m.group(0)), text)
    # Every app token has its bar, plain or percent-encoded; the pattern itself is slow to scan long text with.
    if "|" in text or "%7" in text:
        text = APP_TOKEN_PATTERN.sub(app_token_mask, text)
    return SECRET_PARAM_PATTERN.sub(lambda m: m.group(1) + mask(m.group(2)), text)


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in a record's message and arguments.

    Attached to the ``meta_auth_nb`` logger, so nothing the package logs can
    carry a token, whatever level a user turns on.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a badly formatted record must not break logging
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def get_logger(name: str) -> logging.Logger:
    """Return a package logger whose records are always redacted."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger
