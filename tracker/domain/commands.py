"""Commands: what a person or process asks the tracker to do, in the imperative.

Every command a person can give carries the acting person (`actor`); its handler checks
the access rules (tracker.domain.access) before it reads or writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker.domain.access import Principal, Role
from tracker.domain.period import Period
from tracker.domain.plan import PlanDocument, PlannedActivity, WorkgroupSpec


@dataclass(frozen=True)
class PlanActivity:
    """Start tracking an activity of a plan."""

    activity_id: str
    plan_id: int
    content: PlannedActivity
    actor_id: int | None = None
    carried_from: str | None = None  # the activity of an earlier plan this one continues
    carry_over_reason: str = ""


@dataclass(frozen=True)
class ChangeActivityStatus:
    """Move an activity to `status` (or, with the same status, record a progress note).

    `expected_version` is the version the person saw; a newer one means someone else updated
    the activity in the meantime, and the change is refused rather than silently overwriting.
    """

    actor: Principal
    activity_id: str
    status: str
    note: str = ""
    expected_version: int | None = None
    happened_on: date | None = None  # the day it happened, when not today


@dataclass(frozen=True)
class RecordProgress:
    """Record the value a measurable target has reached, with an optional note."""

    actor: Principal
    activity_id: str
    indicator_id: int
    value: float
    note: str = ""
    expected_version: int | None = None
    happened_on: date | None = None  # the day the value was reached, when not today


@dataclass(frozen=True)
class CarryOver:
    """Carry unfinished activities of one plan into the next, with the reason (jaarovergang).

    The next plan is a later plan of the same network (`to_plan_id`), or, without one, the
    network's plan of the next year, made when it does not exist yet (titled
    `new_plan_title`, by default "Jaarplan <year>"). `wanneer` gives the new "Wanneer" of
    chosen activities (activity id, text); the others get theirs re-timed into the new year.
    """

    actor: Principal
    from_plan_id: int
    activity_ids: tuple[str, ...]
    reason: str
    to_plan_id: int | None = None
    wanneer: tuple[tuple[str, str], ...] = ()
    new_plan_title: str | None = None


@dataclass(frozen=True)
class SaveImportDraft:
    """Keep an uploaded plan, read into a draft, for its coordinator's review."""

    actor: Principal
    network_id: int
    filename: str
    document: str  # the draft in the YAML plan format
    warnings: str  # JSON: [[where, message], …]
    proposed: str  # JSON: parties proposed as new workgroups
    structure: str = ""  # JSON: the document's structure (text, Word, PDF), for a mapping


@dataclass(frozen=True)
class DiscardImportDraft:
    actor: Principal
    draft_id: str


@dataclass(frozen=True)
class RemapImportDraft:
    """Replace a draft by the reading of its document with the coordinator's mapping.

    `expected` is the fingerprint of the draft the mapping was made on: a draft changed since
    (another tab, another person) is not overwritten.
    """

    actor: Principal
    draft_id: str
    expected: str
    document: str  # the draft in the YAML plan format
    warnings: str  # JSON: [[where, message], …]
    proposed: str  # JSON: parties proposed as new workgroups
    structure: str  # JSON: the document's structure and the mapping applied


@dataclass(frozen=True)
class ImportPlan:
    """Store a reviewed plan in a network: into the network's plan of the document's year
    (made when new), adding what is new. Names in the document (network, plan) are not
    trusted: the network is the one given here, chosen by the person."""

    actor: Principal
    network_id: int
    document: PlanDocument
    draft_id: str | None = None  # the draft it was reviewed from, removed in the same step


@dataclass(frozen=True)
class LoadPlan:
    """Store a plan file as it stands, its network made when new (administrators and the
    operator only: a file names its own network)."""

    actor: Principal
    document: PlanDocument


@dataclass(frozen=True)
class RecordSpending:
    """Money spent on a theme of a plan's budget, on a day."""

    actor: Principal
    plan_id: int
    theme: str
    amount: Decimal
    spent_on: date
    note: str = ""


@dataclass(frozen=True)
class RecordReminderSent:
    """Note in the history of each listed activity that a reminder was delivered."""

    activity_ids: tuple[str, ...]
    kind: str
    period: str
    outbox_id: int
    workgroup_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class AddNetwork:
    actor: Principal
    slug: str
    name: str


