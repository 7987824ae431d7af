"""Where does the kernel (or terminal) run? Decides how the login redirect gets back.

Auth layer, stdlib only (plus :func:`meta_auth_nb.store.colab.in_colab`).
The notebook panel and ``meta-auth login`` both ask it (see
:mod:`meta_auth_nb.auth.redirects` for what each answer leads to). The
redirect catcher listens on the machine's loopback, which the browser can
reach only when kernel and browser share a machine. Everywhere else (Colab,
Binder, JupyterHub, VS Code remote, SSH, cloud notebooks) the user pastes the
redirected URL back instead. Shared hosts are among them: on JupyterHub (a
spawner that shares one network, such as LocalSpawner or SystemdSpawner) or
any machine reached over SSH, the loopback port is shared by every user, and
the browser is on the user's own machine anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .._base.settings import CATCH, ENV_REDIRECT, PASTE, Settings, env_value

__all__ = ["REMOTE_MARKERS", "KernelLocation", "detect", "redirect_location"]


# (environment variable, where that means the kernel runs). Any non-empty
# value counts; the first match names the place.
REMOTE_MARKERS: tuple[tuple[str, str], ...] = (
    ("BINDER_SERVICE_HOST", "Binder"),
    ("BINDER_LAUNCH_HOST", "Binder"),
    ("BINDER_REQUEST", "Binder"),
    ("JUPYTERHUB_API_URL", "JupyterHub"),
    ("JUPYTERHUB_USER", "JupyterHub"),
    ("CODESPACES", "GitHub Codespaces"),
    ("REMOTE_CONTAINERS", "a VS Code dev container"),
    ("VSCODE_REMOTE_CONTAINERS_SESSION", "a VS Code dev container"),
    ("VSCODE_AGENT_FOLDER", "a VS Code remote server"),
    ("GITPOD_WORKSPACE_ID", "Gitpod"),
    ("KAGGLE_KERNEL_RUN_TYPE", "Kaggle"),
    ("DATABRICKS_RUNTIME_VERSION", "Databricks"),
    ("SAGEMAKER_INTERNAL_IMAGE_URI", "SageMaker"),
    ("SSH_CONNECTION", "an SSH session"),
    ("SSH_CLIENT", "an SSH session"),
    ("SSH_TTY", "an SSH session"),
)


@dataclass(frozen=True)
class KernelLocation:
    """Where the kernel runs, as far as the redirect is concerned.

    Attributes
    ----------
    remote : bool
        True when a browser on the user's machine cannot reach the kernel's
        127.0.0.1 (so the redirected URL must be pasted).
    reason : str
        Why, in words (``"Google Colab"``, ``"--remote"``, ``"this machine"``).
    """

    remote: bool
    reason: str

    @property
    def redirect_mode(self) -> str:
        """``"paste"`` for a remote kernel, ``"catch"`` for a local one."""
        return PASTE if self.remote else CATCH


def detect(environ: Mapping[str, str] | None = None, *, colab: Callable[[], bool] | None = None) -> KernelLocation:
    """Guess where the kernel runs from its environment.

    Parameters
    ----------
    environ : mapping, optional
        Default ``os.environ``.
    colab : callable, optional
        Returns True inside Colab; default :func:`meta_auth_nb.store.colab.in_colab`.
    """
    if colab is None:
        from ..store.colab import in_colab

        colab = in_colab
    if colab():
        return KernelLocation(True, "Google Colab")
    for name, place in REMOTE_MARKERS:
        if env_value(name, environ):
            return KernelLocation(True, f"{place} ({name} is set)")
    return KernelLocation(False, "this machine")


def redirect_location(
    override: str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    colab: Callable[[], bool] | None = None,
    flag: str | None = None,
    settings: Settings | None = None,
) -> KernelLocation:
    """The location to act on: a flag, then ``META_AUTH_REDIRECT``, then :func:`detect`.

    Parameters
    ----------
    override : {"remote", "local"}, optional
        From a flag (``--remote``/``--local`` of the magic, ``--paste`` of ``meta-auth login``).
    flag : str, optional
        The flag as the person typed it, for the reason (default ``--remote``/``--local``).
    settings : Settings, optional
        Where ``META_AUTH_REDIRECT`` is read; default the settings of ``environ``.

    Raises
    ------
    ConfigError
        ``META_AUTH_REDIRECT`` holds something other than ``catch`` or ``paste``
        (also a ValueError).
    """
    if override in ("remote", "local"):
        return KernelLocation(override == "remote", f"{flag or '--' + override} was given")
    wanted = (settings or Settings.from_env(environ)).redirect_mode
    if wanted == PASTE:
        return KernelLocation(True, f"{ENV_REDIRECT}=paste")
    if wanted == CATCH:
        return KernelLocation(False, f"{ENV_REDIRECT}=catch")
    return detect(environ, colab=colab)
