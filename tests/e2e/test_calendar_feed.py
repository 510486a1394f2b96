"""A member subscribes their workgroup's calendar: the address is made on the reminder
settings page, shown once, read by a calendar (the `icalendar` parser), and renewed."""

from __future__ import annotations

from urllib.parse import urlsplit

from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    assert_accessible,
    assert_fits_width,
    assert_keyboard_operable,
    log_in,
)

WORKGROUP = "Werkgroep PR & Communicatie"


def _make_address(page: Page, button: str) -> str:
    page.locator("li", has_text=WORKGROUP).get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda-abonnement")
    address = page.get_by_label("Agenda-adres").input_value()
    assert "/agenda/" in address and address.endswith(".ics")
    return urlsplit(address).path  # APP_URL names another port than this test server's


def test_a_member_subscribes_to_their_workgroups_calendar_and_renews_the_address(
    page: Page,
) -> None:
    log_in(page, "lid.pr@example.org")
    page.goto("/profiel/herinneringen")
    expect(page.get_by_role("heading", name="Agenda-abonnement")).to_be_visible()
    assert_accessible(page)
    path = _make_address(page, "Adres maken")
    expect(page.get_by_role("link", name="Openen in mijn agenda")).to_have_attribute(
        "href", f"webcal://{urlsplit(page.get_by_label('Agenda-adres').input_value()).netloc}{path}"
    )
    assert_accessible(page)

    feed = page.request.get(path)  # as a calendar program fetches it: the same, no session
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(feed.body())
    assert str(calendar["X-WR-CALNAME"]) == f"Jaarplan: {WORKGROUP}"
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert any(s.startswith("Deadline: ") for s in summaries)
    assert any(s.startswith("Herinnering: kwartaalupdate") for s in summaries)

    page.get_by_role("link", name="Terug naar de instellingen voor herinneringen").click()
    row = page.locator("li", has_text=WORKGROUP)
    expect(row).to_contain_text("adres gemaakt op")
    assert path not in page.content()  # shown once only
    renewed = _make_address(page, "Vernieuwen")
    assert renewed != path
    assert page.request.get(path).status == 404
    assert page.request.get(renewed).status == 200


def test_on_a_phone_the_address_fits_and_the_buttons_are_reached_by_keyboard(
    phone: Page,
) -> None:
    log_in(phone, "lid.pr@example.org")
    phone.goto("/profiel/herinneringen")
    assert_fits_width(phone)
    assert_keyboard_operable(phone)
    _make_address(phone, "Adres maken")
    assert_fits_width(phone)
    assert_accessible(phone)
