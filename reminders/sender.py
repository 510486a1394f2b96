"""Delivering the outbox: claim a due row, look up the address, send, record the outcome.

A failure before DATA (no connection, a 4xx reply to MAIL or RCPT) sent nothing and is retried
after MAIL_RETRY_DELAYS; a 5xx reply or an invalid address marks the row failed; a lost answer
to DATA marks it uncertain, and it is not sent again by itself (see outbox.py). A delivered
row is marked sent and a ReminderSent event is appended to each listed activity in the same
transaction. The log names outbox rows, workgroups and people by id only.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC
from email.message import EmailMessage

from events.store import ConcurrencyError
from reminders import outbox
from reminders.compose import email_message, message_id_for
from reminders.mailer import DeliveryFailure, Mailer, PermanentFailure, UncertainDelivery
from reminders.planning import is_valid_address
from reminders.settings import MailSettings
from reminders.tokens import unsubscribe_url
from tracker.clock import Clock
from tracker.database import Database
from tracker.domain.commands import RecordReminderSent
from tracker.domain.message import Message, stored
from tracker.handlers.activities import record_reminder_sent
from tracker.handlers.marker import handler
from tracker.models import User, Workgroup, WorkgroupMember
from tracker.reminder_models import OutboxMessage, OutboxStatus, RecipientKind, preference_of

log = logging.getLogger(__name__)

RECORD_ATTEMPTS = 5  # appending ReminderSent races with status updates on PostgreSQL


SKIPPED = "skipped"  # an Outcome: the claim was lost before DATA; another sender has it


@dataclass(frozen=True)
class Outcome:
    outbox_id: int
    status: str  # sent | pending (retry later) | failed | uncertain | cancelled | skipped
    detail: str = ""


class LeaseLost(Exception):
    """This sender no longer holds the row's claim: it must not hand the message over."""


class NotDeliverable(Exception):
    """The row cannot be sent as it stands: `status` says whether that is a failure (an
    admin should look) or a cancellation (the person opted out)."""

    def __init__(self, status: str, reason: Message) -> None:
        super().__init__(str(reason))
        self.status = status
        self.reason = reason


def recipient_address(db: Database, message: OutboxMessage) -> str:
    """The address to send to now, or raise NotDeliverable: failed without a valid address,
    cancelled when the person opted out, left the workgroup or is no longer active."""
    with db.session() as session:
        if message.recipient_kind == RecipientKind.WORKGROUP:
            workgroup = session.get(Workgroup, message.workgroup_id)
            address = workgroup.email.strip() if workgroup else ""
            if not address:
                raise NotDeliverable(
                    OutboxStatus.FAILED, Message("the workgroup has no e-mail address")
                )
        else:
            assert message.user_id is not None
            user = session.get(User, message.user_id)
            preference = preference_of(session, message.user_id)
            member = message.recipient_kind == RecipientKind.MEMBER
            wanted = preference.personal_copy if member else preference.digest
            if user is None or not user.active or not wanted:
                raise NotDeliverable(OutboxStatus.CANCELLED, Message("unsubscribed"))
            member_id = (message.user_id, message.workgroup_id)
            if member and session.get(WorkgroupMember, member_id) is None:
                raise NotDeliverable(
                    OutboxStatus.CANCELLED, Message("no longer a member of the workgroup")
                )
            address = user.email
    if not is_valid_address(address):
        raise NotDeliverable(OutboxStatus.FAILED, Message("invalid e-mail address"))
    return address


