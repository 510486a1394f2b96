"""The XLSX template as people fill it in: its Wie read like a document's, and a plan without
its short name (or network) gets them from the network chosen and the year."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.plan_files import a_hand_filled_template
from tracker.importing.draft import Draft
from tracker.importing.files import read_plan_file
from tracker.importing.parties import KnownGroup

KNOWN = [KnownGroup("Werkgroep PR & Communicatie", ("PR-werkgroep",)), KnownGroup("Secretariaat")]
ROWS = [
    {
        "Thema": "Informeren",
        "Titel": "Website",
        "Wie": "PR-werkgroep en secretariat",
        "Wanneer": "Q2",
    },  # fmt: skip
    {
        "Thema": "Informeren",
        "Titel": "Nieuwsbrief",
        "Wie": "Saxion,\nnetwercoördinator",
        "Wanneer": "april en november",
    },  # fmt: skip
]


def _read(plan: dict[str, str], rows: list[dict[str, str]]) -> Draft:
    data = a_hand_filled_template(plan, rows)
    return read_plan_file(
        "plan.xlsx", data, network_slug="twente", network_name="Twente", known=KNOWN
    )


def test_the_wie_column_is_read_against_the_network_s_workgroups() -> None:
    draft = _read({"Jaar": "2024"}, ROWS)
    website, newsletter = draft.document.activities
    assert website.workgroups == ("Werkgroep PR & Communicatie", "Secretariaat")
    assert (newsletter.workgroups, newsletter.parties) == ((), ("Saxion", "netwerkcoördinator"))
    assert draft.proposed_workgroups == ("Saxion", "netwerkcoördinator")
    assert [w.name for w in draft.document.workgroups] == [
        "Werkgroep PR & Communicatie",
        "Secretariaat",
    ]
    assert [str(w) for w in draft.warnings] == [
        "Informeren › Website: 'Who' 'secretariat' was taken for the workgroup 'Secretariaat'"
    ]


def test_a_template_without_its_short_names_gets_them_from_the_network_and_year() -> None:
    document = _read({"Jaar": "2024"}, ROWS[:1]).document
    assert (document.network_slug, document.network_name, document.plan_slug, document.title) == (
        "twente",
        "Twente",
        "twente-2024",
        "Jaarplan 2024",
    )


def test_a_template_s_own_short_name_and_title_are_kept() -> None:
    plan = {"Jaar": "2024", "Netwerk (kort)": "twente", "Plan (kort)": "twente-24",
            "Titel": "Samen verder"}  # fmt: skip
    document = _read(plan, ROWS[:1]).document
    assert (document.plan_slug, document.title) == ("twente-24", "Samen verder")


def test_a_filled_in_werkgroepen_column_is_taken_as_it_is() -> None:
    rows = [dict(ROWS[0], Werkgroepen="Eigen groep")]
    data = a_hand_filled_template({"Jaar": "2024"}, rows)
    book = load_workbook(io.BytesIO(data))
    groups = book.create_sheet("Werkgroepen")
    groups.append(["Naam", "E-mail", "Andere namen"])
    groups.append(["Eigen groep", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    draft = read_plan_file("plan.xlsx", buffer.getvalue(), network_slug="twente",
                           network_name="Twente", known=KNOWN)  # fmt: skip
    assert draft.document.activities[0].workgroups == ("Eigen groep",)
    assert draft.proposed_workgroups == ()
