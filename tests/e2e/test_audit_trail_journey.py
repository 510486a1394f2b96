"""An admin invites a person, adds them to a workgroup, and reads it back in the audit trail:
Dutch sentences with names, filtered by kind and by person, and downloaded as CSV."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_accessible, log_in, screenshot
from tests.e2e.conftest import LiveServer
from tests.support import CollectingMailer

ANNE = "Anne de Vries"
WORKGROUP = "Werkgroep PR & Communicatie"
JOINED = f"{ANNE} toegevoegd aan {WORKGROUP} door Beheerder Demo"
INVITED = f"{ANNE} uitgenodigd door Beheerder Demo"
ROLE = f"Rol van {ANNE} in Netwerken Palliatieve Zorg Twente gezet op Werkgroeplid"


def test_an_admin_reads_what_they_did_in_the_audit_trail(
    page: Page, live_server: LiveServer
) -> None:
    live_server.app.extensions["reminders"].mailer = CollectingMailer()
    log_in(page, "beheer@example.org")
    page.goto("/uitnodigen")
    page.get_by_label("Naam").fill(ANNE)
    page.get_by_label("E-mailadres").fill("anne.de.vries@example.org")
    page.get_by_label("Rol").select_option(label="Werkgroeplid")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.get_by_text("Uitnodiging verstuurd.")).to_be_visible()

    page.get_by_role("navigation", name="Beheer").get_by_role("link", name="Personen").click()
    page.get_by_role("link", name=ANNE).click()
    page.get_by_label("Werkgroep").select_option(
        label=f"Netwerken Palliatieve Zorg Twente: {WORKGROUP}"
    )
    page.get_by_role("button", name="Aan werkgroep toevoegen").click()
    expect(page.get_by_text("Toegevoegd aan de werkgroep.")).to_be_visible()

    page.get_by_role("navigation", name="Beheer").get_by_role("link", name="Auditlog").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Auditlog")
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text=JOINED)).to_have_count(1)
    expect(rows.filter(has_text=INVITED)).to_have_count(1)
    expect(rows.filter(has_text=ROLE)).to_have_count(1)
    assert_accessible(page)

    page.get_by_label("Soort").select_option(label="toegevoegd aan een werkgroep")
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(r"soort=membership_added"))
    expect(rows.filter(has_text=JOINED)).to_have_count(1)
    expect(rows.filter(has_text=INVITED)).to_have_count(0)
    expect(rows.locator("td:nth-child(2)")).to_have_text(
        ["toegevoegd aan een werkgroep"] * rows.count()
    )

    page.get_by_label("Soort").select_option(label="alle")
    page.get_by_label("Persoon").select_option(label=ANNE)
    page.get_by_role("button", name="Filteren").click()
    expect(rows).to_have_count(3)  # the role and the invitation, then the workgroup
    expect(rows.nth(0)).to_contain_text(JOINED)
    expect(rows.filter(has_text="heeft zich aangemeld")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "14-audit-trail")

    csv_link = page.get_by_role("link", name="Downloaden als CSV")
    href = csv_link.get_attribute("href")
    assert href is not None and "persoon=" in href
    with page.expect_download() as download_info:
        csv_link.click()
    download = download_info.value
    assert download.suggested_filename == "audit.csv"
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    body = response.body().decode("utf-8-sig")
    assert JOINED in body and INVITED in body and "heeft zich aangemeld" not in body
    path = download.path()
    assert path.read_bytes() == response.body()
