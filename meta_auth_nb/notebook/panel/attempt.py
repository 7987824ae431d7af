"""One login attempt of the panel: its dialog URL, how the redirect comes back, the error pages it may end on.

Notebook layer, no widgets. :mod:`.facebook` keeps one live :class:`Attempt`
at a time and retires it when a newer one is made.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ...auth.catcher import RedirectCatcher
from ...auth.dialog_pages import DialogPage
from ...auth.oauth import LoginRequest
from ...auth.redirects import RedirectPlan

__all__ = ["Attempt", "MissingApp"]


class MissingApp(ValueError):
    """The app id or secret is not entered yet (the panel shows the fields, and says so)."""


@dataclass
class Attempt:
    """One login link: its dialog URL, how the redirect comes back, and the error pages it may end on."""

    number: int
    request: LoginRequest
    plan: RedirectPlan
    catcher: RedirectCatcher | None
    pages: tuple[DialogPage, ...]
    #: True once its end (a redirect, an error page, a timeout) has been handled.
    over: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def address(self) -> str:
        """What the link opens: the catcher's own address (which sends on to the dialog), else the dialog."""
        return self.catcher.login_address if self.catcher is not None else self.request.url

    def end(self) -> bool:
        """Mark it handled; False when something else already did."""
        with self.lock:
            first, self.over = not self.over, True
            return first