class Sender:
    """Delivers due outbox rows with a mailer; the clock decides what is due."""

    def __init__(
        self, db: Database, mailer: Mailer, clock: Clock, settings: MailSettings, secret_key: str
    ) -> None:
        self.db = db
        self.mailer = mailer
        self.clock = clock
        self.settings = settings
        self.secret_key = secret_key
        self.token = uuid.uuid4().hex
        self.lease = outbox.lease_for(settings.smtp.timeout)

    def deliver_due(self) -> list[Outcome]:
        """Deliver every row due now (each at most once per call); returns the outcomes,
        first those of rows whose sender died during DATA (now uncertain)."""
        outcomes = [
            Outcome(outbox_id, OutboxStatus.UNCERTAIN, outbox.SENDER_DIED)
            for outbox_id in outbox.give_up_abandoned(self.db, self.clock.now())
        ]
        for outcome in outcomes:
            log.warning(
                "outbox %s: its sender stopped during DATA; marked uncertain", outcome.outbox_id
            )
        seen: set[int] = set()
        while message := outbox.claim_next(self.db, self.clock.now(), self.token, seen, self.lease):
            assert message.id is not None
            seen.add(message.id)
            outcomes.append(self.deliver(message))
        return outcomes

    def deliver(self, message: OutboxMessage) -> Outcome:
        """Send one claimed row and record what happened."""
        assert message.id is not None
        where = f"outbox {message.id} ({message.kind} {message.period}, {_who(message)})"
        try:
            address = recipient_address(self.db, message)
            self.mailer.send(
                self._email(message, address), before_data=lambda: self._start(message)
            )
        except LeaseLost:
            log.warning("%s: claim lost before DATA; not sent by this sender", where)
            return Outcome(message.id, SKIPPED, "claimed by another sender")
        except NotDeliverable as refused:
            log.warning("%s: not sent: %s", where, refused.reason)
            self._finish(message, status=refused.status, last_error=stored(refused.reason))
            return Outcome(message.id, refused.status, str(refused.reason))
        except PermanentFailure as failure:
            log.warning("%s: refused by the server, marked failed", where)
            return self._attempted(message, OutboxStatus.FAILED, failure.reason)
        except UncertainDelivery as failure:
            log.warning("%s: no answer to DATA, marked uncertain (not sent again)", where)
            return self._attempted(message, OutboxStatus.UNCERTAIN, failure.reason)
        except DeliveryFailure as failure:
            return self._retry(message, failure, where)
        self._record_sent(message)
        log.info("%s: delivered", where)
        return Outcome(message.id, OutboxStatus.SENT)

    def _start(self, message: OutboxMessage) -> None:
        """Just before DATA: record that the message is being handed over (see the module
        docstring), or stop if another sender has taken the row over."""
        assert message.id is not None
        if not outbox.start_data(self.db, message.id, self.token, self.clock.now(), self.lease):
            raise LeaseLost

    def _email(self, message: OutboxMessage, address: str) -> EmailMessage:
        assert message.id is not None
        unsubscribe = None
        if message.user_id is not None:
            unsubscribe = unsubscribe_url(self.settings.app_url, self.secret_key, message.user_id)
        return email_message(
            self.settings.sender,
            address,
            message.subject,
            message.body_text,
            message.body_html,
            unsubscribe=unsubscribe,
            message_id=message_id_for(message.id, message.created_at, self.settings.sender),
            date=self.clock.now(),
        )

    def _retry(self, message: OutboxMessage, failure: DeliveryFailure, where: str) -> Outcome:
        attempts = message.attempts + 1
        at = outbox.retry_at(attempts, self.clock.now(), self.settings.retry_delays)
        if at is None:
            log.warning("%s: gave up after %d attempts", where, attempts)
            reason = Message(
                "gave up after %(attempts)s attempts: %(reason)s",
                attempts=attempts,
                reason=failure.reason[:300],
            )
            return self._attempted(message, OutboxStatus.FAILED, reason)
        log.info("%s: temporary failure, attempt %d; next at %s", where, attempts, at)
        # Pending again, also after a refused DATA: the server said no, so nothing arrived.
        return self._attempted(
            message, OutboxStatus.PENDING, failure.reason, next_attempt_at=at.astimezone(UTC)
        )

    def _attempted(
        self, message: OutboxMessage, status: str, reason: str | Message, **values: object
    ) -> Outcome:
        """Record one more attempt at the row, and what came of it."""
        assert message.id is not None
        last_error = stored(reason) if isinstance(reason, Message) else reason
        self._finish(
            message, status=status, attempts=message.attempts + 1, last_error=last_error, **values
        )
        return Outcome(message.id, status, str(reason))

    @handler
    def _finish(self, message: OutboxMessage, **values: object) -> None:
        assert message.id is not None
        with self.db.unit_of_work() as uow:
            outbox.finish(uow.connection, message.id, self.token, **values)
            uow.commit()

    @handler
    def _record_sent(self, message: OutboxMessage) -> None:
        """Mark the row sent and append ReminderSent to its activities, in one transaction."""
        assert message.id is not None
        command = RecordReminderSent(
            activity_ids=tuple(json.loads(message.activity_ids)),
            kind=message.kind,
            period=message.period,
            outbox_id=message.id,
            workgroup_id=message.workgroup_id,
            user_id=message.user_id,
        )
        for attempt in range(1, RECORD_ATTEMPTS + 1):
            now = self.clock.now()
            try:
                with self.db.unit_of_work() as uow:
                    held = outbox.finish(
                        uow.connection,
                        message.id,
                        self.token,
                        status=OutboxStatus.SENT,
                        attempts=message.attempts + 1,
                        sent_at=now.astimezone(UTC),
                        last_error="",
                    )
                    if held:
                        record_reminder_sent(uow, command, self.clock)
                    uow.commit()
                return
            except ConcurrencyError:
                if attempt == RECORD_ATTEMPTS:
                    raise
                log.info("outbox %s: an activity moved on while recording; again", message.id)


def _who(message: OutboxMessage) -> str:
    if message.recipient_kind == RecipientKind.WORKGROUP:
        return f"workgroup {message.workgroup_id}"
    if message.recipient_kind == RecipientKind.MEMBER:
        return f"workgroup {message.workgroup_id}, user {message.user_id}"
    return f"network {message.network_id}, user {message.user_id}"
