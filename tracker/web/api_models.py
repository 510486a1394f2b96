"""The bodies of the JSON API under /api/v1, declared once.

The views validate each request with these models and build each answer from them, and the
OpenAPI document (tracker.web.openapi) is made from the same models, so the document cannot
describe anything else than what is checked and sent.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from tracker.domain.activity import MAX_NOTE_LENGTH, MAX_PROGRESS_VALUE
from tracker.domain.plan_changes import (
    MAX_PLAN_TITLE_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_THEME_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_WANNEER_LENGTH,
)
from tracker.domain.status import Status
from tracker.domain.targets import Comparator
from tracker.domain.timing import TimingKind


class ApiModel(BaseModel):
    """Closed (an unknown field is refused, never ignored) and strict: no true/false for a
    number, no "1" for 1."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _integral(value: Any) -> Any:
    # JSON Schema counts 1.0 as an integer, so the document promises it; accept it as 1.
    return int(value) if isinstance(value, float) and value.is_integer() else value


ExpectedVersion = Annotated[  # a stale one is refused with 409
    int, Field(ge=0, description="the version you saw ('version')"), BeforeValidator(_integral)
]
Note = Annotated[str, Field(max_length=MAX_NOTE_LENGTH)]
HappenedOn = Annotated[
    date,
    Field(
        strict=False,  # JSON has no dates: an ISO day ("2021-06-28") is read as one
        description="the day it happened, when not today (ISO, e.g. 2021-06-28): not in the "
        "future, not before the plan's year or the activity's previous update",
    ),
]


# Requests


class StatusChangeIn(ApiModel):
    """A status change, or, with the activity's own status and a note, a progress note."""

    status: str = Field(
        min_length=1,
        description="One of: "
        + ", ".join(Status)
        + ". Another name is refused with the error unknown_status.",
    )
    note: Note | None = None
    expected_version: ExpectedVersion
    happened_on: HappenedOn | None = None


class ProgressIn(ApiModel):
    """The value a measurable target has reached."""

    target_id: Annotated[int, BeforeValidator(_integral)] = Field(
        description="the id of one of the activity's 'targets'"
    )
    value: float = Field(ge=0, le=MAX_PROGRESS_VALUE)
    note: Note | None = None
    expected_version: ExpectedVersion
    happened_on: HappenedOn | None = None


MAX_POSITION = 99_999

# Changes of the plan (coordinators of the network, admins). Texts are checked again by the
# domain after their spaces are tidied: an empty title is refused there (title_required).

Title = Annotated[str, Field(max_length=MAX_TITLE_LENGTH)]
ThemeName = Annotated[str, Field(max_length=MAX_THEME_LENGTH)]
PlanText = Annotated[str, Field(max_length=MAX_TEXT_LENGTH)]
Wanneer = Annotated[str, Field(max_length=MAX_WANNEER_LENGTH)]
WorkgroupNames = Annotated[
    list[Annotated[str, Field(max_length=MAX_THEME_LENGTH)]],
    Field(
        max_length=100,
        description="names of the network's workgroups, as an activity's 'workgroups' "
        "shows them; another name is refused with the error unknown_workgroup",
    ),
]
# An activity's place in the plan (the domain sets no upper bound; the column is 32 bits).
Position = Annotated[int, Field(ge=0, le=MAX_POSITION), BeforeValidator(_integral)]
Reason = Annotated[str, Field(max_length=MAX_NOTE_LENGTH, description="why (required)")]


class ActivityIn(ApiModel):
    """A new activity of a running plan, under a theme (a theme it does not have is made)."""

    title: Title = Field(description="unique in the plan")
    theme: ThemeName
    objectives: PlanText = Field(default="", description="doelstellingen")
    actions: PlanText = Field(default="", description="acties en resultaten")
    wie: PlanText = ""
    wanneer: Wanneer = ""
    workgroups: WorkgroupNames = []


class AmendmentIn(ApiModel):
    """What the plan says about an activity, changed: a field left out stays as it is."""

    title: Title | None = None
    theme: ThemeName | None = None
    objectives: PlanText | None = None
    actions: PlanText | None = None
    wie: PlanText | None = None
    wanneer: Wanneer | None = None
    workgroups: WorkgroupNames | None = None
    position: Position | None = None
    reason: Note | None = None
    expected_version: ExpectedVersion


