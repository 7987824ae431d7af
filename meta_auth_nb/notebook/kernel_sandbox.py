"""The kernel's sandbox: the one built-in Graph API sandbox ``%meta_login --sandbox`` starts and reuses.

Notebook layer. :func:`kernel_sandbox` hands it to notebook code (a
workshop moving the sandbox's clock, say); :data:`KERNEL` is the holder
the magics use.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from .._base.settings import ENV_APP_ID, ENV_APP_SECRET, ENV_DIALOG_URL, ENV_GRAPH_URL

if TYPE_CHECKING:
    from ..sandbox import Sandbox

__all__ = ["KEEP", "KERNEL", "SANDBOX_PROFILE", "KernelSandbox", "kernel_sandbox"]

SANDBOX_PROFILE = "sandbox"
#: ``KernelSandbox.start(scenario=KEEP)``: keep the running sandbox, whatever its scenario.
KEEP = object()
_SANDBOX_ENV = (ENV_GRAPH_URL, ENV_DIALOG_URL, ENV_APP_ID, ENV_APP_SECRET)


class KernelSandbox:
    """The one sandbox of this kernel, started by ``%meta_login --sandbox`` and reused.

    While it runs, the kernel's environment points every setting at it
    (Graph and dialog URLs, app id and secret); :meth:`stop` puts the
    previous values back.
    """

    def __init__(self) -> None:
        self.box: Sandbox | None = None
        #: How many sandboxes this kernel has started (tokens of older ones are dead).
        self.generation = 0
        self._saved: dict[str, str | None] = {}
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self.box is not None

    def start(self, scenario: str | object | None = KEEP) -> Sandbox:
        """Start it (or return the running one) and point the settings at it.

        Parameters
        ----------
        scenario : str or None, optional
            A workshop scenario (one of ``Sandbox.scenarios``) or None for
            none. A running sandbox with another scenario is replaced by a
            fresh one (a scenario is fixed for a sandbox's life); by default
            the running one is kept, whatever its scenario.
        """
        with self._lock:
            if self.box is not None and scenario is not KEEP and self.box.scenario != scenario:
                self._stop()
            if self.box is None:
                from ..sandbox import Sandbox

                box = Sandbox(scenario=scenario if isinstance(scenario, str) else None).start()
                self._saved = {name: os.environ.get(name) for name in _SANDBOX_ENV}
                os.environ.update(box.env())
                self.box = box
                self.generation += 1
            return self.box

    def stop(self) -> None:
        """Stop it and restore the settings it replaced."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        box, self.box = self.box, None
        if box is None:
            return
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved = {}
        box.stop()


#: Process-wide: a kernel has one namespace, so one sandbox.
KERNEL = KernelSandbox()


def kernel_sandbox() -> Sandbox | None:
    """The sandbox ``%meta_login --sandbox`` started in this kernel, or None when none runs.

    Examples
    --------
    >>> import meta_auth_nb as mab
    >>> mab.kernel_sandbox().advance(10 * 60)   # doctest: +SKIP
    """
    return KERNEL.box
