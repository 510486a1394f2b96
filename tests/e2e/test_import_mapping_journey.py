"""The mapping step in the browser: a coordinator uploads a Word plan whose table layout the
importer does not know, maps its columns and the heading level of its themes, sees the
preview change as she chooses, applies the layout and imports the activities."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import select

from tests.e2e.browser import assert_accessible, log_in, screenshot
from tests.e2e.conftest import LiveServer
from tests.plan_files import UNRECOGNISED_PLAN, an_unrecognised_docx
from tracker.models import ImportDraft


def test_a_coordinator_maps_an_unknown_layout_previews_and_imports_it(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    plan = tmp_path / "jaarplan-2025-eigen-indeling.docx"
    plan.write_bytes(an_unrecognised_docx(2025))
    log_in(page, "coordinator@example.org")
    page.goto("/plannen/importeren/")
    page.get_by_label("Planbestand").set_input_files(plan)
    page.get_by_role("button", name="Plan inlezen").click()

    mapping = page.locator("#indeling")
    expect(mapping).to_contain_text("Er zijn geen activiteiten gelezen")  # not a refusal
    expect(page.get_by_text("0 activiteiten gevonden")).to_be_visible()
    assert_accessible(page)
    preview = page.locator("#mapping-preview")
    for label, field in [("Onderdeel", "Titel"), ("Omschrijving", "Acties"),
                         ("Klaar in", "Wanneer"), ("Door", "Wie")]:  # fmt: skip
        mapping.get_by_label(label, exact=True).select_option(label=field)
    # Live: each choice asks for the preview again (static/mapping.js); nothing is saved yet.
    expect(preview).to_contain_text("5 activiteiten zouden worden gelezen")
    expect(preview.get_by_role("row", name="Uitvoering 5")).to_be_visible()
    mapping.get_by_label("Kopjes die een thema noemen").select_option("1")
    expect(preview.get_by_role("row", name="Scholing 3")).to_be_visible()
    expect(preview.get_by_role("row", name="Zorgpad 2")).to_be_visible()
    with live_server.db.session() as session:
        draft = session.exec(select(ImportDraft)).one()
        assert '"mapping":{"fields":[]' in draft.structure  # the preview wrote nothing
    assert_accessible(page)
    screenshot(page, "13-coordinator-koppelt-indeling")

    mapping.get_by_role("button", name="Indeling toepassen").click()
    expect(page.get_by_text("5 activiteiten gevonden")).to_be_visible()
    expect(page.locator(".reading")).to_contain_text("kopjes van niveau 1")
    expect(page.get_by_label("Thema", exact=True).first).to_have_value("Scholing")
    assert_accessible(page)
    page.get_by_role("button", name="Aangevinkte activiteiten importeren").click()

    expect(page).to_have_url(re.compile(r"/plannen/twente-2025$"))
    expect(page.get_by_text("5 activiteiten getoond")).to_be_visible()
    for theme, rows in UNRECOGNISED_PLAN.items():
        for title, _, wanneer, _ in rows:
            row = page.locator("tr", has_text=title)
            expect(row).to_contain_text(wanneer)
        expect(page.locator("main")).to_contain_text(theme)
    with live_server.db.session() as session:
        assert session.exec(select(ImportDraft)).all() == []
