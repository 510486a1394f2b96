"""Plan handlers: importing and loading a plan, the year-end carry-over, recorded spending.

A plan is identified by its network and its year; its short name (slug, used in addresses)
is made here and never taken from what a person typed or uploaded, so nothing a user sends
can name, claim or reach a plan of another network. Each handler checks the acting person's
rights on the network before it reads or writes anything else.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from tracker.clock import AMSTERDAM, Clock
from tracker.database import UnitOfWork
from tracker.domain.access import NotFound, Principal
from tracker.domain.budget import check_spending
from tracker.domain.commands import (
    CarryOver,
    DiscardImportDraft,
    ImportPlan,
    LoadPlan,
    PlanActivity,
    RecordSpending,
    RemapImportDraft,
    SaveImportDraft,
)
from tracker.domain.plan import PlanDocument, WorkgroupSpec
from tracker.domain.plan_changes import MAX_PLAN_TITLE_LENGTH, MAX_WANNEER_LENGTH, PlanChangeRefused
from tracker.domain.retiming import retime
from tracker.handlers.activities import CarriedOver, UnknownActivity, carry_activity, plan_activity
from tracker.handlers.marker import handler
from tracker.handlers.people import add_audited
from tracker.ids import activity_id_for
from tracker.importing.mapping import fingerprint
from tracker.importing.stored import planned_contents
from tracker.models import (
    Activity,
    BudgetItem,
    BudgetSpending,
    BudgetSplit,
    ImportDraft,
    Network,
    Plan,
    Theme,
    Workgroup,
)
from tracker.queries import plan_for_year


@dataclass(frozen=True)
class LoadResult:
    plan_id: int
    plan_slug: str
    created: int
    existing: int


class UnknownBudgetTheme(Exception):
    """The theme is not one of the plan's budget; `themes` are the ones it has."""

    def __init__(self, theme: str, themes: list[str]) -> None:
        super().__init__(theme)
        self.themes = themes


@handler
def import_plan(uow: UnitOfWork, command: ImportPlan, clock: Clock) -> LoadResult:
    """Store a reviewed plan in the chosen network (coordinators of it, admins), adding what
    is new; the draft it came from is removed in the same transaction. Raises NotFound for a
    network or draft the person may not see, Forbidden for one they may not import into."""
    command.actor.require_coordinator(command.network_id)
    with uow:
        network = uow.session.get(Network, command.network_id)
        if network is None:
            raise NotFound(command.network_id)
        if command.draft_id is not None:
            remove_draft(uow.session, command.actor, command.draft_id, command.network_id)
        result = _store(uow, network, command.document, command.actor, clock, slug=None)
        uow.commit()
    return result


@handler
def load_plan(uow: UnitOfWork, command: LoadPlan, clock: Clock) -> LoadResult:
    """Store a plan file as it stands (administrators and the operator): its network is
    found by the file's short name, or made; the plan's short name is the file's when it is
    free, else made from the network and the year."""
    command.actor.require_admin()
    document = command.document
    with uow:
        network = uow.session.exec(
            select(Network).where(Network.slug == document.network_slug)
        ).first()
        if network is None:
            network = Network(slug=document.network_slug, name=document.network_name)
            add_audited(uow.session, network, command.actor, clock)
        result = _store(uow, network, document, command.actor, clock, slug=document.plan_slug)
        uow.commit()
    return result


def _store(
    uow: UnitOfWork,
    network: Network,
    document: PlanDocument,
    actor: Principal,
    clock: Clock,
    slug: str | None,
) -> LoadResult:
    """The document's content in the network's plan of its year (made when new): its
    workgroups (by name, in this network), budget and one tracked activity per item.
    Idempotent: activity ids follow from the plan and the title, so loading the same
    document again adds only what is new."""
    assert network.id is not None
    plan = plan_of_year(
        uow.session,
        network,
        document.year,
        title=document.title,
        motto=document.motto,
        introduction=document.introduction,
        slug=slug,
    )
    assert plan.id is not None
    add_missing_workgroups(uow.session, network.id, document.workgroups, actor, clock)
    _store_budget(uow.session, plan.id, document)
    created = 0
    for content in document.activities:
        command = PlanActivity(
            activity_id=activity_id_for(plan.slug, content.title),
            plan_id=plan.id,
            content=content,
            actor_id=actor.user_id,
        )
        created += plan_activity(uow, command, clock)
    return LoadResult(plan.id, plan.slug, created, len(document.activities) - created)


def add_missing_workgroups(
    session: Session,
    network_id: int,
    specs: Sequence[WorkgroupSpec],
    actor: Principal,
    clock: Clock,
) -> None:
    """Make the workgroups of `specs` the network does not have yet (by name), each recorded
    in the audit trail; an existing workgroup gets the aliases of its spec it lacks (a name
    the review mapped to it, remembered for the next import)."""
    for spec in specs:
        exists = session.exec(
            select(Workgroup).where(Workgroup.network_id == network_id, Workgroup.name == spec.name)
        ).first()
        if exists is not None:
            known = [a for a in exists.aliases.split("\n") if a]
            taken = {a.casefold() for a in (*known, exists.name)}
            added = [a for a in dict.fromkeys(spec.aliases) if a.casefold() not in taken]
            if added:
                exists.aliases = "\n".join(known + added)
                session.add(exists)
        else:
            workgroup = Workgroup(
                network_id=network_id,
                name=spec.name,
                email=spec.email,
                aliases="\n".join(spec.aliases),
            )
            add_audited(session, workgroup, actor, clock)


