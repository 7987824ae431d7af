"""Renewal instructions as text, and by email: ``meta-auth check --email``.

CLI layer, stdlib only (``smtplib``, ``ssl``, ``email``). The text is made
from :meth:`meta_auth_nb.auth.health.HealthReport.to_dict` rows, so it holds masked
tokens only; the whole mail is passed through :func:`meta_auth_nb._base.redact.redact`
before it is sent, as a last guard.

SMTP settings (environment variables)
-------------------------------------
``META_SMTP_HOST``       the server (required).
``META_SMTP_PORT``       default 465 with ``META_SMTP_SSL=1``, 587 when a user is set, else 25.
``META_SMTP_USER``       log in with this user (optional) ...
``META_SMTP_PASSWORD``   ... and this password. Login happens only over TLS,
                         unless ``META_SMTP_ALLOW_PLAIN_AUTH=1``.
``META_SMTP_FROM``       sender address, default ``meta-auth@<hostname>``.
``META_SMTP_STARTTLS``   ``auto`` (default: use STARTTLS when the server offers it),
                         ``always`` (fail when it does not) or ``never``.
``META_SMTP_SSL``        ``1`` for implicit TLS (SMTPS, usually port 465).
``META_SMTP_CAFILE``     a CA bundle to verify the server with (private CAs);
                         the system's trust store otherwise.
``META_SMTP_TIMEOUT``    seconds, default 30.

Certificates are always verified; there is no switch to turn that off.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from .._base.errors import NotifyError
from .._base.redact import redact
from .._base.settings import SmtpSettings, is_valid_address
from .._base.words import type_cell
from .common import format_table

__all__ = [
    "NotifyError",
    "SmtpSettings",
    "attention_count",
    "build_renewal_email",
    "format_table",
    "parse_recipients",
    "render_reports",
    "renewal_subject",
    "report_dicts",
    "report_table",
    "send_renewal_email",
]


def parse_recipients(to: str | Iterable[str]) -> list[str]:
    """Split ``"a@x.org, b@y.org"`` (or a list) into checked plain addresses.

    Raises
    ------
    NotifyError
        No address, or one that is not a plain ``user@host`` address.
    """
    items = to.split(",") if isinstance(to, str) else [part for item in to for part in str(item).split(",")]
    out: list[str] = []
    for raw in items:
        address = raw.strip()
        if not address:
            continue
        if not is_valid_address(address):
            raise NotifyError(
                f"{address[:80]!r} is not an email address (expected a plain address like ops@example.com)"
            )
        if address not in out:
            out.append(address)
    if not out:
        raise NotifyError("No email address was given")
    return out


# --- text ------------------------------------------------------------------------------


def report_dicts(reports: Iterable[Any]) -> list[dict[str, Any]]:
    """Rows from HealthReport objects (``to_dict()``) or dicts shaped the same way."""
    rows = []
    for report in reports:
        row = report.to_dict() if hasattr(report, "to_dict") else dict(report)
        rows.append(row)
    return rows


REPORT_COLUMNS = ("PROFILE", "TOKEN", "TYPE", "STATUS", "EXPIRES", "DETAIL")


def report_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The table of check results (masked tokens only)."""
    return format_table(
        REPORT_COLUMNS,
        [
            (
                row.get("profile") or "-",
                row.get("token") or "-",
                type_cell(row.get("type"), row.get("valid")),
                row.get("status"),
                row.get("expires") or "-",
                row.get("reason") or "",
            )
            for row in rows
        ],
    )


def render_reports(reports: Iterable[Any], *, include_ok_advice: bool = False) -> str:
    """The table, then what to do for each token that needs attention."""
    rows = report_dicts(reports)
    parts = [report_table(rows)]
    todo = [r for r in rows if include_ok_advice or int(r.get("severity") or 0) > 0]
    if todo:
        parts.append("")
        parts.append("What to do:")
        for row in todo:
            who = row.get("profile") or "token"
            token = f" ({row['token']})" if row.get("token") else ""
            reason = f": {row['reason']}" if row.get("reason") else ""
            parts.append(f"- {who}{token} is {row.get('status')}{reason}.")
            parts.append(f"  {row.get('advice') or 'Nothing to do.'}")
    return "\n".join(parts)


def attention_count(rows: Iterable[Mapping[str, Any]]) -> int:
    """How many rows need attention (severity 1 or more)."""
    return sum(1 for r in rows if int(r.get("severity") or 0) > 0)


