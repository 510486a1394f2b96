"""A member answers the reminder late, dating the update back into the previous quarter; the
coordinator's report of that quarter counts it (Chromium against the served demo, whose
clock stands at 15 December 2021)."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_accessible, log_in
from tests.e2e.conftest import LAPTOP, PR_ACTIVITY
from tracker.ids import activity_id_for


def test_an_update_dated_in_the_previous_quarter_counts_in_its_report(
    open_page: Callable[..., Page],
) -> None:
    member = open_page(LAPTOP)
    path = f"/activiteiten/{activity_id_for('twente-2021', PR_ACTIVITY)}"
    log_in(member, "lid.pr@example.org", path)
    member.get_by_label("Status", exact=True).select_option(label="Lopend")
    member.get_by_label("Notitie").fill("Gestart in september, vergeten bij te werken.")
    member.get_by_text("Gebeurde het eerder?").click()
    member.get_by_label("Gebeurd op (als het niet vandaag was)").fill("2021-09-20")
    assert_accessible(member)
    member.get_by_role("button", name="Update opslaan").click()
    expect(member.get_by_role("status").filter(has_text="Je update is opgeslagen.")).to_be_visible()
    expect(member.locator("#geschiedenis li").first).to_contain_text("Gepland → Lopend")

    coordinator = open_page(LAPTOP)
    log_in(coordinator, "coordinator@example.org", "/plannen/twente-2021/rapportage?period=2021Q3")
    expect(coordinator.locator("p.lead")).to_contain_text("bijgewerkt tot 15 december 2021")
    row = coordinator.locator("table.activities tr", has_text=PR_ACTIVITY)
    expect(row.locator("td").nth(2)).to_have_text("Lopend")  # as at 30 September
    assert_accessible(coordinator)
    coordinator.goto("/plannen/twente-2021/rapportage?period=2021Q3&as_of=2021-12-14")
    row = coordinator.locator("table.activities tr", has_text=PR_ACTIVITY)
    expect(row.locator("td").nth(2)).to_have_text("Gepland")  # not yet known on 14 December
