"""Making a run: reading the plan's state and writing one draft mail per recipient.

Read only: nothing here writes. `plan_run` answers "what would a reminder of this kind for
this quarter send, to whom?"; the outbox stores the answer, and a dry run prints it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from jinja2 import Environment
from sqlmodel import Session, col, select

from reminders.compose import (
    SILENCE_WORDS,
    DigestEntry,
    Links,
    compose_digest,
    compose_reminder,
    listed,
)
from reminders.outbox import Draft
from reminders.periods import Period, ReminderKind
from reminders.selection import (
    ActivitySnapshot,
    SentReminder,
    Silence,
    activities_per_workgroup,
    digest_lines,
)
from reminders.tokens import unsubscribe_url
from tracker.clock import as_utc
from tracker.domain.access import Role
from tracker.domain.message import Message
from tracker.domain.status import OPEN_STATUSES
from tracker.models import (
    Activity,
    ActivityWorkgroup,
    Network,
    NetworkRole,
    Plan,
    Theme,
    User,
    Workgroup,
    WorkgroupMember,
)
from tracker.projections import ActivityState
from tracker.reminder_models import OutboxMessage, OutboxStatus, RecipientKind, ReminderPreference

MEMBER_WHY = Message(
    "You receive this message because you want your workgroup's reminders at your own address too."
)
COORDINATOR_WHY = Message("You receive this digest as a network coordinator.")


@dataclass(frozen=True)
class RunPlan:
    drafts: list[Draft] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # for the log and the dry run: ids only


@dataclass(frozen=True)
class Context:
    """What composing needs besides the database: templates, links, the secret, the zone."""

    env: Environment
    app_url: str
    secret_key: str
    timezone: ZoneInfo


def is_valid_address(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def snapshots(session: Session, *, listable_in: Period | None = None) -> list[ActivitySnapshot]:
    """Every tracked activity with its state and workgroups, in plan order.

    With `listable_in`, only those a quarterly or due-soon reminder for that quarter could
    list: open, and active or due in it (the rule of `selection.is_listed`, which still
    decides). Filtering in the query spares reading every activity of earlier years: at
    national scale that was 39,000 activities for ~1,600 listed, and most of a run's time.
    """
    query = (
        select(Activity, ActivityState, Theme, Plan)
        .join(ActivityState, col(ActivityState.activity_id) == col(Activity.id))
        .join(Theme, col(Theme.id) == col(Activity.theme_id))
        .join(Plan, col(Plan.id) == col(Activity.plan_id))
        .order_by(col(Activity.plan_id), col(Theme.position), col(Activity.position))
    )
    links = select(ActivityWorkgroup.activity_id, ActivityWorkgroup.workgroup_id)
    if listable_in is not None:
        first, last = listable_in.first, listable_in.last
        start, end = col(Activity.period_start), col(Activity.period_end)
        listable = sa.and_(
            col(ActivityState.status).in_(sorted(status.value for status in OPEN_STATUSES)),
            sa.or_(
                sa.and_(start <= last, sa.or_(end.is_(None), end >= first)),  # overlaps
                sa.and_(end >= first, end <= last),  # ends within
            ),
        )
        query = query.where(listable)
        links = (
            links.join(Activity, col(Activity.id) == col(ActivityWorkgroup.activity_id))
            .join(ActivityState, col(ActivityState.activity_id) == col(Activity.id))
            .where(listable)
        )
    rows = session.exec(query).all()
    groups: dict[str, list[int]] = defaultdict(list)
    for activity_id, workgroup_id in session.exec(links):
        groups[activity_id].append(workgroup_id)
    return [
        ActivitySnapshot(
            id=activity.id,
            title=activity.title,
            status=state.status,
            start=activity.period_start,
            end=activity.period_end,
            workgroup_ids=tuple(sorted(groups[activity.id])),
            last_update_at=as_utc(state.last_update_at),
            wanneer=activity.wanneer,
            theme=theme.name,
            plan_title=plan.title,
        )
        for activity, state, theme, plan in rows
    ]


def _personal_members(session: Session) -> dict[int, list[User]]:
    """Per workgroup: the active members who asked for their own copy of its reminders."""
    rows = session.exec(
        select(WorkgroupMember.workgroup_id, User)
        .join(User, col(User.id) == col(WorkgroupMember.user_id))
        .join(ReminderPreference, col(ReminderPreference.user_id) == col(User.id))
        .where(col(ReminderPreference.personal_copy), col(User.active))
        .order_by(col(User.id))
    ).all()
    members: dict[int, list[User]] = defaultdict(list)
    for workgroup_id, user in rows:
        members[workgroup_id].append(user)
    return members


def _coordinators(session: Session) -> dict[int, list[User]]:
    """Per network: the active coordinators who did not switch the digest off."""
    rows = session.exec(
        select(NetworkRole.network_id, User, ReminderPreference)
        .join(User, col(User.id) == col(NetworkRole.user_id))
        .join(ReminderPreference, col(ReminderPreference.user_id) == col(User.id), isouter=True)
        .where(NetworkRole.role == Role.COORDINATOR.value, col(User.active))
        .order_by(col(User.id))
    ).all()
    found: dict[int, list[User]] = defaultdict(list)
    for network_id, user, preference in rows:
        if preference is None or preference.digest:
            found[network_id].append(user)
    return found


def _personal_links(context: Context, user: User, why: Message) -> Links:
    assert user.id is not None
    unsubscribe = unsubscribe_url(context.app_url, context.secret_key, user.id)
    return Links(context.app_url, unsubscribe=unsubscribe, why=why)


def plan_run(session: Session, context: Context, kind: ReminderKind, period: Period) -> RunPlan:
    """The mails a run of `kind` for `period` sends (see the module docstring)."""
    if kind is ReminderKind.DIGEST:
        return _plan_digest(session, context, period)
    plan = RunPlan()
    networks = {n.id: n.name for n in session.exec(select(Network))}
    members = _personal_members(session)
    per_workgroup = activities_per_workgroup(kind, period, snapshots(session, listable_in=period))
    for workgroup in session.exec(select(Workgroup).order_by(col(Workgroup.id))):
        activities = per_workgroup.get(workgroup.id or 0)
        if workgroup.id is None or not activities:
            continue  # nothing open: nothing to send
        ids = tuple(a.id for a in activities)
        lines = listed(activities, period, Links(context.app_url), context.timezone)
        network = networks[workgroup.network_id]
        compose = partial(
            compose_reminder, context.env, kind, period, workgroup.name, network, lines
        )
        if not workgroup.email:
            plan.problems.append(f"workgroup {workgroup.id} has no e-mail address")
        else:
            if not is_valid_address(workgroup.email):
                plan.problems.append(f"workgroup {workgroup.id} has an invalid e-mail address")
            plan.drafts.append(
                Draft(
                    f"workgroup:{workgroup.id}",
                    RecipientKind.WORKGROUP,
                    workgroup.network_id,
                    workgroup.id,
                    None,
                    workgroup.email,
                    compose(Links(context.app_url)),
                    ids,
                )
            )
        for user in members.get(workgroup.id, []):
            plan.drafts.append(
                Draft(
                    f"member:{workgroup.id}:{user.id}",
                    RecipientKind.MEMBER,
                    workgroup.network_id,
                    workgroup.id,
                    user.id,
                    user.email,
                    compose(_personal_links(context, user, MEMBER_WHY)),
                    ids,
                )
            )
    return plan


def quarterly_reminders(session: Session, period: Period) -> dict[int, SentReminder]:
    """The quarterly reminders written for the workgroups' own addresses in `period`."""
    rows = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.kind == ReminderKind.QUARTERLY.value,
            OutboxMessage.period == str(period),
            OutboxMessage.recipient_kind == RecipientKind.WORKGROUP,
        )
    ).all()
    return {
        row.workgroup_id: SentReminder(
            as_utc(row.sent_at) if row.status == OutboxStatus.SENT else None,
            tuple(json.loads(row.activity_ids)),
        )
        for row in rows
        if row.workgroup_id is not None
    }


