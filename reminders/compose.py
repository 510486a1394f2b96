"""Writing the e-mails: Dutch, plain text plus HTML, from templates/reminders/mail/.

The HTML templates are autoescaped (Flask turns autoescaping on for .html), so whatever a
plan says (titles, workgroup names) is shown as text, never as markup. Subjects are folded
onto one line, so plan text cannot add mail headers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from zoneinfo import ZoneInfo

from babel.dates import format_date
from jinja2 import Environment

from reminders.periods import Period, ReminderKind
from reminders.selection import ActivitySnapshot, Silence

STATUS_WORDS = {
    "gepland": "Gepland",
    "lopend": "Lopend",
    "vertraagd": "Vertraagd",
    "afgerond": "Afgerond",
    "gestopt": "Gestopt",
    "doorgeschoven": "Doorgeschoven",
}
SILENCE_WORDS = {
    Silence.NO_ADDRESS: "geen e-mailadres: deze werkgroep is niet herinnerd",
    Silence.NOT_DELIVERED: "de herinnering kon (nog) niet worden afgeleverd",
    Silence.NO_UPDATE: "geen update sinds de herinnering",
}
SUBJECTS = {
    ReminderKind.QUARTERLY: "Jaarplan {period}: activiteiten van {name}",
    ReminderKind.DUE_SOON: "Jaarplan: deadline nadert voor activiteiten van {name} ({period})",
    ReminderKind.DIGEST: "Jaarplan {period}: werkgroepen zonder update ({name})",
}


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
    why: str = ""  # personal mails: why this person receives it

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
    reason: str
    activities: Sequence[ListedActivity]


def one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


def dutch_date(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return "nog geen update"
    return format_date(moment.astimezone(zone).date(), "d MMMM y", locale="nl")


def listed(
    activities: Sequence[ActivitySnapshot], period: Period, links: Links, zone: ZoneInfo
) -> list[ListedActivity]:
    return [
        ListedActivity(
            title=a.title,
            theme=a.theme,
            plan_title=a.plan_title,
            wanneer=a.wanneer,
            status=STATUS_WORDS.get(a.status, a.status),
            last_update=dutch_date(a.last_update_at, zone),
            url=links.activity(a.id),
            due=a.timing.ends_within(period.first, period.last),
        )
        for a in activities
    ]


def _render(env: Environment, name: str, subject: str, **context: object) -> Composed:
    context["subject"] = subject
    return Composed(
        subject=subject,
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
) -> Composed:
    """A quarterly or due-soon reminder for one workgroup (or a member's own copy of it)."""
    subject = one_line(SUBJECTS[kind].format(period=period.label, name=workgroup))
    template = "quarterly" if kind is ReminderKind.QUARTERLY else "due_soon"
    return _render(
        env,
        template,
        subject,
        period=period,
        workgroup=workgroup,
        network=network,
        activities=activities,
        links=links,
    )


def compose_digest(
    env: Environment, period: Period, network: str, entries: Sequence[DigestEntry], links: Links
) -> Composed:
    """The coordinators' digest: the workgroups that have not answered, and why."""
    subject = one_line(SUBJECTS[ReminderKind.DIGEST].format(period=period.label, name=network))
    return _render(
        env, "digest", subject, period=period, network=network, entries=entries, links=links
    )


def email_message(
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    unsubscribe: str | None = None,
) -> EmailMessage:
    """A multipart/alternative message (text first, then HTML), with List-Unsubscribe for
    personal mails so mail programs can offer a one-click unsubscribe (RFC 8058)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = one_line(subject)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
