"""Where a message is read, and the commands its hints name there: :class:`Place`.

Base layer, stdlib only, no other module of the package. A hint must name a
command that works where it is read:

* in a notebook, the magics (``%meta_login``...); in the kernel's sandbox
  (started by ``%meta_login --sandbox``) ``%meta_login`` needs ``--sandbox``;
* in a terminal, ``meta-auth`` (``meta-auth login``...);
* where either may read it (library code: ``mab.session()`` in a script or a
  cell), both, said as such: ``X in a notebook, Y in a terminal``; in the
  kernel's sandbox only the notebook's, since a terminal cannot reach its
  tokens.

The place is decided where a user's call enters the package (a magic, a
``meta-auth`` command, a public function) and passed down with the
settings (:attr:`~meta_auth_nb._base.settings.Settings.place`); nothing here
looks at the environment. The profile is named (``--profile P``) only when it
is not the place's default one. Commands come back in backticks, the way
every message quotes them (the notebook shows them as code).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["ANYWHERE", "NOTEBOOK", "SURFACES", "TERMINAL", "Place", "quoted"]

NOTEBOOK, TERMINAL, ANYWHERE = "notebook", "terminal", "anywhere"
SURFACES = (NOTEBOOK, TERMINAL, ANYWHERE)


def quoted(command: str) -> str:
    """A command as messages quote it: in backticks."""
    return f"`{command}`"


@dataclass(frozen=True)
class Place:
    """Where a message is read, which decides the commands it names.

    Attributes
    ----------
    surface : {"notebook", "terminal", "anywhere"}
        A notebook (the magics), a terminal (``meta-auth``), or library code
        that may run in either (both are named).
    sandbox : bool
        The kernel's sandbox runs: ``%meta_login`` needs ``--sandbox``, and no
        terminal command reaches its tokens.
    default_profile : str
        The profile a command uses when none is named (not named in hints).
    """

    surface: str = ANYWHERE
    sandbox: bool = False
    default_profile: str = "default"

    def __post_init__(self) -> None:
        if self.surface not in SURFACES:
            raise ValueError(f"surface must be one of {', '.join(SURFACES)}, not {self.surface!r}")

    # --- the pieces ------------------------------------------------------------------------
    @property
    def runner(self) -> str:
        """What runs the login here, in words: ``the kernel``, ``this command``, ``this program``."""
        return {NOTEBOOK: "the kernel", TERMINAL: "this command"}.get(self.surface, "this program")

    def profile_option(self, profile: str | None) -> str:
        """``--profile P``, or nothing for no profile or the default one."""
        if not profile or profile == self.default_profile:
            return ""
        return f"--profile {profile}"

    def magic(self, name: str, profile: str | None = None, *options: str) -> str:
        """``%meta_<name>`` quoted (``--sandbox`` for ``login`` in the sandbox)."""
        parts = [f"%meta_{name}"]
        if name == "login" and self.sandbox:
            parts.append("--sandbox")
        parts += [self.profile_option(profile), *options]
        return quoted(" ".join(part for part in parts if part))

    def command(self, name: str, profile: str | None = None, *options: str) -> str:
        """``meta-auth <name>`` quoted."""
        parts = ["meta-auth", name, self.profile_option(profile), *options]
        return quoted(" ".join(part for part in parts if part))

    def either(self, in_notebook: str | None, in_terminal: str | None) -> str:
        """The command that works here; both, labelled, where either may read it.

        ``None`` means there is no such command on that side. A notebook runs
        a terminal-only command as a shell line (``!meta-auth ...``).
        """
        if self.surface == NOTEBOOK:
            return in_notebook or (f"`!{in_terminal.strip('`')}`" if in_terminal else "")
        if self.surface == TERMINAL:
            return in_terminal or (f"{in_notebook} in the notebook" if in_notebook else "")
        if in_notebook and in_terminal:
            return f"{in_notebook} in a notebook, {in_terminal} in a terminal"
        return in_notebook or in_terminal or ""

    def _token_command(self, name: str, profile: str | None, *options: str) -> str | None:
        """A ``meta-auth`` command about a profile's token; None in the kernel's sandbox, which no terminal reaches."""
        return None if self.sandbox else self.command(name, profile, *options)

    # --- the actions hints name -------------------------------------------------------------
    def login(
        self,
        profile: str | None = None,
        *,
        scopes: Sequence[str] = (),
        rerequest: bool = False,
        config_id: str | None = None,
        port: int | None = None,
        redirect_uri: str | None = None,
    ) -> str:
        """Get a new token for ``profile``: asking for ``scopes`` (again for declined ones), or with a
        configuration; with Facebook Login on localhost ``port``, or landing on a registered ``redirect_uri``."""
        magic: list[str] = []
        command: list[str] = []
        for option, value in (("--port", port), ("--redirect-uri", redirect_uri)):
            if value is not None:
                magic += [option, str(value)]
                command += [*([] if command else ["--oauth"]), option, str(value)]
        oauth = [] if "--oauth" in command else ["--oauth"]
        if config_id:
            magic += ["--config-id", config_id]
            command += [*oauth, "--config-id", config_id]
        elif scopes:
            wanted = ",".join(scopes)
            magic += ["--scopes", wanted]
            command += [*oauth, "--scopes", wanted]
            if rerequest:
                command += ["--auth-type", "rerequest"]
        return self.either(self.magic("login", profile, *magic), self._token_command("login", profile, *command))

    def check(self, profile: str | None = None) -> str:
        """Check ``profile`` against Graph (``%meta_login`` checks it on every start)."""
        return self.either(self.magic("login", profile), self._token_command("check", profile))

    def extend(self, profile: str | None = None) -> str:
        """Extend (or refresh) ``profile``'s token (``%meta_login`` opens its panel at the Extend step)."""
        return self.either(self.magic("login", profile), self._token_command("extend", profile))

    def save_app_secret(self, profile: str | None = None) -> str:
        """Store the app secret with ``profile`` (the panel's Save step has a box for it)."""
        return self.either(self.magic("login", profile), self._token_command("login", profile, "--save-app-secret"))

    def logout(self, profile: str | None = None, *, revoke: bool = False) -> str:
        """Forget ``profile`` (and revoke its token at Meta first)."""
        extra = ("--revoke",) if revoke else ()
        return self.either(self.magic("logout", profile, *extra), self._token_command("logout", profile, *extra))

    def list_profiles(self) -> str:
        """List the saved profiles."""
        return self.either(self.magic("tokens"), self._token_command("profiles", None))
