"""``%meta_login``'s arguments, checked: what the magic acts on, or one-line UsageErrors.

UI layer. Nothing here starts anything: the magic does, with the values
returned by :func:`read_login_args`.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Any

from IPython.core.error import UsageError

from .._base.redact import redact
from .._base.settings import Settings, check_app_id, check_config_id, check_registered_redirect
from ..auth.location import KernelLocation, redirect_location
from ..auth.oauth import normalize_scopes
from .kernel_sandbox import KEEP
from .panel.autopilot import ENV_AUTOPILOT, autopilot_user

__all__ = ["LoginArgs", "read_login_args", "sandbox_scenario", "stay_or_leave"]


@dataclass(frozen=True)
class LoginArgs:
    """What ``%meta_login`` was asked, checked.

    Attributes
    ----------
    name : str
        The session's variable name.
    scopes : tuple of str
        Permissions given with ``--scopes`` (empty: the default).
    app_id, config_id, redirect_uri : str or None
        ``--app-id``, ``--config-id``, ``--redirect-uri`` when given.
    location : KernelLocation
        Where the redirect is taken (``--remote``/``--local``, the environment, detection).
    scenario : object
        The kernel sandbox's scenario (:data:`KEEP` when not given).
    autopilot : str or None
        The sandbox user the autopilot logs in as.
    leave_sandbox : bool
        ``--no-sandbox``: stop the kernel's sandbox first and log in to Meta.
    port : int or None
        ``--port``: the localhost redirect's port.
    """

    name: str
    scopes: tuple[str, ...]
    app_id: str | None
    config_id: str | None
    redirect_uri: str | None
    location: KernelLocation
    scenario: object
    autopilot: str | None
    leave_sandbox: bool = False
    port: int | None = None


def _usage(error: BaseException | str) -> UsageError:
    return UsageError(redact(str(error)))


def read_login_args(
    args: Any, *, session_name: str, sandbox_running: bool, settings: Settings, line: str = ""
) -> LoginArgs:
    """Check the parsed arguments of ``%meta_login``.

    Parameters
    ----------
    line : str
        The arguments as typed, to quote them back in the two ways on when
        the kernel's sandbox runs and neither ``--sandbox`` nor ``--no-sandbox`` was given.

    Raises
    ------
    UsageError
        One line saying what is wrong and what to give instead.
    """
    if args.remote and args.local:
        raise UsageError("--remote and --local contradict each other: give one of them")
    if args.sandbox and args.no_sandbox:
        raise UsageError("--sandbox and --no-sandbox contradict each other: give one of them")
    if sandbox_running and not (args.sandbox or args.no_sandbox):
        raise UsageError(stay_or_leave(line))
    name = args.as_name or session_name
    if not name.isidentifier() or keyword.iskeyword(name):
        raise UsageError(f"--as needs a Python variable name, not {name!r}")
    try:
        scopes = normalize_scopes(args.scopes) if args.scopes else ()
        app_id = check_app_id(args.app_id, setting="--app-id") if (args.app_id or "").strip() else None
        config_id = check_config_id(args.config_id, setting="--config-id") if args.config_id else None
        redirect_uri = (
            check_registered_redirect(args.redirect_uri, setting="--redirect-uri") if args.redirect_uri else None
        )
        location = redirect_location("remote" if args.remote else "local" if args.local else None, settings=settings)
    except ValueError as error:
        raise _usage(error) from None
    if args.scopes and not scopes:
        raise UsageError("--scopes needs at least one permission, e.g. --scopes ads_read")
    port = getattr(args, "port", None)
    if port is not None and not 1 <= port <= 65535:
        raise UsageError("--port is a port number, 1-65535 (e.g. --port 8766 when a program holds 8765)")
    pilot = autopilot_user(args.autopilot)
    if pilot is not None and not args.sandbox:
        # The autopilot answers the sandbox's dialog; against Meta a person must log in.
        source = "--autopilot" if args.autopilot is not None else f"{ENV_AUTOPILOT}={pilot}"
        raise UsageError(
            f"{source} only drives the built-in sandbox's login, and this %meta_login would talk to Meta: "
            "add --sandbox, or turn the autopilot off (--autopilot=off, or unset " + ENV_AUTOPILOT + ")."
        )
    return LoginArgs(
        name=name,
        scopes=scopes,
        app_id=app_id,
        config_id=config_id,
        redirect_uri=redirect_uri,
        location=location,
        scenario=sandbox_scenario(args.scenario, args.sandbox),
        autopilot=pilot,
        leave_sandbox=bool(args.no_sandbox),
        port=port,
    )


def stay_or_leave(line: str) -> str:
    """Why a plain ``%meta_login`` is refused while the kernel's sandbox runs, with both ways on, runnable."""
    rest = " ".join(line.split())
    rest = f" {rest}" if rest else ""
    return (
        "This kernel is in the sandbox (since %meta_login --sandbox), so this login would go to the sandbox, "
        f"not to Meta. Say which: `%meta_login --sandbox{rest}` stays in the sandbox; "
        f"`%meta_login --no-sandbox{rest}` stops the sandbox (its tokens end with it) and logs in to Meta."
    )


def sandbox_scenario(given: str | None, sandbox: bool) -> object:
    """What ``--scenario`` asks of the kernel sandbox (:data:`KEEP` when not given)."""
    if given is None:
        return KEEP
    if not sandbox:
        raise UsageError("--scenario goes with --sandbox: %meta_login --sandbox --scenario expiring-token")
    from ..sandbox import Sandbox

    name = given.strip().lower()
    if name in ("", "none"):
        return None
    if name not in Sandbox.scenarios:
        raise UsageError(f"Unknown sandbox scenario {given!r}; known: {', '.join(sorted(Sandbox.scenarios))}, none.")
    return name
