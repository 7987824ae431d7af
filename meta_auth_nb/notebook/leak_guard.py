"""The leak guard: mask tokens and app secrets in everything a cell shows.

Notebook UI layer. Once installed (``%meta_login`` does it; ``--no-guard``
turns it off) every secret the extension knows, and anything shaped like a
Meta access token, is masked on its way to cell output: ``print``, the repr
of any object (a dict, a string, a DataFrame, HTML), exception tracebacks
and log records. Values themselves are untouched; only what is shown changes.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from .._base.redact import redact

_STATE: dict[str, Any] = {}


class RedactingStream:
    """A stand-in for ``sys.stdout``/``sys.stderr`` that masks what is written."""

    def __init__(self, wrapped: Any) -> None:
        self._wrapped = wrapped

    def write(self, text: str) -> int:
        if isinstance(text, str):
            self._wrapped.write(redact(text))
        else:
            self._wrapped.write(text)
        # print() expects the length of what it asked to write
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)


def _redact_data(data: Any) -> Any:
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {key: _redact_data(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(_redact_data(value) for value in data)
    return data


def _guarded_format(original: Callable[..., Any]) -> Callable[..., Any]:
    def format(obj: Any, *args: Any, **kwargs: Any) -> Any:
        data, metadata = original(obj, *args, **kwargs)
        return _redact_data(data), metadata

    format.__wrapped__ = original  # type: ignore[attr-defined]
    return format


class _ShownException:
    """Stands in for an exception where the kernel only needs its text."""

    def __init__(self, error: Any) -> None:
        self._error = error

    def __str__(self) -> str:
        return redact(str(self._error))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._error, name)


def _guarded_traceback(original: Callable[..., Any]) -> Callable[..., Any]:
    def show(etype: Any, evalue: Any, stb: Any) -> Any:
        # The kernel sends str(evalue) as the error's "evalue" too.
        return original(etype, _ShownException(evalue), [redact(line) for line in stb])

    show.__wrapped__ = original  # type: ignore[attr-defined]
    return show


def _guarded_record_factory(original: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = original(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # leave badly formatted records to logging itself
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return record

    factory.__wrapped__ = original  # type: ignore[attr-defined]
    return factory


def is_installed() -> bool:
    """True while the guard is active in this process."""
    return bool(_STATE)


def install(shell: Any = None) -> bool:
    """Turn the guard on for ``shell`` (default: the running IPython). Idempotent.

    Returns
    -------
    bool
        True if it was newly installed.
    """
    if _STATE:
        return False
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    _STATE["shell"] = shell
    _STATE["stdout"], _STATE["stderr"] = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(sys.stdout), RedactingStream(sys.stderr)
    _STATE["record_factory"] = logging.getLogRecordFactory()
    logging.setLogRecordFactory(_guarded_record_factory(_STATE["record_factory"]))
    if shell is not None:
        formatter = shell.display_formatter
        _STATE["format"] = formatter.format
        formatter.format = _guarded_format(formatter.format)
        if hasattr(shell, "_showtraceback"):
            _STATE["showtraceback"] = shell._showtraceback
            shell._showtraceback = _guarded_traceback(shell._showtraceback)
    return True


def uninstall() -> bool:
    """Turn the guard off and restore everything it wrapped."""
    if not _STATE:
        return False
    if isinstance(sys.stdout, RedactingStream):
        sys.stdout = _STATE["stdout"]
    if isinstance(sys.stderr, RedactingStream):
        sys.stderr = _STATE["stderr"]
    logging.setLogRecordFactory(_STATE["record_factory"])
    shell = _STATE.get("shell")
    if shell is not None:
        if "format" in _STATE:
            shell.display_formatter.format = _STATE["format"]
        if "showtraceback" in _STATE:
            shell._showtraceback = _STATE["showtraceback"]
    _STATE.clear()
    return True
