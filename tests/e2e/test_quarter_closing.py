"""The coordinator closes the 2nd quarter; a member then records a change dated in it; the
report of that quarter shows it as changed after closing (Chromium against the served demo,
whose clock stands at 15 December 2021 and is moved on an hour between the two)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_accessible, log_in, screenshot
from tests.e2e.conftest import LAPTOP, PR_ACTIVITY, LiveServer
from tracker.ids import activity_id_for

Q2_REPORT = "/plannen/twente-2021/rapportage?period=2021Q2"


def test_a_change_dated_in_a_closed_quarter_shows_in_its_report(
    open_page: Callable[..., Page], live_server: LiveServer
) -> None:
    coordinator = open_page(LAPTOP)
    log_in(coordinator, "coordinator@example.org", Q2_REPORT)
    coordinator.get_by_text("Kwartaal vaststellen").click()
    expect(coordinator.get_by_text("Bij vaststellen wordt dit rapport")).to_be_visible()
    assert_accessible(coordinator)
    coordinator.get_by_role("button", name="Ja, 2e kwartaal 2021 vaststellen").click()
    expect(
        coordinator.get_by_role("status").filter(has_text="Het kwartaal is vastgesteld.")
    ).to_be_visible()
    expect(coordinator.locator("section.closing h2")).to_contain_text(
        "Vastgesteld op 15 december 2021, 10:00 door netwerkcoördinator"
    )
    expect(coordinator.get_by_text("Kwartaal vaststellen")).to_have_count(0)

    live_server.app.extensions["tracker"].clock.advance(timedelta(hours=1))
    member = open_page(LAPTOP)
    log_in(
        member, "lid.pr@example.org", f"/activiteiten/{activity_id_for('twente-2021', PR_ACTIVITY)}"
    )
    member.get_by_label("Status", exact=True).select_option(label="Lopend")
    member.get_by_text("Gebeurde het eerder?").click()
    member.get_by_label("Gebeurd op (als het niet vandaag was)").fill("2021-06-21")
    member.get_by_role("button", name="Update opslaan").click()
    expect(member.locator("#geschiedenis li").first).to_contain_text("na vaststelling")

    coordinator.goto(Q2_REPORT)
    closing = coordinator.locator("section.closing")
    expect(closing).to_contain_text("Gewijzigd na vaststelling")
    row = closing.locator("tr", has_text=PR_ACTIVITY)
    expect(row.locator("td")).to_have_text([PR_ACTIVITY, "Status", "Gepland", "Lopend"])
    assert_accessible(coordinator)
    screenshot(coordinator, "report-changed-after-closing")
