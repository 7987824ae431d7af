"""Reading a pasted access token: what people copy around it is stripped, junk is refused.

Notebook layer, no widgets. The error messages never repeat what was pasted.
"""

from __future__ import annotations

import re

from ..._base.tokens import AccessToken

__all__ = ["parse_pasted_token"]

_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_.|-]+$")
_TOKEN_IN_TEXT = re.compile(r"access_token=([^&#\s]+)")
# Real tokens are far longer; anything shorter was cut off while copying.
_MIN_LENGTH = 32


def parse_pasted_token(raw: str, source: str) -> AccessToken:
    """A token from what was pasted; the message never repeats the value.

    Accepts the bare token, ``Bearer <token>``, quotes around it, or a URL /
    query string holding ``access_token=...``.

    Parameters
    ----------
    raw : str
        What was pasted.
    source : str
        Where it came from, kept on the token (e.g. ``"pasted (system user)"``).

    Raises
    ------
    ValueError
        Nothing pasted, or it cannot be a token (spaces, odd characters, too short).
    """
    text = (raw or "").strip().strip("\"'").strip()
    if text.lower().startswith("bearer "):
        text = text[7:].strip()
    found = _TOKEN_IN_TEXT.search(text)
    if found:
        text = found.group(1)
    if not text:
        raise ValueError("Nothing was pasted: copy the token (the copy icon next to it) and paste it in the field.")
    if any(c.isspace() for c in text):
        raise ValueError(
            "That is not an access token: it has spaces or line breaks. Copy only the token and paste again."
        )
    if not _TOKEN_CHARS.match(text):
        raise ValueError("That is not an access token: it has characters tokens never contain. Copy it again.")
    if len(text) < _MIN_LENGTH:
        raise ValueError("That is too short to be an access token (was the copy cut off?). Copy the whole token again.")
    return AccessToken(text, source=source)
