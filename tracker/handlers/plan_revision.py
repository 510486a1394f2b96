"""A revised plan document applied to the plan it revises: the activities it adds, amends
and (where the coordinator ticked them) withdraws, in one transaction.

The pairing and the comparison are the review's (tracker.domain.plan_diff); this handler
applies what the person confirmed, with the rules of each single change
(tracker.handlers.plan_changes): a stale review is refused as a whole (ConcurrencyError),
as is any change the rules refuse, and nothing is written then.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.clock import Clock
from tracker.database import UnitOfWork
from tracker.domain.commands import RevisePlan
from tracker.domain.plan import PlannedActivity
from tracker.domain.plan_changes import Content, PlanChangeRefused
from tracker.handlers.activities import UnknownActivity, append_decided, check_fresh, load_activity
from tracker.handlers.marker import handler
from tracker.handlers.plan_changes import add_in, amend_in, network_workgroups
from tracker.handlers.plans import add_missing_workgroups, coordinated_plan, remove_draft
from tracker.models import Activity as ActivityRecord
from tracker.models import Plan


@dataclass(frozen=True)
class RevisionResult:
    plan_slug: str
    added: int
    amended: int
    withdrawn: int


@handler
def apply_plan_revision(uow: UnitOfWork, command: RevisePlan, clock: Clock) -> RevisionResult:
    """Apply a reviewed revision of a plan (coordinators of its network, admins). Raises
    NotFound (also for a plan, draft or activity the person may not see), Forbidden,
    PlanChangeRefused, StatusError or ConcurrencyError; then nothing is stored."""
    actor = command.actor
    with uow:
        uow.events.lock_for_append()
        plan = coordinated_plan(uow.session, actor, command.plan_id)
        if command.draft_id is not None:
            remove_draft(uow.session, actor, command.draft_id, plan.network_id)
        add_missing_workgroups(uow.session, plan.network_id, command.workgroups, actor, clock)
        ids = {name: id_ for id_, name in network_workgroups(uow, plan.network_id).items()}
        for amendment in command.amendments:
            _require_in_plan(uow, plan, amendment.activity_id)
            edits = _content(amendment.content, ids)
            amend_in(
                uow,
                actor,
                amendment.activity_id,
                {name: getattr(edits, name) for name in _REVISED},
                command.reason,
                amendment.expected_version,
                clock,
            )
        for addition in command.additions:
            add_in(uow, plan, actor, _content(addition, ids), clock)
        for withdrawal in command.withdrawals:
            _require_in_plan(uow, plan, withdrawal.activity_id)
            activity = load_activity(uow, withdrawal.activity_id)
            check_fresh(activity, withdrawal.expected_version)
            decided = activity.decide_withdrawal(command.withdrawal_reason)
            append_decided(uow, activity, decided, actor.user_id, clock)
        uow.commit()
    return RevisionResult(
        plan.slug, len(command.additions), len(command.amendments), len(command.withdrawals)
    )


# What a revision may change: everything a coordinator can amend but the position (see
# tracker.domain.plan_diff.FIELDS).
_REVISED = ("title", "theme", "objectives", "actions", "wie", "wanneer", "workgroups")


def _require_in_plan(uow: UnitOfWork, plan: Plan, activity_id: str) -> None:
    record = uow.session.get(ActivityRecord, activity_id)
    if record is None or record.plan_id != plan.id:
        raise UnknownActivity(activity_id)


def _content(planned: PlannedActivity, ids: dict[str, int]) -> Content:
    """The document's activity as content to store, its workgroups by id."""
    unknown = [name for name in planned.workgroups if name not in ids]
    if unknown:
        raise PlanChangeRefused("unknown_workgroup", "workgroups")
    return Content(
        title=planned.title,
        theme=planned.theme,
        objectives=planned.objectives,
        actions=planned.actions,
        wie=planned.wie,
        wanneer=planned.wanneer,
        workgroups=tuple(ids[name] for name in planned.workgroups),
    )
