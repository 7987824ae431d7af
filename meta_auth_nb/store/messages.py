"""What the store says in words: the memory-only notice, and how to get a token when none is found.

Store layer, stdlib only. Every sentence names something the user can do
where they are (a notebook, a terminal, Colab).
"""

from __future__ import annotations

from collections.abc import Mapping

from .._base.commands import Place
from .._base.settings import ENV_ACCESS_TOKEN, ENV_KERNEL_SANDBOX, env_flag
from .env_source import COLAB_TOKEN_SECRET

__all__ = [
    "MEMORY_GONE_PROBLEM",
    "keyring_unusable_problem",
    "memory_notice",
    "not_found_message",
    "store_place",
    "untrusted_index_message",
    "untrusted_index_set_aside_message",
]


def store_place(environ: Mapping[str, str] | None, default_profile: str) -> Place:
    """Where a store's messages are read when its caller does not say: either a notebook or a terminal
    (the kernel's sandbox, when ``environ`` says it runs: only its notebook commands reach its tokens)."""
    return Place(sandbox=env_flag(ENV_KERNEL_SANDBOX, environ), default_profile=default_profile)


def memory_notice(*, in_colab: bool, why: str | None) -> str:
    """Why tokens are kept in this kernel's memory only, and how to keep them longer."""
    if in_colab:
        return (
            "Colab has no system keyring, so a token saved here is kept in this "
            "runtime's memory only and is gone when the runtime restarts. To keep it: open the "
            "Secrets panel (the key icon in Colab's left sidebar), add a secret named "
            f"{COLAB_TOKEN_SECRET} with the token as its value, and turn on Notebook access; it is "
            "read from there next time (add META_APP_ID and META_APP_SECRET the same way if you use them)."
        )
    return (
        "Tokens saved here are kept in this kernel's memory only and are gone when it restarts: no system keyring "
        f"(your computer's password store) can be used here ({why or 'no keyring backend is usable'}). To keep "
        "them: install and unlock one (on Linux, gnome-keyring or KWallet; others are listed at "
        f"https://pypi.org/project/keyring/), or, for scheduled jobs, set {ENV_ACCESS_TOKEN} in the environment."
    )


def not_found_message(name: str, problems: list[str], *, default_profile: str, in_colab: bool, place: Place) -> str:
    """No token under ``name``: what was tried and went wrong, and how to get one (commands that work at ``place``)."""
    lines = [f"No token is stored for profile {name!r}.", *problems]
    if place.sandbox:
        lines.append(
            f"This is the kernel's sandbox, whose tokens live in this kernel only: get one with {place.login(name)}."
        )
        return " ".join(lines)
    how = f"Get one with {place.login(name)}"
    if name == default_profile:
        how += f", or set {ENV_ACCESS_TOKEN} in the environment"
        if in_colab:
            how += f" (on Colab: add a secret named {COLAB_TOKEN_SECRET} in the Secrets panel)"
    else:
        how += f" (the {ENV_ACCESS_TOKEN} environment variable only serves the default profile, {default_profile!r})"
    lines.append(how + ".")
    return " ".join(lines)


#: Why a profile saved to memory by an earlier kernel cannot be loaded.
MEMORY_GONE_PROBLEM = (
    "It was saved by an earlier kernel that had no keyring, so it was kept in that kernel's memory only and is gone."
)


def keyring_unusable_problem(reason: str | None) -> str:
    """Why a profile saved in the keyring cannot be loaded here."""
    return f"It was saved in the system keyring, which cannot be used here ({reason})."


def untrusted_index_message(index: str, reason: str, fix: str) -> str:
    """Why the profile index was not believed (someone else could have written it), and how to make it yours again.

    Parameters
    ----------
    index : str
        The index file's path.
    reason : str
        What lets someone else write it: "other users can write in its folder (mode 777)".
    fix : str
        What to do, a sentence of its own: "Run `chmod 700 ...`, then ...".
    """
    return (
        f"The profile index {index} was not used: {reason}, so someone else could have written it, and the app, "
        f"redirect address and login configuration it names could be theirs. {fix} Until then profiles load without "
        "their saved details; tokens in the system keyring are not affected."
    )


def untrusted_index_set_aside_message(index: str, reason: str, aside: str) -> str:
    """The profile index was set aside before a save (someone else could have written it)."""
    return (
        f"The profile index {index} was set aside as {aside}: {reason}, so someone else could have written it. "
        "A new index was started with this save; tokens in the system keyring are not affected. Look through the "
        "set-aside file for app ids and addresses you do not know."
    )
