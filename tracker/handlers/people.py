"""People handlers: networks, workgroups, people, their roles and memberships, API tokens.

Administrators manage these (the operator at the command line too); a network's coordinators
manage its workgroups and memberships and invite people into it. Each handler checks
that before it reads or writes anything, and records what it changed in the audit trail in
the same transaction (ids only, with the address the request came from).
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from tracker import accounts
from tracker.clock import Clock
from tracker.database import UnitOfWork
from tracker.domain.access import NotFound, Principal, Role
from tracker.domain.commands import (
    AddNetwork,
    AddWorkgroup,
    CreateApiToken,
    CreatePerson,
    ErasePerson,
    InvitePerson,
    Membership,
    SetActive,
    SetRole,
)
from tracker.handlers.marker import handler
from tracker.models import Network, NetworkRole, User, Workgroup, WorkgroupMember
from tracker.passwords import Passwords
from tracker.security import audit, erasure, invitations
from tracker.security.audit import AuditKind


class Refused(Exception):
    """The change cannot be made as asked; `reason` names why (for the message shown)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@handler
def add_network(uow: UnitOfWork, command: AddNetwork, clock: Clock) -> int:
    command.actor.require_admin()
    with uow:
        if uow.session.exec(select(Network).where(Network.slug == command.slug)).first():
            raise Refused("network_exists")
        network = Network(slug=command.slug, name=command.name)
        network_id = add_audited(uow.session, network, command.actor, clock)
        uow.commit()
    return network_id


@handler
def add_workgroup(uow: UnitOfWork, command: AddWorkgroup, clock: Clock) -> int:
    command.actor.require_coordinator(command.network_id)
    name = command.name.strip()
    with uow:
        if uow.session.get(Network, command.network_id) is None:
            raise NotFound(command.network_id)
        clash = uow.session.exec(
            select(Workgroup).where(
                Workgroup.network_id == command.network_id, Workgroup.name == name
            )
        ).first()
        if clash:
            raise Refused("workgroup_exists")
        workgroup = Workgroup(
            network_id=command.network_id, name=name, email=command.email.strip().lower()
        )
        workgroup_id = add_audited(uow.session, workgroup, command.actor, clock)
        uow.commit()
    return workgroup_id


@handler
def create_person(
    uow: UnitOfWork, command: CreatePerson, clock: Clock, passwords: Passwords
) -> int:
    """Add a person, with a role in one network and membership of its workgroups; raises
    accounts.AccountError (Dutch message) for a taken address or a weak password."""
    command.actor.require_admin()
    with uow:
        user = accounts.create_user(
            uow.session,
            passwords,
            email=command.email,
            name=command.name,
            password=command.password,
            is_admin=command.is_admin,
            now=clock.now(),
        )
        assert user.id is not None
        detail = audit.fields(admin=1) if command.is_admin else ""
        audit.add_by(uow.session, AuditKind.PERSON_CREATED, command.actor, clock, user.id, detail)
        if command.network_id is not None and command.role is not None:
            _set_role(uow.session, command.actor, clock, user.id, command.network_id, command.role)
            for workgroup_id in command.workgroup_ids:
                _add_to_workgroup(uow.session, command.actor, clock, user.id, workgroup_id)
        uow.commit()
    return user.id


@handler
def invite_person(
    uow: UnitOfWork, command: InvitePerson, clock: Clock, valid_for: timedelta
) -> invitations.Invitation:
    """Invite a person into a network (admins: any; coordinators: their own, else NotFound).
    A new account gets the role and workgroups; an existing one is left as it is."""
    command.actor.require_coordinator(command.network_id)
    with uow:
        if uow.session.get(Network, command.network_id) is None:
            raise NotFound(command.network_id)
        for workgroup_id in command.workgroup_ids:
            workgroup = uow.session.get(Workgroup, workgroup_id)
            if workgroup is None or workgroup.network_id != command.network_id:
                raise NotFound(workgroup_id)
        invitation = invitations.invite(
            uow.session,
            email=command.email,
            name=command.name,
            now=clock.now(),
            valid_for=valid_for,
        )
        user_id, actor = invitation.user_id, command.actor
        if invitation.token is not None:
            _set_role(uow.session, actor, clock, user_id, command.network_id, command.role)
            for workgroup_id in command.workgroup_ids:
                _add_to_workgroup(uow.session, actor, clock, user_id, workgroup_id)
        detail = audit.fields(existing=1) if invitation.token is None else ""
        audit.add_by(uow.session, AuditKind.INVITATION_SENT, actor, clock, user_id, detail)
        uow.commit()
    return invitation


@handler
def set_role(uow: UnitOfWork, command: SetRole, clock: Clock) -> None:
    command.actor.require_admin()
    with uow:
        _person(uow.session, command.user_id)
        if uow.session.get(Network, command.network_id) is None:
            raise NotFound(command.network_id)
        _set_role(
            uow.session, command.actor, clock, command.user_id, command.network_id, command.role
        )
        uow.commit()


