"""The front door of the importer: a file as uploaded or named on the command line → a Draft.

Refuses what it cannot read with one clear Dutch message (ImportFailed): empty, too large,
binary where text is expected, not UTF-8, a format it does not know, or past one of the
import's bounds (tracker.importing.limits). Nothing is stored here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import PurePath

from tracker.domain.timing import TimingKind, parse_timing
from tracker.importing.document_text import read_document_text
from tracker.importing.draft import Draft, ImportFailed, ImportWarning, build_draft
from tracker.importing.limits import ImportBudget, ImportLimits
from tracker.importing.parties import KnownGroup
from tracker.importing.spreadsheet import read_plan_xlsx
from tracker.importing.word import docx_to_text
from tracker.planfile import PlanDocument, PlanFileError, read_plan_yaml

TEXT_SUFFIXES = (".txt", ".text", ".md")
SUPPORTED = ".txt, .md, .docx, .xlsx, .yaml"


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
    """Read an uploaded plan into a Draft for review; raise ImportFailed (Dutch) when unreadable.

    `limits` bound the file's size, unpacked size, activities and reading time (the app passes
    `ImportLimits.from_config`; defaults when not given).
    """
    limits = limits or ImportLimits()
    budget = ImportBudget(limits, clock)
    suffix = PurePath(name).suffix.lower()
    if not data.strip():
        raise ImportFailed("het bestand is leeg")
    if len(data) > limits.max_bytes:
        raise ImportFailed(
            f"het bestand is te groot ({_size(len(data))}; maximaal {_size(limits.max_bytes)})"
        )
    if suffix in (".yaml", ".yml", ".xlsx"):
        try:
            document = (
                read_plan_xlsx(data, budget)
                if suffix == ".xlsx"
                else read_plan_yaml(_decode(data), budget)
            )
        except PlanFileError as problem:
            raise ImportFailed(str(problem)) from None
        return _structured(document, network_slug, year)
    if suffix == ".docx":
        text = docx_to_text(data, budget)
    elif suffix in TEXT_SUFFIXES:
        text = _decode(data)
    elif suffix == ".pdf":
        raise ImportFailed(
            "een PDF wordt niet rechtstreeks gelezen: upload het Word-bestand, of kopieer de "
            "tekst van de PDF naar een .txt-bestand"
        )
    else:
        raise ImportFailed(f"onbekend bestandstype {suffix or '(geen)'}; mogelijk: {SUPPORTED}")
    found = read_document_text(text, budget)
    return build_draft(
        found,
        network_slug=network_slug,
        network_name=network_name,
        year=year,
        known=known,
        workgroup_emails=workgroup_emails,
        source_name=PurePath(name).name,
        budget=budget,
    )


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise ImportFailed("dit is geen tekstbestand (het bevat binaire gegevens)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(
            f"het bestand is geen UTF-8-tekst (onleesbaar teken op positie {error.start}); "
            "sla het op als UTF-8"
        ) from None


def _structured(document: PlanDocument, network_slug: str, year: int | None) -> Draft:
    """A YAML or XLSX plan names its own network and year; they must match the ones chosen."""
    if network_slug and document.network_slug != network_slug:
        raise ImportFailed(
            f"dit plan hoort bij netwerk '{document.network_slug}', niet bij '{network_slug}'"
        )
    if year is not None and document.year != year:
        raise ImportFailed(f"dit plan is van {document.year}, niet van {year}")
    warnings = [
        ImportWarning(f"{a.theme} › {a.title}", f"'Wanneer' niet herkend: {a.wanneer!r}")
        for a in document.activities
        if parse_timing(a.wanneer, document.year).kind is TimingKind.UNPARSED
    ]
    if not document.activities:
        raise ImportFailed("het plan bevat geen activiteiten")
    return Draft(document, tuple(warnings), ())


def _size(count: int) -> str:
    """A file size as people read it: "0,6 MB", "512 kB"."""
    if count >= 1_048_576:
        return f"{count / 1_048_576:.1f} MB".replace(".", ",")
    return f"{max(1, round(count / 1024))} kB"