def renewal_subject(reports: Iterable[Any]) -> str:
    """``meta-auth: 1 token needs attention`` (or ``... all 3 tokens are healthy``)."""
    rows = report_dicts(reports)
    count = attention_count(rows)
    if count == 0:
        return f"meta-auth: all {len(rows)} token{'s are' if len(rows) != 1 else ' is'} healthy"
    unusable = sum(1 for r in rows if int(r.get("severity") or 0) == 2)
    unchecked = sum(1 for r in rows if int(r.get("severity") or 0) >= 3)
    text = f"meta-auth: {count} token{'s need' if count != 1 else ' needs'} attention"
    notes = [f"{unusable} unusable now"] if unusable else []
    if unchecked:
        notes.append(f"{unchecked} could not be checked")
    if notes:
        text += f" ({', '.join(notes)})"
    return text


def build_renewal_email(
    to: str | Iterable[str],
    reports: Iterable[Any],
    *,
    sender: str,
    host: str | None = None,
) -> EmailMessage:
    """The message (not sent); every part redacted."""
    rows = report_dicts(reports)
    recipients = parse_recipients(to)
    host = host or socket.gethostname() or "this machine"
    now = datetime.now(timezone.utc)
    count = attention_count(rows)
    head = (
        f"meta-auth checked {len(rows)} Meta access token{'s' if len(rows) != 1 else ''} on {host} "
        f"at {now:%Y-%m-%d %H:%M} UTC: "
        + (f"{count} need{'s' if count == 1 else ''} attention." if count else "all are healthy.")
    )
    body = "\n".join(
        [
            head,
            "",
            render_reports(rows),
            "",
            "-- ",
            "Sent by `meta-auth check --email`. Tokens are shown masked; this mail never holds a full token or secret.",
            "",
        ]
    )
    message = EmailMessage()
    message["Subject"] = redact(renewal_subject(rows))
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(redact(body))
    return message


def send_renewal_email(
    to: str | Iterable[str],
    reports: Iterable[Any],
    env: Mapping[str, str] | None = None,
) -> EmailMessage:
    """Mail the renewal instructions for ``reports`` to ``to``.

    Parameters
    ----------
    to : str or iterable of str
        One or more addresses (a comma-separated string works).
    reports : iterable of HealthReport or dict
        What ``check_profile`` said (``to_dict()`` rows work too).
    env : mapping, optional
        Where the ``META_SMTP_*`` settings are read; default ``os.environ``.

    Returns
    -------
    EmailMessage
        The message as sent.

    Raises
    ------
    NotifyError
        Missing or bad settings, the server refused, TLS failed, or login
        would have sent the password unencrypted.
    """
    settings = SmtpSettings.from_env(env)
    recipients = parse_recipients(to)
    message = build_renewal_email(recipients, reports, sender=settings.sender)
    _deliver(settings, message, recipients)
    return message


def _deliver(settings: SmtpSettings, message: EmailMessage, recipients: list[str]) -> None:
    where = f"{settings.host}:{settings.port}"
    secrets = [settings.password]
    try:
        context = ssl.create_default_context(cafile=settings.cafile)
        local = socket.gethostname() or "localhost"
        if settings.implicit_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, local_hostname=local, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, local_hostname=local, timeout=settings.timeout)
        with client:
            client.ehlo()
            encrypted = settings.implicit_tls
            if not encrypted and settings.starttls != "never":
                if client.has_extn("starttls"):
                    client.starttls(context=context)
                    client.ehlo()
                    encrypted = True
                elif settings.starttls == "always":
                    raise NotifyError(
                        f"The mail server {where} does not offer STARTTLS, and META_SMTP_STARTTLS=always; "
                        "use META_SMTP_SSL=1 if it speaks implicit TLS, or another server"
                    )
            if settings.user:
                if not encrypted and not settings.allow_plain_auth:
                    raise NotifyError(
                        f"Refusing to send the SMTP password to {where} over an unencrypted connection "
                        "(the server offers no STARTTLS); use a server with TLS, META_SMTP_SSL=1, or set "
                        "META_SMTP_ALLOW_PLAIN_AUTH=1 if the connection is private"
                    )
                client.login(settings.user, settings.password or "")
            refused = client.send_message(message, from_addr=settings.sender, to_addrs=recipients)
        if refused:
            raise NotifyError(f"The mail server {where} refused: {', '.join(sorted(refused))}")
    except NotifyError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise NotifyError(f"The mail server {where} refused the login of META_SMTP_USER ({exc.smtp_code})") from None
    except ssl.SSLError as exc:
        raise NotifyError(redact(f"TLS with the mail server {where} failed: {exc}", secrets)) from None
    except (smtplib.SMTPException, OSError) as exc:
        detail = redact(str(exc) or type(exc).__name__, secrets)
        raise NotifyError(f"Could not send the email through {where}: {detail}") from None
