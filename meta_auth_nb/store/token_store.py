"""Named token profiles: :class:`TokenStore`, over the keyring, Colab secrets, the environment and memory.

Store layer (``keyring``, ``platformdirs``, ``filelock``): no network call; callers validate tokens. Where each
thing is kept, and the order :meth:`TokenStore.load` looks, is told in :mod:`meta_auth_nb.store`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from .._base.commands import Place
from .._base.errors import KeyringFailure, ProfileNotFound, StoreError
from .._base.redact import get_logger, mask, remember_secret
from .._base.settings import ENV_ALLOW_FILE_KEYRING, ENV_CONFIG_DIR, ENV_STORE, env_flag, env_value, store_in_memory
from .._base.timefmt import to_iso, utcnow
from .._base.tokens import AccessToken, TokenInfo, as_token
from .colab import ColabSecrets, userdata_module
from .env_source import forget_pseudo_facts, load_pseudo_profile, remember_pseudo_facts, serves_default
from .index import INDEX_NAME, ProfileIndex
from .keyring_source import SERVICE, KeyringAdapter, token_key
from .memory import MemoryEntry, vault
from .messages import MEMORY_GONE_PROBLEM, keyring_unusable_problem, memory_notice, not_found_message, store_place
from .profile import (
    StoredProfile,
    clean_app_id,
    default_profile_name,
    profile_from_record,
    record_of,
    validate_profile,
)

__all__ = ["TokenStore"]

log = get_logger("meta_auth_nb.store")


class TokenStore:
    """Named token profiles: OS keyring, Colab secrets, environment, memory.

    Parameters
    ----------
    config_dir : str or Path, optional
        Folder of the non-secret index ``profiles.json``. Default:
        ``META_AUTH_CONFIG_DIR``, else ``platformdirs.user_config_dir("meta_auth_nb")``.
    keyring_backend : keyring.backend.KeyringBackend, optional
        Default: ``keyring.get_keyring()`` (``PYTHON_KEYRING_BACKEND``, keyringrc); the global one is never changed.
    environ : mapping, optional
        Where ``META_ACCESS_TOKEN`` & co. are read; default ``os.environ``.
    colab_userdata : ColabSecrets, optional
        Colab's ``google.colab.userdata``; default :func:`~meta_auth_nb.store.colab.userdata_module`.
    place : Place, optional
        Where its messages are read, so the commands they name (default: either).

    Notes
    -----
    Without a usable keyring it keeps tokens in memory and says so once (:attr:`notice`); Colab and
    environment profiles are read-only (see :mod:`meta_auth_nb.store`).
    """

    def __init__(
        self,
        *,
        config_dir: str | Path | None = None,
        keyring_backend: Any = None,
        environ: Mapping[str, str] | None = None,
        colab_userdata: ColabSecrets | None = None,
        place: Place | None = None,
    ) -> None:
        self._memory_only = store_in_memory(environ)
        if config_dir is None:
            config_dir = env_value(ENV_CONFIG_DIR, environ)
        if config_dir is None:
            import platformdirs

            config_dir = platformdirs.user_config_dir("meta_auth_nb", appauthor=False)
        self._dir = Path(config_dir).expanduser()
        self._folder_key = os.path.abspath(self._dir)
        self._index = ProfileIndex(self._dir)
        self._keyring_backend = keyring_backend
        self._keyring_adapter: KeyringAdapter | None = None
        self._environ = environ
        if colab_userdata is None:
            colab_userdata = userdata_module()
        self._colab = colab_userdata
        self._place = place

    def __repr__(self) -> str:  # no keyring probe: a repr must not do I/O (IPython calls it freely)
        checked = self._keyring_adapter.checked if self._keyring_adapter is not None else None
        state = {None: "not checked yet", True: "keyring", False: "memory"}[checked]
        return f"TokenStore(config_dir={str(self._dir)!r}, backend={state!r})"

    @property
    def _keyring(self) -> KeyringAdapter:
        # Made on first use: choosing a keyring backend can take a moment.
        if self._keyring_adapter is None:
            allow = env_flag(ENV_ALLOW_FILE_KEYRING, self._environ)
            off = f"{ENV_STORE}=memory keeps tokens in memory only" if self._memory_only else None
            self._keyring_adapter = KeyringAdapter(self._keyring_backend, allow_insecure=allow, off=off)
        return self._keyring_adapter

    @property
    def place(self) -> Place:
        """Where the store's messages are read (see the ``place`` parameter); a front end may set it."""
        self._place = self._place or store_place(self._environ, self.default_profile)
        return self._place

    @place.setter
    def place(self, value: Place) -> None:
        self._place = value

    @property
    def config_dir(self) -> Path:
        """The folder of the non-secret index."""
        return self._dir

    @property
    def index_path(self) -> Path:
        """The index file, ``<config_dir>/profiles.json``."""
        return self._dir / INDEX_NAME

    @property
    def backend_name(self) -> str:
        """Where :meth:`save` puts secrets: ``"keyring"`` or ``"memory"``."""
        return "keyring" if self._keyring.usable else "memory"

    @property
    def persistent(self) -> bool:
        """True when saved tokens outlive the kernel (the OS keyring works)."""
        return self._keyring.usable

    @property
    def keyring_label(self) -> str:
        """The keyring backend's class, e.g. ``keyring.backends.SecretService.Keyring``."""
        return self._keyring.label

    @property
    def in_colab(self) -> bool:
        """True when Colab's Secrets panel is reachable."""
        return self._colab is not None

    @property
    def notice(self) -> str | None:
        """The plain-words message when tokens are kept in memory for want of a keyring, else None."""
        if self._memory_only or self._keyring.usable:
            return None
        return memory_notice(in_colab=self._colab is not None, why=self._keyring.unusable_reason)

    def claim_notice(self) -> str | None:
        """:attr:`notice` the first time in this process, for a caller that shows it (then it is not logged)."""
        text = self.notice
        return text if text and vault.first_time(text) else None

    @property
    def default_profile(self) -> str:
        """``META_AUTH_PROFILE`` if set, else ``"default"``."""
        return default_profile_name(self._environ)

    # --- internals -----------------------------------------------------------------
    def _announce(self) -> None:
        if text := self.claim_notice():
            log.warning("%s", text)

    def _keyring_token(self, name: str) -> str | None:
        """The keyring's token of ``name``; None when absent, or when the keyring fails (it is not used again)."""
        try:
            return self._keyring.get(token_key(name))
        except KeyringFailure as failure:
            self._keyring.broke(failure)
            return None

    def _resolve(self, profile: str | None) -> str:
        return self.default_profile if profile is None else validate_profile(profile)

    def _write_index(self, change: Any, *, what: str) -> Any:
        try:
            return self._index.update(change)
        except StoreError as exc:
            # The secret is stored and loadable; only cached facts are lost.
            if vault.first_time(f"index:{exc}"):
                log.warning("Could not %s in the profile index: %s", what, exc)
            return None

    # --- public API ------------------------------------------------------------------
    def save(
        self,
        profile: str | None,
        token: AccessToken | str,
        *,
        app_id: str | int | None = None,
        app_secret: str | None = None,
        info: TokenInfo | None = None,
        required_scopes: Iterable[str] | str = (),
        checked_at: datetime | None = None,
        keep_app_secret: bool = True,
        config_id: str | None = None,
        redirect_uri: str | None = None,
    ) -> StoredProfile:
        """Save a token under a profile (replacing what the profile held).

        Parameters
        ----------
        profile : str or None
            Profile name (1-64 letters, digits, ``-``, ``_``, ``.``); None
            means :attr:`default_profile`.
        token : AccessToken or str
            The token; its ``expires_at``/``issued_at``/``source`` are kept.
        app_id : str or int, optional
            The token's app; defaults to ``info.app_id`` when ``info`` is given.
        app_secret : str, optional
            Stored only when passed (the user asked to keep it).
        info : TokenInfo, optional
            Facts from an inspection made just now, cached for display.
        required_scopes : iterable of str or comma-separated str
            Scopes the user's work needs.
        checked_at : datetime, optional
            When ``info`` was obtained; default now (when ``info`` is given).
        keep_app_secret : bool
            Without ``app_secret``: keep one stored before for the *same* app (never another app's).
        config_id, redirect_uri : str, optional
            How the profile logs in (configuration, registered redirect), for the next login.

        Returns
        -------
        StoredProfile
            ``backend`` says where it went: ``"keyring"`` or ``"memory"``.
        """
        name = self._resolve(profile)
        token = as_token(token)
        app_id = clean_app_id(app_id) or (info.app_id if info is not None else None)
        app_secret = (app_secret or "").strip() or None
        if app_secret:
            remember_secret(app_secret)
        now = utcnow()
        checked = (checked_at or now) if info is not None else None
        may_keep = app_secret is None and keep_app_secret and app_id is not None

        with self._index.writing():  # the keyring entry and its record, as one save
            backend, secret = "memory", app_secret
            if self._keyring.usable:
                previous = self._index.read().get(name) or {}
                keep = may_keep and previous.get("backend") == "keyring" and previous.get("app_id") == app_id
                try:
                    secret = self._keyring.save_entries(
                        name, token.get_secret_value(), app_secret, keep=keep and bool(previous.get("has_app_secret"))
                    )
                    backend = "keyring"
                except KeyringFailure as failure:
                    self._keyring.broke(failure)
                    secret = app_secret
            if backend == "keyring":
                vault.pop(self._folder_key, name)  # a stale in-memory copy would shadow the keyring
            else:
                old = vault.get(self._folder_key, name)
                if secret is None and may_keep and old is not None and old.record.get("app_id") == app_id:
                    secret = old.app_secret

            record = record_of(
                token, backend=backend, app_id=app_id, has_app_secret=bool(secret), info=info, checked_at=checked,
                saved_at=now, required_scopes=required_scopes, config_id=config_id, redirect_uri=redirect_uri,
            )  # fmt: skip
            if backend == "memory":
                vault.put(self._folder_key, name, MemoryEntry(token=token, app_secret=secret, record=dict(record)))
                self._announce()
            self._write_index(lambda profiles: profiles.__setitem__(name, record), what=f"record profile {name!r}")
        log.info("Saved profile %r (%s) to %s.", name, token.masked, backend)
        return profile_from_record(name, token, app_secret=secret, record=record, backend=backend)

    def load(self, profile: str | None = None) -> StoredProfile:
        """Load a profile: memory (this kernel's saves), keyring, then Colab secret / environment.

        Parameters
        ----------
        profile : str, optional
            Profile name; None means :attr:`default_profile`. Colab secrets
            and ``META_ACCESS_TOKEN`` serve the default profile only, so a
            named profile never silently gets another account's token.

        Raises
        ------
        ProfileNotFound
            With what to do to get a token.
        """
        name = self._resolve(profile)
        entry = vault.get(self._folder_key, name)
        if entry is not None:
            return profile_from_record(
                name, entry.token, app_secret=entry.app_secret, record=entry.record, backend="memory"
            )

        problems: list[str] = []
        record = self._index.read().get(name)
        if self._keyring.usable:
            try:
                value = self._keyring.get(token_key(name))
                if value is not None:
                    # Cached facts are used only if they describe this very token.
                    if not (record and record.get("backend") == "keyring" and record.get("token") == mask(value)):
                        record = None
                    secret = self._keyring.read_secret(name) if record is None or record.get("has_app_secret") else None
                    try:
                        return profile_from_record(name, value, app_secret=secret, record=record, backend="keyring")
                    except (TypeError, ValueError) as exc:
                        problems.append(f"Its keyring entry does not hold a usable token ({exc}); save it again.")
            except KeyringFailure as failure:
                self._keyring.broke(failure)
                problems.append(f"The system keyring could not be read ({failure.reason}).")
        elif record and record.get("backend") == "keyring":
            problems.append(keyring_unusable_problem(self._keyring.unusable_reason))
        if record and record.get("backend") == "memory":
            problems.append(MEMORY_GONE_PROBLEM)

        if name == self.default_profile:
            found = load_pseudo_profile(
                name, self._folder_key, colab=self._colab, environ=self._environ, problems=problems
            )
            if found is not None:
                return found
        raise ProfileNotFound(self._not_found_message(name, problems), profile=name)

    def _not_found_message(self, name: str, problems: list[str]) -> str:
        return not_found_message(
            name, problems, default_profile=self.default_profile, in_colab=self._colab is not None, place=self.place
        )

    def update_info(self, profile: str | None, info: TokenInfo, checked_at: datetime | None = None) -> None:
        """Cache the facts of a fresh inspection; secrets are not rewritten.

        Parameters
        ----------
        profile : str or None
            Profile name; None means :attr:`default_profile`.
        info : TokenInfo
            What ``debug_token`` said.
        checked_at : datetime, optional
            When; default now.

        Raises
        ------
        ProfileNotFound
            If nothing is stored or served under that name.
        """
        name = self._resolve(profile)
        when = to_iso(checked_at or utcnow())
        facts = info.to_dict()
        entry = vault.get(self._folder_key, name)
        if entry is not None:
            entry.record.update(info=facts, checked_at=when)

        def change(profiles: dict[str, dict[str, Any]]) -> bool:
            record = profiles.get(name)
            if record is None:
                return False
            if entry is not None and record.get("token") != entry.token.masked:
                return True  # another kernel's profile of the same name: leave its facts alone
            record.update(info=facts, checked_at=when)
            return True

        if entry is not None:
            self._write_index(change, what=f"cache facts of {name!r}")
            return
        if name in self._index.read():
            self._write_index(change, what=f"cache facts of {name!r}")
            return
        if remember_pseudo_facts(self._folder_key, name, facts, when):
            return
        # The index may have been lost while the keyring still holds the token.
        if self._keyring.usable:
            value = self._keyring_token(name)
            if value is not None:
                found = record_of(
                    AccessToken(value), backend="keyring", app_id=info.app_id, has_app_secret=False, info=info,
                    checked_at=checked_at or utcnow(), saved_at=None,
                )  # fmt: skip
                self._write_index(lambda profiles: profiles.setdefault(name, found), what=f"cache facts of {name!r}")
                return
        raise ProfileNotFound(self._not_found_message(name, []), profile=name)

    def delete(self, profile: str | None) -> bool:
        """Delete a profile's secrets and its index entry.

        Colab secrets and ``META_ACCESS_TOKEN`` are read-only and stay (unset
        them where they are set); their cached facts are forgotten.

        Returns
        -------
        bool
            True if something was deleted.

        Raises
        ------
        StoreError
            If the profile is in a keyring that cannot be reached here, or the
            keyring refuses to delete (nothing is changed then).
        """
        name = self._resolve(profile)
        removed = False
        with self._index.writing():
            record = self._index.read().get(name)
            if self._keyring.usable:
                try:
                    removed |= self._keyring.delete_entries(name)
                except KeyringFailure as failure:
                    raise StoreError(
                        f"Could not delete profile {name!r}: {failure.reason}. Nothing else was changed; "
                        "unlock the keyring and try again."
                    ) from None
            elif record and record.get("backend") == "keyring":
                raise StoreError(
                    f"Profile {name!r} is in the system keyring, which cannot be used here "
                    f"({self._keyring.unusable_reason}); it was not deleted. Delete it where the keyring works, "
                    f"or with `keyring del {SERVICE} {name}:token`."
                )
            removed |= vault.pop(self._folder_key, name) is not None
            forget_pseudo_facts(self._folder_key, name)
            if record is not None:
                try:
                    removed |= bool(self._index.update(lambda profiles: profiles.pop(name, None) is not None))
                except StoreError as exc:
                    raise StoreError(
                        f"The secrets of profile {name!r} were deleted, but its index entry was not: {exc}"
                    ) from None
        log.info("Deleted profile %r: %s.", name, "done" if removed else "nothing was stored")
        return removed

    def profiles(self) -> list[str]:
        """Names :meth:`load` can serve here, sorted.

        The index's keyring profiles (when the keyring works), this kernel's memory ones, and the default
        one when ``META_ACCESS_TOKEN`` is set; not Colab's (reading one can open Colab's access prompt).
        """
        names = set(vault.names(self._folder_key))
        if self._keyring.usable:
            names.update(n for n, r in self._index.read().items() if r.get("backend") == "keyring")
        if serves_default(self._environ):
            names.add(self.default_profile)
        return sorted(names)

    def exists(self, profile: str | None) -> bool:
        """True when :meth:`load` would find the profile (Colab secrets aside, see :meth:`profiles`)."""
        name = self._resolve(profile)
        if vault.get(self._folder_key, name) is not None:
            return True
        if self._keyring.usable and self._keyring_token(name) is not None:
            return True
        return name == self.default_profile and bool(serves_default(self._environ))
