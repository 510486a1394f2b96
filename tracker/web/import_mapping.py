"""The review's mapping step: which field each column or label of the document is, and which
heading level names the themes (tracker.importing.mapping).

"Voorbeeld bekijken" reads the kept structure again with the mapping and shows what it gives,
writing nothing; "Indeling toepassen" keeps that reading as the draft (RemapImportDraft), after
which the normal review follows. A small script (static/mapping.js) asks for the preview again
when a choice changes; without it the buttons do the same.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from sqlmodel import select

from tracker.importing.draft import Draft
from tracker.importing.files import read_mapped
from tracker.importing.labels import document_labels
from tracker.importing.limits import ImportLimits
from tracker.importing.mapping import (
    CHOICES,
    FIELD_NAMES,
    UNMAPPED,
    Label,
    Mapping,
    check_mapping,
    heading_levels,
    level_name,
    load_structure,
)
from tracker.importing.structure import Part
from tracker.models import ImportDraft, Network, Workgroup
from tracker.queries import known_workgroups
from tracker.services import db_session
from tracker.texts import translate
from tracker.web.import_warnings import not_placed

PREVIEW_ROWS = 10  # activities the preview lists; the counts per theme cover them all


@dataclass(frozen=True)
class MappingStep:
    """What the mapping form shows: the labels with their chosen field, the heading levels."""

    state: str  # the fingerprint of the draft the form is made on
    labels: list[tuple[Label, str]]  # label, the field chosen ("" none, "ignore")
    levels: list[tuple[int, str, str]]  # level, its name, an example heading
    theme_level: str
    choices: list[tuple[str, str]]  # value, name
    unused: int  # labels read as no field
    open: bool  # no activities yet: the mapping comes first


@dataclass(frozen=True)
class Preview:
    """What a mapping would give, shown without saving."""

    total: int
    themes: list[tuple[str, int]]
    activities: list[Any]  # the first PlannedActivity items
    reading: str
    unplaced: list[str]  # "where: text", as the review lists them


def reading_context(network: Network) -> dict[str, Any]:
    """The network's workgroups and addresses and the import limits, for reading a plan."""
    session = db_session()
    return {
        "network_slug": network.slug,
        "network_name": network.name,
        "known": known_workgroups(session, network.id or 0),
        "workgroup_emails": {
            w.name: w.email
            for w in session.exec(select(Workgroup).where(Workgroup.network_id == network.id))
        },
        "limits": ImportLimits.from_config(current_app.config),
    }


def mapping_step(
    row: ImportDraft, draft: Draft, state: str, submitted: Mapping | None = None
) -> MappingStep | None:
    """The mapping form for a draft kept with its structure (None for XLSX and YAML)."""
    parts, stored = load_structure(row.structure)
    if not parts:
        return None
    mapping = submitted or stored
    chosen = dict(mapping.fields)
    labels = [
        (label, chosen.get(label.key, mapping.field_of(label.text) or UNMAPPED))
        for label in document_labels(parts)
    ]
    levels = [
        (level, translate(level_name(level)), example) for level, example in heading_levels(parts)
    ]
    return MappingStep(
        state=state,
        labels=labels,
        levels=levels,
        theme_level=str(mapping.theme_level or ""),
        choices=[(value, translate(FIELD_NAMES[value])) for value in CHOICES],
        unused=sum(1 for _, field in labels if field == UNMAPPED),
        open=not draft.document.activities,
    )


def submitted_mapping(parts: list[Part]) -> Mapping:
    """The mapping the form sent; BadMapping when it does not fit the document."""
    labels = document_labels(parts)
    count = sum(1 for name in request.form if name.startswith("key-"))
    submitted = [
        (request.form.get(f"key-{i}", ""), request.form.get(f"field-{i}", "")) for i in range(count)
    ]
    return check_mapping(labels, submitted, request.form.get("theme_level", ""), parts)


def read_with(row: ImportDraft, draft: Draft, parts: list[Part], mapping: Mapping) -> Draft:
    """The draft the structure gives with `mapping`, for the draft's network and year."""
    network = db_session().get(Network, row.network_id)
    assert network is not None
    return read_mapped(
        row.filename, parts, mapping, year=draft.document.year, **reading_context(network)
    )


def preview_of(draft: Draft) -> Preview:
    activities = draft.document.activities
    return Preview(
        total=len(activities),
        themes=list(Counter(a.theme for a in activities).items()),
        activities=list(activities[:PREVIEW_ROWS]),
        reading=translate(draft.reading) if draft.reading else "",
        unplaced=not_placed(draft),
    )
