"""The leak guard: mask tokens and app secrets in everything a notebook shows or saves.

Notebook UI layer. Once installed (``%meta_login`` does it, ``--no-guard``
turns it off; scheduled notebooks and scripts call :func:`install`) every
secret the extension knows, and anything shaped like a Meta access token, is
masked on its way out. Values themselves are untouched; only what is shown
changes.

Where the guard sits:

* **In a Jupyter kernel** (ipykernel: JupyterLab, Notebook, VS Code,
  nbclient, papermill) it redacts the kernel's outgoing messages, the one
  place every output passes (:mod:`.message_guard`): printed text, the output
  of child processes (``!cmd``, ``os.system``, ``subprocess``), displays of any
  kind and their metadata, tracebacks, the pager and Shift-Tab inspection, and
  widget state. What the frontend gets, and so what a saved notebook keeps,
  is masked (SECURITY.md lists what no output guard can catch).
* **Without a kernel** (terminal IPython, a plain Python script) there are no
  messages: it wraps ``sys.stdout``/``sys.stderr``, the display formatter and
  the traceback display instead. Output that bypasses them (child processes,
  ``sys.__stdout__``) is not masked there.
* **Everywhere**, log records are cleaned when they are made: the message, the
  traceback text of ``log.exception(...)`` and the stack, so log files and
  handlers set up before the guard get masked text too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from .._base.redact import redact
from .message_guard import MessageGuard, scrub

__all__ = ["RedactingStream", "guards_kernel_messages", "install", "is_installed", "kernel_sessions", "uninstall"]

_STATE: dict[str, Any] = {}
_EXCEPTION_TEXT = logging.Formatter()


class RedactingStream:
    """A stand-in for ``sys.stdout``/``sys.stderr`` that masks what is written (used without a kernel)."""

    def __init__(self, wrapped: Any) -> None:
        self._wrapped = wrapped

    def write(self, text: str) -> int:
        """Write ``text`` masked; return its length, as ``print`` expects."""
        if isinstance(text, str):
            self._wrapped.write(redact(text))
        else:
            self._wrapped.write(text)
        return len(text)

    def writelines(self, lines: Any) -> None:
        """Write each line masked."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)


def _guarded_format(original: Callable[..., Any]) -> Callable[..., Any]:
    def format(obj: Any, *args: Any, **kwargs: Any) -> Any:
        data, metadata = original(obj, *args, **kwargs)
        return scrub(data), scrub(metadata)

    format.__wrapped__ = original  # type: ignore[attr-defined]
    return format


class _ShownException:
    """Stands in for an exception where the shell only needs its text."""

    def __init__(self, error: Any) -> None:
        self._error = error

    def __str__(self) -> str:
        return redact(str(self._error))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._error, name)


def _guarded_traceback(original: Callable[..., Any]) -> Callable[..., Any]:
    def show(etype: Any, evalue: Any, stb: Any) -> Any:
        return original(etype, _ShownException(evalue), [redact(line) for line in stb])

    show.__wrapped__ = original  # type: ignore[attr-defined]
    return show


def _clean_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # leave badly formatted records to logging itself
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and not record.exc_text:
        # Formatters reuse exc_text when it is set, so handlers made before the guard show this one.
        text = _EXCEPTION_TEXT.formatException(record.exc_info)
        cleaned = redact(text)
        if cleaned != text:
            record.exc_text = cleaned
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def _guarded_record_factory(original: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = original(*args, **kwargs)
        _clean_record(record)
        return record

    factory.__wrapped__ = original  # type: ignore[attr-defined]
    return factory


def kernel_sessions(shell: Any) -> list[Any]:
    """The Jupyter sessions that send ``shell``'s kernel messages (empty without a kernel).

    Parameters
    ----------
    shell : IPython shell or None
        In ipykernel, ``shell.kernel.session`` packs every message; the
        display publisher, the display hook and the output streams hold the
        same session, and any other one they hold is guarded as well.
    """
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return []
    holders = [
        kernel,
        getattr(kernel, "iopub_thread", None),
        getattr(shell, "display_pub", None),
        getattr(shell, "displayhook", None),
        sys.stdout,
        sys.stderr,
    ]
    sessions: list[Any] = []
    for holder in holders:
        session = getattr(holder, "session", None)
        if callable(getattr(session, "serialize", None)) and all(session is not s for s in sessions):
            sessions.append(session)
    return sessions


def is_installed() -> bool:
    """True while the guard is active in this process."""
    return bool(_STATE)


def guards_kernel_messages() -> bool:
    """True while the guard redacts a kernel's outgoing messages (it runs in a Jupyter kernel)."""
    return bool(_STATE.get("messages"))


def install(shell: Any = None) -> bool:
    """Turn the guard on for ``shell`` (default: the running IPython, if any). Idempotent.

    Parameters
    ----------
    shell : IPython shell, optional
        In a Jupyter kernel the kernel's outgoing messages are guarded;
        otherwise (terminal IPython, or no IPython at all) the output streams,
        and the shell's display formatter and tracebacks when there is one.

    Returns
    -------
    bool
        True if it was newly installed.
    """
    if _STATE:
        return False
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()  # None in a plain script
    _STATE["shell"] = shell
    _STATE["record_factory"] = logging.getLogRecordFactory()
    logging.setLogRecordFactory(_guarded_record_factory(_STATE["record_factory"]))
    guards = [MessageGuard(session) for session in kernel_sessions(shell)]
    for guard in guards:
        guard.attach()
    _STATE["messages"] = guards
    if guards:
        return True
    _STATE["stdout"], _STATE["stderr"] = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(sys.stdout), RedactingStream(sys.stderr)
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
    for guard in _STATE.get("messages", ()):
        guard.detach()
    if "stdout" in _STATE and isinstance(sys.stdout, RedactingStream):
        sys.stdout = _STATE["stdout"]
    if "stderr" in _STATE and isinstance(sys.stderr, RedactingStream):
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
