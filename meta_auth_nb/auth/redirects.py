"""Where the login dialog sends the browser back, and how that address reaches us: one decision for panel and CLI.

Auth layer. Three modes, each with the one redirect URI to register:

``catch``
    The kernel (or terminal) runs next to the browser: a one-shot catcher
    listens on ``http://localhost:8765/callback`` (127.0.0.1 and ::1). Apps
    in development mode accept ``http://localhost`` redirects without
    registering them; live apps do not.
``paste``
    The kernel runs elsewhere (Colab, JupyterHub, SSH...): the browser ends
    on the same ``http://localhost:8765/callback`` on the user's own machine,
    which does not load, and the user pastes that address back. Development
    mode only, as above.
``registered``
    A redirect registered in the app (``--redirect-uri``,
    ``META_AUTH_REDIRECT_URI``, or the one remembered with the profile): an
    HTTPS page, the only kind a live app may use, which no program on this
    machine can intercept. The browser lands there and the address is pasted
    back. Meta's ``https://www.facebook.com/connect/login_success.html`` is
    offered (it must be registered too) but never chosen by default.

The loopback port is never used when another program holds it: that
program would get the redirect and its code (:class:`RedirectPortBusy`).
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from dataclasses import dataclass

from .._base.commands import Place
from .._base.login_errors import RedirectPortBusy
from .._base.settings import (
    CALLBACK_PATH,
    LOGIN_LINK_IDLE_S,
    LOOPBACK_REDIRECT_URI,
    REDIRECT_PORT,
    REDIRECT_TIMEOUT_S,
    Settings,
    check_registered_redirect,
)
from .catcher import RedirectCatcher, loopback_port_free
from .location import KernelLocation, detect

__all__ = [
    "CATCH",
    "PASTE",
    "REGISTERED",
    "RedirectPlan",
    "guard_loopback_paste",
    "loopback_uri",
    "open_catcher",
    "plan_redirect",
    "registered_redirect",
]

CATCH, PASTE, REGISTERED = "catch", "paste", "registered"
_WHERE_TO_REGISTER = "Facebook Login > Settings > Valid OAuth Redirect URIs"


@dataclass(frozen=True)
class RedirectPlan:
    """How this login's redirect gets back.

    Attributes
    ----------
    mode : {"catch", "paste", "registered"}
    label : str
        The mode in a few words, for a heading.
    redirect_uri : str
        The exact URI sent to the dialog and the code exchange.
    why : str
        Why this mode, in one sentence.
    register : str
        What the app must list (or accept) for this URI, in one sentence.
    port : int or None
        The loopback port (catch and paste), None for a registered redirect.
    """

    mode: str
    label: str
    redirect_uri: str
    why: str
    register: str
    port: int | None = None

    @property
    def catches(self) -> bool:
        """True when a local catcher receives the redirect (nothing is pasted)."""
        return self.mode == CATCH


def loopback_uri(port: int = REDIRECT_PORT) -> str:
    """``http://localhost:PORT/callback``."""
    return f"http://localhost:{port}{CALLBACK_PATH}"


def registered_redirect(*candidates: str | None) -> str | None:
    """The registered redirect to use: the first candidate given (see
    :func:`~meta_auth_nb.auth.new_token.login_setup` for their order), checked.

    The loopback address itself means "no registered redirect".

    Raises
    ------
    ConfigError
        A candidate that cannot be a redirect (not HTTPS outside loopback, a fragment).
    """
    for candidate in candidates:
        if candidate and candidate.strip():
            uri = check_registered_redirect(candidate.strip())
            return None if uri == LOOPBACK_REDIRECT_URI else uri
    return None


