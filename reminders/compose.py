"""Writing the e-mails: plain text plus HTML, from templates/reminders/mail/, in one language.

Every text goes through the catalogues (msgids in English); a mail is written in `locale`,
Dutch by default: the network's language, and the language of every mail a run writes (a
person's choice of English lasts their browser session only, so it is not known here).

The HTML templates are autoescaped (Flask turns autoescaping on for .html), so whatever a
plan says (titles, workgroup names) is shown as text, never as markup. Subjects are folded
onto one line, so plan text cannot add mail headers.

The message follows RFC 5322 and MIME: a Date, a Message-ID that is the same at every attempt
to send one outbox row (so a repeat is recognisably the same mail), multipart/alternative with
the text first, bodies 7-bit clean (quoted-printable where a line is long or not ASCII), and
headers with non-ASCII text as RFC 2047 encoded words within 78 characters a line.
"""

from __future__ import annotations

import email.policy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime, make_msgid, parseaddr
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import force_locale
from jinja2 import Environment

from reminders.periods import Period, ReminderKind
from reminders.selection import ActivitySnapshot, Silence
from tracker.domain.message import Message, Param
from tracker.texts import status_label, translate

MAIL_LOCALE = "nl"
SILENCE_WORDS = {
    Silence.NO_ADDRESS: Message("no e-mail address: this workgroup was not reminded"),
    Silence.NOT_DELIVERED: Message("the reminder could not be delivered (yet)"),
    Silence.NO_UPDATE: Message("no update since the reminder"),
}


def subject(kind: ReminderKind, period: Period, name: str) -> Message:
    """The subject of a reminder to a workgroup (`name`) or of the digest of a network."""
    values: dict[str, Param] = {"period": period.label, "name": name}
    if kind is ReminderKind.QUARTERLY:
        return Message("Annual plan %(period)s: activities of %(name)s", **values)
    if kind is ReminderKind.DUE_SOON:
        return Message(
            "Annual plan: deadline approaching for activities of %(name)s (%(period)s)", **values
        )
    return Message("Annual plan %(period)s: workgroups without an update (%(name)s)", **values)


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Links:
    """Addresses in a mail: the app, a person's reminder settings, their unsubscribe link."""

    app_url: str
    unsubscribe: str | None = None  # personal mails only
    why: Message | str = ""  # personal mails: why this person receives it

    def activity(self, activity_id: str) -> str:
        return f"{self.app_url}/activiteiten/{activity_id}"

    @property
    def preferences(self) -> str:
        return f"{self.app_url}/profiel/herinneringen"


@dataclass(frozen=True)
class ListedActivity:
    """One line of a reminder: what the activity is, where it stands, where to update it."""

    title: str
    theme: str
    plan_title: str
    wanneer: str
    status: str
    last_update: str
    url: str
    due: bool


@dataclass(frozen=True)
class DigestEntry:
    workgroup: str
    reason: Message
    activities: Sequence[ListedActivity]


def one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


def update_date(moment: datetime | None, zone: ZoneInfo, locale: str = MAIL_LOCALE) -> str:
    """The day of the last update ("10 mei 2021"), or that there was none."""
    if moment is None:
        return translate(Message("no update yet"), locale)
    return format_date(moment.astimezone(zone).date(), "d MMMM y", locale=locale)


def listed(
    activities: Sequence[ActivitySnapshot],
    period: Period,
    links: Links,
    zone: ZoneInfo,
    locale: str = MAIL_LOCALE,
) -> list[ListedActivity]:
    return [
        ListedActivity(
            title=a.title,
            theme=a.theme,
            plan_title=a.plan_title,
            wanneer=a.wanneer,
            status=status_label(a.status, locale),
            last_update=update_date(a.last_update_at, zone, locale),
            url=links.activity(a.id),
            due=a.timing.ends_within(period.first, period.last),
        )
        for a in activities
    ]


