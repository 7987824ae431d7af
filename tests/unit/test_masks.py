"""What a person sees of a secret: how much of it a mask shows, and which forms of it are masked at all."""

from __future__ import annotations

import pytest

from meta_auth_nb._base.redact import mask, redact, remember_secret
from meta_auth_nb.scan.detect import scan_text


@pytest.mark.parametrize(
    ("length", "shown"),
    [(0, 0), (7, 0), (11, 0), (12, 4), (23, 4), (24, 8), (32, 8), (180, 8)],
)
def test_a_mask_shows_at_most_a_few_characters_fewer_for_shorter_secrets(length, shown):
    secret = "".join("abcdefghijklmnopqrstuvwxyz0123456789"[i % 36] for i in range(length))
    masked = mask(secret)
    if length:
        assert len(masked.replace("\u2026", "")) == shown, masked
        assert secret not in masked and "\u2026" in masked
        assert masked.startswith(secret[: shown // 2]) and masked.endswith(secret[len(secret) - shown // 2 :])
    else:
        assert masked == "<none>"


def test_a_known_secret_of_eight_characters_is_masked_and_a_shorter_one_is_not_remembered():
    remember_secret("k8secret")
    assert "k8secret" not in redact("the value is k8secret here")
    remember_secret("short7x")  # would hide ordinary words: real secrets are longer
    assert redact("short7x stays") == "short7x stays"
    # Secrets given for one call follow the same rule; nothing given is nothing to mask.
    assert redact("x 8charsec y short6 z", extra=[None, "", "8charsec", "short6"]) == "x \u2026\u2026\u2026 y short6 z"


def test_a_secret_holding_another_is_masked_whole():
    remember_secret("inner-secret-part")
    remember_secret("outer-prefix-inner-secret-part-and-more")
    out = redact("value: outer-prefix-inner-secret-part-and-more.")
    assert "prefix" not in out and "and-more" not in out and out == "value: oute\u2026more."


def test_a_token_is_masked_to_its_first_and_last_four_characters():
    token = "EAAB" + "x7Qz" * 6 + "a1b2c3d4e5f6"  # token-shaped: letters and digits, lower and upper case
    assert redact(f"token {token} end") == f"token EAAB\u2026{token[-4:]} end"
    shortest = "EAA" + "a1" * 10  # 20 letters and digits after EAA: still a token
    assert shortest not in redact(shortest)


def test_a_short_app_id_and_a_short_opaque_app_secret_are_still_an_app_token():
    out = redact("app token 12345|abcdefgh12345678 here")
    assert "abcdefgh12345678" not in out and "12345|" in out


def test_log_records_are_redacted_with_or_without_arguments_and_a_broken_one_still_logs(caplog):
    import logging

    from meta_auth_nb._base.redact import get_logger

    secret = "q" * 10 + "SECRET123x"
    remember_secret(secret)
    log = get_logger("meta_auth_nb.test_masks")
    with caplog.at_level(logging.INFO, logger="meta_auth_nb.test_masks"):
        log.info("with an argument %s", secret)
        log.info(f"inline {secret}")
    text = caplog.text
    assert secret not in text and text.count("\u2026") >= 2
    # A record that cannot be formatted goes on to the handlers (which report it), never silently dropped.
    from meta_auth_nb._base.redact import RedactingFilter

    broken = logging.LogRecord("meta_auth_nb.x", logging.INFO, __file__, 1, "broken %s %s", ("one",), None)
    assert RedactingFilter().filter(broken) is True


@pytest.mark.parametrize("bar", ["|", "%7C", "%7c"])
def test_an_app_token_is_masked_with_its_bar_plain_or_percent_encoded_anywhere_in_text(bar):
    secret = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    text = f"curl https://example.com/x?id=1 -H 'X: 123456789012345{bar}{secret}' done"
    out = redact(text)
    assert secret not in out and f"123456789012345{bar}0f" in out  # the bar stays as it was written


def test_a_token_in_an_url_parameter_is_masked_whatever_its_shape():
    out = redact("GET /v27.0/me?access_token=short-but-secret-20&fields=id")
    assert "short-but-secret-20" not in out and "fields=id" in out


def test_an_app_token_right_after_a_percent_escape_keeps_its_own_app_id():
    """`meta-auth scan` points at the app token itself, not at the escape's hex digits before it."""
    secret = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    text = f"text=hello%201234567890%7C{secret}"
    (found,) = scan_text(text)
    assert found.kind == "app_token" and text[found.start :].startswith("1234567890%7C")
    assert redact(text) == "text=hello%201234567890%7C0f1e…e1f0"
