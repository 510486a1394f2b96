"""The front door of the importer: a file as uploaded or named on the command line → a Draft.

Refuses what it cannot read with one clear message (ImportFailed): empty, too large,
binary where text is expected, not UTF-8, a format it does not know, no activities and no
table to map, or past one of the import's bounds (tracker.importing.limits).
A text, Word or PDF draft keeps its structure, so the review can read it again with the
coordinator's mapping (`read_mapped`); one in which no reading found activities is kept too,
for that mapping step. Nothing is stored here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cache
from pathlib import PurePath

from tracker.domain.message import Message, Number
from tracker.domain.timing import parse_timing
from tracker.importing.document_text import read_document_text
from tracker.importing.draft import (
    Draft,
    FoundPlan,
    ImportFailed,
    ImportWarning,
    build_draft,
    read_wie_columns,
    timing_problem,
)
from tracker.importing.limits import ImportBudget, ImportLimits
from tracker.importing.mapping import Mapping
from tracker.importing.parties import KnownGroup
from tracker.importing.reading import read_parts
from tracker.importing.structure import TABLE, Part, text_parts
from tracker.planfile import PlanDocument, PlanFileError, read_plan_yaml

TEXT_SUFFIXES = (".txt", ".text", ".md")
SUPPORTED = ".txt, .md, .docx, .pdf, .xlsx, .yaml"


def read_plan_file(
    name: str,
    data: bytes,
    *,
    network_slug: str,
    network_name: str,
    year: int | None = None,
    known: Sequence[KnownGroup] = (),
    workgroup_emails: dict[str, str] | None = None,
    limits: ImportLimits | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Draft:
    """Read an uploaded plan into a Draft for review; raise ImportFailed when unreadable.

    `limits` bound the file's size, unpacked size, activities and reading time (the app passes
    `ImportLimits.from_config`; defaults when not given).
    """
    limits = limits or ImportLimits()
    budget = ImportBudget(limits, clock)
    suffix = PurePath(name).suffix.lower()
    if not data.strip():
        raise ImportFailed(Message("the file is empty"))
    if len(data) > limits.max_bytes:
        raise ImportFailed(
            Message(
                "the file is too large (%(size)s; at most %(most)s)",
                size=_size(len(data)),
                most=_size(limits.max_bytes),
            )
        )
    if suffix in (".yaml", ".yml", ".xlsx"):
        document = _plan_document(suffix, data, budget)
        return _structured(document, network_slug, network_name, year, known)
    parts_of, readings = _readers(suffix, data, budget)
    by_structure = cache(lambda: read_parts(parts_of(), budget))  # the last reading of each
    found = best_reading([*readings, by_structure])
    # The mapping step reads the structure again: offered when that reading was kept or none
    # found anything (a mapping would lose what the known layouts read in 000 and 001).
    return build_draft(
        found,
        network_slug=network_slug,
        network_name=network_name,
        year=year,
        known=known,
        workgroup_emails=workgroup_emails,
        source_name=PurePath(name).name,
        budget=budget,
        # Tables no reading understood: the coordinator maps their columns in the review (a
        # mapping reads activities from tables only; headings name their themes).
        allow_empty=any(part.kind == TABLE for part in parts_of()),
        structure=parts_of() if found is by_structure() or not found.activities else (),
    )


# The Word, PDF and spreadsheet libraries are imported when such a file comes: every process
# (the CLI's --help too) would otherwise pay for them at start.
def _plan_document(suffix: str, data: bytes, budget: ImportBudget) -> PlanDocument:
    """A plan in the tracker's own formats: the XLSX template or YAML."""
    try:
        if suffix == ".xlsx":
            from tracker.importing.spreadsheet import read_plan_xlsx

            return read_plan_xlsx(data, budget)
        return read_plan_yaml(_decode(data), budget)
    except PlanFileError as problem:
        raise ImportFailed(problem.message) from None