def plan_redirect(
    location: KernelLocation,
    registered: str | None = None,
    *,
    port: int = REDIRECT_PORT,
    settings: Settings,
) -> RedirectPlan:
    """Choose the mode for this login.

    Parameters
    ----------
    location : KernelLocation
        Where the kernel (or terminal) runs, from
        :func:`~meta_auth_nb.auth.location.redirect_location`.
    registered : str, optional
        A registered redirect (see :func:`registered_redirect`): when given it
        is used, whatever the location.
    port : int
        The loopback port; 0 lets a catcher take any free one (the sandbox,
        tests: development-mode apps accept any localhost port), and means
        the usual port when pasting.
    settings : Settings
        Meta's login_success.html address, and where the plan is read (what
        runs the login: the kernel, this command).
    """
    runner = settings.place.runner
    if registered:
        meta_page = registered == settings.login_success_url
        page = "Meta's login_success.html page" if meta_page else "your registered page"
        return RedirectPlan(
            REGISTERED,
            "a registered HTTPS redirect (live apps)",
            registered,
            f"A registered redirect is set, the kind a live app needs: the browser lands on {page} after "
            "Continue/Allow, and you paste that address back.",
            f"List {registered} exactly in {_WHERE_TO_REGISTER}"
            + (" (Meta documents it for desktop apps; try it with your app)." if meta_page else "."),
        )
    uri = loopback_uri(port) if port else LOOPBACK_REDIRECT_URI
    register = (
        f"Apps in development mode accept {uri} without registering it; a live app cannot use it "
        "(register an HTTPS redirect and use that instead)."
    )
    if location.remote:
        return RedirectPlan(
            PASTE,
            f"pasted back (remote {'kernel' if runner == 'the kernel' else 'machine'}; apps in development mode)",
            uri,
            f"{runner.capitalize()} runs elsewhere ({location.reason}), so the browser cannot hand the login back: "
            "it ends "
            "on a localhost address that does not load, and you paste that address back.",
            register,
            port or REDIRECT_PORT,
        )
    return RedirectPlan(
        CATCH,
        "caught on this machine (apps in development mode)",
        uri,
        f"{runner.capitalize()} runs next to your browser ({location.reason}), so it catches the redirect on "
        "localhost itself.",
        register,
        port,
    )


def open_catcher(
    plan: RedirectPlan,
    state: str,
    *,
    timeout: float = REDIRECT_TIMEOUT_S,
    idle_timeout: float = LOGIN_LINK_IDLE_S,
    port: int | None = None,
    place: Place | None = None,
) -> RedirectCatcher:
    """Start the catcher of a ``catch`` plan on its port (0: any free port; ``port`` overrides the plan's).

    ``timeout`` counts from the moment the login page is opened through the
    catcher's :attr:`~RedirectCatcher.login_address`; ``idle_timeout`` is how
    long that link may wait unused.

    Raises
    ------
    RedirectPortBusy
        Another program holds the port: it would receive the redirect, so
        the login does not use it (no fallback to pasting the same address).
    """
    chosen = (plan.port or 0) if port is None else port
    catcher = RedirectCatcher(port=chosen, path=CALLBACK_PATH, timeout=timeout, idle_timeout=idle_timeout, state=state)
    try:
        return catcher.start()
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        raise _busy(chosen, error.strerror or str(error), place) from None


def guard_loopback_paste(
    plan: RedirectPlan, environ: Mapping[str, str] | None = None, *, place: Place | None = None
) -> None:
    """Refuse a ``paste`` plan when the browser may be on this machine and another program holds the port.

    Raises
    ------
    RedirectPortBusy
        The machine looks local and the loopback port is taken: the
        browser's redirect (and its code) would go to that program.
    """
    if plan.mode != PASTE or not plan.port or detect(environ).remote:
        return
    if not loopback_port_free(plan.port):
        raise _busy(plan.port, "in use", place)


def _busy(port: int | None, why: str, place: Place | None) -> RedirectPortBusy:
    place = place or Place()
    other = (port or REDIRECT_PORT) + 1
    return RedirectPortBusy(
        f"Port {port} on this machine is held by another program ({why}), so the login cannot use "
        f"http://localhost:{port}/callback: that program would receive the redirect and its code",
        hint=f"Log in on another port: {place.login(port=other)} (apps in development mode accept any localhost "
        "port); or stop the program holding the port. A live app uses its registered HTTPS redirect instead "
        "(--redirect-uri URL).",
        place=place,
    )
