"""Writing a calendar feed as iCalendar (RFC 5545), with the `icalendar` package.

Every entry is an all-day event (a deadline or a reminder is a day, not a time) and marked
free (TRANSP:TRANSPARENT), so it never blocks anyone's agenda. UIDs are derived from what
the entry is (the activity, the kind and quarter of a reminder), never from the moment of
the request, so a calendar that fetches the feed again updates its entries rather than
adding copies. The texts are Dutch, as the reminder mails are (`compose.MAIL_LOCALE`): a
calendar program fetches the feed without anyone's session.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from icalendar import TRANSP, Calendar, Event, vDuration

from reminders.compose import MAIL_LOCALE, Links
from reminders.feed_content import Deadline, ReminderDay, Subscriber
from reminders.periods import ReminderKind
from tracker.domain.message import Message
from tracker.texts import translate

PRODUCT = "-//Jaarplan tracker//Agenda-abonnement//NL"
REFRESH = timedelta(hours=6)  # how often a calendar program should fetch the feed again
DAY = timedelta(days=1)


def reminder_summary(reminder: ReminderDay) -> Message:
    """What a reminder day is called in the calendar."""
    period = reminder.period.label
    if reminder.kind is ReminderKind.QUARTERLY:
        return Message("Reminder: quarterly update of the annual plan (%(period)s)", period=period)
    return Message("Reminder: deadlines of the annual plan approaching (%(period)s)", period=period)


def reminder_description(kind: ReminderKind) -> Message:
    if kind is ReminderKind.QUARTERLY:
        return Message(
            "Today the workgroups receive the e-mail with their activities for this quarter."
        )
    return Message(
        "Today the workgroups receive the e-mail about the activities that are due this"
        " quarter and still open."
    )


def _text(message: Message) -> str:
    return translate(message, MAIL_LOCALE)


def feed_calendar(
    subscriber: Subscriber,
    due: Sequence[Deadline],
    reminders: Sequence[ReminderDay],
    app_url: str,
    now: datetime,
) -> bytes:
    """The feed as an iCalendar document (UTF-8, CRLF line ends)."""
    domain = urlsplit(app_url).hostname or "jaarplan"
    name = (
        Message("Annual plan: my workgroups")
        if subscriber.workgroup_name is None
        else Message("Annual plan: %(name)s", name=subscriber.workgroup_name)
    )
    calendar = Calendar.new(
        prodid=PRODUCT,
        method="PUBLISH",
        calscale="GREGORIAN",
        name=_text(name),
        uid=f"feed-{subscriber.feed_id}@{domain}",
    )
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    # Outlook's name for the same; an X- property is text, so the duration is written out.
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH).to_ical().decode())
    links = Links(app_url)
    for deadline in due:
        calendar.add_component(_deadline(deadline, links, domain, now))
    for reminder in reminders:
        calendar.add_component(_reminder(reminder, domain, now))
    ical: bytes = calendar.to_ical()
    return ical


def _deadline(deadline: Deadline, links: Links, domain: str, now: datetime) -> Event:
    url = links.activity(deadline.activity_id)
    lines = [
        _text(
            Message(
                "%(plan)s (%(network)s)", plan=deadline.plan_title, network=deadline.network_name
            )
        ),
        _text(Message("Responsible: %(names)s", names=deadline.workgroups)),
        url,
    ]
    return Event.new(
        uid=f"deadline-{deadline.activity_id}@{domain}",
        summary=_text(Message("Deadline: %(title)s", title=deadline.title)),
        description="\n".join(lines),
        start=deadline.due,
        end=deadline.due + DAY,
        stamp=now,
        transparency=TRANSP.TRANSPARENT,
        url=url,
    )


def _reminder(reminder: ReminderDay, domain: str, now: datetime) -> Event:
    return Event.new(
        uid=f"reminder-{reminder.kind.value}-{reminder.period}@{domain}",
        summary=_text(reminder_summary(reminder)),
        description=_text(reminder_description(reminder.kind)),
        start=reminder.day,
        end=reminder.day + DAY,
        stamp=now,
        transparency=TRANSP.TRANSPARENT,
    )
