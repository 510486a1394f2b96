"""A plan as its document states it: network, year, title, workgroups and activities.

What every importer produces and what the plan handlers store (tracker.handlers.plans).
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.budget import BudgetLine, BudgetShare
from tracker.domain.targets import Target


@dataclass(frozen=True)
class PlannedActivity:
    """One activity as the jaarplan states it: doelstellingen, acties, wie, wanneer."""

    title: str
    theme: str
    objectives: str = ""
    actions: str = ""
    wie: str = ""
    wanneer: str = ""
    workgroups: tuple[str, ...] = ()
    source: str = ""
    carried_from_year: int | None = None
    parties: tuple[str, ...] = ()  # named in "wie" but not a workgroup (IKNL, gemeenten)
    targets: tuple[Target, ...] = ()  # measurable results the plan commits to


@dataclass(frozen=True)
class WorkgroupSpec:
    name: str
    email: str = ""
    aliases: tuple[str, ...] = ()  # other names the plan uses for it ("DB", "Twentse Netwerken")


@dataclass(frozen=True)
class PlanDocument:
    network_slug: str
    network_name: str
    plan_slug: str
    year: int
    title: str
    motto: str
    introduction: str
    workgroups: tuple[WorkgroupSpec, ...]
    activities: tuple[PlannedActivity, ...]
    budget: tuple[BudgetLine, ...] = ()  # begroting per theme and line item
    budget_shares: tuple[BudgetShare, ...] = ()  # its split over networks

    @property
    def themes(self) -> list[str]:
        """Theme names in the order the plan first mentions them."""
        return list(dict.fromkeys(activity.theme for activity in self.activities))
