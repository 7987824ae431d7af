"""The commands hints name, built for where they are read: one place for every message.

Base layer, stdlib only. A hint must name a command that works in the
situation it is read in:

* in the kernel's sandbox (started by ``%meta_login --sandbox``; the kernel
  sandbox sets ``META_AUTH_KERNEL_SANDBOX``), only notebook commands reach
  its tokens, and they need ``--sandbox``; ``meta-auth`` in a terminal does
  not see them;
* elsewhere, ``%meta_login`` in a notebook and ``meta-auth`` in a terminal both work.

The profile is named (``--profile P``) only when it is not the default one
(``META_AUTH_PROFILE``, else ``default``; ``sandbox`` in the kernel's
sandbox). Commands come back in backticks, the way every message quotes
them (the notebook shows them as code).
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import HINT_COMMANDS
from .settings import DEFAULT_PROFILE, ENV_KERNEL_SANDBOX, ENV_PROFILE, env_flag, env_value

__all__ = [
    "either",
    "in_kernel_sandbox",
    "notebook",
    "notebook_login",
    "profile_option",
    "quoted",
    "terminal",
]


def in_kernel_sandbox(environ: Mapping[str, str] | None = None) -> bool:
    """True while the kernel's sandbox runs (in that kernel, and in what it starts)."""
    return env_flag(ENV_KERNEL_SANDBOX, environ)


def _default_profile(environ: Mapping[str, str] | None) -> str:
    return env_value(ENV_PROFILE, environ) or DEFAULT_PROFILE


def profile_option(profile: str | None, environ: Mapping[str, str] | None = None) -> str:
    """``--profile P``, or nothing for no profile or the default one."""
    if not profile or profile == _default_profile(environ):
        return ""
    return f"--profile {profile}"


def quoted(command: str) -> str:
    """A command as messages quote it: in backticks."""
    return f"`{command}`"


def notebook(magic: str, profile: str | None = None, *options: str, environ: Mapping[str, str] | None = None) -> str:
    """A magic for this situation, quoted: ``%meta_<magic>`` (``--sandbox`` for ``login`` in the sandbox).

    Parameters
    ----------
    magic : str
        ``login``, ``logout``, ``scopes``, ``tokens``.
    profile : str, optional
        Named unless it is the default profile.
    *options : str
        More arguments, e.g. ``"--scopes", "ads_read"``.
    """
    parts = [f"%meta_{magic}"]
    if magic == "login" and in_kernel_sandbox(environ):
        parts.append("--sandbox")
    parts += [profile_option(profile, environ), *options]
    return quoted(" ".join(part for part in parts if part))


def notebook_login(profile: str | None = None, *options: str, environ: Mapping[str, str] | None = None) -> str:
    """``%meta_login`` for this situation and profile, quoted."""
    return notebook("login", profile, *options, environ=environ)


def terminal(
    command: str, profile: str | None = None, *options: str, environ: Mapping[str, str] | None = None
) -> str | None:
    """``meta-auth <command>`` for this profile, quoted; None in the kernel's sandbox, which a terminal cannot reach."""
    if in_kernel_sandbox(environ):
        return None
    parts = ["meta-auth", command, profile_option(profile, environ), *options]
    return quoted(" ".join(part for part in parts if part))


def either(in_notebook: str, in_terminal: str | None) -> str:
    """``X in a notebook, Y in a terminal``; just ``X`` where no terminal command works."""
    if in_terminal is None:
        return in_notebook
    return f"{in_notebook} in a notebook, {in_terminal} in a terminal"


# The error hints' "{login}" and "{login_here}" (errors cannot import this module: see HINT_COMMANDS).
HINT_COMMANDS.update(login=notebook_login, login_here=lambda: either(notebook_login(), terminal("login")))
