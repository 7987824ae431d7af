"""``meta-auth check --email`` and :mod:`meta_auth_nb.cli.notify` against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import ssl

import pytest

from meta_auth_nb.cli.notify import NotifyError, SmtpSettings, send_renewal_email
from tests.cli.helpers import DAY, Mailbox, free_port, password_checker, self_signed_cert, start_smtp


@pytest.fixture
def expiring(store, env):
    raw = env.issue_token(lifetime_s=60 * DAY)
    store.save("work", raw)
    env.advance(55 * DAY)
    return raw


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_check_mails_renewal_instructions(expiring, smtp_env, cli_run):
    result = cli_run("check", "--profile", "work", "--email", "ops@example.com")
    assert result.code == 1, result.text
    assert "mailed to ops@example.com" in result.err
    smtp_env.wait(1)
    assert len(smtp_env.messages) == 1
    envelope, message = smtp_env.messages[0]
    assert envelope.rcpt_tos == ["ops@example.com"]
    assert envelope.mail_from == "meta-auth@test.example"
    assert message["To"] == "ops@example.com"
    assert message["Subject"] == "meta-auth: 1 token needs attention"
    assert message["Auto-Submitted"] == "auto-generated"
    body = _body(message)
    masked = expiring[:4] + "\u2026" + expiring[-4:]
    assert masked in body
    assert (
        "What to do:" in body
        and "meta-auth login --profile work" in body
        and ("expires in 4 days" in body or "expires in 5 days" in body)
    )
    assert expiring not in body
    raw_mail = envelope.original_content or envelope.content
    assert expiring.encode() not in raw_mail
    assert expiring[4:-4].encode() not in raw_mail  # not even its middle


def test_unusable_tokens_say_so_in_the_subject(store, env, smtp_env, cli_run):
    for name in ("a", "b"):
        store.save(name, env.issue_token(lifetime_s=60))
    env.advance(120)
    assert cli_run("check", "--all", "--email", "ops@example.com, lead@example.com").code == 2
    smtp_env.wait(1)
    envelope, message = smtp_env.messages[0]
    assert sorted(envelope.rcpt_tos) == ["lead@example.com", "ops@example.com"]
    assert message["Subject"] == "meta-auth: 2 tokens need attention (2 unusable now)"


def test_no_mail_when_healthy_unless_asked(store, env, smtp_env, cli_run):
    store.save("work", env.issue_token(lifetime_s=60 * DAY))
    assert cli_run("check", "--email", "ops@example.com", "--profile", "work").code == 0
    assert smtp_env.messages == []
    assert cli_run("check", "--email", "ops@example.com", "--email-always", "--profile", "work").code == 0
    smtp_env.wait(1)
    assert smtp_env.messages[0][1]["Subject"] == "meta-auth: all 1 token is healthy"


def test_missing_smtp_host_is_a_setup_error_before_any_check(expiring, env, cli_run):
    result = cli_run("check", "--profile", "work", "--email", "ops@example.com")
    assert result.code == 3
    expected = "META_SMTP_HOST is not set: set it (and META_SMTP_PORT, META_SMTP_USER... as needed) to send email"
    assert result.err.strip() == f"meta-auth: {expected}"
    assert result.out == ""


def test_bad_address_is_a_usage_error(expiring, smtp_env, cli_run):
    result = cli_run("check", "--profile", "work", "--email", "ops@example.com\r\nBcc: x@evil.example")
    assert result.code == 3 and "not an email address" in result.err


def test_unreachable_server_exits_3_but_still_reports(expiring, monkeypatch, cli_run):
    monkeypatch.setenv("META_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("META_SMTP_PORT", str(free_port()))
    result = cli_run("check", "--profile", "work", "--email", "ops@example.com")
    assert result.code == 3
    assert "the email was not sent" in result.err
    assert "expiring" in result.out


@pytest.fixture
def tls_server(tmp_path):
    cert, key = self_signed_cert(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox("127.0.0.1", free_port())
    controller = start_smtp(
        box,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=password_checker(box, "mailer", "s3cret-pass"),
    )
    try:
        yield box, cert
    finally:
        controller.stop()


def test_starttls_and_login_when_offered(expiring, tls_server, monkeypatch, cli_run):
    box, cert = tls_server
    for key, value in {
        **box.env(),
        "META_SMTP_USER": "mailer",
        "META_SMTP_PASSWORD": "s3cret-pass",
        "META_SMTP_CAFILE": cert,
    }.items():
        monkeypatch.setenv(key, value)
    result = cli_run("check", "--profile", "work", "--email", "ops@example.com")
    assert result.code == 1, result.text
    box.wait(1)
    assert box.logins == [("mailer", "s3cret-pass")]
    assert len(box.messages) == 1
    assert "s3cret-pass" not in result.text


def test_certificate_is_verified(expiring, tls_server, monkeypatch, cli_run):
    box, _ = tls_server
    for key, value in box.env().items():
        monkeypatch.setenv(key, value)  # no META_SMTP_CAFILE: the self-signed certificate is not trusted
    result = cli_run("check", "--profile", "work", "--email", "ops@example.com")
    assert result.code == 3 and "TLS" in result.err
    assert box.messages == []


def test_password_is_never_sent_in_the_clear(expiring, mailbox, monkeypatch, cli_run):
    for key, value in {**mailbox.env(), "META_SMTP_USER": "mailer", "META_SMTP_PASSWORD": "s3cret-pass"}.items():
        monkeypatch.setenv(key, value)
    result = cli_run("check", "--profile", "work", "--email", "ops@example.com")
    assert result.code == 3
    assert "Refusing to send the SMTP password" in result.err
    assert mailbox.messages == [] and mailbox.logins == []


def test_starttls_always_fails_on_a_plain_server(mailbox):
    settings = {**mailbox.env(), "META_SMTP_STARTTLS": "always"}
    with pytest.raises(NotifyError, match="does not offer STARTTLS"):
        send_renewal_email("ops@example.com", [], env=settings)
    assert mailbox.messages == []


def test_implicit_tls(tmp_path):
    cert, key = self_signed_cert(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox("127.0.0.1", free_port())
    controller = start_smtp(box, ssl_context=context)
    try:
        rows = [
            {
                "profile": "p",
                "token": "EAAB\u2026wxyz",
                "status": "expired",
                "severity": 2,
                "reason": "the token has expired",
                "advice": "Log in again.",
                "valid": False,
            }
        ]
        sent = send_renewal_email(
            "ops@example.com", rows, env={**box.env(), "META_SMTP_SSL": "1", "META_SMTP_CAFILE": cert}
        )
        box.wait(1)
    finally:
        controller.stop()
    assert len(box.messages) == 1
    assert sent["Subject"] == "meta-auth: 1 token needs attention (1 unusable now)"
    assert "Log in again." in _body(box.messages[0][1])


@pytest.mark.parametrize(
    "env, says",
    [
        ({}, "META_SMTP_HOST is not set"),
        ({"META_SMTP_HOST": "h", "META_SMTP_PORT": "smtp"}, "META_SMTP_PORT"),
        ({"META_SMTP_HOST": "h", "META_SMTP_STARTTLS": "maybe"}, "META_SMTP_STARTTLS"),
        ({"META_SMTP_HOST": "h", "META_SMTP_USER": "u"}, "META_SMTP_PASSWORD"),
        ({"META_SMTP_HOST": "h", "META_SMTP_FROM": "a@b\nBcc: c@d"}, "META_SMTP_FROM"),
    ],
)
def test_settings_are_checked(env, says):
    with pytest.raises(NotifyError, match=says):
        SmtpSettings.from_env(env)


def test_default_ports():
    assert SmtpSettings.from_env({"META_SMTP_HOST": "h"}).port == 25
    assert SmtpSettings.from_env({"META_SMTP_HOST": "h", "META_SMTP_USER": "u", "META_SMTP_PASSWORD": "p"}).port == 587
    assert SmtpSettings.from_env({"META_SMTP_HOST": "h", "META_SMTP_SSL": "1"}).port == 465
    assert "pw-secret" not in repr(
        SmtpSettings.from_env({"META_SMTP_HOST": "h", "META_SMTP_USER": "u", "META_SMTP_PASSWORD": "pw-secret"})
    )


def test_a_profile_that_cannot_be_loaded_is_mailed_too(store, env, smtp_env, cli_run):
    """A cron job whose profile vanished (or whose keyring is locked) must not fail silently."""
    result = cli_run("check", "--profile", "vanished", "--email", "ops@example.com")
    assert result.code == 3
    assert "No token is stored for profile 'vanished'" in result.err
    smtp_env.wait(1)
    ((_, message),) = smtp_env.messages
    assert message["Subject"] == "meta-auth: 1 token needs attention (1 could not be checked)"
    assert "vanished" in _body(message) and "error" in _body(message)
