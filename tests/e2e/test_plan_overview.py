"""The plan overview of a coordinator preparing a board meeting: 60 activities, readable."""

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

THEMES = ("Coördinatie", "Signaleren", "Faciliteren", "Informeren", "Leren en verbeteren")


def add_activities(server: LiveServer, count: int) -> None:
    """Add `count` activities to the demo's 2021 plan (60 in all), some of them under way."""
    titles = [f"Scholingsavond {n} voor zorgverleners in de regio" for n in range(1, count + 1)]
    plan = {
        "format": "jaarplan/1",
        "network": {"slug": "twente", "name": "Netwerken Palliatieve Zorg Twente"},
        "plan": {"slug": "twente-2021", "year": 2021, "title": "Jaarplan 2021"},
        "workgroups": [{"name": "Werkgroep deskundigheidsbevordering"}],
        "themes": [
            {
                "name": theme,
                "activities": [
                    {
                        "title": title,
                        "objectives": "Zorgverleners kennen het aanbod.",
                        "wie": "Werkgroep deskundigheidsbevordering",
                        "wanneer": f"{n % 4 + 1}e kwartaal",
                        "workgroups": ["Werkgroep deskundigheidsbevordering"],
                    }
                    for n, title in enumerate(titles)
                    if n % len(THEMES) == i
                ],
            }
            for i, theme in enumerate(THEMES)
        ],
    }
    clock = FixedClock(datetime(2021, 3, 1, 10, tzinfo=UTC))
    load_plan(server.db, read_plan_yaml(yaml.safe_dump(plan, allow_unicode=True)), clock)
    for n, title in enumerate(titles):
        if n % 3 == 0:
            change_activity_status(
                server.db.unit_of_work(),
                ChangeActivityStatus(
                    OPERATOR, activity_id_for("twente-2021", title), "lopend", "Gestart."
                ),
                clock,
            )


def test_the_plan_overview_stays_readable_with_sixty_activities(
    page: Page, live_server: LiveServer
) -> None:
    add_activities(live_server, 20)
    log_in(page, "coordinator@example.org", "/plannen/twente-2021")
    expect(page.get_by_text("60 activiteiten getoond")).to_be_visible()
    open_work = page.locator("table.overview").first  # finished work is folded away below
    expect(open_work.locator("tr.theme-row")).to_have_count(len(THEMES))
    expect(open_work.locator("tr.theme-row").first).to_contain_text("Coördinatie 19 activiteiten")
    expect(page.locator("details.folded summary")).to_have_text(
        "5 afgeronde of afgesloten activiteiten"
    )
    assert_fits_width(page)
    assert_accessible(page)
    # Every status is named in words, not only by its colour (folded ones too).
    named = {"Gepland", "Lopend", "Vertraagd", "Afgerond"}
    for badge in page.locator("table.overview .badge").all():
        assert (badge.text_content() or "").strip() in named
    # Far down the list, the column headings are still in view.
    page.locator("tr", has_text="Scholingsavond 20 voor").scroll_into_view_if_needed()
    heading = page.get_by_role("columnheader", name="Status").bounding_box()
    assert heading is not None and 0 <= heading["y"] < 60, heading
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "9-planoverzicht-60-activiteiten")
