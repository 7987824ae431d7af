"""Named token profiles kept in the OS keyring: :class:`TokenStore`.

Flows layer: imports the base modules, ``keyring``, ``platformdirs`` and
``filelock``; never httpx, pandas or ipywidgets, and makes no network calls
(validating a token against the Graph API is done by the callers).

Where things live
-----------------
* **Secrets** (the token, and the app secret only when the caller passes
  one) go to the OS keyring, service ``meta_auth_nb``, one entry each:
  username ``<profile>:token`` and ``<profile>:app_secret``. Being plain
  entries, they can be read by other tools too, e.g.
  ``keyring get meta_auth_nb default:token``.
* **Non-secret facts** (masked token, token expiry, app id, whether an app
  secret is stored, the cached ``TokenInfo`` of the last inspection, when it
  was checked/saved, required scopes, backend) go to ``profiles.json`` in the
  user's config folder (``platformdirs.user_config_dir("meta_auth_nb")``),
  mode 0600 in a 0700 folder, written atomically under a file lock. It never
  holds a token or a secret.
* **No usable keyring** (keyring's fail/null backend, or a backend that
  fails: headless Linux, containers, Binder, Colab): secrets are kept in this
  process's memory only (shared by every TokenStore of the kernel), and the
  store says so once (see :attr:`TokenStore.notice`).

Reading order of :meth:`TokenStore.load`
----------------------------------------
1. this kernel's memory store (it only holds profiles saved in this kernel
   that the keyring could not take, so it is always the newest copy);
2. the OS keyring;
3. for the default profile only (``META_AUTH_PROFILE`` or ``default``): the
   Colab secret ``META_ACCESS_TOKEN`` (read-only; ``META_APP_ID`` /
   ``META_APP_SECRET`` secrets too), then ``META_ACCESS_TOKEN`` /
   ``META_APP_ID`` / ``META_APP_SECRET`` from the environment.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping

from .._base.settings import DEFAULT_PROFILE
from .._base.redact import get_logger, mask, remember_secret
from .backends import (
    INDEX_NAME,
    SERVICE,
    InvalidProfileName,
    KeyringAdapter,
    KeyringFailure,
    MemoryEntry,
    ProfileIndex,
    ProfileNotFound,
    StoreError,
    from_iso,
    read_colab_secret,
    to_iso,
    validate_profile,
    vault,
)
from .._base.tokens import AccessToken, TokenInfo, as_token, utcnow

__all__ = [
    "SERVICE",
    "StoreError",
    "ProfileNotFound",
    "InvalidProfileName",
    "StoredProfile",
    "TokenStore",
    "validate_profile",
]

ENV_TOKEN = "META_ACCESS_TOKEN"
ENV_APP_ID = "META_APP_ID"
ENV_APP_SECRET = "META_APP_SECRET"
ENV_PROFILE = "META_AUTH_PROFILE"
#: Colab secret names read for the default profile.
COLAB_TOKEN_SECRET = ENV_TOKEN
BACKENDS = ("keyring", "colab", "env", "memory")

# No ':' in it, so it can never collide with a '<profile>:token' entry.
_PROBE_USER = "meta_auth_nb-probe"

log = get_logger("meta_auth_nb.store")


def _token_key(profile: str) -> str:
    return f"{profile}:token"


def _secret_key(profile: str) -> str:
    return f"{profile}:app_secret"


def _fingerprint(value: str) -> str:
    # Kept in memory only, to tell whether cached facts belong to the env token of now.
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _clean_app_id(app_id: Any) -> str | None:
    if app_id is None:
        return None
    text = str(app_id).strip()
    return text or None


def _clean_scopes(scopes: Iterable[str] | str | None) -> tuple[str, ...]:
    if not scopes:
        return ()
    if isinstance(scopes, str):
        scopes = scopes.split(",")
    # Order kept, duplicates and blanks dropped.
    return tuple(dict.fromkeys(s.strip() for s in map(str, scopes) if s.strip()))


def _info_from(record: Mapping[str, Any] | None) -> TokenInfo | None:
    raw = record.get("info") if record else None
    if not isinstance(raw, Mapping):
        return None
    try:
        return TokenInfo.from_dict(raw)
    except Exception:  # a hand-edited index must not break loading
        return None


@dataclass
class StoredProfile:
    """A profile as loaded from the store.

    Attributes
    ----------
    name : str
        Profile name.
    token : AccessToken
        The token (masked in every repr/str).
    app_id : str or None
        The token's app id, when known.
    app_secret : str or None
        Only when the user chose to store it; never shown in repr/str or
        :meth:`to_public_dict`.
    info : TokenInfo or None
        Facts cached from the last inspection (``debug_token``).
    checked_at : datetime or None
        When ``info`` was obtained.
    backend : str
        Where the token came from: ``"keyring"``, ``"colab"``, ``"env"`` or
        ``"memory"``.
    saved_at : datetime or None
        When the profile was saved (None for colab/env pseudo-profiles).
    required_scopes : tuple of str
        Scopes the user's work needs (checked by the lifecycle code).
    """

    name: str
    token: AccessToken
    app_id: str | None = None
    app_secret: str | None = field(default=None, repr=False)
    info: TokenInfo | None = None
    checked_at: datetime | None = None
    backend: str = "memory"
    saved_at: datetime | None = None
    required_scopes: tuple[str, ...] = ()

    @property
    def has_app_secret(self) -> bool:
        """True when an app secret is stored with the profile."""
        return bool(self.app_secret)

    @property
    def persistent(self) -> bool:
        """True when the token outlives this kernel (anything but memory)."""
        return self.backend != "memory"

    def __repr__(self) -> str:
        info = None
        if self.info is not None:
            info = f"{'valid' if self.info.is_valid else 'invalid'} {self.info.type or 'token'}"
        return (
            f"StoredProfile(name={self.name!r}, token={self.token!r}, app_id={self.app_id!r}, "
            f"app_secret={'<stored>' if self.app_secret else None}, backend={self.backend!r}, "
            f"info={info!r}, checked_at={to_iso(self.checked_at)!r}, saved_at={to_iso(self.saved_at)!r}, "
            f"required_scopes={self.required_scopes!r})"
        )

    __str__ = __repr__

    def to_public_dict(self) -> dict[str, Any]:
        """A JSON-ready dict without secrets (the token masked, no app secret).

        Datetimes are ISO 8601 UTC strings (or None); ``info`` is
        ``TokenInfo.to_dict()`` (unix seconds, 0 for never).
        """
        return {
            "name": self.name,
            "backend": self.backend,
            "token": self.token.masked,
            "token_expires_at": to_iso(self.token.expires_at),
            "app_id": self.app_id,
            "has_app_secret": self.has_app_secret,
            "info": self.info.to_dict() if self.info is not None else None,
            "checked_at": to_iso(self.checked_at),
            "saved_at": to_iso(self.saved_at),
            "required_scopes": list(self.required_scopes),
        }


class TokenStore:
    """Named token profiles: OS keyring, Colab secrets, environment, memory.

    Parameters
    ----------
    config_dir : str or Path, optional
        Folder of the non-secret index ``profiles.json``. Default:
        ``platformdirs.user_config_dir("meta_auth_nb")``.
    keyring_backend : keyring.backend.KeyringBackend, optional
        Default: ``keyring.get_keyring()`` (honours ``PYTHON_KEYRING_BACKEND``
        and keyringrc). The global keyring is never changed.
    environ : mapping, optional
        Where ``META_ACCESS_TOKEN`` & co. are read; default ``os.environ``.
    colab_userdata : module, optional
        Colab's ``google.colab.userdata``; default
        :func:`meta_auth_nb.colab.userdata_module` (None outside Colab).

    Notes
    -----
    When no keyring is usable the store keeps working in memory and says so
    once per process: the text of :attr:`notice` is logged at WARNING on the
    ``meta_auth_nb.store`` logger the first time a token is saved to memory
    (with no logging set up, Python prints it on stderr, which Jupyter shows
    under the cell). UIs can show :attr:`notice` themselves at any time.

    Profiles served by Colab secrets or the environment are read-only:
    :meth:`delete` cannot remove them, and :meth:`save` never writes there.
    """

    def __init__(
        self,
        *,
        config_dir: str | Path | None = None,
        keyring_backend: Any = None,
        environ: Mapping[str, str] | None = None,
        colab_userdata: Any = None,
    ) -> None:
        if config_dir is None:
            import platformdirs

            config_dir = platformdirs.user_config_dir("meta_auth_nb", appauthor=False)
        self._dir = Path(config_dir).expanduser()
        self._folder_key = os.path.abspath(self._dir)
        self._index = ProfileIndex(self._dir)
        self._keyring_backend = keyring_backend
        self._adapter: KeyringAdapter | None = None
        self._keyring_state: bool | None = None
        self._keyring_problem: str | None = None
        self._environ = environ
        if colab_userdata is None:
            from .colab import userdata_module

            colab_userdata = userdata_module()
        self._colab = colab_userdata

    def __repr__(self) -> str:
        # No keyring probe here: a repr must not do I/O (IPython calls it freely).
        state = {None: "not checked yet", True: "keyring", False: "memory"}[self._keyring_state]
        return f"TokenStore(config_dir={str(self._dir)!r}, backend={state!r})"

    # --- state ------------------------------------------------------------------
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
        return "keyring" if self._keyring_ok() else "memory"

    @property
    def persistent(self) -> bool:
        """True when saved tokens outlive the kernel (the OS keyring works)."""
        return self._keyring_ok()

    @property
    def keyring_label(self) -> str:
        """The keyring backend's class, e.g. ``keyring.backends.SecretService.Keyring``."""
        return self._get_adapter().label

    @property
    def in_colab(self) -> bool:
        """True when Colab's Secrets panel is reachable."""
        return self._colab is not None

    @property
    def notice(self) -> str | None:
        """The plain-words message when tokens are kept in memory only, else None."""
        if self._keyring_ok():
            return None
        if self._colab is not None:
            return (
                "meta_auth_nb: Colab has no system keyring, so a token saved here is kept in this "
                "runtime's memory only and is gone when the runtime restarts. To keep it: open the "
                "Secrets panel (the key icon in Colab's left sidebar), add a secret named "
                "META_ACCESS_TOKEN with the token as its value, and turn on Notebook access; it is "
                "read from there next time (add META_APP_ID and META_APP_SECRET the same way if you use them)."
            )
        why = self._keyring_problem or "no keyring backend is usable"
        return (
            "meta_auth_nb: tokens are kept in this kernel's memory only and are gone when it restarts, "
            f"because no system keyring can be used here ({why}). To keep them: install and unlock a "
            "keyring backend (on Linux, gnome-keyring or KWallet; see https://pypi.org/project/keyring/ "
            "for others), or, for scheduled jobs, set META_ACCESS_TOKEN in the environment."
        )

    @property
    def default_profile(self) -> str:
        """``META_AUTH_PROFILE`` if set, else ``"default"``."""
        raw = (self._env().get(ENV_PROFILE) or "").strip()
        if not raw:
            return DEFAULT_PROFILE
        try:
            return validate_profile(raw)
        except InvalidProfileName as exc:
            raise InvalidProfileName(f"{ENV_PROFILE} holds an invalid profile name: {exc}") from None

    # --- internals -----------------------------------------------------------------
    def _env(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ

    def _get_adapter(self) -> KeyringAdapter:
        if self._adapter is None:
            self._adapter = KeyringAdapter(self._keyring_backend)
        return self._adapter

    def _keyring_ok(self) -> bool:
        if self._keyring_state is None:
            adapter = self._get_adapter()
            if adapter.unusable_reason:
                self._keyring_state, self._keyring_problem = False, adapter.unusable_reason
            else:
                # One harmless read tells a locked or unreachable keyring from a working one.
                try:
                    adapter.get(_PROBE_USER)
                    self._keyring_state = True
                except KeyringFailure as failure:
                    self._keyring_state, self._keyring_problem = False, failure.reason
        return bool(self._keyring_state)

    def _keyring_broke(self, failure: KeyringFailure) -> None:
        # A keyring that failed once is not retried in this store: each retry can
        # mean a D-Bus timeout or an unlock prompt.
        self._keyring_state, self._keyring_problem = False, failure.reason
        log.debug("Keyring unusable from now on: %s", failure.reason)

    def _announce(self) -> None:
        text = self.notice
        with vault.lock:
            if not text or text in vault.announced:
                return
            vault.announced.add(text)
        log.warning("%s", text)

    def _resolve(self, profile: str | None) -> str:
        return self.default_profile if profile is None else validate_profile(profile)

    def _write_index(self, change: Any, *, what: str) -> Any:
        try:
            return self._index.update(change)
        except StoreError as exc:
            # The secret is stored and loadable; only cached facts are lost.
            key = f"index:{exc}"
            with vault.lock:
                first = key not in vault.announced
                vault.announced.add(key)
            if first:
                log.warning("Could not %s in the profile index: %s", what, exc)
            return None

    def _make_profile(
        self,
        name: str,
        token: AccessToken | str,
        *,
        app_secret: str | None,
        record: Mapping[str, Any] | None,
        backend: str,
    ) -> StoredProfile:
        record = record or {}
        info = _info_from(record)
        value = token.get_secret_value() if isinstance(token, AccessToken) else token
        expires = token.expires_at if isinstance(token, AccessToken) else from_iso(record.get("token_expires_at"))
        issued = token.issued_at if isinstance(token, AccessToken) else from_iso(record.get("token_issued_at"))
        source = token.source if isinstance(token, AccessToken) else record.get("token_source")
        if expires is None and info is not None and info.is_valid:
            expires = info.expires_at  # debug_token's word is better than nothing
        if app_secret:
            remember_secret(app_secret)
        return StoredProfile(
            name=name,
            token=AccessToken(value, expires_at=expires, issued_at=issued or (info.issued_at if info else None),
                              source=source if isinstance(source, str) else None),
            app_id=_clean_app_id(record.get("app_id")),
            app_secret=app_secret or None,
            info=info,
            checked_at=from_iso(record.get("checked_at")),
            backend=backend,
            saved_at=from_iso(record.get("saved_at")),
            required_scopes=_clean_scopes(record.get("required_scopes")),
        )

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
            When no ``app_secret`` is passed, keep one stored earlier for the
            *same* app id (a re-login should not forget it). An app secret of
            another app is always dropped.

        Returns
        -------
        StoredProfile
            ``backend`` says where it went: ``"keyring"`` or ``"memory"``.
        """
        name = self._resolve(profile)
        token = as_token(token)
        app_id = _clean_app_id(app_id) or (info.app_id if info is not None else None)
        app_secret = (app_secret or "").strip() or None
        if app_secret:
            remember_secret(app_secret)
        now = utcnow()
        checked = (checked_at or now) if info is not None else None
        may_keep = app_secret is None and keep_app_secret and app_id is not None

        backend, secret = "memory", app_secret
        if self._keyring_ok():
            adapter = self._get_adapter()
            previous = self._index.read().get(name) or {}
            keep = (
                may_keep
                and previous.get("backend") == "keyring"
                and previous.get("app_id") == app_id
                and bool(previous.get("has_app_secret"))
            )
            try:
                adapter.set(_token_key(name), token.get_secret_value())
                if app_secret:
                    adapter.set(_secret_key(name), app_secret)
                elif keep:
                    secret = adapter.get(_secret_key(name))
                else:
                    adapter.delete(_secret_key(name))  # an old secret may belong to another app
                backend = "keyring"
            except KeyringFailure as failure:
                self._keyring_broke(failure)
                secret = app_secret
        if backend == "keyring":
            vault.pop(self._folder_key, name)  # a stale in-memory copy would shadow the keyring
        else:
            old = vault.get(self._folder_key, name)
            if secret is None and may_keep and old is not None and old.record.get("app_id") == app_id:
                secret = old.app_secret

        record: dict[str, Any] = {
            "backend": backend,
            "token": token.masked,
            "token_expires_at": to_iso(token.expires_at),
            "token_issued_at": to_iso(token.issued_at),
            "token_source": token.source,
            "app_id": app_id,
            "has_app_secret": bool(secret),
            "info": info.to_dict() if info is not None else None,
            "checked_at": to_iso(checked),
            "saved_at": to_iso(now),
            "required_scopes": list(_clean_scopes(required_scopes)),
        }
        if backend == "memory":
            vault.put(self._folder_key, name, MemoryEntry(token=token, app_secret=secret, record=dict(record)))
            self._announce()
        self._write_index(lambda profiles: profiles.__setitem__(name, record), what=f"record profile {name!r}")
        log.info("Saved profile %r (%s) to %s.", name, token.masked, backend)
        return self._make_profile(name, token, app_secret=secret, record=record, backend=backend)

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
            return self._make_profile(name, entry.token, app_secret=entry.app_secret, record=entry.record, backend="memory")

        problems: list[str] = []
        record = self._index.read().get(name)
        if self._keyring_ok():
            adapter = self._get_adapter()
            try:
                value = adapter.get(_token_key(name))
                secret = None
                if value is not None:
                    # Cached facts are used only if they describe this very token.
                    if not (record and record.get("backend") == "keyring" and record.get("token") == mask(value)):
                        record = None
                    if record is None or record.get("has_app_secret"):
                        try:
                            secret = adapter.get(_secret_key(name))
                        except KeyringFailure as failure:
                            log.warning("Could not read the app secret of profile %r: %s", name, failure.reason)
                    try:
                        return self._make_profile(name, value, app_secret=secret, record=record, backend="keyring")
                    except (TypeError, ValueError) as exc:
                        problems.append(f"Its keyring entry does not hold a usable token ({exc}); save it again.")
            except KeyringFailure as failure:
                self._keyring_broke(failure)
                problems.append(f"The system keyring could not be read ({failure.reason}).")
        elif record and record.get("backend") == "keyring":
            problems.append(
                f"It was saved in the system keyring, which cannot be used here ({self._keyring_problem})."
            )
        if record and record.get("backend") == "memory":
            problems.append(
                "It was saved by an earlier kernel that had no keyring, so it was kept in that kernel's "
                "memory only and is gone."
            )

        if name == self.default_profile:
            found = self._load_pseudo(name, problems)
            if found is not None:
                return found
        raise ProfileNotFound(self._not_found_message(name, problems), profile=name)

    def _load_pseudo(self, name: str, problems: list[str]) -> StoredProfile | None:
        env = self._env()
        candidates: list[tuple[str, str, str | None, str | None]] = []
        if self._colab is not None:
            secret_value, problem = read_colab_secret(self._colab, COLAB_TOKEN_SECRET)
            if problem == "no-access":
                problems.append(
                    f"Colab has a secret named {COLAB_TOKEN_SECRET} but this notebook may not read it: "
                    "open the Secrets panel (key icon) and turn on Notebook access for it."
                )
            elif problem:
                problems.append(f"Colab's Secrets panel could not be read ({problem}).")
            if secret_value:
                app_id = read_colab_secret(self._colab, ENV_APP_ID)[0] or env.get(ENV_APP_ID)
                app_secret = read_colab_secret(self._colab, ENV_APP_SECRET)[0] or env.get(ENV_APP_SECRET)
                candidates.append(("colab", secret_value, app_id, app_secret))
        value = (env.get(ENV_TOKEN) or "").strip()
        if value:
            candidates.append(("env", value, env.get(ENV_APP_ID), env.get(ENV_APP_SECRET)))
        for backend, value, app_id, app_secret in candidates:
            try:
                token = AccessToken(value, source=backend)
            except (TypeError, ValueError) as exc:
                where = "the Colab secret" if backend == "colab" else "the environment variable"
                problems.append(f"{where} {ENV_TOKEN} does not hold a usable token ({exc}).")
                continue
            fp = _fingerprint(token.get_secret_value())
            key = (self._folder_key, name)
            with vault.lock:
                vault.pseudo_served[key] = (backend, fp)
                facts = vault.pseudo_facts.get(key)
            record: dict[str, Any] = {"app_id": app_id}
            if facts and facts.get("fingerprint") == fp:
                record.update(info=facts.get("info"), checked_at=facts.get("checked_at"))
            secret = (app_secret or "").strip() or None
            return self._make_profile(name, token, app_secret=secret, record=record, backend=backend)
        return None

    def _not_found_message(self, name: str, problems: list[str]) -> str:
        flag = "" if name == self.default_profile else f" --profile {name}"
        lines = [f"No token is stored for profile {name!r}."]
        lines.extend(problems)
        how = (
            f"Get one with %meta_login{flag} in a notebook, or `meta-auth login{flag}` in a terminal"
        )
        if name == self.default_profile:
            how += f", or set {ENV_TOKEN} in the environment"
            if self._colab is not None:
                how += f" (on Colab: add a secret named {COLAB_TOKEN_SECRET} in the Secrets panel)"
        else:
            how += f" (the {ENV_TOKEN} environment variable only serves the default profile, {self.default_profile!r})"
        lines.append(how + ".")
        return " ".join(lines)

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
        key = (self._folder_key, name)
        with vault.lock:
            served = vault.pseudo_served.get(key)
            if served is not None:
                vault.pseudo_facts[key] = {"fingerprint": served[1], "info": facts, "checked_at": when}
                return
        # The index may have been lost while the keyring still holds the token.
        if self._keyring_ok():
            try:
                value = self._get_adapter().get(_token_key(name))
            except KeyringFailure as failure:
                self._keyring_broke(failure)
                value = None
            if value is not None:
                record = {"backend": "keyring", "token": mask(value), "app_id": info.app_id,
                          "has_app_secret": False, "info": facts, "checked_at": when, "saved_at": None}

                def add(profiles: dict[str, dict[str, Any]]) -> None:
                    profiles.setdefault(name, record)

                self._write_index(add, what=f"cache facts of {name!r}")
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
        record = self._index.read().get(name)
        if self._keyring_ok():
            adapter = self._get_adapter()
            try:
                removed |= adapter.delete(_token_key(name))
                removed |= adapter.delete(_secret_key(name))
            except KeyringFailure as failure:
                raise StoreError(
                    f"Could not delete profile {name!r}: {failure.reason}. Nothing else was changed; "
                    "unlock the keyring and try again."
                ) from None
        elif record and record.get("backend") == "keyring":
            raise StoreError(
                f"Profile {name!r} is in the system keyring, which cannot be used here "
                f"({self._keyring_problem}); it was not deleted. Delete it where the keyring works, "
                f"or with `keyring del {SERVICE} {name}:token`."
            )
        removed |= vault.pop(self._folder_key, name) is not None
        with vault.lock:
            vault.pseudo_facts.pop((self._folder_key, name), None)
            vault.pseudo_served.pop((self._folder_key, name), None)
        if record is not None:
            try:
                removed |= bool(self._index.update(lambda profiles: profiles.pop(name, None) is not None))
            except StoreError as exc:
                raise StoreError(f"The secrets of profile {name!r} were deleted, but its index entry was not: {exc}") from None
        log.info("Deleted profile %r: %s.", name, "done" if removed else "nothing was stored")
        return removed

    def profiles(self) -> list[str]:
        """Names :meth:`load` can serve here, sorted.

        Includes the keyring profiles of the index (when the keyring works),
        this kernel's memory profiles, and the default profile when
        ``META_ACCESS_TOKEN`` is set. Colab secrets are not listed: reading
        one can open Colab's access prompt, which listing must never do.
        Memory profiles of earlier kernels are gone and not listed.
        """
        names = set(vault.names(self._folder_key))
        if self._keyring_ok():
            names.update(n for n, r in self._index.read().items() if r.get("backend") == "keyring")
        if (self._env().get(ENV_TOKEN) or "").strip():
            names.add(self.default_profile)
        return sorted(names)

    def exists(self, profile: str | None) -> bool:
        """True when :meth:`load` would find the profile (Colab secrets aside, see :meth:`profiles`)."""
        name = self._resolve(profile)
        if vault.get(self._folder_key, name) is not None:
            return True
        if self._keyring_ok():
            try:
                if self._get_adapter().get(_token_key(name)) is not None:
                    return True
            except KeyringFailure as failure:
                self._keyring_broke(failure)
        return name == self.default_profile and bool((self._env().get(ENV_TOKEN) or "").strip())
