"""The five journeys of the people who use the tracker, in Chromium against the served app.

Each ends on the page a reviewer would want to see; its screenshot goes to docs/screenshots/.
Every page on the way is checked with axe-core (no serious or critical violation).
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import select

from tests.e2e.browser import assert_accessible, log_in, screenshot, sign_in
from tests.e2e.conftest import PR_ACTIVITY, LiveServer
from tracker.ids import activity_id_for
from tracker.models import ImportDraft

FIXTURES = Path(__file__).parent / "fixtures"
SPIRITUAL = "Spirituele zorg in de eerstelijns"  # lopend since May 2021, wanneer "2021"
OTHER_GROUPS_ACTIVITY = "Diverse bij- en nascholingen voor professionals en vrijwilligers"


def test_a_member_follows_the_reminder_link_signs_in_and_updates_the_status(page: Page) -> None:
    deep_link = f"/activiteiten/{activity_id_for('twente-2021', PR_ACTIVITY)}"
    page.goto(deep_link)
    expect(page).to_have_url(re.compile(r"/inloggen\?next="))
    assert_accessible(page)
    sign_in(page, "lid.pr@example.org")

    expect(page).to_have_url(re.compile(re.escape(deep_link) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(PR_ACTIVITY)
    assert_accessible(page)
    page.get_by_label("Status", exact=True).select_option(label="Lopend")
    page.get_by_label("Notitie").fill("Eerste scholingsavond gepland met de huisartsen.")
    page.get_by_role("button", name="Update opslaan").click()

    expect(page.get_by_role("status").filter(has_text="Je update is opgeslagen.")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Lopend")
    latest = page.locator("#geschiedenis li").first  # newest first
    expect(latest).to_contain_text("Lid PR & Communicatie")
    expect(latest).to_contain_text("Gepland → Lopend")
    expect(latest).to_contain_text("Eerste scholingsavond gepland met de huisartsen.")
    assert_accessible(page)
    screenshot(page, "1-lid-werkt-status-bij")


def test_a_coordinator_filters_the_overview_and_downloads_the_quarterly_report(
    page: Page,
) -> None:
    log_in(page, "coordinator@example.org")
    page.get_by_role("link", name="Jaarplannen").click()
    page.get_by_role("link", name="Jaarplan 2021").click()
    expect(page.get_by_text("40 activiteiten getoond")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Thema").select_option(label="Informeren")
    page.get_by_label("Status", exact=True).select_option(label="Lopend")
    page.get_by_label("Kwartaal", exact=True).select_option(label="Kwartaal 3")
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(r"theme=\d+&status=lopend&workgroup=&quarter=3"))
    expect(page.get_by_text("1 activiteit getoond")).to_be_visible()
    rows = page.locator("table.overview tbody tr:not(.theme-row)")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Overzicht aanbod palliatieve zorg is actueel")
    expect(rows.first).to_contain_text("Lopend")
    expect(page.get_by_label("Thema")).to_have_value(re.compile(r"\d+"))  # the choice is kept

    page.get_by_role("link", name="Voortgangsrapportage").click()
    page.get_by_label("Kwartaal", exact=True).select_option(label="3e kwartaal 2021")
    page.get_by_role("button", name="Tonen").click()
    expect(page.get_by_role("heading", name="Samenvatting per thema")).to_be_visible()
    expect(page.locator("svg.chart rect")).not_to_have_count(0)
    assert_accessible(page)

    with page.expect_download() as pdf:
        page.get_by_role("button", name="PDF downloaden").click()
    assert pdf.value.suggested_filename == "voortgang-twente-2021-2021Q3.pdf"
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
    expect(page.get_by_role("status")).to_have_text(
        "Het PDF-bestand is klaar: je vindt het bij je downloads."
    )
    expect(page.get_by_role("button", name="Excel downloaden")).to_be_enabled()

    with page.expect_download() as xlsx:
        page.get_by_role("button", name="Excel downloaden").click()
    assert xlsx.value.suggested_filename == "voortgang-twente-2021-2021Q3.xlsx"
    assert Path(xlsx.value.path()).read_bytes()[:2] == b"PK"
    expect(page.get_by_role("status")).to_contain_text("Het Excel-bestand is klaar")
    screenshot(page, "2-coordinator-rapportage", full_page=False)


def test_a_coordinator_imports_a_plan_fixes_a_warning_and_confirms(
    page: Page, live_server: LiveServer
) -> None:
    log_in(page, "coordinator@example.org")
    page.get_by_role("link", name="Jaarplannen").click()
    page.get_by_role("link", name="Plan importeren").click()
    assert_accessible(page)
    page.get_by_label("Planbestand").set_input_files(FIXTURES / "jaarplan-2023.txt")
    page.get_by_role("button", name="Plan inlezen").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Jaarplan 2023")
    expect(page.get_by_text("3 activiteiten gevonden · 1 waarschuwing")).to_be_visible()
    flagged = page.locator("fieldset.has-warning")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("'Wanneer' niet herkend")
    assert_accessible(page)
    wanneer = flagged.get_by_label("Wanneer")
    expect(wanneer).to_have_value("zodra de nieuwe huisstijl klaar is")
    wanneer.fill("2e kwartaal")
    page.get_by_role("button", name="Aangevinkte activiteiten importeren").click()

    expect(page).to_have_url(re.compile(r"/plannen/twente-2023$"))
    expect(page.get_by_role("status").first).to_have_text(
        "Plan geïmporteerd: 3 activiteiten toegevoegd, 0 bestonden al."
    )
    expect(page.get_by_text("3 activiteiten getoond")).to_be_visible()
    row = page.locator("tr", has_text="Nieuwsbrief voor zorgverleners")
    expect(row).to_contain_text("2e kwartaal")
    with live_server.db.session() as session:
        assert session.exec(select(ImportDraft)).all() == []
    assert_accessible(page)
    screenshot(page, "3-coordinator-importeert-plan")


def test_a_coordinator_carries_unfinished_activities_into_next_year(page: Page) -> None:
    log_in(page, "coordinator@example.org", "/plannen/twente-2021")
    page.get_by_role("link", name="Jaarovergang").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jaarovergang")
    assert_accessible(page)
    target = page.get_by_label("Naar plan")  # step 1: the next year's plan, made when new
    expect(target).to_have_value("")
    expect(target.locator("option:checked")).to_have_text("Nieuw plan: Jaarplan 2022")
    expect(page.get_by_label("Titel van het nieuwe plan")).to_have_value("Jaarplan 2022")

    page.get_by_role("button", name="Bekijk wat doorloopt").click()  # no reason yet
    reason = page.get_by_label("Reden")
    expect(page.get_by_role("alert")).to_contain_text("Geef de reden waarom ze doorlopen.")
    expect(reason).to_be_focused()  # the focus is at the first error
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#reason-error")).to_have_text("Geef de reden waarom ze doorlopen.")
    assert_accessible(page)
    reason.fill("Door de personele krapte niet afgerond in 2021.")
    page.get_by_role("button", name="Bekijk wat doorloopt").click()

    # Step 2, the preview: every open activity, ticked, its status, its wanneer for 2022.
    expect(page.get_by_role("heading", level=2)).to_have_text("Stap 2 van 2: wat doorloopt in 2022")
    choices = page.get_by_role("checkbox")
    open_count = choices.count()
    assert open_count > 20
    row = page.locator("li.card").filter(has=page.get_by_label(SPIRITUAL, exact=True))
    expect(row.locator(".badge")).to_have_text("Lopend")  # kept
    when = page.get_by_label(f"Wanneer in 2022 ({SPIRITUAL})")
    expect(when).to_have_value("2022")  # "2021" re-timed into the new year
    expect(row.get_by_role("link", name="de activiteit en haar geschiedenis")).to_have_attribute(
        "href", f"/activiteiten/{activity_id_for('twente-2021', SPIRITUAL)}"
    )
    assert_accessible(page)
    when.fill("2e helft 2022")  # edited
    page.get_by_label("Gesprek bestuurders", exact=True).uncheck()  # that one stays
    page.get_by_role("button", name="Doorschuiven").click()

    expect(page).to_have_url(re.compile(r"/plannen/twente-2022$"))
    carried = page.get_by_role("status").first
    expect(carried).to_have_text(
        re.compile(r"^\d+ activiteiten doorgeschoven naar Jaarplan 2022\.$")
    )
    shown = int(carried.inner_text().split(" ")[0])
    assert shown == open_count - 1
    expect(page.get_by_text(f"{shown} activiteiten getoond")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "4-coordinator-jaarovergang")

    # The continuation: the edited wanneer, its status kept, a link to where it came from.
    page.goto(f"/activiteiten/{activity_id_for('twente-2022', SPIRITUAL)}")
    expect(page.locator("h1 .badge")).to_have_text("Lopend")
    expect(page.locator(".plan-content")).to_contain_text("2e helft 2022")
    page.get_by_role("link", name="de activiteit in het eerdere plan en haar geschiedenis").click()
    expect(page).to_have_url(
        re.compile(re.escape(f"/activiteiten/{activity_id_for('twente-2021', SPIRITUAL)}") + "$")
    )
    expect(page.locator("h1 .badge")).to_have_text("Doorgeschoven")
    assert_accessible(page)


def test_a_member_of_another_workgroup_is_told_clearly_they_cannot_update(page: Page) -> None:
    activity = activity_id_for("twente-2021", OTHER_GROUPS_ACTIVITY)
    log_in(page, "lid.pr@example.org", f"/activiteiten/{activity}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(OTHER_GROUPS_ACTIVITY)
    expect(page.get_by_role("button", name="Update opslaan")).to_have_count(0)
    expect(page.get_by_role("note")).to_contain_text(
        "Alleen de leden van Werkgroep deskundigheidsbevordering"
    )
    assert_accessible(page)

    # A form kept from elsewhere (or crafted) is refused by the server, in plain Dutch.
    with page.expect_navigation() as refused:
        page.evaluate(
            """(action) => {
                const token = document.querySelector('input[name=csrf_token]').value;
                const form = document.createElement('form');
                form.method = 'post';
                form.action = action;
                for (const [name, value] of [['csrf_token', token], ['status', 'afgerond'],
                                             ['note', 'Klaar'], ['version', '1']]) {
                    const input = document.createElement('input');
                    input.type = 'hidden'; input.name = name; input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }""",
            f"/activiteiten/{activity}/status",
        )
    response = refused.value
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    expect(page.locator(".lead")).to_have_text(
        "Alleen leden van de verantwoordelijke werkgroepen en de netwerkcoördinatoren "
        "kunnen deze activiteit bijwerken."
    )
    expect(page.get_by_role("link", name="Terug naar mijn activiteiten")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "5-geen-rechten")

    page.goto("/plannen/twente-2021")  # the overview is for coordinators and the board
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    expect(page.locator(".lead")).to_contain_text("coördinatoren en het bestuur")
