"""The coordinator signs in and lands on the start page of the Twente network: what needs
attention on the demo's 15 December 2021, and one click to the 4th quarter's report."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    assert_accessible,
    assert_fits_width,
    assert_keyboard_operable,
    log_in,
    screenshot,
    sign_in,
)


def test_a_coordinator_lands_on_the_start_page_and_opens_the_quarters_report(page: Page) -> None:
    page.goto("/")
    sign_in(page, "coordinator@example.org")
    expect(page).to_have_url(re.compile(r"/start$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat nu aandacht vraagt")
    expect(page.locator("p.lead")).to_have_text("Jaarplan 2021 · 4e kwartaal 2021")
    for heading in ("Over tijd", "Deadline dit kwartaal", "Werkgroepen zonder update"):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(page.locator("#over-tijd")).to_contain_text("Niets is over tijd.")
    expect(page.locator("#deze-kwartaal li")).to_have_count(5)  # the first five of 32
    expect(page.get_by_role("link", name="en nog 27 in het planoverzicht")).to_be_visible()
    expect(page.locator("#wijzigingen li").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "11-start-coordinator")
    assert_keyboard_operable(page)

    page.get_by_role("link", name="Rapportage 4e kwartaal 2021").click()
    expect(page).to_have_url(re.compile(r"/plannen/twente-2021/rapportage\?period=2021Q4"))
    expect(page.get_by_label("Kwartaal", exact=True)).to_have_value("2021Q4")
    expect(page.locator("table.activities").first).to_be_visible()


def test_the_start_page_fits_a_phone(phone: Page) -> None:
    log_in(phone, "coordinator@example.org")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Wat nu aandacht vraagt")
    assert_fits_width(phone)
    assert_accessible(phone)