def plan_of_year(
    session: Session,
    network: Network,
    year: int,
    *,
    title: str,
    motto: str = "",
    introduction: str = "",
    slug: str | None = None,
) -> Plan:
    """The network's plan of `year`, made when it has none. A new plan's short name is
    `slug` when given and free, else "<network>-<year>" (with "-2", "-3" … in the rare case
    another plan already has it)."""
    assert network.id is not None
    plan = plan_for_year(session, network.id, year)
    if plan is not None:
        return plan
    wanted = [slug] if slug else []
    base = f"{network.slug}-{year}"
    wanted += [base] + [f"{base}-{n}" for n in range(2, 100)]
    taken = set(session.exec(select(Plan.slug).where(col(Plan.slug).in_(wanted))).all())
    free = next(candidate for candidate in wanted if candidate not in taken)
    plan = Plan(
        network_id=network.id,
        slug=free,
        year=year,
        title=title,
        motto=motto,
        introduction=introduction,
    )
    session.add(plan)
    session.flush()
    return plan


@handler
def save_import_draft(uow: UnitOfWork, command: SaveImportDraft, clock: Clock) -> str:
    """Keep an uploaded plan for review by the person who uploaded it (coordinators of the
    network, admins); returns the draft's id."""
    command.actor.require_coordinator(command.network_id)
    if command.actor.user_id is None:
        raise NotFound(command.network_id)  # a draft is reviewed by a person in the browser
    with uow:
        if uow.session.get(Network, command.network_id) is None:
            raise NotFound(command.network_id)
        draft = ImportDraft(
            id=str(uuid.uuid4()),
            network_id=command.network_id,
            user_id=command.actor.user_id,
            created_at=clock.now(),
            filename=command.filename[:255],
            document=command.document,
            warnings=command.warnings,
            proposed=command.proposed,
            structure=command.structure,
        )
        uow.session.add(draft)
        uow.commit()
    return draft.id


class StaleDraft(Exception):
    """The draft changed after the mapping form was made from it."""


def draft_fingerprint(draft: ImportDraft) -> str:
    """What a mapping form carries of the draft it was made on (see RemapImportDraft)."""
    return fingerprint(draft.document, draft.warnings, draft.structure)


@handler
def remap_import_draft(uow: UnitOfWork, command: RemapImportDraft) -> None:
    """Keep the draft as read with the coordinator's mapping (the person who uploaded it,
    admins; coordinators of its network). Raises NotFound for a draft the person may not see,
    StaleDraft when it changed after the form was made."""
    with uow:
        draft = own_draft(uow.session, command.actor, command.draft_id)
        if draft_fingerprint(draft) != command.expected:
            raise StaleDraft(command.draft_id)
        draft.document = command.document
        draft.warnings = command.warnings
        draft.proposed = command.proposed
        draft.structure = command.structure
        uow.session.add(draft)
        uow.commit()


@handler
def discard_import_draft(uow: UnitOfWork, command: DiscardImportDraft) -> None:
    """Remove a draft without importing it (the person who uploaded it, admins)."""
    with uow:
        uow.session.delete(own_draft(uow.session, command.actor, command.draft_id))
        uow.commit()


def own_draft(session: Session, actor: Principal, draft_id: str) -> ImportDraft:
    """A draft the person uploaded (any, for an admin) in a network they coordinate; else
    NotFound (also for someone else's draft). Pages read drafts through this too."""
    draft = session.get(ImportDraft, draft_id[:36])
    if draft is None or not (draft.user_id == actor.user_id or actor.is_admin):
        raise NotFound(draft_id)
    if not actor.is_coordinator(draft.network_id):
        raise NotFound(draft_id)
    return draft


def remove_draft(session: Session, actor: Principal, draft_id: str, network_id: int) -> None:
    """Remove the draft a plan was stored from (`own_draft`, and of that network)."""
    draft = own_draft(session, actor, draft_id)
    if draft.network_id != network_id:
        raise NotFound(draft_id)
    session.delete(draft)


def coordinated_plan(session: Session, actor: Principal, plan_id: int) -> Plan:
    """The plan, when the person coordinates its network (NotFound for an outsider: the
    same answer as for a plan that does not exist)."""
    plan = session.get(Plan, plan_id)
    if plan is None or not actor.can_view_network(plan.network_id):
        raise NotFound(plan_id)
    actor.require_coordinator(plan.network_id)
    return plan


