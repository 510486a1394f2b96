"""Changing the plan during the year: the rules for what an activity may say, and the
amendment an edit amounts to (field by field, old → new).

What the plan says about an activity (its `Content`) is kept beside its tracked state; every
change to it is an ActivityAmended event with the old and the new value of each changed
field, so the plan of any earlier moment is the current one with the later amendments undone
(`as_of`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from tracker.domain.activity import MAX_NOTE_LENGTH
from tracker.domain.events import AMENDABLE_FIELDS, ActivityAmended, DomainEvent
from tracker.domain.status import StatusError

MAX_TITLE_LENGTH = 300
MAX_THEME_LENGTH = 200
MAX_TEXT_LENGTH = 20_000  # doelstellingen, acties en resultaten, wie
MAX_WANNEER_LENGTH = 500
MAX_PLAN_TITLE_LENGTH = 200


class PlanChangeRefused(StatusError):
    """A change of the plan the rules refuse; `code` names the rule, `field` the input."""

    def __init__(self, code: str, field: str = "") -> None:
        super().__init__(f"{code} ({field})" if field else code)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Content:
    """What the plan says about one activity: the fields a coordinator can amend."""

    title: str
    theme: str
    objectives: str = ""
    actions: str = ""
    wie: str = ""
    wanneer: str = ""
    workgroups: tuple[int, ...] = ()  # workgroup ids, in the order "wie" names them
    position: int = 0

    def as_of(self, later: Iterable[ActivityAmended]) -> Content:
        """This content with `later` amendments (oldest first) undone: what it said before."""
        content = self
        for amendment in reversed(list(later)):
            content = content.changed({f: pair[0] for f, pair in amendment.changes.items()})
        return content

    def changed(self, values: Mapping[str, Any]) -> Content:
        """This content with the fields in `values` replaced (stored JSON lists made tuples)."""
        known = {f.name for f in fields(self)}
        updates: dict[str, Any] = {
            k: tuple(v) if k == "workgroups" else v for k, v in values.items() if k in known
        }
        return replace(self, **updates)


def checked(content: Content) -> Content:
    """`content` with its texts stripped, or raise PlanChangeRefused naming the field."""
    content = replace(
        content,
        title=" ".join(content.title.split()),
        theme=" ".join(content.theme.split()),
        objectives=content.objectives.strip(),
        actions=content.actions.strip(),
        wie=content.wie.strip(),
        wanneer=" ".join(content.wanneer.split()),
        workgroups=tuple(dict.fromkeys(content.workgroups)),
    )
    if not content.title:
        raise PlanChangeRefused("title_required", "title")
    if not content.theme:
        raise PlanChangeRefused("theme_required", "theme")
    limits = {
        "title": MAX_TITLE_LENGTH,
        "theme": MAX_THEME_LENGTH,
        "objectives": MAX_TEXT_LENGTH,
        "actions": MAX_TEXT_LENGTH,
        "wie": MAX_TEXT_LENGTH,
        "wanneer": MAX_WANNEER_LENGTH,
    }
    for name, limit in limits.items():
        if len(getattr(content, name)) > limit:
            raise PlanChangeRefused("too_long", name)
    return content


def decide_amendment(
    activity_id: str,
    current: Content,
    requested: Content,
    reason: str,
    known_workgroups: Iterable[int],
) -> list[DomainEvent]:
    """The ActivityAmended event for the fields `requested` changes, or raise.

    The workgroups must be the network's (`known_workgroups`); a change that changes nothing
    is refused, so a saved form without edits records nothing.
    """
    requested = checked(requested)
    reason = reason.strip()
    if len(reason) > MAX_NOTE_LENGTH:
        raise PlanChangeRefused("too_long", "reason")
    if not set(requested.workgroups) <= set(known_workgroups):
        raise PlanChangeRefused("unknown_workgroup", "workgroups")
    changes: dict[str, list[Any]] = {}
    for name in AMENDABLE_FIELDS:
        old, new = getattr(current, name), getattr(requested, name)
        if old != new:
            changes[name] = [list(old), list(new)] if name == "workgroups" else [old, new]
    if not changes:
        raise PlanChangeRefused("nothing_changed")
    return [ActivityAmended(activity_id, changes, reason)]


def checked_plan_title(title: str) -> str:
    """A plan's title, stripped, or raise PlanChangeRefused."""
    title = " ".join(title.split())
    if not title:
        raise PlanChangeRefused("title_required", "title")
    if len(title) > MAX_PLAN_TITLE_LENGTH:
        raise PlanChangeRefused("too_long", "title")
    return title


def checked_theme_name(name: str) -> str:
    """A theme's name, stripped, or raise PlanChangeRefused."""
    name = " ".join(name.split())
    if not name:
        raise PlanChangeRefused("theme_required", "theme")
    if len(name) > MAX_THEME_LENGTH:
        raise PlanChangeRefused("too_long", "theme")
    return name
