"""Graph API error envelopes as the sandbox sends them.

Every error the sandbox answers is a :class:`GraphError`; routes raise it
and the server (or the batch runner) turns it into the JSON envelope
``{"error": {...}}`` with the right HTTP status and headers.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

__all__ = [
    "MSG_APP_REMOVED",
    "MSG_BAD_PROOF",
    "MSG_CANNOT_PARSE",
    "MSG_NO_ADS_PERMISSION",
    "MSG_NO_TOKEN",
    "MSG_PASSWORD",
    "MSG_PROOF_REQUIRED",
    "MSG_REVOKED",
    "MSG_UNKNOWN_TOKEN",
    "GraphError",
    "fbtrace_id",
    "missing_param",
    "token_error",
    "unsupported",
]

_TRACE_ALPHABET = string.ascii_letters + string.digits

MSG_NO_TOKEN = "An access token is required to request this resource."
MSG_CANNOT_PARSE = "Invalid OAuth access token - Cannot parse access token."
# Shaped like a sandbox token (EAA...) but never issued here: 190/467.
MSG_UNKNOWN_TOKEN = "Invalid OAuth access token data."
MSG_PASSWORD = (
    "Error validating access token: The session has been invalidated because the user "
    "changed their password or Facebook has changed the session for security reasons."
)
MSG_APP_REMOVED = "Error validating access token: The user has not authorized application {app_id}."
MSG_REVOKED = "Error validating access token: The session is invalid because the user logged out."
MSG_BAD_PROOF = "Invalid appsecret_proof provided in the API argument"
MSG_PROOF_REQUIRED = "API calls from the server require an appsecret_proof argument"
MSG_NO_ADS_PERMISSION = "(#200) Ad account owner has NOT grant ads_management or ads_read permission"


def fbtrace_id() -> str:
    """Return a fresh random trace id like Graph's (opaque, per response)."""
    return "".join(secrets.choice(_TRACE_ALPHABET) for _ in range(23))


class GraphError(Exception):
    """An error answer in Graph's envelope.

    Parameters
    ----------
    message : str
        ``error.message``.
    code : int
        ``error.code``.
    type : str, optional
        ``error.type``; ``OAuthException`` by default like most Graph errors.
    subcode : int, optional
        ``error.error_subcode`` (``subcode`` inside ``debug_token``).
    status : int, optional
        HTTP status, 400 unless given.
    is_transient : bool, optional
        Adds ``is_transient`` to the envelope when not ``None``.
    user_title, user_msg : str, optional
        ``error_user_title`` / ``error_user_msg``.
    invalid_token : bool, optional
        Send ``WWW-Authenticate: OAuth "Facebook Platform" "invalid_token" ...``.
    """

    def __init__(
        self,
        message: str,
        code: int,
        type: str = "OAuthException",
        subcode: int | None = None,
        status: int = 400,
        is_transient: bool | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
        invalid_token: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.type = type
        self.subcode = subcode
        self.status = status
        self.is_transient = is_transient
        self.user_title = user_title
        self.user_msg = user_msg
        self.invalid_token = invalid_token

    def envelope(self) -> dict[str, Any]:
        """Return ``{"error": {...}}`` with a fresh ``fbtrace_id``."""
        err: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            err["error_subcode"] = self.subcode
        if self.is_transient is not None:
            err["is_transient"] = self.is_transient
        if self.user_title is not None:
            err["error_user_title"] = self.user_title
        if self.user_msg is not None:
            err["error_user_msg"] = self.user_msg
        err["fbtrace_id"] = fbtrace_id()
        return {"error": err}

    def headers(self) -> list[tuple[str, str]]:
        """Extra response headers: ``WWW-Authenticate`` for token errors."""
        if not self.invalid_token:
            return []
        # Header values must stay on one line and keep the quoting intact.
        msg = self.message.replace('"', "'").replace("\r", " ").replace("\n", " ")
        return [("WWW-Authenticate", f'OAuth "Facebook Platform" "invalid_token" "{msg}"')]

    def debug_error(self) -> dict[str, Any]:
        """The nested ``error`` object of an invalid ``debug_token`` answer.

        ``debug_token`` names the subcode ``subcode``, not ``error_subcode``.
        """
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.subcode is not None:
            out["subcode"] = self.subcode
        return out


def token_error(message: str, subcode: int | None = None, code: int = 190) -> GraphError:
    """Build a token error (190 by default) that also sends ``WWW-Authenticate``."""
    return GraphError(message, code, "OAuthException", subcode=subcode, invalid_token=True)


def unsupported(method: str, object_id: str) -> GraphError:
    """Graph's answer for an unknown object, or one the token may not see (100/33)."""
    return GraphError(
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation. "
        "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        100,
        "GraphMethodException",
        subcode=33,
    )


def missing_param(name: str, code: int = 1) -> GraphError:
    """A required parameter is absent (code 1 on the oauth endpoints, like Graph)."""
    return GraphError(f"Missing {name} parameter.", code, "OAuthException")