@handler
def add_to_workgroup(uow: UnitOfWork, command: Membership, clock: Clock) -> None:
    with uow:
        _add_to_workgroup(uow.session, command.actor, clock, command.user_id, command.workgroup_id)
        uow.commit()


@handler
def remove_from_workgroup(uow: UnitOfWork, command: Membership, clock: Clock) -> None:
    with uow:
        _workgroup(uow.session, command.actor, command.workgroup_id)
        membership = uow.session.get(WorkgroupMember, (command.user_id, command.workgroup_id))
        if membership is None:
            raise NotFound(command.workgroup_id)
        uow.session.delete(membership)
        detail = audit.fields(workgroup=command.workgroup_id)
        kind = AuditKind.MEMBERSHIP_REMOVED
        audit.add_by(uow.session, kind, command.actor, clock, command.user_id, detail)
        uow.commit()


@handler
def set_active(uow: UnitOfWork, command: SetActive, clock: Clock) -> None:
    """(De)activate a person: deactivation ends every session and API token."""
    command.actor.require_admin()
    if command.user_id == command.actor.user_id:
        raise Refused("self")
    with uow:
        person = _person(uow.session, command.user_id)
        accounts.set_active(uow.session, person, command.active)
        kind = AuditKind.REACTIVATED if command.active else AuditKind.DEACTIVATED
        audit.add_by(uow.session, kind, command.actor, clock, command.user_id)
        uow.commit()


@handler
def erase_person(uow: UnitOfWork, command: ErasePerson, clock: Clock) -> None:
    """Erase a person's personal data; the event log still replays."""
    command.actor.require_admin()
    if command.user_id == command.actor.user_id:
        raise Refused("self")
    with uow:
        _person(uow.session, command.user_id)
        erasure.erase_person(
            uow.session, command.user_id, now=clock.now(), actor_id=command.actor.user_id
        )
        uow.commit()


@handler
def create_api_token(uow: UnitOfWork, command: CreateApiToken, clock: Clock) -> str:
    """A new API token (shown once) for oneself, or for anyone by an administrator."""
    if command.user_id != command.actor.user_id:
        command.actor.require_admin()
    with uow:
        person = _person(uow.session, command.user_id)
        if not person.active:
            raise Refused("inactive")
        token = accounts.create_token(uow.session, command.user_id, clock.now())
        audit.add_by(uow.session, AuditKind.TOKEN_CREATED, command.actor, clock, command.user_id)
        uow.commit()
    return token


def add_audited(session: Session, row: Network | Workgroup, actor: Principal, clock: Clock) -> int:
    """Add a new network or workgroup, recorded in the audit trail; returns its id."""
    session.add(row)
    session.flush()
    assert row.id is not None
    if isinstance(row, Network):
        kind, detail = AuditKind.NETWORK_ADDED, audit.fields(network=row.id)
    else:
        kind, detail = AuditKind.WORKGROUP_ADDED, audit.fields(workgroup=row.id)
    audit.add_by(session, kind, actor, clock, detail=detail)
    return row.id


def _person(session: Session, user_id: int) -> User:
    """A person who exists and was not erased; else NotFound."""
    person = session.get(User, user_id)
    if person is None or person.id is None or erasure.is_erased(person):
        raise NotFound(user_id)
    return person


def _set_role(
    session: Session, actor: Principal, clock: Clock, user_id: int, network_id: int, role: Role
) -> None:
    accounts.set_role(session, user_id, network_id, role)
    detail = audit.fields(network=network_id, role=role.value)
    audit.add_by(session, AuditKind.ROLE_CHANGED, actor, clock, user_id, detail)


def _add_to_workgroup(
    session: Session, actor: Principal, clock: Clock, user_id: int, workgroup_id: int
) -> None:
    """Membership of a workgroup; the person needs a role in its network first (an erased
    person has none)."""
    workgroup = _workgroup(session, actor, workgroup_id)
    if session.get(NetworkRole, (user_id, workgroup.network_id)) is None:
        raise Refused("no_role_in_network")
    accounts.add_to_workgroup(session, user_id, workgroup_id)
    detail = audit.fields(workgroup=workgroup_id)
    audit.add_by(session, AuditKind.MEMBERSHIP_ADDED, actor, clock, user_id, detail)


def _workgroup(session: Session, actor: Principal, workgroup_id: int) -> Workgroup:
    """A workgroup the actor coordinates the network of (admins: any); else NotFound, or
    Forbidden for a member of its network."""
    workgroup = session.get(Workgroup, workgroup_id)
    if workgroup is None:
        raise NotFound(workgroup_id)
    actor.require_coordinator(workgroup.network_id)
    return workgroup