def _readers(
    suffix: str, data: bytes, budget: ImportBudget
) -> tuple[Callable[[], list[Part]], list[Callable[[], FoundPlan]]]:
    """A document's structure (text, Word, PDF) and the readings of the older layouts that
    apply to it, each worked out when first asked for."""
    if suffix == ".docx":
        from tracker.importing.word import docx_parts, docx_reading, read_docx

        word = read_docx(data, budget)
        return cache(lambda: docx_parts(word, budget)), [lambda: docx_reading(word, budget)]
    if suffix in TEXT_SUFFIXES:
        text = _decode(data)
        return cache(lambda: text_parts(text, budget)), [lambda: read_document_text(text, budget)]
    if suffix == ".pdf":
        from tracker.importing.pdf import pdf_parts

        return cache(lambda: pdf_parts(data, budget)), []
    raise ImportFailed(
        Message(
            "unknown file type %(suffix)s; possible: %(supported)s",
            suffix=suffix or Message("(none)"),
            supported=SUPPORTED,
        )
    )


def read_mapped(
    name: str,
    parts: Sequence[Part],
    mapping: Mapping,
    *,
    network_slug: str,
    network_name: str,
    year: int,
    known: Sequence[KnownGroup] = (),
    workgroup_emails: dict[str, str] | None = None,
    limits: ImportLimits | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Draft:
    """The draft a document's structure gives with a coordinator's mapping (the review's
    mapping step): read by `read_parts` only, the mapping being the coordinator's word."""
    budget = ImportBudget(limits or ImportLimits(), clock)
    return build_draft(
        read_parts(list(parts), budget, mapping),
        network_slug=network_slug,
        network_name=network_name,
        year=year,
        known=known,
        workgroup_emails=workgroup_emails,
        source_name=PurePath(name).name,
        budget=budget,
        allow_empty=True,
        structure=parts,
    )


def best_reading(readings: Sequence[Callable[[], FoundPlan]]) -> FoundPlan:
    """The reading that found the most activities with a 'Wie' and a 'Wanneer', then the most
    activities; the first of equals (the layouts written for the known plans come first)."""
    best: tuple[tuple[int, int], FoundPlan] | None = None
    for reading in readings:
        found = reading()
        complete = sum(1 for a in found.activities if a.wie.strip() and a.wanneer.strip())
        score = (complete, len(found.activities))
        if best is None or score > best[0]:
            best = (score, found)
    assert best is not None
    return best[1]


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise ImportFailed(Message("this is not a text file (it holds binary data)"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(
            Message(
                "the file is not UTF-8 text (unreadable character at position %(position)s); "
                "save it as UTF-8",
                position=error.start,
            )
        ) from None


def _structured(
    document: PlanDocument,
    network_slug: str,
    network_name: str,
    year: int | None,
    known: Sequence[KnownGroup],
) -> Draft:
    """A YAML or XLSX plan names its own network and year; they must match the ones chosen.

    What a template filled in by hand leaves empty is derived: the network from the one
    chosen, the plan's short name from network and year ("twente-2024"), its title; and a
    "Wie" without "Werkgroepen" is matched like a document's (tracker.importing.parties).
    """
    document = replace(
        document,
        network_slug=document.network_slug.strip() or network_slug,
        network_name=document.network_name.strip() or network_name,
        title=document.title.strip() or f"Jaarplan {document.year}",
    )
    if not document.plan_slug.strip():
        document = replace(document, plan_slug=f"{document.network_slug}-{document.year}")
    if network_slug and document.network_slug != network_slug:
        raise ImportFailed(
            Message(
                "this plan belongs to network '%(network)s', not to '%(chosen)s'",
                network=document.network_slug,
                chosen=network_slug,
            )
        )
    if year is not None and document.year != year:
        raise ImportFailed(
            Message("this plan is of %(year)s, not of %(chosen)s", year=document.year, chosen=year)
        )
    warnings = []
    for activity in document.activities:
        problem = timing_problem(activity.wanneer, parse_timing(activity.wanneer, document.year))
        if problem:
            warnings.append(ImportWarning(f"{activity.theme} › {activity.title}", problem))
    if not document.activities:
        raise ImportFailed(Message("the plan has no activities"))
    document, read_wie, proposed = read_wie_columns(document, known)
    return Draft(document, (*warnings, *read_wie), proposed)


def _size(count: int) -> Message:
    """A file size as people read it: "0,6 MB", "512 kB"."""
    if count >= 1_048_576:
        return Message("%(megabytes)s MB", megabytes=Number(count / 1_048_576, 1, grouping=False))
    return Message("%(kilobytes)s kB", kilobytes=max(1, round(count / 1024)))
