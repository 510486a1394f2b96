"""The demo: the Twente 2021 jaarplan, imported by the document importer from the project's copy."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from sqlmodel import col, select

from config import TestConfig
from tests.dutch import dutch
from tests.support import login
from tracker.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_draft, demo_history, load_demo
from tracker.ids import activity_id_for
from tracker.importing.reading import NOT_PLACED
from tracker.models import (
    Activity,
    BudgetItem,
    BudgetSpending,
    Indicator,
    Plan,
    Theme,
    Workgroup,
)
from tracker.projections import ActivityState
from wsgi import create_app

# Counted by hand in ../shared/plans/000_7270eda182fee902.txt: one activity per block of
# Doelstellingen / Acties en resultaten / Wie / Wanneer.
BLOCKS_PER_PILLAR = {
    "Coördinatie": 16,
    "Signaleren": 5,
    "Faciliteren": 10,
    "Informeren": 5,
    "Leren en verbeteren": 4,
}


@pytest.fixture
def demo_app(app: Flask) -> Flask:
    services = app.extensions["tracker"]
    load_demo(services.db, services.passwords)
    return app


def test_the_demo_plan_has_every_activity_block_of_the_document_under_its_pillar() -> None:
    draft = demo_draft()
    document = draft.document
    assert (document.plan_slug, document.year, document.motto) == (
        "twente-2021",
        2021,
        "Leren van en met elkaar",
    )
    assert document.themes == list(BLOCKS_PER_PILLAR)
    assert Counter(a.theme for a in document.activities) == BLOCKS_PER_PILLAR
    assert len(document.activities) == 40
    for activity in document.activities:
        assert activity.objectives or activity.actions, activity.title
        assert activity.wie and activity.wanneer, activity.title
    # Every "Wie" names a workgroup of the network, except the one that is yet to be formed.
    assert [a.title for a in document.activities if not a.workgroups] == [
        "Toereikend aanbod palliatieve zorg"
    ]
    unplaced = [w for w in draft.warnings if w.message.text_id == NOT_PLACED]
    assert [str(w.where) for w in unplaced][:2] == ["line 17", "line 18"]  # "Leren en / …"
    assert [dutch(w) for w in draft.warnings if w not in unplaced] == [
        "Coördinatie › Toereikend aanbod palliatieve zorg: geen bekende werkgroep bij 'Wie'",
        "Faciliteren › Digitale webapplicatie wensenboekje: 'Wanneer' geeft een begin maar geen "
        "einde: 'Start najaar 2020.'; de activiteit wordt pas verwacht als er een einde bij staat",
    ]
    assert "COVID-19" in document.introduction
    assert "Kievitsbosch" not in document.introduction  # the signature is not plan content
    carried = {a.title: a.carried_from_year for a in document.activities if a.carried_from_year}
    assert carried == {"Digitale webapplicatie wensenboekje": 2020}  # "Start najaar 2020."
    spiritual = [a.title for a in document.activities if a.title.startswith("Spirituele zorg")]
    assert spiritual == [  # a heading over four blocks: each further one by its objective
        "Spirituele zorg in de eerstelijns",
        "Spirituele zorg in de eerstelijns: Afname handelingsverlegenheid bij vrijwilligers…",
        "Spirituele zorg in de eerstelijns: Bij verwijzers is bekend wat de meerwaarde is van…",
        "Spirituele zorg in de eerstelijns: Eind 2021 is helder hoe verder na 2021 met…",
    ]
    assert not [a.title for a in document.activities if a.title.endswith(")") and "(2" in a.title]


def test_the_demo_loads_with_structured_timing_workgroups_and_history(demo_app: Flask) -> None:
    db = demo_app.extensions["tracker"].db
    with db.session() as session:
        plan = session.exec(select(Plan).where(Plan.slug == "twente-2021")).one()
        activities = session.exec(select(Activity).where(Activity.plan_id == plan.id)).all()
        assert len(activities) == 40
        unread = [a.wanneer for a in activities if a.timing_kind in ("unparsed", "empty")]
        assert unread == []
        themes = session.exec(
            select(Theme.name).where(Theme.plan_id == plan.id).order_by(col(Theme.position))
        ).all()
        assert themes == list(BLOCKS_PER_PILLAR)
        assert len(session.exec(select(Workgroup)).all()) == 14
        targets = {i.unit: (i.comparator, i.value) for i in session.exec(select(Indicator))}
        assert targets["verpleegkundigen"] == ("<=", 24)  # "Maximaal 24 verpleegkundigen"
        assert targets["PaTz-groepen"] == (">=", 7)  # "minimaal zeven PaTz-groepen"
        plan_ids = {p.slug: p.id for p in session.exec(select(Plan))}
    history = demo_history()
    with db.engine.connect() as connection:
        events = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
        counts = {
            (plan_id, status): count
            for plan_id, status, count in connection.execute(
                text("SELECT plan_id, status, count FROM plan_status_count WHERE count > 0")
            )
        }
    carried = 3  # each carried action: ActivityCarriedOver, ActivityCarriedIn, and its
    # status kept (lopend or vertraagd at the end of 2020: ActivityStatusChanged)
    assert events == 40 + 7 + len(history.updates) + len(history.progress) + 3 * carried
    # Counted by hand from tracker/demo/twente-history.yaml:
    assert {s: n for (p, s), n in counts.items() if p == plan_ids["twente-2021"]} == {
        "gepland": 29, "lopend": 5, "vertraagd": 1, "afgerond": 5,
    }  # fmt: skip
    assert {s: n for (p, s), n in counts.items() if p == plan_ids["twente-2020"]} == {
        "afgerond": 3, "gestopt": 1, "doorgeschoven": 3,
    }  # fmt: skip


def test_the_covid_delayed_2020_actions_continue_in_2021_with_their_reason(
    demo_app: Flask,
) -> None:
    db = demo_app.extensions["tracker"].db
    with db.session() as session:
        linked = {
            state.activity_id: state.carried_from
            for state in session.exec(select(ActivityState))
            if state.carried_from
        }
    titles = [
        "Bevorderen (invulling) rol centrale zorgverlener",
        "Digitale webapplicatie wensenboekje",
        "Opleidingsplaatsen Leergang Palliatieve Zorg Saxion",
    ]
    assert linked == {
        activity_id_for("twente-2021", t): activity_id_for("twente-2020", t) for t in titles
    }


def test_loading_the_demo_again_adds_nothing(demo_app: Flask) -> None:
    services = demo_app.extensions["tracker"]
    with services.db.engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
    load_demo(services.db, services.passwords)
    with services.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar_one() == before


def test_a_demo_member_updates_an_activity_and_the_coordinator_sees_it(demo_app: Flask) -> None:
    member_email = next(
        a.email for a in DEMO_ACCOUNTS if "Werkgroep PR & Communicatie" in a.workgroups
    )
    member = demo_app.test_client()
    login(member, member_email, DEMO_PASSWORD)
    mine = member.get("/mijn-activiteiten").get_data(as_text=True)
    title = "Overzicht aanbod palliatieve zorg is actueel"
    assert title in mine
    activity_id = activity_id_for("twente-2021", title)
    page = member.get(f"/activiteiten/{activity_id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert version is not None and version.group(1) == "3"  # planned, lopend, a note
    response = member.post(
        f"/activiteiten/{activity_id}/status",
        data={"status": "vertraagd", "note": "Katern later door drukkerij", "version": "3"},
        follow_redirects=True,
    )
    assert "Katern later door drukkerij" in response.get_data(as_text=True)

    coordinator = demo_app.test_client()
    login(coordinator, "coordinator@example.org", DEMO_PASSWORD)
    overview = coordinator.get("/plannen/twente-2021?status=vertraagd").get_data(as_text=True)
    assert title in overview and "Katern later door drukkerij" in overview


def test_the_demo_history_stops_at_the_apps_today(app: Flask) -> None:
    services = app.extensions["tracker"]
    load_demo(services.db, services.passwords, until=date(2021, 6, 30))
    history = demo_history()
    until = date(2021, 6, 30)
    expected = sum(1 for u in history.updates if u["day"] <= until) + sum(
        1 for p in history.progress if p["day"] <= until
    )
    assert expected < len(history.updates) + len(history.progress)  # some lie after it
    with services.db.session() as session:
        recorded = session.execute(
            text(
                "SELECT count(*) FROM events WHERE type IN "
                "('ActivityStatusChanged', 'ActivityNoteAdded', 'TargetProgressRecorded')"
            )
        ).scalar_one()
        latest = session.execute(text("SELECT max(recorded_at) FROM events")).scalar_one()
    kept = 3  # the status of each action carried over on 4 January 2021
    assert recorded == expected + kept
    assert str(latest) < "2021-07-01"
    spent_by_then = [s for s in history.spending if s["day"] <= until]
    assert 0 < len(spent_by_then) < len(history.spending)
    with services.db.session() as session:
        spending = session.exec(select(BudgetSpending)).all()
        items = session.exec(select(BudgetItem)).all()
    assert sorted(s.spent_on for s in spending) == sorted(s["day"] for s in spent_by_then)
    assert {i.theme for i in items} == {b.theme for b in history.budget} and len(items) == 5


def test_the_demo_board_page_shows_the_budget_and_what_was_spent(app: Flask) -> None:
    services = app.extensions["tracker"]
    load_demo(services.db, services.passwords)
    client = app.test_client()
    login(client, "bestuur@example.org", DEMO_PASSWORD)
    page = client.get("/plannen/twente-2021/bestuur").get_data(as_text=True)
    assert "geen begroting" not in page
    assert "62.000,00" in page  # Coördinatie's budget
    assert "46.500,00" in page  # spent on it by 15 December: three quarters of 15.500


def test_with_app_today_every_page_says_which_day_it_is(tmp_path: Path) -> None:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}", APP_TODAY="2021-10-12")
    app = create_app(config)
    app.extensions["tracker"].db.create_schema()
    assert app.extensions["tracker"].clock.now().date() == date(2021, 10, 12)
    page = app.test_client().get("/inloggen").get_data(as_text=True)
    assert "Demo: in deze app is het vandaag 12 oktober 2021." in page
    app.extensions["tracker"].db.dispose()
    config["APP_TODAY"] = ""
    plain = create_app(config)
    assert "Demo:" not in plain.test_client().get("/inloggen").get_data(as_text=True)
    plain.extensions["tracker"].db.dispose()
    config["APP_TODAY"] = "12-10-2021"
    with pytest.raises(ValueError, match="APP_TODAY must be a date"):
        create_app(config)
