"""A coordinator's mapping of a document's columns and labels to fields, and of a heading level
to themes.

When the lexicon (tracker.importing.lexicon) does not know a column ("Onderdeel", "Klaar in")
or the reader cannot tell which headings name the themes, the review lets the coordinator say
it, and `read_parts` reads the document's structure again with the mapping
(tracker.importing.reading). The structure is kept with the draft for that (`dump_structure`).
Pure: nothing here is stored or shown.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tracker.domain.message import Message, MessageError
from tracker.importing import lexicon
from tracker.importing.lexicon import label_key
from tracker.importing.structure import HEADING, MINOR, Part

FIELDS = ("title", "objectives", "actions", "results", "wie", "wanneer", "budget")
IGNORE = "ignore"  # read as nothing, on purpose: not listed as "not placed"
UNMAPPED = ""  # no field: what stands there is listed as "not placed"
CHOICES = (*FIELDS, IGNORE, UNMAPPED)
FIELD_NAMES = {  # as the mapping form and the explanation name them
    "title": Message("Title"),
    "objectives": Message("Objective"),
    "actions": Message("Actions"),
    "results": Message("Result"),
    "wie": Message("Who"),
    "wanneer": Message("When"),
    "budget": Message("Budget"),
    IGNORE: Message("Ignore"),
    UNMAPPED: Message("— (not placed)"),
}


class BadMapping(MessageError):
    """A mapping that does not fit the document (an unknown field, label or heading level)."""


@dataclass(frozen=True)
class Mapping:
    """Label (by its `label_key`) → field, IGNORE or UNMAPPED; the heading level naming themes.

    A label not in `fields` is read by the lexicon; `theme_level` None: the reader's own rule
    (the nearest heading above a table, the one above a block's heading for label blocks).
    """

    fields: tuple[tuple[str, str], ...] = ()
    theme_level: int | None = None
    _by_key: dict[str, str] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key.update(self.fields)

    @classmethod
    def of(cls, fields: dict[str, str], theme_level: int | None = None) -> Mapping:
        """A mapping from labels as written (or their keys); refuses an unknown field."""
        for name in fields.values():
            if name not in CHOICES:
                raise BadMapping(Message("unknown field %(field)s", field=repr(name)))
        keys = {label_key(label): name for label, name in fields.items() if label_key(label)}
        return cls(tuple(sorted(keys.items())), theme_level)

    def field_of(self, label: str | None) -> str | None:
        """The field a column or label is read as: the mapping's, else the lexicon's."""
        if not label:
            return None
        chosen = self._by_key.get(label_key(label)) if len(label) <= 60 else None
        if chosen is None:
            return lexicon.field_of(label)
        return chosen if chosen in FIELDS else None

    def ignores(self, label: str | None) -> bool:
        """The coordinator chose to ignore what stands under or after this label."""
        return bool(label) and self._by_key.get(label_key(label or "")) == IGNORE

    @property
    def mapped(self) -> tuple[tuple[str, str], ...]:
        """The labels the mapping reads otherwise than the lexicon would."""
        return tuple((key, name) for key, name in self.fields if lexicon.field_of(key) != name)

    def to_data(self) -> dict[str, Any]:
        return {"fields": [list(pair) for pair in self.fields], "theme_level": self.theme_level}

    @classmethod
    def from_data(cls, data: Any) -> Mapping:
        if not isinstance(data, dict):
            return cls()
        level = data.get("theme_level")
        return cls(
            tuple((str(key), str(name)) for key, name in data.get("fields", ())),
            level if isinstance(level, int) else None,
        )


@dataclass(frozen=True)
class Label:
    """A column header or label of the document, with a value that stands under or after it."""

    text: str
    key: str
    example: str


def heading_levels(parts: Iterable[Part]) -> list[tuple[int, str]]:
    """The document's heading levels, each with its first heading (an example), highest first."""
    levels: dict[int, str] = {}
    for part in parts:
        if part.kind == HEADING:
            levels.setdefault(part.level, part.text)
    return sorted(levels.items())


def check_mapping(
    labels: list[Label], submitted: list[tuple[str, str]], theme_level: str, parts: list[Part]
) -> Mapping:
    """The mapping a form submitted: (label key, field) in the order of `labels`, and a level.

    Raises BadMapping when the form does not fit the document (a stale or forged form), a field
    is unknown or the document has no heading of that level.
    """
    if [key for key, _ in submitted] != [label.key for label in labels]:
        raise BadMapping(Message("the form does not fit this draft; reload the page"))
    level: int | None = None
    if theme_level:
        known = {number for number, _ in heading_levels(parts)}
        if not theme_level.isdigit() or int(theme_level) not in known:
            raise BadMapping(
                Message("the document has no headings of level %(level)s", level=theme_level[:10])
            )
        level = int(theme_level)
    return Mapping.of(dict(submitted), level)


def level_name(level: int) -> Message:
    """A heading level as the form names it."""
    if level == MINOR:
        return Message("short lines standing alone")
    return Message("headings of level %(level)s", level=level)


# --- the structure kept with a draft -----------------------------------------------------------


def dump_structure(parts: Iterable[Part], mapping: Mapping) -> str:
    """The document's structure and the mapping last applied, as JSON text (for ImportDraft)."""
    return json.dumps(
        {"parts": [_part_data(part) for part in parts], "mapping": mapping.to_data()},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def load_structure(text: str) -> tuple[list[Part], Mapping]:
    """The inverse of `dump_structure`; ([], no mapping) for a draft kept without structure."""
    if not text:
        return [], Mapping()
    data = json.loads(text)
    return [_part_from(item) for item in data["parts"]], Mapping.from_data(data.get("mapping"))


def fingerprint(*texts: str) -> str:
    """A short digest of a draft's stored texts: a form made from another state is stale."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def _part_data(part: Part) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": part.kind, "text": part.text, "where": part.where.to_data()}
    if part.level:
        data["level"] = part.level
    if part.numbered:
        data["numbered"] = True
    if part.rows:
        data["rows"] = [list(row) for row in part.rows]
        data["places"] = [place.to_data() for place in part.places]
    return data


def _part_from(data: dict[str, Any]) -> Part:
    return Part(
        data["kind"],
        data["text"],
        Message.from_data(data["where"]),
        int(data.get("level", 0)),
        tuple(tuple(row) for row in data.get("rows", ())),
        tuple(Message.from_data(place) for place in data.get("places", ())),
        bool(data.get("numbered", False)),
    )
