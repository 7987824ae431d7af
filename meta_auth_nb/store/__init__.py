"""Named token profiles: :class:`TokenStore` and the sources behind it."""

from __future__ import annotations

from .backends import SERVICE, InvalidProfileName, ProfileNotFound, StoreError, validate_profile
from .token_store import StoredProfile, TokenStore

__all__ = ["SERVICE", "InvalidProfileName", "ProfileNotFound", "StoreError", "StoredProfile", "TokenStore", "validate_profile"]
