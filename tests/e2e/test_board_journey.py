"""The board before a meeting: the plan's board page on a phone, with the spending the
coordinator recorded."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import col, select

from tests.e2e.browser import (
    assert_accessible,
    assert_fits_width,
    assert_keyboard_operable,
    log_in,
    screenshot,
)
from tests.e2e.conftest import LiveServer
from tracker.models import BudgetItem, Plan, Theme


def with_budget(server: LiveServer) -> list[str]:
    """The demo plan's themes, each with a budget line (as a plan file with a budget
    stores it: the demo's plan text has none)."""
    with server.db.session() as session:
        plan = session.exec(select(Plan).where(Plan.slug == "twente-2021")).one()
        themes = list(
            session.exec(
                select(Theme.name).where(Theme.plan_id == plan.id).order_by(col(Theme.position))
            )
        )
        for position, name in enumerate(themes):
            cents = (position + 2) * 250_000
            session.add(
                BudgetItem(plan_id=plan.id or 0, position=position, theme=name, amount_cents=cents)
            )
        session.commit()
    return themes


def test_a_board_member_opens_the_board_page_on_a_phone(
    page: Page, phone: Page, live_server: LiveServer
) -> None:
    themes = with_budget(live_server)
    log_in(page, "coordinator@example.org", "/plannen/twente-2021/begroting")
    page.get_by_label("Thema", exact=True).select_option(themes[0])
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
            rf"^{re.escape(themes[0])}, afgerond per kwartaal: K1 \d+%, K2 \d+%, K3 \d+%, K4 \d+%$"
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
