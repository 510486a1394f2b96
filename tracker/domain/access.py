"""Who may see and change what: the access rules, as plain functions over a Principal.

Roles are held per network: a coordinator (netwerkcoördinator) manages everything in the
network, a member (werkgroeplid) updates the activities of their own workgroups, the board
(bestuur) reads. Admins manage the whole installation. Objects of a network a person has no
role in are treated as not existing (the web layer answers 404), so ids do not leak.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    COORDINATOR = "coordinator"
    MEMBER = "member"
    BOARD = "board"


@dataclass(frozen=True)
class Principal:
    """A signed-in person as the access rules see them: ids and roles, nothing personal."""

    user_id: int
    is_admin: bool = False
    roles: Mapping[int, Role] = field(default_factory=dict)
    workgroup_ids: frozenset[int] = frozenset()

    def can_view_network(self, network_id: int) -> bool:
        """Anyone with a role in the network reads its plans, activities and history."""
        return self.is_admin or network_id in self.roles

    def is_coordinator(self, network_id: int) -> bool:
        return self.is_admin or self.roles.get(network_id) is Role.COORDINATOR

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
