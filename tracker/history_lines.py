"""What an amendment of the plan reads like in an activity's history: one line per changed
field, "Wanneer gewijzigd van '2e kwartaal' naar '4e kwartaal'", as data (Messages) that the
page translates. Workgroups are named, long texts shortened."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tracker.domain.events import AMENDABLE_FIELDS, ActivityAmended
from tracker.domain.message import Message, Param

SHORT = 80  # characters of a text shown in a history line

FIELD_LABELS: dict[str, Message] = {
    "title": Message("Title"),
    "theme": Message("Theme"),
    "objectives": Message("Objectives"),
    "actions": Message("Actions and results"),
    "wie": Message("Who"),
    "wanneer": Message("When"),
    "workgroups": Message("Responsible workgroups"),
    "position": Message("Order"),
}
EMPTY = Message("(empty)")


@dataclass(frozen=True)
class ChangeLine:
    """One changed field of an amendment: its label and the old and new value, shown."""

    field: str
    label: Message
    old: Param
    new: Param

    @property
    def message(self) -> Message:
        return Message(
            "%(field)s changed from '%(old)s' to '%(new)s'",
            field=self.label,
            old=self.old,
            new=self.new,
        )


def amendment_lines(
    amendment: ActivityAmended, workgroup_names: Mapping[int, str]
) -> tuple[ChangeLine, ...]:
    """The amendment's changed fields, in the order of the form."""
    return tuple(
        ChangeLine(
            name,
            FIELD_LABELS.get(name, Message(name)),
            _shown(name, amendment.changes[name][0], workgroup_names),
            _shown(name, amendment.changes[name][1], workgroup_names),
        )
        for name in AMENDABLE_FIELDS
        if name in amendment.changes
    )


def workgroup_ids(amendments: Iterable[ActivityAmended]) -> set[int]:
    """Every workgroup an amendment names (to look their names up at once)."""
    found: set[int] = set()
    for amendment in amendments:
        for value in amendment.changes.get("workgroups", ()):
            found.update(int(i) for i in value)
    return found


def _shown(name: str, value: Any, workgroup_names: Mapping[int, str]) -> Param:
    if name == "workgroups":
        names = [workgroup_names.get(int(i), "?") for i in value]
        return ", ".join(names) if names else EMPTY
    text = " ".join(str(value).split())
    if not text:
        return EMPTY
    return text if len(text) <= SHORT else text[: SHORT - 1].rstrip() + "…"