def _store_budget(session: Session, plan_id: int, document: PlanDocument) -> None:
    """The budget of a plan, when the plan has none stored yet (loading again adds nothing)."""
    if session.exec(select(BudgetItem.id).where(BudgetItem.plan_id == plan_id)).first():
        return
    if session.exec(select(BudgetSplit.id).where(BudgetSplit.plan_id == plan_id)).first():
        return
    for position, line in enumerate(document.budget):
        session.add(
            BudgetItem(
                plan_id=plan_id,
                position=position,
                theme=line.theme,
                item=line.item,
                amount_cents=int(line.amount * 100),
            )
        )
    for position, share in enumerate(document.budget_shares):
        session.add(
            BudgetSplit(
                plan_id=plan_id,
                position=position,
                name=share.name,
                numerator=share.share.numerator,
                denominator=share.share.denominator,
            )
        )


@dataclass(frozen=True)
class CarryOverDone:
    plan_slug: str  # the plan the work continues in
    carried: list[CarriedOver]


@handler
def carry_over(uow: UnitOfWork, command: CarryOver, clock: Clock) -> CarryOverDone:
    """Carry unfinished activities of a plan into the next plan, all in one transaction
    (coordinators of the plan's network). The next plan is `to_plan_id`, which must be a
    later plan of the same network, or the network's plan of the next year (made when new).
    Raises NotFound for a plan or activity the person may not see (a plan of another network
    is answered as one that does not exist), Forbidden, StatusError."""
    with uow:
        source = coordinated_plan(uow.session, command.actor, command.from_plan_id)
        target = next_plan(uow.session, source, command.to_plan_id, command.new_plan_title)
        rows = uow.session.exec(
            select(Activity, Theme)
            .join(Theme, col(Theme.id) == Activity.theme_id)
            .where(col(Activity.id).in_(command.activity_ids))
            .where(Activity.plan_id == source.id)
        ).all()
        stored = planned_contents(uow.session, rows)
        contents = {row.id: content for (row, _), content in zip(rows, stored, strict=True)}
        missing = [a for a in command.activity_ids if a not in contents]
        if missing:
            raise UnknownActivity(missing[0])
        edited = dict(command.wanneer)
        reason, actor_id = command.reason, command.actor.user_id
        note = f"Jaarovergang vanuit {source.slug}"  # with the status the continuation keeps
        results = []
        for activity_id in command.activity_ids:
            planned = contents[activity_id]
            wanneer = edited.get(activity_id)
            if wanneer is None:
                wanneer = retime(planned.wanneer, source.year, target.year).text
            content = replace(
                planned,
                wanneer=checked_wanneer(wanneer),
                source=f"{source.slug} › {planned.title}",
                carried_from_year=source.year,
            )
            results.append(
                carry_activity(uow, activity_id, content, target, reason, actor_id, clock, note)
            )
        uow.commit()
    return CarryOverDone(target.slug, results)


def checked_wanneer(text: str) -> str:
    """A "Wanneer" given at the carry-over, on one line; PlanChangeRefused when too long."""
    text = " ".join(text.split())
    if len(text) > MAX_WANNEER_LENGTH:
        raise PlanChangeRefused("too_long", "wanneer")
    return text


def next_plan(
    session: Session, source: Plan, to_plan_id: int | None, title: str | None = None
) -> Plan:
    """The plan a carry-over goes into: `to_plan_id` when it is a later plan of the source's
    network (else NotFound, as for a plan that does not exist), or the network's plan of the
    next year, made when new with `title` (by default "Jaarplan <year>")."""
    if to_plan_id is not None:
        target = session.get(Plan, to_plan_id)
        if target is None or target.network_id != source.network_id or target.year <= source.year:
            raise NotFound(to_plan_id)
        return target
    network = session.get(Network, source.network_id)
    assert network is not None
    year = source.year + 1
    title = " ".join((title or "").split()) or f"Jaarplan {year}"
    if len(title) > MAX_PLAN_TITLE_LENGTH:
        raise PlanChangeRefused("too_long", "title")
    return plan_of_year(session, network, year, title=title)


@handler
def record_spending(uow: UnitOfWork, command: RecordSpending, clock: Clock) -> None:
    """Money spent on a theme of the plan's budget (coordinators of the plan's network);
    raises NotFound, Forbidden, UnknownBudgetTheme, SpendingRefused."""
    with uow:
        plan = coordinated_plan(uow.session, command.actor, command.plan_id)
        themes = sorted(
            set(uow.session.exec(select(BudgetItem.theme).where(BudgetItem.plan_id == plan.id)))
        )
        if command.theme not in themes:
            raise UnknownBudgetTheme(command.theme, themes)
        today = clock.now().astimezone(AMSTERDAM).date()
        check_spending(command.amount, command.spent_on, plan.year, today)
        uow.session.add(
            BudgetSpending(
                plan_id=command.plan_id,
                theme=command.theme,
                spent_on=command.spent_on,
                amount_cents=int(command.amount * 100),
                note=command.note[:500],
                recorded_by=command.actor.user_id,
                recorded_at=clock.now(),
            )
        )
        uow.commit()
