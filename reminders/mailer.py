"""Delivering one e-mail: over SMTP, or to a file or the console when no server is set up.

A mailer either returns (delivered), or raises TemporaryFailure (a 4xx reply, a connection
that failed or broke before the message was handed over: try again later), PermanentFailure
(a 5xx reply: trying again will not help) or UncertainDelivery (the message was handed over
but the answer to it was lost: it may have arrived, so it must not be sent again by itself).
The outbox decides what happens next; the mailer never retries by itself.

SMTP is driven step by step (EHLO, STARTTLS, AUTH, MAIL, RCPT, then DATA) so that the caller
can record, durably, that the message is about to be handed over (`before_data`): that is the
one moment after which a lost answer leaves the outcome unknown (RFC 5321 §6.1). Messages go
out 7-bit clean (quoted-printable or base64 where needed), since no 8BITMIME is declared, and
with a Date and a Message-ID (added when the caller did not set them).
"""

from __future__ import annotations

import copy
import email.policy
import io
import logging
import smtplib
import ssl
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path
from typing import Protocol

from reminders.compose import mail_domain
from reminders.settings import MailSettings, SmtpSettings
from tracker.mail import DeliveryFailure

log = logging.getLogger(__name__)

BeforeData = Callable[[], None]


class TemporaryFailure(DeliveryFailure):
    """Try again later: a 4xx reply, or no (working) connection to the server."""


class PermanentFailure(DeliveryFailure):
    """Do not try again: the server refused the message for good (5xx)."""


class UncertainDelivery(DeliveryFailure):
    """The message was handed over (DATA) and the answer was lost (a timeout, a connection
    that broke): the server may have taken it. Sending it again could deliver it twice."""


class Mailer(Protocol):
    def send(self, message: EmailMessage, before_data: BeforeData | None = None) -> None:
        """Deliver `message` or raise a DeliveryFailure.

        `before_data`, when given, is called once, just before the message itself is handed
        over, and not at all when that point is never reached; an exception it raises is
        passed on, and the message is then not handed over.
        """
        ...


def complete(message: EmailMessage) -> EmailMessage:
    """Add the Date (RFC 5322 requires it) and a Message-ID when the message has none."""
    if message["Date"] is None:
        message["Date"] = format_datetime(datetime.now(UTC))
    if message["Message-ID"] is None:
        message["Message-ID"] = make_msgid(domain=mail_domain(str(message["From"] or "")))
    return message


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {message}".strip()


def _failure(code: int, text: bytes | str) -> DeliveryFailure:
    """4xx → temporary, 5xx → permanent; anything else is treated as temporary."""
    reason = _reply(code, text)
    return PermanentFailure(reason) if 500 <= code < 600 else TemporaryFailure(reason)


class Envelope:
    """What goes over the wire for a message: the envelope addresses (as smtplib's
    send_message takes them from the headers) and the message's bytes, without Bcc."""

    def __init__(self, message: EmailMessage) -> None:
        self.sender = getaddresses([str(message["Sender"] or message["From"] or "")])[0][1]
        fields = [str(v) for name in ("To", "Cc", "Bcc") for v in message.get_all(name, [])]
        self.recipients = [address for _, address in getaddresses(fields) if address]
        # Non-ASCII addresses need SMTPUTF8 (RFC 6531); everything else goes 7-bit clean.
        self.international = not "".join([self.sender, *self.recipients]).isascii()
        without_bcc = copy.copy(message)
        del without_bcc["Bcc"]
        base = message.policy if isinstance(message.policy, EmailPolicy) else email.policy.default
        policy = base.clone(utf8=True) if self.international else base.clone(cte_type="7bit")
        with io.BytesIO() as flat:
            BytesGenerator(flat, policy=policy).flatten(without_bcc, linesep="\r\n")
            self.data = flat.getvalue()
        self.options = ["SMTPUTF8", "BODY=8BITMIME"] if self.international else []


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
        return smtplib.SMTP(s.host, s.port, timeout=s.timeout)

    def send(self, message: EmailMessage, before_data: BeforeData | None = None) -> None:
        envelope = Envelope(complete(message))
        client: smtplib.SMTP | None = None
        handed_over = broken = False
        try:
            client = self._connect()
            if self.settings.security == "starttls":
                client.starttls(context=self.context)
            client.ehlo_or_helo_if_needed()
            if self.settings.user:
                client.login(self.settings.user, self.settings.password)
            if envelope.international and not client.has_extn("smtputf8"):
                raise PermanentFailure("the mail server does not accept international addresses")
            code, text = client.mail(envelope.sender, envelope.options)
            if code != 250:
                raise _failure(code, text)
            # Every recipient must be accepted, or nothing is sent: a retry then reaches
            # all of them once, instead of some of them twice.
            refused = [client.rcpt(address) for address in envelope.recipients]
            refused = [(code, text) for code, text in refused if code not in (250, 251)]
            if refused:
                raise _failure(*max(refused))  # one 5xx is enough to give up
            if before_data is not None:
                before_data()
            handed_over = True
            code, text = client.data(envelope.data)
            if code != 250:
                raise _failure(code, text)
        except DeliveryFailure:
            raise  # raised above, on a reply: the connection is in order
        except smtplib.SMTPAuthenticationError as error:
            # A wrong password is the configuration's fault, not the message's: retry later.
            raise TemporaryFailure(_reply(error.smtp_code, error.smtp_error)) from None
        except smtplib.SMTPResponseException as error:
            # A reply (also a refused DATA command): the server did not take the message.
            raise _failure(error.smtp_code, error.smtp_error) from None
        except (smtplib.SMTPException, OSError) as error:
            # Connection refused or reset, timeouts, TLS problems, server hang-ups: before
            # DATA nothing was handed over; after it, the answer is what got lost.
            broken = True
            reason = f"{type(error).__name__}: {error}"
            raise (UncertainDelivery if handed_over else TemporaryFailure)(reason) from None
        except BaseException:
            broken = True
            raise
        finally:
            if client is not None:
                _close(client, polite=not broken)


def _close(client: smtplib.SMTP, *, polite: bool) -> None:
    """End the session: with QUIT when the connection is in order (its failure changes
    nothing about the outcome), without when it broke or timed out (no second wait)."""
    if polite:
        try:
            client.quit()
            return
        except (smtplib.SMTPException, OSError):
            pass
    client.close()


class FileMailer:
    """Writes each message as an .eml file (the default without SMTP_HOST)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def send(self, message: EmailMessage, before_data: BeforeData | None = None) -> None:
        complete(message)
        self.directory.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<> ").replace("/", "_")
        path = self.directory / f"{name}.eml"
        repeat = 1
        while path.exists():  # a resent mail keeps its Message-ID: keep both files
            repeat += 1
            path = self.directory / f"{name}-{repeat}.eml"
        if before_data is not None:
            before_data()
        path.write_bytes(bytes(message))


class ConsoleMailer:
    """Prints each message (for trying things out in a terminal)."""

    def send(self, message: EmailMessage, before_data: BeforeData | None = None) -> None:
        complete(message)
        if before_data is not None:
            before_data()
        sys.stdout.write(message.as_string() + "\n" + "-" * 72 + "\n")
        sys.stdout.flush()


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
