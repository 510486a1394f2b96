"""Calendar feeds: whose feed a secret address opens, what it holds, and its iCalendar text.

Read only. A feed is a workgroup's, or a person's (the workgroups they are a member of, in
the networks they still have a role in: what they see when signed in). It holds the open
activities with a due day, the last day of their "wanneer" (`period_end`; without one they
are left out rather than guessed), and the days the quarterly and due-soon reminders are
sent, from the reminders' own `Schedule`.

Every entry is an all-day event, marked free (TRANSP:TRANSPARENT) so it never blocks an
agenda, with a UID derived from what it is (never from the moment of the request), so a
calendar fetching the feed again updates its entries rather than adding copies. The texts
are Dutch, as the mails (`compose.MAIL_LOCALE`): a calendar fetches without a session.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from icalendar import TRANSP, Calendar, Event, vDuration
from sqlmodel import Session, col, select

from reminders.compose import MAIL_LOCALE, Links
from reminders.periods import Period, ReminderKind, Schedule
from tracker.accounts import token_hash
from tracker.domain.message import Message
from tracker.domain.status import OPEN_STATUSES
from tracker.models import Activity, ActivityWorkgroup, Network, Plan, User, Workgroup
from tracker.projections import ActivityState
from tracker.queries import principal_for
from tracker.reminder_models import CalendarFeed
from tracker.texts import translate

# The kinds that reach workgroups (the digest goes to coordinators only).
FEED_KINDS = (ReminderKind.QUARTERLY, ReminderKind.DUE_SOON)
QUARTERS_AHEAD = 4  # the current quarter and the three after it
LONGEST_SECRET = 100  # a longer one was not made here: not looked up
PRODUCT = "-//Jaarplan tracker//Agenda-abonnement//NL"
REFRESH = timedelta(hours=6)  # how often a calendar program should fetch the feed again
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Subscriber:
    """Whose feed a secret address opens."""

    feed_id: int
    workgroup_name: str | None  # None: a person's own feed
    workgroup_ids: frozenset[int]


@dataclass(frozen=True)
class Deadline:
    """An open activity on its due day, with where it belongs."""

    activity_id: str
    title: str
    due: date
    plan_title: str
    network_name: str
    workgroups: tuple[str, ...]  # the responsible workgroups among the subscriber's


@dataclass(frozen=True)
class ReminderDay:
    kind: ReminderKind
    period: Period
    day: date


def subscriber_for(session: Session, secret: str) -> Subscriber | None:
    """The feed `secret` opens, or None: unknown, renewed, or its person no longer active."""
    if not secret or len(secret) > LONGEST_SECRET:
        return None
    feed = session.exec(
        select(CalendarFeed).where(CalendarFeed.secret_hash == token_hash(secret))
    ).first()
    if feed is None or feed.id is None:
        return None
    if feed.workgroup_id is not None:
        workgroup = session.get(Workgroup, feed.workgroup_id)
        if workgroup is None:
            return None
        return Subscriber(feed.id, workgroup.name, frozenset({feed.workgroup_id}))
    user = session.get(User, feed.user_id) if feed.user_id is not None else None
    if user is None or not user.active:
        return None
    person = principal_for(session, user)
    workgroups = session.exec(
        select(Workgroup).where(col(Workgroup.id).in_(sorted(person.workgroup_ids)))
    ).all()
    seen = frozenset(
        w.id for w in workgroups if w.id is not None and person.can_view_network(w.network_id)
    )
    return Subscriber(feed.id, None, seen)


def deadlines(session: Session, workgroup_ids: Iterable[int]) -> list[Deadline]:
    """The open activities of these workgroups that have a due day, by day then plan order."""
    ids = sorted(workgroup_ids)
    if not ids:
        return []
    rows = session.exec(
        select(Activity, Plan, Network, Workgroup)
        .join(ActivityState, col(ActivityState.activity_id) == col(Activity.id))
        .join(ActivityWorkgroup, col(ActivityWorkgroup.activity_id) == col(Activity.id))
        .join(Workgroup, col(Workgroup.id) == col(ActivityWorkgroup.workgroup_id))
        .join(Plan, col(Plan.id) == col(Activity.plan_id))
        .join(Network, col(Network.id) == col(Plan.network_id))
        .where(
            col(ActivityWorkgroup.workgroup_id).in_(ids),
            col(ActivityState.status).in_(sorted(status.value for status in OPEN_STATUSES)),
            col(Activity.period_end).is_not(None),
        )
        .order_by(
            col(Activity.period_end),
            col(Activity.plan_id),
            col(Activity.position),
            col(Activity.id),
            col(ActivityWorkgroup.position),
        )
    ).all()
    found: dict[str, Deadline] = {}
    for activity, plan, network, workgroup in rows:
        assert activity.period_end is not None  # filtered above
        known = found.get(activity.id)
        names = (*known.workgroups, workgroup.name) if known else (workgroup.name,)
        found[activity.id] = Deadline(
            activity.id, activity.title, activity.period_end, plan.title, network.name, names
        )
    return list(found.values())


def reminder_days(schedule: Schedule, today: date) -> list[ReminderDay]:
    """The days the quarterly and due-soon reminders are sent (as far as the schedule sends
    them) in the quarter of `today` and the next ones: `Schedule.day_of`, as the scheduler."""
    days = []
    period = Period.containing(today)
    for _ in range(QUARTERS_AHEAD):
        for kind in FEED_KINDS:
            if kind in schedule.kinds:
                days.append(ReminderDay(kind, period, schedule.day_of(kind, period)))
        period = period.next()
    return sorted(days, key=lambda reminder: reminder.day)


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
    period = reminder.period.label
    if reminder.kind is ReminderKind.QUARTERLY:
        summary = Message(
            "Reminder: quarterly update of the annual plan (%(period)s)", period=period
        )
        description = Message(
            "Today the workgroups receive the e-mail with their activities for this quarter."
        )
    else:
        summary = Message(
            "Reminder: deadlines of the annual plan approaching (%(period)s)", period=period
        )
        description = Message(
            "Today the workgroups receive the e-mail about the activities that are due this"
            " quarter and still open."
        )
    return Event.new(
        uid=f"reminder-{reminder.kind.value}-{reminder.period}@{domain}",
        summary=_text(summary),
        description=_text(description),
        start=reminder.day,
        end=reminder.day + DAY,
        stamp=now,
        transparency=TRANSP.TRANSPARENT,
    )
