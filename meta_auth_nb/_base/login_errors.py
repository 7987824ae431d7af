"""The login's branch of the exception tree: :class:`OAuthError` and what a login dialog, its redirect
and its code exchange can end in.

Base layer, stdlib only. Part of the one tree drawn in :mod:`.errors`; public
as ``meta_auth_nb.errors``.
"""

from __future__ import annotations

from typing import Any

from .errors import GraphError, public_home

__all__ = [
    "CatcherTimeout",
    "CodeExchangeFailed",
    "LoginBlocked",
    "LoginDenied",
    "NotARedirect",
    "OAuthError",
    "RedirectPortBusy",
    "StateMismatch",
]


class OAuthError(GraphError):
    """The login flow failed."""

    default_hint = "Start the login again ({login})."


class StateMismatch(OAuthError):
    """The redirect's ``state`` is not the one this login sent (possible CSRF)."""

    default_hint = (
        "Start the login again and use the redirect of that same attempt; never paste a link someone else sent you."
    )


class LoginDenied(OAuthError):
    """The user pressed Cancel or declined the app in the login dialog."""

    default_hint = "Log in again and press Continue/Allow to grant the app access."


class CodeExchangeFailed(OAuthError):
    """The authorization code could not be exchanged for a token."""

    default_hint = "Log in again for a new code."


class CatcherTimeout(OAuthError):
    """No login redirect reached the local redirect catcher in time.

    Attributes
    ----------
    opened : bool
        The login page had been opened (so it may show an error page, which
        never comes back), or the login link was left unused.
    """

    default_hint = (
        "Start the login again and finish it in the browser within the time limit, or paste the redirected URL."
    )

    def __init__(self, message: str, *, opened: bool = False, **kw: Any) -> None:
        self.opened = opened
        super().__init__(message, **kw)


class NotARedirect(OAuthError):
    """What was pasted is not the address this login's dialog sent the browser to.

    A URL without a code, another app's (or page's) address, the dialog's
    own URL, a token: the message says which, never repeating what was pasted.
    """

    default_hint = (
        "After you press Continue/Allow in the login dialog, copy the whole address from the browser's "
        "address bar and paste that."
    )


class LoginBlocked(OAuthError):
    """What the app's own settings would make Meta's login dialog refuse, found before it opens.

    Graph tells an app, with its app token, whether its id and secret go
    together and which Login for Business configurations it has; a login
    that would end on Meta's error page (which never comes back) is stopped
    before the dialog opens, with what to change.
    """

    default_hint = "Fix what the message says, then start the login again ({login})."


class RedirectPortBusy(OAuthError):
    """Another program holds the loopback redirect's port, so it would receive the login (and its code)."""

    default_hint = (
        "Use a redirect no program on this machine can receive: register an HTTPS redirect in the app and pass it "
        "(--redirect-uri URL or META_AUTH_REDIRECT_URI), or stop the program holding the port and try again."
    )


public_home(globals(), __all__)
