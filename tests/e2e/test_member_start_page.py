"""A member's start page on a phone: the overdue activity first under "Eerst bijwerken"; once
updated, it leaves that list (Chromium against the served demo, on 15 December 2021)."""

from __future__ import annotations

from datetime import UTC, datetime

import yaml
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_accessible, assert_fits_width, log_in, screenshot
from tests.e2e.conftest import LiveServer
from tests.support import load_plan
from tracker.clock import FixedClock
from tracker.domain.access import OPERATOR
from tracker.domain.commands import ChangeActivityStatus
from tracker.handlers.activities import change_activity_status
from tracker.ids import activity_id_for
from tracker.planfile import read_plan_yaml

OVERDUE = "Nieuwsbrief over de zomercampagne"  # 3e kwartaal: over tijd since 1 October
WORKGROUP = "Werkgroep PR & Communicatie"


def add_overdue_activity(server: LiveServer) -> None:
    """An activity of the demo's 2021 plan that ended with the third quarter, under way."""
    plan = {
        "format": "jaarplan/1",
        "network": {"slug": "twente", "name": "Netwerken Palliatieve Zorg Twente"},
        "plan": {"slug": "twente-2021", "year": 2021, "title": "Jaarplan 2021"},
        "workgroups": [{"name": WORKGROUP}],
        "themes": [
            {
                "name": "Informeren",
                "activities": [
                    {"title": OVERDUE, "wanneer": "3e kwartaal", "workgroups": [WORKGROUP]}
                ],
            }
        ],
    }
    clock = FixedClock(datetime(2021, 7, 1, 10, tzinfo=UTC))
    load_plan(server.db, read_plan_yaml(yaml.safe_dump(plan, allow_unicode=True)), clock)
    command = ChangeActivityStatus(
        OPERATOR, activity_id_for("twente-2021", OVERDUE), "lopend", "Gestart."
    )
    change_activity_status(server.db.unit_of_work(), command, clock)


def test_a_member_updates_the_overdue_activity_first_and_it_leaves_the_list(
    phone: Page, live_server: LiveServer
) -> None:
    add_overdue_activity(live_server)
    log_in(phone, "lid.pr@example.org", "/mijn-activiteiten")
    first = phone.locator("section.update-first li")
    expect(first.first).to_contain_text(OVERDUE)
    expect(first.first).to_contain_text("Over tijd")
    expect(first.first).to_contain_text("periode eindigde op 30 september 2021")
    expect(first.nth(1)).to_contain_text("Deze periode af")
    card = phone.locator("li.card").filter(has_text=OVERDUE)
    expect(card.locator(".tag-overdue")).to_have_text("Over tijd")
    assert_fits_width(phone)
    assert_accessible(phone)
    screenshot(phone, "10-start-lid", full_page=False)

    first.first.get_by_role("link", name=OVERDUE).tap()
    phone.get_by_label("Status", exact=True).select_option(label="Afgerond")
    phone.get_by_label("Notitie").fill("Nieuwsbrief verstuurd in september.")
    phone.get_by_role("button", name="Update opslaan").tap()
    expect(phone.get_by_role("status").first).to_have_text("Je update is opgeslagen.")

    phone.get_by_role("link", name="Mijn activiteiten").tap()
    expect(phone.get_by_role("heading", name="Eerst bijwerken")).to_be_visible()
    expect(phone.locator("section.update-first")).not_to_contain_text(OVERDUE)
    folded = phone.locator("details.folded").filter(has_text=OVERDUE)
    expect(folded.locator("summary")).to_contain_text("afgeronde of afgesloten activiteit")
    expect(folded.locator("li.card").filter(has_text=OVERDUE)).to_be_hidden()  # folded away
    folded.locator("summary").tap()
    expect(folded.locator("li.card").filter(has_text=OVERDUE)).to_be_visible()
    assert_fits_width(phone)
    assert_accessible(phone)
