"""The living plan in Chromium: a coordinator moves an activity to another quarter and hands it
to another workgroup; a member of that workgroup finds it in "Mijn activiteiten" and updates
it; the report of the quarter before is the same as it was; the history shows both changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_accessible, log_in
from tracker.ids import activity_id_for

ACTIVITY = "Gluren bij de buren"  # lopend, "2 x per jaar", Werkgroep deskundigheidsbevordering
OLD_GROUP = "Werkgroep deskundigheidsbevordering"
NEW_GROUP = "Werkgroep PR & Communicatie"
REPORT = "/plannen/twente-2021/rapportage?period=2021Q{quarter}&as_of=&format="


def report(page: Page, quarter: int = 3) -> tuple[bytes, str]:
    """A quarter's report as the coordinator downloads it (CSV) and reads it (HTML)."""
    csv = page.request.get(REPORT.format(quarter=quarter) + "csv")
    assert csv.ok, csv.status
    shown = page.request.get(REPORT.format(quarter=quarter) + "html")
    assert shown.ok, shown.status
    body = shown.text().split('class="report-actions"', 1)[1].split("</form>", 1)[1]
    # The closing form's CSRF token is new on every request; the report around it is not.
    body = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", body)
    return csv.body(), body.split("</main>", 1)[0]


def test_a_moved_and_reassigned_activity_reaches_its_new_workgroup_and_the_past_stays(
    open_page: Callable[..., Page],
) -> None:
    opener = open_page
    detail = f"/activiteiten/{activity_id_for('twente-2021', ACTIVITY)}"

    coordinator = opener()
    log_in(coordinator, "coordinator@example.org")
    report_before = report(coordinator)
    # The CSV has a row per activity with its workgroups and wanneer: the comparison at the
    # end would see a report that showed the plan as it is now.
    row = next(r for r in report_before[0].decode("utf-8-sig").splitlines() if ACTIVITY in r)
    assert OLD_GROUP in row and "2 x per jaar" in row
    current_before = report(coordinator, 4)

    member = opener()
    log_in(member, "lid.pr@example.org")
    member.get_by_role("link", name="Mijn activiteiten").first.click()
    expect(member.get_by_role("link", name=ACTIVITY)).to_have_count(0)

    # The coordinator moves it to the fourth quarter …
    coordinator.goto(detail)
    coordinator.get_by_role("link", name="Wijzigen", exact=True).click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Activiteit wijzigen")
    assert_accessible(coordinator)
    expect(coordinator.get_by_label("Wanneer")).to_have_value("2 x per jaar")
    coordinator.get_by_label("Wanneer").fill("4e kwartaal")
    coordinator.get_by_label("Reden (optioneel)").fill("Eerste ronde uitgesteld")
    coordinator.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(coordinator.get_by_text("De wijzigingen zijn opgeslagen.")).to_be_visible()

    # … and, in a second change, gives it to Werkgroep PR & Communicatie.
    coordinator.get_by_role("link", name="Wijzigen", exact=True).click()
    coordinator.get_by_label(OLD_GROUP, exact=True).uncheck()
    coordinator.get_by_label(NEW_GROUP, exact=True).check()
    coordinator.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(coordinator.get_by_text("De wijzigingen zijn opgeslagen.")).to_be_visible()
    expect(coordinator.locator(".plan-content")).to_contain_text(NEW_GROUP)

    # The member of the new workgroup finds it and updates it.
    member.goto("/mijn-activiteiten")
    card = member.locator(".card").filter(has_text=ACTIVITY)
    expect(card).to_contain_text("4e kwartaal")
    card.get_by_role("link", name=ACTIVITY).click()
    status = member.get_by_label("Status", exact=True)
    expect(status.locator("option")).to_have_text(["Lopend", "Vertraagd", "Afgerond", "Gestopt"])
    status.select_option(label="Vertraagd")
    member.get_by_label("Notitie").fill("Nieuwe datum met de hospices afgesproken.")
    member.get_by_role("button", name="Update opslaan").click()
    expect(member.get_by_role("status").filter(has_text="Je update is opgeslagen.")).to_be_visible()
    expect(member.locator("h1 .badge")).to_have_text("Vertraagd")

    # The history shows both changes, field by field, and who made them.
    entries = member.locator("#geschiedenis > ol > li")
    expect(entries.nth(0)).to_contain_text("Lopend → Vertraagd")
    expect(entries.nth(1)).to_contain_text(
        f"Verantwoordelijke werkgroepen gewijzigd van '{OLD_GROUP}' naar '{NEW_GROUP}'"
    )
    expect(entries.nth(1)).to_contain_text("Coördinator Demo")
    expect(entries.nth(2)).to_contain_text(
        "Wanneer gewijzigd van '2 x per jaar' naar '4e kwartaal'"
    )
    expect(entries.nth(2)).to_contain_text("Eerste ronde uitgesteld")
    assert_accessible(member)

    # The third quarter's report is what it was: the plan as it stood then; the current
    # quarter's shows the changes.
    assert report(coordinator) == report_before
    current = report(coordinator, 4)
    assert current[0] != current_before[0] and current[1] != current_before[1]
    assert "Nieuwe datum met de hospices afgesproken." in current[1]
    row = next(r for r in current[0].decode("utf-8-sig").splitlines() if ACTIVITY in r)
    assert NEW_GROUP in row and "4e kwartaal" in row and OLD_GROUP not in row
