"""Who may see and change what: the access rules, as plain functions over a Principal.

Roles are held per network: a coordinator (netwerkcoördinator) manages everything in the
network, a member (werkgroeplid) updates the activities of their own workgroups, the board
(bestuur) reads. Admins manage the whole installation; the operator at the command line is
an admin without a person. Objects of a network a person has no role in are treated as not
existing (NotFound, answered 404 like an object that does not exist), so a refusal says
nothing about what exists in another network. Every command handler asks these rules before
it reads or writes anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class NotFound(Exception):
    """The object does not exist, or lies in a network the person has no role in (404)."""


class Forbidden(Exception):
    """The person sees the object but may not do this (403); `rule` names the rule that
    refused, for the message shown (the domain holds no UI texts)."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


class Rule(StrEnum):
    """Why a Forbidden was raised."""

    COORDINATORS = "coordinators"  # only the network's coordinators (and admins)
    WORKGROUP = "workgroup"  # only the responsible workgroups' members and the coordinators
    ADMINS = "admins"  # only administrators


class Role(StrEnum):
    COORDINATOR = "coordinator"
    MEMBER = "member"
    BOARD = "board"


@dataclass(frozen=True)
class Principal:
    """A signed-in person as the access rules see them: ids and roles, nothing personal."""

    user_id: int | None  # None: the operator at the command line
    is_admin: bool = False
    roles: Mapping[int, Role] = field(default_factory=dict)
    workgroup_ids: frozenset[int] = frozenset()
    address: str = ""  # where the request came from, for the audit trail

    def can_view_network(self, network_id: int) -> bool:
        """Anyone with a role in the network reads its plans, activities and history."""
        return self.is_admin or network_id in self.roles

    def is_coordinator(self, network_id: int) -> bool:
        return self.is_admin or self.roles.get(network_id) is Role.COORDINATOR

    @property
    def coordinates_a_network(self) -> bool:
        """Admins and coordinators: they get the coordinator's start page."""
        return self.is_admin or Role.COORDINATOR in self.roles.values()

    def can_update_activity(self, network_id: int, workgroup_ids: Iterable[int]) -> bool:
        """Coordinators update every activity of their network; members only their workgroups'."""
        if self.is_coordinator(network_id):
            return True
        if self.roles.get(network_id) is not Role.MEMBER:
            return False
        return not self.workgroup_ids.isdisjoint(workgroup_ids)

    def can_see_overview(self, network_id: int) -> bool:
        """The plan overview is for coordinators and the board (and admins)."""
        return self.is_admin or self.roles.get(network_id) in (Role.COORDINATOR, Role.BOARD)

    def require_view(self, network_id: int) -> None:
        """Raise NotFound unless the person has a role in the network (or is an admin)."""
        if not self.can_view_network(network_id):
            raise NotFound(network_id)

    def require_coordinator(self, network_id: int) -> None:
        """Only the network's coordinators (and admins); outsiders get NotFound."""
        self.require_view(network_id)
        if not self.is_coordinator(network_id):
            raise Forbidden(Rule.COORDINATORS)

    def require_update(self, network_id: int, workgroup_ids: Iterable[int]) -> None:
        """Updating an activity: see `can_update_activity`; outsiders get NotFound."""
        self.require_view(network_id)
        if not self.can_update_activity(network_id, workgroup_ids):
            raise Forbidden(Rule.WORKGROUP)

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden(Rule.ADMINS)


OPERATOR = Principal(user_id=None, is_admin=True)
"""Whoever runs the command line: every right, and no person to name in the log."""
