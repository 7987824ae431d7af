"""The sandbox autopilot: the ``%meta_login`` panel plays the attendee by itself.

Notebook layer, sandbox only. Workshops and CI run notebooks top to bottom with
no one to click (nbclient, ``meta-auth demo --execute``, a facilitator's
projector). With ``%meta_login --sandbox --autopilot[=USER]`` or
``META_AUTH_SANDBOX_AUTOPILOT=USER`` the panel is driven through the very
steps a person takes, with the panel's own buttons: choose Facebook Login,
press Allow in the sandbox's dialog as ``USER`` (:meth:`Sandbox.approve`,
real HTTP), hand the redirect back through the real redirect catcher (or
paste it, where the kernel is remote), inspect, ask again for a declined
permission, extend, save, use. The panel is left showing the final state
and ``meta`` is ready when the cell ends, so the next cell can use it.

It never runs against Meta: the magic refuses it unless the login goes to
the built-in sandbox, whose dialog is the only one it knows how to answer.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..._base.errors import AutopilotError
from .state import EXTEND, FACEBOOK, INSPECT, METHOD, SAVE, SCOPES, USE

if TYPE_CHECKING:
    from ...sandbox import Sandbox
    from .controller import LoginPanel

__all__ = ["DEFAULT_USER", "ENV_AUTOPILOT", "autopilot_user", "fly"]

#: The environment variable that turns the autopilot on for every ``%meta_login --sandbox``.
ENV_AUTOPILOT = "META_AUTH_SANDBOX_AUTOPILOT"
#: Who logs in when the autopilot is just switched on (``--autopilot``, ``=1``).
DEFAULT_USER = "alice"
_OFF = frozenset({"", "0", "false", "no", "off"})
_ON = frozenset({"1", "true", "yes", "on"})
# More moves than any route through the panel needs (login, ask again, login,
# inspect, extend, save): a panel that keeps sending us back is a bug, not a loop to sit in.
_MAX_MOVES = 16


def autopilot_user(flag: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """Who the autopilot logs in as, or None when it is off.

    Parameters
    ----------
    flag : str or None
        The value of ``--autopilot`` (``None`` when not given; the bare flag
        gives :data:`DEFAULT_USER`). It beats the environment, so
        ``--autopilot=off`` turns off an autopilot switched on by
        :data:`ENV_AUTOPILOT`.
    environ : mapping, optional
        Default ``os.environ``.

    Returns
    -------
    str or None
        A sandbox user name (``1``/``true``/``yes``/``on`` mean
        :data:`DEFAULT_USER`); None for unset, empty, ``0``/``false``/``no``/``off``.
    """
    env = os.environ if environ is None else environ
    raw = flag if flag is not None else env.get(ENV_AUTOPILOT)
    value = (raw or "").strip()
    if value.lower() in _OFF:
        return None
    if value.lower() in _ON:
        return DEFAULT_USER
    return value


def fly(
    panel: LoginPanel,
    box: Sandbox,
    user: str = DEFAULT_USER,
    *,
    timeout: float = 60.0,
    follow: Callable[[str], Any] | None = None,
) -> list[str]:
    """Drive ``panel`` from whatever step it shows to "Use", as ``user`` would.

    Runs in the cell (it returns when the session is injected): unlike a
    person's clicks, which the panel handles in threads, the autopilot
    must finish before the next cell of a headless run asks for ``meta``.

    Parameters
    ----------
    panel : LoginPanel
        A panel opened against ``box`` (any step).
    box : Sandbox
        The kernel's sandbox; its dialog is answered with :meth:`Sandbox.approve`.
    user : str
        The sandbox user who presses Allow.
    timeout : float
        Seconds to wait for each step's work (Graph calls, the redirect).
    follow : callable, optional
        What "the browser" does with the dialog's redirect when the panel
        catches it on 127.0.0.1: default a plain GET of the URL (the
        ``#_=_`` fragment stays in the browser, as in a real one).

    Returns
    -------
    list of str
        What was done, in words, for a one-line account under the panel.

    Raises
    ------
    AutopilotError
        A step failed or did not move on; the message is the panel's.
    """
    pilot = _Pilot(panel, box, user, timeout, follow or _browser_get)
    return pilot.run()


def _browser_get(url: str) -> None:
    import httpx

    httpx.get(url.split("#", 1)[0], timeout=10.0)


def _opened(address: str) -> str:
    """Open the panel's login link as a browser would, up to the dialog; the dialog's URL."""
    import httpx

    answer = httpx.get(address, timeout=10.0, follow_redirects=False)
    if answer.status_code != 302:
        raise AutopilotError(f"the login link answered {answer.status_code}, not the login page")
    return answer.headers["location"]


def _text(html: str) -> str:
    """The words of a bit of the panel's HTML."""
    import re
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


class _Pilot:
    """One autopilot run: the moves, and what was said about them."""

    def __init__(
        self, panel: LoginPanel, box: Sandbox, user: str, timeout: float, follow: Callable[[str], Any]
    ) -> None:
        self.panel, self.box, self.user, self.timeout, self.follow = panel, box, user, timeout, follow
        self.trail: list[str] = []
        self.rerequested = False

    def run(self) -> list[str]:
        moves = {
            SCOPES: self._scopes,
            METHOD: self._login,
            INSPECT: self._inspect,
            EXTEND: self._extend,
            SAVE: self._save,
        }
        for _ in range(_MAX_MOVES):
            step = self.panel.step
            if step == USE:
                self.trail.append(f"{self.panel.state.session_name} is ready")
                return self.trail
            moves[step]()
        raise AutopilotError(f"the panel kept going back (now at {self.panel.step!r}): {self.panel.message_text}")

    # --- helpers ------------------------------------------------------------------
    def _settle(self, before: str, doing: str) -> None:
        """Wait for the click's work; fail with the panel's words if it went wrong or stood still."""
        panel = self.panel
        if not panel.wait_idle(self.timeout):
            raise AutopilotError(f"{doing} took longer than {self.timeout:.0f} s")
        if panel.message_level == "error" or panel.step == before:
            raise AutopilotError(f"{doing} failed at step {panel.step!r}: {panel.message_text or 'no message'}")

    # --- one move per step -------------------------------------------------------------
    def _scopes(self) -> None:
        self.panel.scopes_next.click()
        self._settle(SCOPES, "choosing the permissions")

    def _login(self) -> None:
        panel = self.panel
        panel.select_method(FACEBOOK)
        request = panel.wait_for_login_link(self.timeout)
        address = panel.login_address
        if request is None or address is None:  # the panel said why (no app id, no secret...)
            said = panel.message_text or _text(panel.login_status.value)
            raise AutopilotError(f"Log in with Facebook failed: {said}")
        # Read once: the catcher's thread lets go of it as soon as the redirect arrives.
        caught = panel.catching
        try:
            # The click on "Log in with Facebook": where the redirect is caught, the link is the catcher's
            # own address, which sends the browser on to the dialog (and tells the panel it was opened).
            dialog = _opened(address) if caught else address
            redirected = self.box.approve(dialog, user=self.user)
            if caught:
                self.follow(redirected)  # the real catcher on 127.0.0.1 takes it, as from a browser
        except Exception as error:  # the dialog or the catcher refused: say so in one line, not a traceback
            raise AutopilotError(f"the sandbox login dialog did not hand the login back: {error}") from None
        if caught:
            how = "caught the redirect"
        else:
            panel.redirect_paste.value = redirected
            panel.redirect_submit.click()
            how = "pasted the redirected URL"
        self._settle(METHOD, "logging in")
        asked = " again for the declined permissions" if request.auth_type == "rerequest" else ""
        self.trail.append(f"Facebook Login{asked}: {self.user} pressed Allow, {how}")

    def _inspect(self) -> None:
        panel = self.panel
        declined = panel.state.declined_requested()
        if declined and not self.rerequested:
            # What the panel advises: ask again; the dialog re-asks declined permissions.
            self.rerequested = True
            self.trail.append(f"{self.user} declined {', '.join(declined)}; asking again")
            panel.rerequest_button.click()
            return
        info = panel.state.info
        self.trail.append(
            f"checked a {info.type if info else 'new'} token with {', '.join(info.scopes if info else ())}"
        )
        panel.inspect_next.click()
        self._settle(INSPECT, "going to Extend")

    def _extend(self) -> None:
        panel = self.panel
        if panel.extend_button.layout.display != "none":
            panel.extend_button.click()
            if not panel.wait_idle(self.timeout):
                raise AutopilotError(f"extending took longer than {self.timeout:.0f} s")
            if panel.message_level == "error":
                raise AutopilotError(f"extending failed: {panel.message_text}")
            self.trail.append("extended it")
        panel.extend_next.click()
        self._settle(EXTEND, "going to Save")

    def _save(self) -> None:
        panel = self.panel
        panel.save_button.click()
        self._settle(SAVE, "saving")
        saved = panel.state.saved
        if saved is not None:
            self.trail.append(f"saved it as profile {saved.name} ({saved.backend})")
