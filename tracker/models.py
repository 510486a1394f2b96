"""Stored reference data: networks, plans and their content, workgroups, people and roles.

The content of a plan (what the document says: doelstellingen, acties, wie, wanneer) is
reference data, edited like a document; what happens to an activity is in the event log.
Personal data lives only here (User), so erasing a person never touches the log.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from tracker.domain.targets import Comparator, Target


class Network(SQLModel, table=True):
    """A regional Netwerk Palliatieve Zorg (or several that share one plan)."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True, index=True)
    name: str = Field(max_length=200)


class Plan(SQLModel, table=True):
    """A jaarplan: a network's plan for one year, with its title and motto."""

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    year: int
    title: str = Field(max_length=200)
    motto: str = Field(default="", max_length=200)
    introduction: str = Field(default="")


class Theme(SQLModel, table=True):
    """A pillar or theme of a plan (Coördinatie, Faciliteren, …), in the plan's order."""

    __table_args__ = (UniqueConstraint("plan_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    name: str = Field(max_length=200)
    position: int = 0


class Activity(SQLModel, table=True):
    """What the plan says about one activity. Its id is also the id of its event stream."""

    id: str = Field(primary_key=True, max_length=64)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    theme_id: int = Field(foreign_key="theme.id", index=True)
    position: int = 0
    title: str = Field(max_length=300)
    objectives: str = ""
    actions: str = ""
    wie: str = ""
    wanneer: str = ""
    timing_kind: str = Field(default="empty", max_length=20)
    period_start: date | None = None
    period_end: date | None = None
    source: str = Field(default="", max_length=500)
    carried_from_year: int | None = None  # continues work of the plan of that year
    parties: str = ""  # other parties named in "wie" (not workgroups), one per line


class Indicator(SQLModel, table=True):
    """A measurable target of an activity ("minimaal 25 huisartsenpraktijken")."""

    id: int | None = Field(default=None, primary_key=True)
    activity_id: str = Field(foreign_key="activity.id", index=True, max_length=64)
    position: int = 0
    text: str = ""  # the sentence of the plan it was read from
    comparator: str = Field(default=">=", max_length=2)
    value: float
    unit: str = Field(max_length=200)
    per_year: bool = False

    def target(self) -> Target:
        """The target as the domain knows it."""
        return Target(self.text, Comparator(self.comparator), self.value, self.unit, self.per_year)


class Workgroup(SQLModel, table=True):
    """A werkgroep of a network; reminders go to its shared e-mail address."""

    __table_args__ = (UniqueConstraint("network_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    name: str = Field(max_length=200)
    email: str = Field(default="", max_length=254)
    aliases: str = ""  # other names plans use for it ("DB"), one per line; used by imports


class ActivityWorkgroup(SQLModel, table=True):
    """The workgroups responsible for an activity (its "wie", as far as they are workgroups)."""

    activity_id: str = Field(foreign_key="activity.id", primary_key=True, max_length=64)
    workgroup_id: int = Field(foreign_key="workgroup.id", primary_key=True, index=True)
    position: int = 0  # the order "wie" names them in


class User(SQLModel, table=True):
    """A person who signs in. The only place names and e-mail addresses are stored."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(default="", max_length=255)
    is_admin: bool = False
    active: bool = True
    created_at: datetime | None = None


class NetworkRole(SQLModel, table=True):
    """A person's role in one network: coordinator, member or board."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    network_id: int = Field(foreign_key="network.id", primary_key=True, index=True)
    role: str = Field(max_length=20)


class WorkgroupMember(SQLModel, table=True):
    """Membership of a workgroup: members update the activities of their workgroups."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    workgroup_id: int = Field(foreign_key="workgroup.id", primary_key=True, index=True)


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API; only its SHA-256 hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime | None = None


class ImportDraft(SQLModel, table=True):
    """An uploaded plan waiting for its coordinator's review (not yet part of any plan)."""

    id: str = Field(primary_key=True, max_length=36)
    network_id: int = Field(foreign_key="network.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime
    filename: str = Field(default="", max_length=255)
    document: str  # the draft PlanDocument in the YAML plan format
    warnings: str = "[]"  # JSON list of [where, message]
    proposed: str = "[]"  # JSON list of parties proposed as new workgroups
    # text, Word, PDF: the document's structure and the mapping last applied, as JSON
    # (tracker.importing.mapping.dump_structure); "" for a file with fixed columns
    structure: str = ""


class BudgetItem(SQLModel, table=True):
    """A line of the plan's budget (begroting): theme, item and the planned amount in cents."""

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    position: int = 0
    theme: str = Field(max_length=200)
    item: str = Field(default="", max_length=500)
    amount_cents: int


class BudgetSplit(SQLModel, table=True):
    """Which part of the plan's budget a network (or organisation) carries: 3/5, 2/5."""

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    position: int = 0
    name: str = Field(max_length=200)
    numerator: int
    denominator: int


class BudgetSpending(SQLModel, table=True):
    """Money spent on a theme of a plan's budget, on a day (rows are only ever added)."""

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    theme: str = Field(max_length=200)
    spent_on: date
    amount_cents: int
    note: str = Field(default="", max_length=500)
    recorded_by: int | None = Field(default=None, foreign_key="user.id")
    # When it was entered: a report as of an earlier moment leaves out later entries, even
    # back-dated ones, so a past report never changes.
    recorded_at: datetime