class WithdrawalIn(ApiModel):
    """Take the activity out of the plan (status vervallen)."""

    reason: Reason
    expected_version: ExpectedVersion


class ReopeningIn(ApiModel):
    """Open a closed activity (afgerond, gestopt, vervallen) again."""

    reason: Reason
    status: str = Field(
        default=Status.LOPEND.value,
        min_length=1,
        description="the open status to continue in: "
        + ", ".join(s for s in Status if s.is_open)
        + ". Another name is refused with the error unknown_status.",
    )
    expected_version: ExpectedVersion


class PlanIn(ApiModel):
    """A network's plan of a year: empty with its themes, or with the activities of an
    earlier plan of the network (each new and gepland, without the earlier statuses)."""

    network: str = Field(min_length=1, max_length=60, description="the network's slug")
    year: Annotated[int, BeforeValidator(_integral)] = Field(
        description="one plan per network and year"
    )
    title: Annotated[str, Field(max_length=MAX_PLAN_TITLE_LENGTH)]
    motto: Annotated[str, Field(max_length=200)] = ""
    themes: Annotated[list[ThemeName], Field(max_length=100)] = []
    copy_from: str | None = Field(
        default=None, min_length=1, description="the slug of an earlier plan of the network"
    )


class ThemeRenameIn(ApiModel):
    """A theme of the plan, renamed (each of its activities records the amendment)."""

    theme: str = Field(min_length=1, max_length=MAX_THEME_LENGTH, description="its name now")
    new_name: ThemeName
    reason: Note | None = None


class ActivitiesQuery(BaseModel):
    """The query of the activities list (other query parameters are ignored)."""

    plan: str = Field(min_length=1, description="a plan's slug (from /plans)")


# Answers


class PlanPublic(ApiModel):
    slug: str
    year: int
    title: str
    motto: str
    network: str = Field(description="the network's slug")
    status_counts: dict[Status, int]


OVERDUE = Field(
    description="still open after the end of its period (today in Europe/Amsterdam): the "
    "pages' 'Over tijd'"
)


class ActivitySummaryPublic(ApiModel):
    id: str
    title: str
    theme: str
    status: Status
    version: int
    overdue: bool = OVERDUE


class TimingPublic(ApiModel):
    """When the activity is meant to happen, as far as the plan's words say."""

    kind: TimingKind
    start: date | None
    end: date | None


class TargetPublic(ApiModel):
    """A measurable target and the last value recorded for it."""

    id: int = Field(description="the target_id to record progress with")
    text: str
    comparator: Comparator
    value: float
    unit: str
    per_year: bool
    reached: float | None
    met: bool


class ActivityPublic(ApiModel):
    id: str
    plan: str
    theme: str
    title: str
    objectives: str
    actions: str
    wie: str
    wanneer: str
    timing: TimingPublic
    workgroups: list[str]
    position: int = Field(description="its place in the plan")
    status: Status
    version: int
    overdue: bool = OVERDUE
    last_note: str
    last_update_at: datetime | None
    targets: list[TargetPublic]


class EventPublic(ApiModel):
    position: int
    version: int
    type: str
    data: dict[str, Any]
    actor: int | None = Field(description="the id of the person who caused it, if any")
    recorded_at: datetime


class ChangeResult(ApiModel):
    """A write was saved: the activity's status and new version."""

    id: str
    status: Status
    version: int


class AmendmentResult(ChangeResult):
    """An amendment was saved: which fields changed, and how its 'wanneer' reads."""

    changed: list[str]
    timing: TimingKind = Field(
        description="how 'wanneer' was read; unparsed: no period could be read from it"
    )


class ThemeRenamed(ApiModel):
    plan: str
    theme: str = Field(description="its new name")
    activities: int = Field(description="how many activities recorded the amendment")


class Error(ApiModel):
    """Every error answer: a kind to act on and a message to read."""

    error: str
    message: str


class Refusal(Error):
    """A body the API cannot read, or a change the rules refuse: `field` names the input."""

    field: str | None = Field(default=None, description="the field the error is about")


class Conflict(Error):
    """A stale expected_version: reload the activity (its version is current_version)."""

    current_version: int
