"""Where an insights pull's progress goes: a bar where someone watches, plain text where no widget can show.

:func:`progress_display` picks the display for ``progress=``:

* a kernel a person drives (JupyterLab, Notebook, VS Code, Colab): the
  ``tqdm`` bar (:class:`~.progress.ProgressBar`, a widget there);
* a kernel run with no one at it (``jupyter nbconvert --execute``,
  papermill, nbclient: they refuse input, so the kernel is told
  ``allow_stdin=False``), or ``progress="text"``: :class:`TextProgress`, one
  line of text updated in place (an output with a display id), which the
  saved notebook keeps as its final summary, and which GitHub's notebook
  view, ``jupyter console`` and any viewer show as text;
* a terminal: the ``tqdm`` bar on stderr;
* no terminal (cron, a CI log): :class:`TextProgress` printing a line when
  the pull starts, one every :data:`LOG_EVERY_S` at most, and a summary.

Graph layer.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any, cast

from ..insights.state import InsightsProgress
from .progress import ProgressBar

__all__ = ["LOG_EVERY_S", "TextProgress", "progress_display"]

#: Seconds between two updates of a line in a notebook, and between two printed lines in a log.
UPDATE_EVERY_S, LOG_EVERY_S = 0.5, 10.0
_WIDTH = 110


def _kernel() -> Any:
    """The running IPython kernel, or None outside one."""
    module = sys.modules.get("IPython")
    shell = module.get_ipython() if module is not None else None
    return getattr(shell, "kernel", None)


def _words(seen: InsightsProgress, label: str, elapsed: float) -> str:
    if not seen.slices_total:  # not planned yet
        return f"{label}: {seen.reason or 'starting'}"
    text = f"{label}: {seen.counted} ({elapsed:.0f} s)"
    if seen.reason:
        text += f"; {seen.reason}"
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"


class TextProgress:
    """Progress as plain text: one line updated in place in a notebook, a few lines and a summary in a log.

    Parameters
    ----------
    label : str
    kernel : bool
        Update one output in place (a notebook run); else print lines to ``stream``.
    stream : file, optional
        Where lines go (default stderr).
    """

    def __init__(self, label: str = "insights", *, kernel: bool, stream: Any = None) -> None:
        self._label = label
        self._kernel = kernel
        self._stream = stream
        self._lock = threading.Lock()
        self._start = time.monotonic()
        self._shown_at = -1e9
        self._last: InsightsProgress | None = None
        self._handle: Any = None

    def __call__(self, seen: InsightsProgress) -> None:
        with self._lock:
            self._last = seen
            now = time.monotonic()
            every = UPDATE_EVERY_S if self._kernel else LOG_EVERY_S
            if now - self._shown_at < every:  # a line at most this often; the summary says the last word
                return
            self._shown_at = now
            self._show(_words(seen, self._label, now - self._start))

    def _show(self, line: str) -> None:
        if self._kernel:
            from IPython.display import display

            bundle = {"text/plain": line}
            if self._handle is None:
                self._handle = cast(Any, display)(bundle, raw=True, display_id=True)
            else:
                self._handle.update(bundle, raw=True)
        else:
            print(line, file=self._stream or sys.stderr, flush=True)

    def close(self) -> None:
        """Show the summary: the last word of the pull, with its totals."""
        with self._lock:
            seen = self._last
            if seen is None:
                return
            elapsed = time.monotonic() - self._start
            state = "incomplete" if seen.failed else "done"
            self._show(f"{self._label}: {state}, {seen.counted} in {elapsed:.0f} s")


Callback = Callable[[InsightsProgress], Any]


def progress_display(progress: Any, label: str = "insights") -> tuple[Callback | None, Callable[[], None]]:
    """The progress callback for ``progress=`` and what to call when the pull ends (see the module).

    ``True`` picks by where the pull runs, ``"text"`` is plain text wherever it runs, a callable is
    used as it is, ``False`` shows nothing.
    """
    if callable(progress):
        return progress, _nothing
    if progress is False or progress is None:
        return None, _nothing
    kernel = _kernel()
    if kernel is not None:
        unattended = not getattr(kernel, "_allow_stdin", True)  # nbconvert, papermill, nbclient
        if progress == "text" or unattended:
            text = TextProgress(label, kernel=True)
            return text, text.close
        bar = ProgressBar(label)
        return bar, bar.close
    if progress != "text" and sys.stderr.isatty():
        bar = ProgressBar(label)
        return bar, bar.close
    text = TextProgress(label, kernel=False)
    return text, text.close


def _nothing() -> None:
    """Nothing to close."""
