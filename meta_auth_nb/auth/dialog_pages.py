"""Meta's login-dialog error pages: which ones a login may end on, what each means, and what to do.

Auth layer, I/O-free. Where the dialog refuses a login it shows an error page
and never redirects, so nothing comes back to the notebook or the terminal:

* **App not active**: the app is in development mode and the person logging
  in has no role on it;
* **URL Blocked** (error 191): the redirect is not one the app accepts (a
  ``http://localhost`` one on a live app, or an address missing from its
  Valid OAuth Redirect URIs);
* with a Login for Business configuration, **Sorry, something went wrong**
  (an unknown ``config_id``).

:func:`dialog_pages` lists the pages this attempt could meet, each with the
fix for where it is read (the panel while it waits, ``meta-auth login`` while
it waits, and both when the wait ends). The sandbox's dialog shows the same
pages and, like Meta's, never redirects from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .._base.commands import Place, quoted
from .redirects import REGISTERED, RedirectPlan

__all__ = ["APP_NOT_ACTIVE", "BAD_CONFIG", "URL_BLOCKED", "DialogPage", "dialog_pages"]

APP_NOT_ACTIVE, URL_BLOCKED, BAD_CONFIG = "app_not_active", "url_blocked", "bad_config"
_REDIRECTS = "Facebook Login > Settings > Valid OAuth Redirect URIs"
_CONFIGS = "App Dashboard > Facebook Login for Business > Configurations"


@dataclass(frozen=True)
class DialogPage:
    """One error page of the login dialog.

    Attributes
    ----------
    key : str
        :data:`APP_NOT_ACTIVE`, :data:`URL_BLOCKED` or :data:`BAD_CONFIG`.
    says : str
        The words at the top of the page, as a person would recognise them.
    fix : str
        What it means here and what to do, naming commands that work where it is read.
    """

    key: str
    says: str
    fix: str

    @property
    def sentence(self) -> str:
        """``The login page said “App not active”: <fix>`` (for a message after the fact)."""
        return f"The login page said \u201c{self.says}\u201d. {self.fix}"


def dialog_pages(
    plan: RedirectPlan,
    *,
    config_id: str | None = None,
    place: Place,
    roles: int | None = None,
    with_role: Sequence[str] = (),
    without_role: Sequence[str] = (),
) -> tuple[DialogPage, ...]:
    """The error pages this login may end on, each with its fix.

    Parameters
    ----------
    plan : RedirectPlan
        How the redirect comes back (a loopback one and a registered one are
        refused for different reasons).
    config_id : str, optional
        The Login for Business configuration the login uses.
    place : Place
        Where the fixes are read (a notebook, a terminal; the kernel's sandbox).
    roles : int, optional
        How many people have a role on the app, when Graph said.
    with_role, without_role : sequence of str
        In the kernel's sandbox, its users with and without a role on its app (named in the fix).
    """
    pages = [_app_not_active(place, roles, with_role, without_role), _url_blocked(plan, place)]
    if config_id:
        pages.append(_bad_config(config_id, place))
    return tuple(pages)


def _app_not_active(
    place: Place, roles: int | None, with_role: Sequence[str], without_role: Sequence[str]
) -> DialogPage:
    if place.sandbox:
        choose = f"choose {_either(with_role)}" if with_role else "choose a user the login page does not mark"
        give = " or ".join(quoted(f"mab.kernel_sandbox().set_role({name!r}, 'tester')") for name in without_role)
        fix = (
            "That sandbox user has no role on the sandbox's app, which is in development mode (the login page marks "
            f"such users \u201cno role on the app\u201d): {choose}"
            + (f", or give them one in a cell: {give}" if give else "")
            + "; then log in again."
        )
    else:
        counted = f" ({roles} {'person has' if roles == 1 else 'people have'} one)" if roles is not None else ""
        fix = (
            "The app is in development mode and the person who logged in has no role on it: only people with a role "
            f"(App Dashboard > App roles{counted}) can log in to it. Log in as one of them, add this person as a "
            "tester, or switch the app to Live; then log in again."
        )
    return DialogPage(APP_NOT_ACTIVE, "App not active", fix)


def _url_blocked(plan: RedirectPlan, place: Place) -> DialogPage:
    uri = plan.redirect_uri
    if plan.mode == REGISTERED:
        if place.sandbox:
            command = quoted(f"mab.kernel_sandbox().register_redirect_uri({uri!r})")
            fix = f"The sandbox's app does not list {uri}: run {command} in a cell, then log in again."
        else:
            fix = f"{uri} is not in the app's {_REDIRECTS}: add it there exactly (no prefix match), then log in again."
        return DialogPage(URL_BLOCKED, "URL Blocked", fix)
    if place.sandbox:
        command = quoted("mab.kernel_sandbox().set_app_mode('development')")
        fix = (
            f"The sandbox's app was made live, and live apps refuse http://localhost redirects: run {command} in a "
            "cell, or register an HTTPS redirect and log in with that; then log in again."
        )
    else:
        login = place.login(redirect_uri="https://YOUR-PAGE")
        fix = (
            f"Live apps refuse http://localhost redirects (only apps in development mode accept {uri}): register an "
            f"HTTPS page in {_REDIRECTS} and log in with it, {login}."
        )
    return DialogPage(URL_BLOCKED, "URL Blocked", fix)


def _bad_config(config_id: str, place: Place) -> DialogPage:
    if place.sandbox:
        ids = quoted("mab.kernel_sandbox().config_id('user')")
        fix = (
            f"Configuration {config_id} is not one of the sandbox app's: {ids} (or 'system_user') gives one; "
            "enter it in the first step and log in again."
        )
    else:
        fix = (
            f"Configuration {config_id} is not one of this app's Login for Business configurations: copy the ID from "
            f"{_CONFIGS} and log in with it, {place.login(config_id='ID')}."
        )
    return DialogPage(BAD_CONFIG, "Sorry, something went wrong (config_id)", fix)


def _either(names: Sequence[str]) -> str:
    """``alice, bob or carol``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
