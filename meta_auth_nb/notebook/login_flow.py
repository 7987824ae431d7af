"""What ``%meta_login`` does once its arguments are checked: one status line, or the panel.

Notebook layer. :func:`run_login` checks the stored profile: a healthy one
gets one status line and the session; anything else opens the panel at the
step that fixes it (and the sandbox autopilot may click through it).
:func:`leave_sandbox` is ``--no-sandbox``. The magics object passed in is
:class:`~meta_auth_nb.notebook.magics.MetaAuthMagics` (its store, traits and
last panel).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from IPython.core.error import UsageError

from .._base.redact import redact
from .kernel_sandbox import KERNEL

if TYPE_CHECKING:
    from .._base.settings import Settings
    from ..auth.health import HealthReport
    from ..store import StoredProfile
    from .login_args import LoginArgs
    from .magics import MetaAuthMagics
    from .panel.controller import LoginPanel

__all__ = ["graph_now", "leave_sandbox", "run_login"]


def graph_now() -> datetime | None:
    """Graph's clock: the kernel sandbox's (a workshop may have moved it), else None for this machine's."""
    box = KERNEL.box
    return None if box is None else datetime.fromtimestamp(box.now(), tz=timezone.utc)


def leave_sandbox(magics: MetaAuthMagics) -> None:
    """``--no-sandbox``: stop the kernel's sandbox and say what that ended (nothing when none runs)."""
    from .session import remove_sandbox_sessions

    if not KERNEL.running:
        return
    if magics.panel is not None:
        magics.panel.close(replaced=True)
        magics.panel = None
    shell = magics.ip
    removed = remove_sandbox_sessions(shell.user_ns, shell)
    KERNEL.stop()
    sessions = ", ".join(f"`{name}`" for name in removed)
    ended = f"its tokens and {sessions} ended with it" if removed else "its tokens ended with it"
    print(f"Left the sandbox: it is stopped, {ended}, and your own META_* settings are back. This login goes to Meta.")


def run_login(magics: MetaAuthMagics, profile: str, checked: LoginArgs, settings: Settings) -> None:
    """The fast path for a healthy stored token, else the panel at the step that fixes it."""
    from IPython.display import display

    from .._base.errors import GraphError
    from ..auth.profiles import check_profile
    from ..auth.verdict import Status
    from ..store import ProfileNotFound, StoreError
    from . import render as show

    if magics.panel is not None:  # a finished one keeps its summary; a waiting catcher tells a late tab why
        magics.panel.close(replaced=True)
        magics.panel = None
    store, name = magics.store, checked.name
    report: HealthReport | None = None
    stored: StoredProfile | None = None
    problem: str | None = None
    try:
        stored = store.load(profile)
        report = check_profile(
            store, profile, required_scopes=checked.scopes or None, warn_days=magics.warn_days, settings=settings
        )
    except ProfileNotFound:
        pass
    except (StoreError, GraphError) as error:
        problem = str(error)
    notice = show.version_notice_line(settings.graph_version, report.checked_at if report is not None else None)
    if report is not None and stored is not None and report.status in (Status.OK, Status.EXPIRY_UNKNOWN):
        # Healthy, or healthy as far as a token without a role on the app can tell: the line says which.
        _inject(magics, stored, report, name, settings)
        display(show.status_line(report, name, sandbox=KERNEL.running))
        if notice is not None:
            display(notice)
        return
    if notice is not None:
        display(notice)
    panel = _new_panel(magics, profile, checked, settings)
    if report is not None and stored is not None:
        if report.status.usable:  # still usable meanwhile
            _inject(magics, stored, report, name, settings)
        panel.open_for(report, stored)
    else:
        panel.open_missing(profile)
        if problem:
            panel.say("warn", f"The stored token of {profile} could not be checked.", problem)
    magics.panel = panel
    display(panel)
    if checked.autopilot is not None:
        _fly(panel, checked.autopilot)


def _fly(panel: LoginPanel, user: str) -> None:
    """Let the autopilot click through ``panel`` as sandbox ``user``, then say what it did."""
    from .._base.errors import AutopilotError
    from .panel.autopilot import fly

    box = KERNEL.box
    assert box is not None  # checked by meta_login: the autopilot needs the sandbox
    try:
        trail = fly(panel, box, user)
    except AutopilotError as error:
        raise UsageError(redact(f"Autopilot ({user}, sandbox) stopped: {error}")) from None
    print(f"Autopilot ({user}, sandbox): " + "; ".join(trail) + ".")


def _new_panel(magics: MetaAuthMagics, profile: str, checked: LoginArgs, settings: Settings) -> LoginPanel:
    from ..auth.oauth import normalize_scopes
    from .panel.controller import LoginPanel

    try:
        start = checked.scopes or normalize_scopes(magics.default_scopes) or ("ads_read",)
    except ValueError as error:
        raise UsageError(redact(f"MetaAuthMagics.default_scopes: {error}")) from None
    shell = magics.ip
    return LoginPanel(
        store=magics.store,
        profile=profile,
        scopes=start,
        namespace=shell.user_ns,
        owner=shell,
        location=checked.location,
        session_name=checked.name,
        app_id=checked.app_id,
        sandbox=KERNEL.running,
        scenario=KERNEL.box.scenario if KERNEL.box is not None else None,
        warn_days=magics.warn_days,
        # The sandbox's app takes any localhost port: a free one, unless --port says which.
        redirect_port=checked.port or (0 if KERNEL.running else magics.redirect_port),
        redirect_timeout=magics.redirect_timeout,
        config_id=checked.config_id,
        redirect_uri=checked.redirect_uri,
        settings=settings,
    )


def _inject(magics: MetaAuthMagics, stored: StoredProfile, report: HealthReport, name: str, settings: Settings) -> None:
    from ..auth.app_choice import app_for
    from .session import inject

    shell = magics.ip
    # The same app, and so the same secret, as mab.session() would use for this profile.
    secret = app_for(settings, token_app=report.info.app_id, stored=stored).secret
    inject(
        shell.user_ns,
        name,
        stored.token,
        profile=stored.name,
        info=report.info,
        app_secret=secret,
        owner=shell,
        sandbox=KERNEL.running,
        checked_at=report.checked_at,
        settings=settings,
    )
