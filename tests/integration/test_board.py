"""The board page, the trend in the reports and recording spending on the budget."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.test_reports import made, pdftotext, update
from tests.support import World, build_world, login, person
from tracker.domain.period import Period
from tracker.models import BudgetItem, Plan
from tracker.reports.model import ThemeTrend, Trend
from tracker.web.board import board_start_url

BOARD = "/plannen/testnet-2021/bestuur"
BUDGET = "/plannen/testnet-2021/begroting"
SVG = "{http://www.w3.org/2000/svg}"
NOW = datetime(2021, 5, 10, 9, 30, tzinfo=UTC)


def with_budget(app: Flask) -> World:
    """The test world on 3 January 2021, its plan with a budget for two themes (as a plan
    file with a budget stores it); the clock then stands on 10 May 2021."""
    app.extensions["tracker"].clock.current = datetime(2021, 1, 3, 9, tzinfo=UTC)
    world = build_world(app)
    with app.extensions["tracker"].db.session() as session:
        for plan in session.exec(sa.select(Plan)).scalars():
            for position, (theme, cents) in enumerate(
                (("Coördinatie", 500_000), ("Informeren", 120_000))
            ):
                session.add(
                    BudgetItem(
                        plan_id=plan.id or 0, position=position, theme=theme, amount_cents=cents
                    )
                )
        session.commit()
    app.extensions["tracker"].clock.current = NOW
    return world


def history(app: Flask) -> None:
    """The meeting finished in the 2nd quarter, the website delayed with a note."""
    update(
        app,
        "Algemeen bestuursoverleg",
        "lopend",
        "Agenda rond",
        datetime(2021, 2, 1, 9, tzinfo=UTC),
    )
    update(app, "Algemeen bestuursoverleg", "afgerond", "", datetime(2021, 4, 20, 9, tzinfo=UTC))
    update(
        app,
        "Website is actueel",
        "vertraagd",
        "Wacht op de nieuwe huisstijl",
        datetime(2021, 5, 3, 9, tzinfo=UTC),
    )
    app.extensions["tracker"].clock.current = NOW


def signed_in(app: Flask, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        login(client, world.emails[role])
    return client


def charts(html: str) -> list[ET.Element]:
    """Every trend chart of the page, parsed as XML (so it is well-formed SVG)."""
    return [
        ET.fromstring(svg) for svg in re.findall(r'<svg class="trend-chart".*?</svg>', html, re.S)
    ]


def spending_rows(app: Flask) -> list[tuple[str, int, str]]:
    with app.extensions["tracker"].db.engine.connect() as connection:
        query = "SELECT theme, amount_cents, note FROM budgetspending ORDER BY id"
        return [tuple(row) for row in connection.execute(sa.text(query))]  # type: ignore[misc]


def test_the_board_page_shows_progress_trend_notes_and_budget(backend_app: Flask) -> None:
    world = with_budget(backend_app)
    history(backend_app)
    page = signed_in(backend_app, world, "board").get(BOARD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Bestuursoverzicht" in html and "2e kwartaal 2021" in html
    assert 'href="/plannen/testnet-2021/rapportage"' in html
    assert re.search(r"50%</strong> afgerond · 1 van 2 activiteiten", html)
    assert "Wacht op de nieuwe huisstijl" in html  # delayed this quarter, with its note
    assert "Agenda rond" not in html  # a note on work that is neither delayed nor stopped
    assert "€\u00a05.000,00" in html and "€\u00a06.200,00" in html  # planned, and the total
    coordination, informing = charts(html)
    assert [c.get("r") for c in coordination.iter(f"{SVG}circle")] == ["3.5", "3.5"]
    texts = [t.text for t in coordination.iter(f"{SVG}text")]
    assert texts == ["0%", "50%", "K1", "K2"]
    assert coordination.get("role") == "img"
    title = coordination.find(f"{SVG}title")
    assert title is not None and title.text == "Coördinatie, afgerond per kwartaal: K1 0%, K2 50%"
    assert coordination.get("aria-labelledby") == title.get("id")
    assert informing.find(f"{SVG}polyline") is not None


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("owner_member", 403), ("other_member", 403), ("coordinator", 200),
     ("other_coordinator", 404), ("board", 200), ("admin", 200)],
)  # fmt: skip
def test_the_board_page_and_the_budget_follow_the_reports_rights(
    app: Flask, role: str, expected: int
) -> None:
    world = with_budget(app)
    client = signed_in(app, world, role)
    for path in (BOARD, BUDGET):
        assert client.get(path).status_code == expected, path
    assert client.get("/plannen/geen-plan/bestuur").status_code == (
        302 if role == "anonymous" else 404
    )
    if expected == 200:  # the plan overview leads there
        overview = client.get(f"/plannen/{world.plan_slug}").get_data(as_text=True)
        assert f'href="{BOARD}"' in overview and f'href="{BUDGET}"' in overview


def test_the_report_and_its_pdf_show_the_trend(app: Flask, tmp_path: Path) -> None:
    with_budget(app)
    history(app)
    html = made(app, "html").decode()
    assert len(charts(html)) == 2 and "Afgerond per kwartaal" in html
    assert "Afgerond per kwartaal" in pdftotext(made(app, "pdf"), tmp_path, "-layout")


def test_a_coordinator_records_spending_written_the_dutch_way(app: Flask) -> None:
    world = with_budget(app)
    client = signed_in(app, world, "coordinator")
    form = {
        "theme": "Informeren",
        "amount": "1.250,50",
        "spent_on": "2021-05-03",
        "note": "Drukwerk",
    }
    answer = client.post(BUDGET, data=form)
    assert answer.status_code == 302
    assert spending_rows(app) == [("Informeren", 125_050, "Drukwerk")]
    html = client.get(BUDGET).get_data(as_text=True)
    assert "De uitgave is vastgelegd." in html and "€\u00a01.250,50" in html
    assert "€\u00a0-50,50" in html or "-€\u00a050,50" in html  # over budget: 1.200 - 1.250,50
    board = signed_in(app, world, "board").get(BOARD).get_data(as_text=True)
    assert "€\u00a01.250,50" in board


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount": "twaalf"}, "amount", "Schrijf een bedrag in euro, bijvoorbeeld 1.250,50."),
        ({"amount": ""}, "amount", "Geef het bedrag, bijvoorbeeld 1.250,50."),
        ({"amount": "1e30"}, "amount", "Schrijf een bedrag in euro, bijvoorbeeld 1.250,50."),
        ({"amount": "0,00"}, "amount", "Geef een bedrag boven nul en hoogstens 1.000.000 euro."),
        ({"spent_on": "2021-05-11"}, "spent_on", "De datum kan niet in de toekomst liggen."),
        ({"spent_on": "2020-12-31"}, "spent_on", "vóór het jaar van het plan (2021)"),
        ({"spent_on": ""}, "spent_on", "Geef de datum."),
        ({"theme": "Onbekend"}, "theme", "Kies een van de thema's van de begroting."),
    ],
)
def test_bad_spending_is_refused_at_its_field_in_dutch_and_nothing_is_written(
    app: Flask, change: dict[str, str], field: str, message: str
) -> None:
    world = with_budget(app)
    form = {"theme": "Informeren", "amount": "10", "spent_on": "2021-05-03", "note": ""} | change
    answer = signed_in(app, world, "coordinator").post(BUDGET, data=form)
    assert answer.status_code == 400
    html = unescape(answer.get_data(as_text=True))
    assert re.search(
        rf'<p class="field-error" id="{field}-error">[^<]*{re.escape(message)}', html
    ), html
    assert spending_rows(app) == []


@pytest.mark.parametrize(
    ("role", "expected"), [("board", 403), ("owner_member", 403), ("other_coordinator", 404)]
)
def test_only_the_networks_coordinators_record_spending(
    app: Flask, role: str, expected: int
) -> None:
    world = with_budget(app)
    form = {"theme": "Informeren", "amount": "10", "spent_on": "2021-05-03"}
    assert signed_in(app, world, role).post(BUDGET, data=form).status_code == expected
    assert spending_rows(app) == []


def test_the_start_url_of_the_board_is_this_years_plan_of_their_network(app: Flask) -> None:
    world = with_budget(app)
    db = app.extensions["tracker"].db
    with app.test_request_context():
        assert board_start_url(person(db, world.user_ids["board"])) == BOARD
        assert board_start_url(person(db, world.user_ids["coordinator"])) == BOARD
        assert board_start_url(person(db, world.user_ids["owner_member"])) is None
        app.extensions["tracker"].clock.current = datetime(2022, 2, 1, 9, tzinfo=UTC)
        assert board_start_url(person(db, world.user_ids["board"])) is None


def test_a_quarter_before_a_theme_was_in_the_plan_has_its_label_but_no_point(app: Flask) -> None:
    quarters = tuple(Period(2021, q) for q in (1, 2, 3))
    trend = Trend(quarters, (ThemeTrend("Nieuw", (None, 0, 40)),))
    with app.test_request_context():
        chart = app.jinja_env.get_template("reports/_trend.html").module.theme_trend  # type: ignore[attr-defined]
        svg = ET.fromstring(str(chart(trend, trend.themes[0], "t")))
    assert len(list(svg.iter(f"{SVG}circle"))) == 2
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["0%", "40%", "K1", "K2", "K3"]
    polyline = svg.find(f"{SVG}polyline")
    assert polyline is not None and len((polyline.get("points") or "").split()) == 2
    title = svg.find(f"{SVG}title")
    assert title is not None and title.text == "Nieuw, afgerond per kwartaal: K1 —, K2 0%, K3 40%"
