"""A member between shifts: the reminder link on a phone, and everything with the keyboard."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    assert_accessible,
    assert_fits_width,
    assert_keyboard_operable,
    focus_by_tab,
    log_in,
    screenshot,
    sign_in,
)
from tests.e2e.conftest import PHONE, PR_ACTIVITY
from tracker.ids import activity_id_for

PHONE_HEIGHT = PHONE["viewport"]["height"]  # type: ignore[index]


def test_on_a_phone_the_status_update_is_two_taps_from_the_reminder_link(phone: Page) -> None:
    phone.goto(f"/activiteiten/{activity_id_for('twente-2021', PR_ACTIVITY)}")
    assert_fits_width(phone)
    sign_in(phone, "lid.pr@example.org")
    expect(phone.get_by_role("heading", level=1)).to_contain_text(PR_ACTIVITY)
    assert_fits_width(phone)
    assert_accessible(phone)

    status = phone.get_by_label("Status", exact=True)
    save = phone.get_by_role("button", name="Update opslaan")
    for control in (status, save):  # on the first screen: no scrolling, no menu to open
        box = control.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE_HEIGHT, box
        assert box["height"] >= 44  # a finger-sized target
    screenshot(phone, "6-telefoon-activiteit", full_page=False)

    status.select_option(label="Lopend")  # tap 1
    save.tap()  # tap 2
    expect(phone.get_by_role("status").first).to_have_text("Je update is opgeslagen.")
    expect(phone.locator("#geschiedenis li").first).to_contain_text("Gepland → Lopend")
    assert_fits_width(phone)

    phone.get_by_role("link", name="Mijn activiteiten").tap()
    expect(phone.get_by_role("heading", name="Jaarplan 2021")).to_be_visible()
    assert_fits_width(phone)
    assert_accessible(phone)
    screenshot(phone, "7-telefoon-mijn-activiteiten")


def test_the_coordinator_pages_fit_a_phone_too(phone: Page) -> None:
    log_in(phone, "coordinator@example.org", "/plannen/twente-2021")
    for path in (
        "/plannen/twente-2021",
        "/plannen/twente-2021/rapportage?period=2021Q3",
        "/plannen/twente-2021/jaarovergang",
        "/plannen/importeren/",
    ):
        phone.goto(path)
        assert_fits_width(phone)
        assert_accessible(phone)
    phone.goto("/plannen/twente-2021")
    phone.evaluate("document.querySelector('table.overview').scrollIntoView()")
    screenshot(phone, "8-telefoon-planoverzicht", full_page=False)


def test_a_member_signs_in_and_updates_with_the_keyboard_alone(page: Page) -> None:
    page.goto(f"/activiteiten/{activity_id_for('twente-2021', PR_ACTIVITY)}")
    expect(page.get_by_label("E-mailadres")).to_be_focused()
    page.keyboard.type("lid.pr@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("jaarplan-demo-2021")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(PR_ACTIVITY)

    focus_by_tab(page, "status")
    page.keyboard.type("Lop")  # type-ahead in the closed list: "Lopend"
    expect(page.get_by_label("Status", exact=True)).to_have_value("lopend")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Notitie")).to_be_focused()
    page.keyboard.type("Met het toetsenbord bijgewerkt.")
    page.keyboard.press("Tab")
    expect(page.get_by_text("Gebeurde het eerder?")).to_be_focused()  # the date, folded away
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Update opslaan")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_have_text("Je update is opgeslagen.")
    expect(page.locator("#geschiedenis li").first).to_contain_text(
        "Met het toetsenbord bijgewerkt."
    )


def test_every_form_can_be_reached_with_the_keyboard(page: Page) -> None:
    page.goto("/inloggen")
    assert_keyboard_operable(page)
    log_in(page, "coordinator@example.org")
    for path in (
        f"/activiteiten/{activity_id_for('twente-2021', PR_ACTIVITY)}",
        "/plannen/twente-2021",
        "/plannen/twente-2021/rapportage?period=2021Q3",
        "/plannen/twente-2021/jaarovergang",
        "/plannen/importeren/",
    ):
        page.goto(path)
        assert_keyboard_operable(page)


def test_on_a_phone_the_account_links_are_one_tap_away(phone: Page) -> None:
    log_in(phone, "lid.pr@example.org", "/mijn-activiteiten")
    menu = phone.locator("details.account")
    links = (
        menu.get_by_role("link", name="Herinneringen en agenda"),
        menu.get_by_role("link", name="Wachtwoord wijzigen"),
    )
    for link in links:
        expect(link).to_be_hidden()
    menu.locator("summary").tap()
    for link in links:
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    assert_fits_width(phone)
    assert_accessible(phone)
    links[0].tap()
    expect(phone).to_have_url(re.compile(r"/profiel/herinneringen$"))
    expect(phone.get_by_role("heading", name="Agenda-abonnement")).to_be_visible()
