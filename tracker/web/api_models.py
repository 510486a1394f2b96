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


Version = Annotated[int, Field(ge=0), BeforeValidator(_integral)]
Note = Annotated[str, Field(max_length=MAX_NOTE_LENGTH)]


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
    expected_version: Version = Field(description="the version you saw ('version')")


class ProgressIn(ApiModel):
    """The value a measurable target has reached."""

    target_id: Annotated[int, BeforeValidator(_integral)] = Field(
        description="the id of one of the activity's 'targets'"
    )
    value: float = Field(ge=0, le=MAX_PROGRESS_VALUE)
    note: Note | None = None
    expected_version: Version = Field(description="the version you saw ('version')")


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


class ActivitySummaryPublic(ApiModel):
    id: str
    title: str
    theme: str
    status: Status
    version: int


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
    status: Status
    version: int
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


class Error(ApiModel):
    """Every error answer: a kind to act on and a message to read."""

    error: str
    message: str


class Conflict(Error):
    """A stale expected_version: reload the activity (its version is current_version)."""

    current_version: int