def _render(
    env: Environment, name: str, title: Message, locale: str, **context: object
) -> Composed:
    """Both bodies in `locale` (the app's Flask-Babel, so `_()` in the templates too)."""
    with force_locale(locale):
        text_subject = one_line(translate(title, locale))
        context.update(subject=text_subject, locale=locale)
        return Composed(
            subject=text_subject,
            text=env.get_template(f"reminders/mail/{name}.txt").render(**context),
            html=env.get_template(f"reminders/mail/{name}.html").render(**context),
        )


def compose_reminder(
    env: Environment,
    kind: ReminderKind,
    period: Period,
    workgroup: str,
    network: str,
    activities: Sequence[ListedActivity],
    links: Links,
    locale: str = MAIL_LOCALE,
) -> Composed:
    """A quarterly or due-soon reminder for one workgroup (or a member's own copy of it)."""
    template = "quarterly" if kind is ReminderKind.QUARTERLY else "due_soon"
    return _render(
        env,
        template,
        subject(kind, period, workgroup),
        locale,
        period=period,
        workgroup=workgroup,
        network=network,
        activities=activities,
        links=links,
    )


def compose_digest(
    env: Environment,
    period: Period,
    network: str,
    entries: Sequence[DigestEntry],
    links: Links,
    locale: str = MAIL_LOCALE,
) -> Composed:
    """The coordinators' digest: the workgroups that have not answered, and why."""
    return _render(
        env,
        "digest",
        subject(ReminderKind.DIGEST, period, network),
        locale,
        period=period,
        network=network,
        entries=entries,
        links=links,
    )


# Bodies are encoded for a 7-bit transport (quoted-printable or base64 where needed): the
# mail is sent without asking for 8BITMIME, which not every server on the way offers.
MAIL_POLICY = email.policy.default.clone(cte_type="7bit")


def mail_domain(sender: str) -> str:
    """The domain of the From address (MAIL_FROM), in ASCII, for Message-IDs."""
    _, at, domain = parseaddr(sender)[1].rpartition("@")
    domain = domain.strip().lower() if at else ""
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        domain = ""
    return domain or "localhost"


def message_id_for(outbox_id: int, created_at: datetime, sender: str) -> str:
    """The Message-ID of an outbox row's mail, derived from the row (its id and the moment,
    to the microsecond, it was written) and the sender's domain: the same at every attempt
    and resend, and different for every other row (also one with the same id in another
    installation sending from the same domain, unless written in the same microsecond)."""
    moment = created_at.replace(tzinfo=UTC) if created_at.tzinfo is None else created_at
    stamp = moment.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"<jaarplan.{outbox_id}.{stamp}@{mail_domain(sender)}>"


class EncodedHeader(str):
    """A header value with non-ASCII text, encoded and folded by email.header (RFC 2047).

    email.policy passes a value with `name` and `fold` through untouched. Its own folder
    (Python 3.11) can put a fold between a plain word and an encoded word and keep the space
    before it, so mail programs show a double space in the subject.
    """

    name: str

    def __new__(cls, name: str, value: str) -> EncodedHeader:
        encoded = Header(value, "utf-8", header_name=name).encode(linesep="\n")
        header = super().__new__(cls, encoded)
        header.name = name
        return header

    def fold(self, *, policy: Policy) -> str:
        return f"{self.name}: {policy.linesep.join(self.splitlines())}{policy.linesep}"


def email_message(
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    unsubscribe: str | None = None,
    *,
    message_id: str | None = None,
    date: datetime | None = None,
) -> EmailMessage:
    """A multipart/alternative message (text first, then HTML), with List-Unsubscribe for
    personal mails so mail programs can offer a one-click unsubscribe (RFC 8058).

    `message_id` is the outbox row's (see `message_id_for`); `date` the moment of sending.
    """
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = sender
    message["To"] = to
    subject = one_line(subject)
    message["Subject"] = subject if subject.isascii() else EncodedHeader("Subject", subject)
    message["Date"] = format_datetime((date or datetime.now(UTC)).astimezone(UTC))
    message["Message-ID"] = message_id or make_msgid(domain=mail_domain(sender))
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
