"""The URL-parameter pattern masks exactly what its plain form (``\\b(?:names)|(?<=[?&])code``) masks.

The pattern is written so the regex engine can skip ahead (the leak guard runs
it over every output message); this checks it finds the same matches as the
plain form on texts made of the pieces that matter: the names, ``code``,
``?``, ``&``, ``=``, word characters, separators and non-ASCII letters.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from meta_auth_nb._base.redact import SECRET_PARAM_PATTERN, redact

PLAIN = re.compile(
    r"((?:\b(?:access_token|client_secret|fb_exchange_token|input_token|revoke_token|appsecret_proof)"
    r"|(?<=[?&])code)=)([^&#\s\"']+)"
)
PIECES = [
    "access_token",
    "client_secret",
    "fb_exchange_token",
    "input_token",
    "revoke_token",
    "appsecret_proof",
    "code",
    "x",
    "_",
    "1",
    "é",
    "=",
    "?",
    "&",
    "#",
    " ",
    "\n",
    '"',
    "-",
    ".",
    "/",
    "abc123",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_url_parameter_pattern_matches_like_its_plain_form(pieces):
    text = "".join(pieces)
    assert [m.span(0) + m.span(2) for m in SECRET_PARAM_PATTERN.finditer(text)] == [
        m.span(0) + m.span(2) for m in PLAIN.finditer(text)
    ]


def test_url_parameters_and_app_tokens_are_masked():
    text = "GET /me?code=abcdef12&x=1 https://x/?access_token=s3cr3tvalue99 notacode=keep 1234567|" + "f" * 32
    out = redact(text)
    for secret in ("abcdef12", "s3cr3tvalue99", "f" * 32):
        assert secret not in out
    assert "notacode=keep" in out and "x=1" in out
