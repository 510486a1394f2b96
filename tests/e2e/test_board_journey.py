"""The board before a meeting: the plan's board page on a phone, with the spending the
coordinator recorded."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    assert_accessible,
    assert_fits_width,
    assert_keyboard_operable,
    log_in,
    screenshot,
)

# The demo's budget has a line for every theme and nothing spent yet on this one.
THEME = "Signaleren"


def test_a_board_member_opens_the_board_page_on_a_phone(page: Page, phone: Page) -> None:
    log_in(page, "coordinator@example.org", "/plannen/twente-2021/begroting")
    page.get_by_label("Thema", exact=True).select_option(THEME)
    page.get_by_label("Bedrag in euro").fill("1.250,50")
    page.get_by_label("Uitgegeven op").fill("2021-11-30")
    page.get_by_label("Notitie").fill("Drukwerk folders")
    page.get_by_role("button", name="Uitgave vastleggen").click()
    expect(page.get_by_role("status").first).to_have_text("De uitgave is vastgelegd.")
    expect(page.locator("table.budget-table")).to_contain_text("€\u00a01.250,50")
    assert_accessible(page)
    assert_keyboard_operable(page)

    log_in(phone, "bestuur@example.org", "/plannen/twente-2021/bestuur")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    expect(phone.locator(".lead")).to_contain_text("Bestuursoverzicht · 4e kwartaal 2021")
    trend = phone.get_by_role(
        "img",
        name=re.compile(
            rf"^{re.escape(THEME)}, afgerond per kwartaal: K1 \d+%, K2 \d+%, K3 \d+%, K4 \d+%$"
        ),
    )
    expect(trend).to_be_visible()
    expect(phone.locator("table.budget-table")).to_contain_text("€\u00a01.250,50")
    assert_fits_width(phone)
    assert_accessible(phone)
    screenshot(phone, "12-start-bestuur-telefoon")

    phone.get_by_role("link", name="Volledige rapportage").tap()
    expect(phone).to_have_url(re.compile(r"/plannen/twente-2021/rapportage$"))
    expect(phone.locator(".trend-chart").first).to_be_visible()
