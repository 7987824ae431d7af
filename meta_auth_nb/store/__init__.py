"""Named token profiles: :class:`TokenStore` and the sources behind it.

One module per source (:mod:`.keyring_source`, :mod:`.colab`,
:mod:`.env_source`, :mod:`.memory`), the non-secret :mod:`.index`, the
:mod:`.profile` model, what the store says (:mod:`.messages`), and
:mod:`.token_store` that puts them together.

Where things live
-----------------
* **Secrets** (the token, and the app secret only when the caller passes
  one) go to the OS keyring, service ``meta_auth_nb``, one entry each:
  username ``<profile>:token`` and ``<profile>:app_secret``
  (:mod:`.keyring_source`). Being plain entries, they can be read by other
  tools too, e.g. ``keyring get meta_auth_nb default:token``.
* **Non-secret facts** (masked token, token expiry, app id, whether an app
  secret is stored, the cached ``TokenInfo`` of the last inspection, when it
  was checked/saved, required scopes, backend) go to ``profiles.json`` in the
  user's config folder (:mod:`.index`), mode 0600 in a 0700 folder, written
  atomically under a file lock. It never holds a token or a secret.
* **No usable keyring** (keyring's fail/null backend, or a backend that
  fails: headless Linux, containers, Binder, Colab): secrets are kept in this
  process's memory only (:mod:`.memory`, shared by every TokenStore of the
  kernel), and the store says so once (see :attr:`TokenStore.notice`).

Reading order of :meth:`TokenStore.load`
----------------------------------------
1. this kernel's memory store (it only holds profiles saved in this kernel
   that the keyring could not take, so it is always the newest copy);
2. the OS keyring;
3. for the default profile only (``META_AUTH_PROFILE`` or ``default``): the
   Colab secret ``META_ACCESS_TOKEN`` (read-only; ``META_APP_ID`` /
   ``META_APP_SECRET`` secrets too), then ``META_ACCESS_TOKEN`` /
   ``META_APP_ID`` / ``META_APP_SECRET`` from the environment (:mod:`.env_source`).
"""

from __future__ import annotations

from .._base.errors import InvalidProfileName, ProfileNotFound, StoreError
from .keyring_source import SERVICE
from .profile import StoredProfile, validate_profile
from .token_store import TokenStore

__all__ = [
    "SERVICE",
    "InvalidProfileName",
    "ProfileNotFound",
    "StoreError",
    "StoredProfile",
    "TokenStore",
    "validate_profile",
]
