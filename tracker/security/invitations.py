"""Invitations: a person is added without a usable password and chooses one with a link.

The link is a single-use token (a `password_reset_token` row of purpose "invitation", its
SHA-256 only), valid INVITATION_DAYS days; until it is used no password signs the account
in. Inviting an address that already has an account changes nothing about that account: its
owner gets a mail saying they were invited and can sign in as before, and the inviter sees
the same answer as for a new address. An account still waiting gets a new link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlmodel import Session, select

from tracker.accounts import normalise_email
from tracker.domain.message import Message
from tracker.mail import plain_mail
from tracker.models import User
from tracker.security.password_reset import new_token
from tracker.texts import translate

PURPOSE = "invitation"
PENDING = ""  # the password hash of an account waiting for its invitation: none verifies


@dataclass(frozen=True)
class Invitation:
    user_id: int
    email: str  # the stored address of the account
    token: str | None  # None: the address had an account already (no new link)


def invite(
    session: Session, *, email: str, name: str, now: datetime, valid_for: timedelta
) -> Invitation:
    """A new account without a password and its link; or, for an address with an account,
    nothing new (a waiting account gets a new link)."""
    email = normalise_email(email)
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        user = User(email=email, name=name.strip(), password_hash=PENDING, created_at=now)
        session.add(user)
        session.flush()
    assert user.id is not None
    if user.password_hash != PENDING:
        return Invitation(user.id, user.email, None)
    return Invitation(
        user.id, user.email, new_token(session, user.id, now, now + valid_for, PURPOSE)
    )


def invitation_message(
    invitation: Invitation, *, sender: str, link: str, days: int
) -> EmailMessage:
    """The mail to the invited address: the link to choose a password, or (an account exists)
    the link to sign in."""
    if invitation.token is None:
        body = Message(
            "You have been invited to the Jaarplan tracker. You already have an account with "
            "this e-mail address, so nothing changes: sign in as usual.\n\n%(link)s\n",
            link=link,
        )
    else:
        body = Message(
            "You have been invited to the Jaarplan tracker.\n\n"
            "Choose your password with this link (valid for %(days)s days, to be used "
            "once):\n\n%(link)s\n\n"
            "Then sign in with your e-mail address and that password.\n",
            days=days,
            link=link,
        )
    subject = translate(Message("Invitation – Jaarplan tracker"))
    return plain_mail(sender, invitation.email, subject, translate(body))
