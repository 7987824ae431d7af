"""Named token profiles: :class:`TokenStore` and the sources behind it.

One module per source (:mod:`.keyring_source`, :mod:`.colab`,
:mod:`.env_source`, :mod:`.memory`), the non-secret :mod:`.index`, the
:mod:`.profile` model, and :mod:`.token_store` that puts them together.
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