@dataclass(frozen=True)
class AddWorkgroup:
    actor: Principal
    network_id: int
    name: str
    email: str = ""


@dataclass(frozen=True)
class CreatePerson:
    """A new person, optionally with a role in one network and its workgroups."""

    actor: Principal
    email: str
    name: str
    password: str
    is_admin: bool = False
    network_id: int | None = None
    role: Role | None = None
    workgroup_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class SetRole:
    actor: Principal
    user_id: int
    network_id: int
    role: Role


@dataclass(frozen=True)
class InvitePerson:
    """Invite a person by e-mail, with a role in one network and some of its workgroups."""

    actor: Principal
    email: str
    name: str
    network_id: int
    role: Role
    workgroup_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Membership:
    """A person in a workgroup: to add (people.add_to_workgroup) or to remove."""

    actor: Principal
    user_id: int
    workgroup_id: int


@dataclass(frozen=True)
class SetActive:
    """Deactivate a person (every session and token stops working) or activate again."""

    actor: Principal
    user_id: int
    active: bool


@dataclass(frozen=True)
class ErasePerson:
    actor: Principal
    user_id: int


@dataclass(frozen=True)
class CreateApiToken:
    actor: Principal
    user_id: int


@dataclass(frozen=True)
class AmendActivity:
    """Change what the plan says about an activity (coordinators of its network, admins).

    A field left None stays as it is. `expected_version` as for a status change: an
    activity changed since the person looked at it is not overwritten.
    """

    actor: Principal
    activity_id: str
    title: str | None = None
    theme: str | None = None
    objectives: str | None = None
    actions: str | None = None
    wie: str | None = None
    wanneer: str | None = None
    workgroup_ids: tuple[int, ...] | None = None
    position: int | None = None
    reason: str = ""
    expected_version: int | None = None


@dataclass(frozen=True)
class AddActivity:
    """Add an activity to a running plan, under a theme (a new theme is made)."""

    actor: Principal
    plan_id: int
    title: str
    theme: str
    objectives: str = ""
    actions: str = ""
    wie: str = ""
    wanneer: str = ""
    workgroup_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class WithdrawActivity:
    """Take an activity out of the plan (vervallen), with the reason."""

    actor: Principal
    activity_id: str
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ReopenActivity:
    """Open a closed activity (afgerond, gestopt, vervallen) again, in an open status."""

    actor: Principal
    activity_id: str
    reason: str
    status: str = "lopend"
    expected_version: int | None = None


@dataclass(frozen=True)
class RenameTheme:
    """Rename a theme of a plan (each of its activities records the amendment)."""

    actor: Principal
    plan_id: int
    theme: str
    new_name: str
    reason: str = ""


@dataclass(frozen=True)
class CreatePlan:
    """Make the network's plan of a year in the app: empty (with its themes) or with the
    structure of an earlier plan of the network (`copy_from`), without its statuses."""

    actor: Principal
    network_id: int
    year: int
    title: str
    motto: str = ""
    themes: tuple[str, ...] = ()
    copy_from: int | None = None


@dataclass(frozen=True)
class Amendment:
    """What a revised plan says about one stored activity, and the version the person saw."""

    activity_id: str
    content: PlannedActivity
    expected_version: int | None = None


@dataclass(frozen=True)
class Withdrawal:
    """A stored activity no longer in the revised plan, ticked to lapse (vervallen)."""

    activity_id: str
    expected_version: int | None = None


@dataclass(frozen=True)
class RevisePlan:
    """Apply a revised version of a plan's document, as the person reviewed it: add the new
    activities, amend the changed ones, withdraw the ticked missing ones; all or nothing.

    `workgroups` are the document's (made in the network when new); `draft_id` the draft it
    was reviewed from, removed in the same step.
    """

    actor: Principal
    plan_id: int
    additions: tuple[PlannedActivity, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    withdrawals: tuple[Withdrawal, ...] = ()
    reason: str = ""
    withdrawal_reason: str = ""
    workgroups: tuple[WorkgroupSpec, ...] = ()
    draft_id: str | None = None


@dataclass(frozen=True)
class CloseQuarter:
    """Close (vaststellen) a quarter of a plan: its report as known now becomes the one of
    record."""

    actor: Principal
    plan_id: int
    period: Period