def _plan_digest(session: Session, context: Context, period: Period) -> RunPlan:
    plan = RunPlan()
    activities = {a.id: a for a in snapshots(session)}
    open_now = activities_per_workgroup(ReminderKind.QUARTERLY, period, activities.values())
    open_ids = {workgroup_id: [a.id for a in found] for workgroup_id, found in open_now.items()}
    reminders = quarterly_reminders(session, period)
    last_updates = {a.id: a.last_update_at for a in activities.values()}
    coordinators = _coordinators(session)
    workgroups = session.exec(select(Workgroup).order_by(col(Workgroup.name))).all()
    for network in session.exec(select(Network).order_by(col(Network.id))):
        assert network.id is not None
        mine = {w.id: w for w in workgroups if w.network_id == network.id and w.id is not None}
        addressed = {workgroup_id: bool(w.email) for workgroup_id, w in mine.items()}
        lines = digest_lines(addressed, open_ids, reminders, last_updates)
        if not lines:
            continue
        for line in lines:
            if line.reason is Silence.NO_ADDRESS:
                plan.problems.append(f"workgroup {line.workgroup_id} has no e-mail address")
        entries = [
            DigestEntry(
                mine[line.workgroup_id].name,
                SILENCE_WORDS[line.reason],
                listed(
                    [activities[i] for i in line.activity_ids if i in activities],
                    period,
                    Links(context.app_url),
                    context.timezone,
                ),
            )
            for line in lines
        ]
        ids = tuple(dict.fromkeys(i for line in lines for i in line.activity_ids))
        for user in coordinators.get(network.id, []):
            links = _personal_links(context, user, COORDINATOR_WHY)
            plan.drafts.append(
                Draft(
                    f"coordinator:{network.id}:{user.id}",
                    RecipientKind.COORDINATOR,
                    network.id,
                    None,
                    user.id,
                    user.email,
                    compose_digest(context.env, period, network.name, entries, links),
                    ids,
                )
            )
    return plan
