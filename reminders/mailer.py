"""Delivering one e-mail: over SMTP, or to a file or the console when no server is set up.

A mailer either returns (delivered), or raises TemporaryFailure (a 4xx reply, a connection
that failed or broke: try again later) or PermanentFailure (a 5xx reply: trying again will
not help). The outbox decides what happens next; the mailer never retries by itself.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol, TextIO

from reminders.settings import MailSettings, SmtpSettings

log = logging.getLogger(__name__)


class DeliveryFailure(Exception):
    """Delivery did not happen; `reason` is a short text for the admin page (no address)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:500]


class TemporaryFailure(DeliveryFailure):
    """Try again later: a 4xx reply, or no (working) connection to the server."""


class PermanentFailure(DeliveryFailure):
    """Do not try again: the server refused the message for good (5xx)."""


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Deliver `message` or raise a DeliveryFailure."""
        ...


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {message}".strip()


def _failure(code: int, text: bytes | str) -> DeliveryFailure:
    """4xx → temporary, 5xx → permanent; anything else is treated as temporary."""
    reason = _reply(code, text)
    return PermanentFailure(reason) if 500 <= code < 600 else TemporaryFailure(reason)


class SmtpMailer:
    """Sends through an SMTP server with smtplib: plain, STARTTLS or implicit TLS (SSL)."""

    def __init__(self, settings: SmtpSettings, context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        # Certificates are always verified; SMTP_CA_FILE only changes whom to trust.
        self.context = context or ssl.create_default_context(cafile=settings.ca_file or None)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self.context)
        client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        if s.security == "starttls":
            client.starttls(context=self.context)
        return client

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as client:
                if self.settings.user:
                    client.login(self.settings.user, self.settings.password)
                refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            # Every recipient refused: the worst reply decides (one 5xx is enough to give up).
            codes = [(code, text) for code, text in error.recipients.values()]
            code, text = max(codes, default=(450, b"recipients refused"))
            raise _failure(code, text) from None
        except smtplib.SMTPAuthenticationError as error:
            # A wrong password is the configuration's fault, not the message's: retry later.
            raise TemporaryFailure(_reply(error.smtp_code, error.smtp_error)) from None
        except smtplib.SMTPResponseException as error:
            raise _failure(error.smtp_code, error.smtp_error) from None
        except (smtplib.SMTPException, OSError) as error:
            # Connection refused or reset, timeouts, TLS problems, server hang-ups.
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from None
        if refused:
            code, text = max(refused.values())
            raise _failure(code, text)


class FileMailer:
    """Writes each message as an .eml file (the default without SMTP_HOST)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.count = 0

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"] or f"mail-{self.count}").strip("<>").replace("/", "_")
        (self.directory / f"{name}.eml").write_bytes(bytes(message))
        self.count += 1


class ConsoleMailer:
    """Prints each message (for trying things out in a terminal)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: EmailMessage) -> None:
        out = self.stream or sys.stdout
        out.write(message.as_string() + "\n" + "-" * 72 + "\n")
        out.flush()


def build_mailer(settings: MailSettings) -> Mailer:
    """The mailer MAIL_BACKEND asks for. Without SMTP the log says where mail goes instead
    (called when mail is first sent, so a web worker that never sends logs nothing)."""
    if settings.backend == "smtp":
        return SmtpMailer(settings.smtp)
    if settings.backend == "file":
        log.warning(
            "No SMTP server configured (MAIL_BACKEND=file): e-mails are written to %s, not sent",
            settings.file_dir,
        )
        return FileMailer(settings.file_dir)
    log.warning("No SMTP server configured (MAIL_BACKEND=console): e-mails are printed, not sent")
    return ConsoleMailer()
