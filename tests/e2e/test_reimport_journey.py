"""The living plan in the browser: a coordinator re-imports a corrected 2021 plan, sees what
differs from the plan the tracker follows, lets the removed activity lapse and confirms."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import select

from tests.e2e.browser import assert_accessible, log_in
from tests.e2e.conftest import LiveServer
from tests.plan_files import ROUWCAFE, corrected_twente_2021
from tracker.ids import activity_id_for
from tracker.models import Activity, ImportDraft
from tracker.projections import ActivityState

SELF_EVALUATION = activity_id_for("twente-2021", "Zelfevaluatie instrument")
MENZIS = activity_id_for("twente-2021", "Afstemming Menzis")


def test_a_coordinator_reimports_a_corrected_plan_and_applies_the_differences(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    corrected = tmp_path / "jaarplan-2021-gecorrigeerd.yaml"
    corrected.write_bytes(corrected_twente_2021())
    log_in(page, "coordinator@example.org")
    page.goto("/plannen/importeren/")
    page.get_by_label("Planbestand").set_input_files(corrected)
    page.get_by_role("button", name="Plan inlezen").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Herziene versie van het plan controleren"
    )
    expect(page.locator(".revision-counts")).to_contain_text("1 nieuw, 2 gewijzigd")
    changed = page.locator("fieldset.revision-changed")
    expect(changed).to_have_count(2)
    renamed = changed.filter(has_text="Zelfevaluatie-instrument")
    expect(renamed.get_by_role("row", name="Titel")).to_contain_text("Zelfevaluatie instrument")
    expect(renamed.get_by_label("Gekoppeld aan")).to_have_value(SELF_EVALUATION)
    expect(page.locator("fieldset.revision-new")).to_contain_text(ROUWCAFE.title)
    removed = page.locator("fieldset.revision-missing").filter(has_text="Afstemming Menzis")
    assert_accessible(page)
    removed.get_by_label("laten vervallen").check()
    page.get_by_role("button", name="Wijzigingen doorvoeren").click()

    expect(page.get_by_role("status").first).to_have_text(
        "Herziene versie verwerkt: 2 gewijzigd, 1 toegevoegd, 1 vervallen."
    )
    page.goto(f"/activiteiten/{SELF_EVALUATION}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zelfevaluatie-instrument")
    expect(page.locator("main")).to_contain_text("Zelfevaluatie instrument")
    with live_server.db.session() as session:
        assert session.get(ActivityState, MENZIS).status == "vervallen"  # type: ignore[union-attr]
        added = session.exec(select(Activity).where(Activity.title == ROUWCAFE.title)).one()
        assert session.get(ActivityState, added.id).status == "gepland"  # type: ignore[union-attr]
        assert session.exec(select(ImportDraft)).all() == []
