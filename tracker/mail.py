"""Sending one e-mail, as the tracker needs it (the password-reset link): a port.

The app's mail comes from the reminders package, which delivers over SMTP, to files or to the
console (reminders/mailer.py) and plugs its mailer in here when it is wired into the app.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage


class DeliveryFailure(Exception):
    """Delivery did not happen; `reason` is a short text for the admin page (no address)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:500]


SendMail = Callable[[EmailMessage], None]
"""Deliver one message, or raise a DeliveryFailure."""


def plain_mail(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text mail; the mailer adds the Date and the Message-ID (reminders.mailer)."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(body)
    return message
