"""``appsecret_proof``: the HMAC that ties a call's token to the app secret.

Graph layer, I/O-free.
"""

from __future__ import annotations

import hashlib
import hmac

from .._base.tokens import AccessToken

__all__ = ["appsecret_proof"]


def appsecret_proof(access_token: str | AccessToken, app_secret: str, *, timestamp: int | None = None) -> str:
    """Return ``hex(HMAC-SHA256(app_secret, access_token))``.

    Parameters
    ----------
    access_token : str or AccessToken
        The token the call is made with.
    app_secret : str
        The secret of the token's app.
    timestamp : int, optional
        For the time-stamped variant: the HMAC covers ``token|timestamp``;
        send the same value as ``appsecret_time``.

    Returns
    -------
    str
        64 lowercase hex digits.
    """
    raw = access_token.get_secret_value() if isinstance(access_token, AccessToken) else access_token
    message = raw if timestamp is None else f"{raw}|{timestamp}"
    return hmac.new(app_secret.encode(), message.encode(), hashlib.sha256).hexdigest()
