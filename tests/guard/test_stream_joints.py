"""The stream joints on their own: whatever the cuts, a secret shows no more than the part sent before it was one.

The kernel tests (test_leak_guard.py) cut a value the ways programs do; here
hypothesis cuts it anywhere, with text around it of every kind that matters
(none, words, a URL parameter's name), and checks what a frontend joining
the messages would show.
"""

from __future__ import annotations

import secrets
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from meta_auth_nb._base.redact import remember_secret
from meta_auth_nb.notebook.message_guard import StreamJoints

ALNUM = string.ascii_letters + string.digits
APP_SECRET = secrets.token_hex(16)
KNOWN_TOKEN = "EAA" + "".join(secrets.choice(ALNUM) for _ in range(170))
#: Token-shaped from its 23rd character (a lowercase letter and a digit by then), never seen by the process.
UNKNOWN_TOKEN = "EAA" + "x7" * 10 + "".join(secrets.choice(ALNUM) for _ in range(150))
remember_secret(APP_SECRET)
remember_secret(KNOWN_TOKEN)

#: Each value and the most of it the joined output may show.
VALUES = [(APP_SECRET, 7), (KNOWN_TOKEN, 7), (UNKNOWN_TOKEN, 22)]
AROUND = [("", "\n"), ("id ", " ok\n"), ("GET /me?access_token=", "&limit=5\n"), ("x=", "")]


def _longest_part_shown(value: str, shown: str) -> int:
    return max(
        (n for n in range(1, len(value) + 1) if any(value[i : i + n] in shown for i in range(len(value) - n + 1))),
        default=0,
    )


def _joined(pieces: list[str]) -> str:
    joints = StreamJoints()
    return "".join(joints.join(("parent", "stdout"), piece) for piece in pieces)


@settings(max_examples=300, deadline=None)
@given(
    value=st.sampled_from(VALUES),
    around=st.sampled_from(AROUND),
    cuts=st.lists(st.integers(min_value=1, max_value=250), max_size=40),
)
def test_a_value_cut_anywhere_shows_at_most_its_first_characters(value, around, cuts):
    secret, most = value
    text = around[0] + secret + around[1]
    points = sorted({cut for cut in cuts if cut < len(text)})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    shown = _joined(pieces)
    assert _longest_part_shown(secret, shown) <= most, (pieces, shown)
    assert shown.startswith(around[0])  # what comes before it (a parameter's name too) shows as written


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=string.ascii_letters + " \n.,:=-", max_size=30), max_size=20))
def test_text_without_secrets_is_shown_as_written_however_it_is_cut(pieces):
    assert _joined(pieces) == "".join(pieces)


def test_a_known_secret_holding_a_space_is_followed_across_it():
    phrase = "correct horse battery " + secrets.token_hex(4)  # a passphrase-like secret: not Meta's shape
    remember_secret(phrase)
    for cut in range(1, len(phrase)):
        shown = _joined(["key: " + phrase[:cut], phrase[cut:] + "\n"])
        assert _longest_part_shown(phrase, shown) <= 7, (cut, shown)
