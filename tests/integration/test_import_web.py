"""Importing a plan in the browser: upload, review with warnings, edit or drop, confirm."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlmodel import select

from tests.plan_files import a_hand_filled_template
from tests.support import World, build_world, login
from tracker.demo import DEMO_PLAN
from tracker.models import Activity, BudgetItem, BudgetSplit, ImportDraft, Plan, Workgroup

VISION = (
    Path(__file__).parents[1] / "fixtures" / "plans" / "002_7bf4d19e57c4c12f.txt"
).read_bytes()
PLAN_TEXT = """Jaarplan 2022

COÖRDINATIE

Algemeen bestuursoverleg

Doelstellingen\tAkkoord op jaarplan 2023.
Acties en resultaten\tIn minimaal 25 huisartsenpraktijken hangt de poster.
Wie\tWerkgroep beleid.
Wanneer\t4e kwartaal

Samenwerking gemeenten

Doelstellingen\tOriëntatie op samenwerking.
Wie\tGemeenten en Kerngroep
Wanneer\tzodra het plan is goedgekeurd
"""


def events(app: Flask) -> int:
    with app.extensions["tracker"].db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM events")).scalar_one())


def upload(client: FlaskClient, world: World, data: bytes, name: str = "plan.txt") -> str:
    response = client.post(
        "/plannen/importeren/",
        data={"network_id": str(world.network_id), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_a_coordinator_uploads_reviews_and_confirms_a_plan(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    before = events(app)
    review_url = upload(client, world, PLAN_TEXT.encode())
    assert events(app) == before  # uploading stores a draft, not the plan
    page = client.get(review_url).get_data(as_text=True)
    assert "2 activiteiten gevonden" in page
    assert (
        "Zo is het bestand gelezen: gelezen als 2 blokken Doelstellingen / Acties en resultaten / "
        "Wie / Wanneer." in page
    )
    assert "minimaal 25 huisartsenpraktijken" in page
    # The timing it could not read is highlighted on its activity, and parties are proposed.
    assert re.search(r'class="draft-activity has-warning".*?niet herkend', page, re.S)
    assert "Kerngroep" in page and "Gemeenten" in page
    response = client.post(
        review_url,
        data={
            "keep-0": "on", "title-0": "Algemeen bestuursoverleg", "theme-0": "Coördinatie",
            "wanneer-0": "4e kwartaal",
            "keep-1": "on", "title-1": "Samenwerking met gemeenten", "theme-1": "Coördinatie",
            "wanneer-1": "2e kwartaal",
            "party-1": "create",  # Kerngroep (Gemeenten is party-0)
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/plannen/{world.network_slug}-2022")
    with app.extensions["tracker"].db.session() as session:
        titles = {a.title: a for a in session.exec(select(Activity).join(Plan)).all()}
        assert titles["Samenwerking met gemeenten"].timing_kind == "period"
        assert session.exec(select(Workgroup).where(Workgroup.name == "Kerngroep")).one()
        assert session.exec(select(ImportDraft)).all() == []
    assert events(app) == before + 2
    overview = client.get(response.headers["Location"], follow_redirects=True)
    assert "Samenwerking met gemeenten" in overview.get_data(as_text=True)


def test_a_dropped_activity_is_not_imported_and_duplicate_titles_are_refused(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    review_url = upload(client, world, PLAN_TEXT.encode())
    before = events(app)
    same_titles = {
        "keep-0": "on", "title-0": "Een", "theme-0": "Coördinatie", "wanneer-0": "",
        "keep-1": "on", "title-1": "Een", "theme-1": "Coördinatie", "wanneer-1": "",
    }  # fmt: skip
    refused = client.post(review_url, data=same_titles)
    assert refused.status_code == 400
    assert "komt meer dan eens voor" in refused.get_data(as_text=True)
    assert events(app) == before
    kept_one = dict(same_titles, **{"keep-1": ""})
    assert client.post(review_url, data=kept_one).status_code == 302
    assert events(app) == before + 1


def test_an_unreadable_upload_is_refused_in_dutch_and_nothing_is_stored(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    for data, name, message in [
        (b"", "plan.txt", "het bestand is leeg"),
        (b"\x00\x01binary", "plan.txt", "geen tekstbestand"),
        ("caf\u00e9".encode("latin-1"), "plan.txt", "geen UTF-8-tekst"),
        (b"some words", "plan.txt", "het jaar van het plan staat niet in het bestand"),
        (b"Jaarplan 2022\nsome words", "plan.txt", "indeling van dit bestand is niet herkend"),
        (b"%PDF-1.4", "plan.exe", "Kies een .txt"),
        (VISION, "visie.txt", "leest als een meerjarenvisie of meerjarenbeleidsplan"),
    ]:
        response = client.post(
            "/plannen/importeren/",
            data={"network_id": str(world.network_id), "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 400, name
        assert message in response.get_data(as_text=True), message
    with app.extensions["tracker"].db.session() as session:
        assert session.exec(select(ImportDraft)).all() == []


def test_only_coordinators_import_and_only_the_uploader_sees_the_draft(app: Flask) -> None:
    world = build_world(app)
    coordinator = app.test_client()
    login(coordinator, world.emails["coordinator"])
    review_url = upload(coordinator, world, DEMO_PLAN.read_bytes(), "twente-2021.txt")
    assert "40 activiteiten gevonden" in coordinator.get(review_url).get_data(as_text=True)
    for role, upload_code, draft_code in [("owner_member", 403, 404), ("board", 403, 404)]:
        other = app.test_client()
        login(other, world.emails[role])
        assert other.get("/plannen/importeren/").status_code == upload_code
        assert other.get(review_url).status_code == draft_code
    other_coordinator = app.test_client()
    login(other_coordinator, world.emails["other_coordinator"])
    assert other_coordinator.get(review_url).status_code == 404
    discard = coordinator.post(review_url + "/verwijderen")
    assert discard.status_code == 302
    assert coordinator.get(review_url).status_code == 404


def test_the_twente_2023_plan_is_reviewed_with_its_reading_and_stored_with_its_budget(
    app: Flask,
) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    plan = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "003_a9d3cd190e6c3858.txt"
    review_url = upload(client, world, plan.read_bytes(), "twente-2023.txt")
    page = client.get(review_url).get_data(as_text=True)
    assert "12 activiteiten gevonden" in page
    assert "Zo is het bestand gelezen: gelezen als opsommingen van activiteiten" in page
    assert re.search(r"<summary>\d+ stukken tekst zijn niet in een activiteit geplaatst", page)
    assert "regel 21: Bewustwording creëren" in page
    form: dict[str, str] = {}
    titles = re.findall(r'name="title-\d+" value="([^"]*)"', page)
    themes = re.findall(r'name="theme-\d+" value="([^"]*)"', page)
    for i, (title, theme) in enumerate(zip(titles, themes, strict=True)):
        form |= {f"keep-{i}": "on", f"title-{i}": html.unescape(title),
                 f"theme-{i}": html.unescape(theme), f"wanneer-{i}": "2023"}  # fmt: skip
    assert client.post(review_url, data=form).status_code == 302
    with app.extensions["tracker"].db.session() as session:
        stored = session.exec(select(Plan).where(Plan.year == 2023)).one()
        items = session.exec(select(BudgetItem).where(BudgetItem.plan_id == stored.id)).all()
        splits = session.exec(select(BudgetSplit).where(BudgetSplit.plan_id == stored.id)).all()
    assert (len(items), sum(i.amount_cents for i in items)) == (32, 4_726_270)
    assert [(s.numerator, s.denominator) for s in splits] == [(3, 5), (2, 5)]


def test_the_review_shows_each_wanneer_as_read_and_reads_an_edited_one_again(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    plan = PLAN_TEXT.replace("Wanneer\t4e kwartaal", "Wanneer\tapril en november")
    review_url = upload(client, world, plan.encode())
    page = html.unescape(client.get(review_url).get_data(as_text=True))
    assert "Gelezen als: 2 momenten: 1-4-2022 – 30-4-2022, 1-11-2022 – 30-11-2022" in page
    assert "Gelezen als: niet herkend" in page  # "zodra het plan is goedgekeurd"
    before = events(app)
    edited = {
        "keep-0": "on", "title-0": "Overleg", "theme-0": "Coördinatie",
        "wanneer-0": "Q5 2O21 ergens",
        "keep-1": "on", "title-1": "Gemeenten", "theme-1": "Coördinatie", "wanneer-1": "vanaf mei",
    }  # fmt: skip
    refused = client.post(review_url, data=edited)
    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert "activiteit 1: 'Wanneer' 'Q5 2O21 ergens' is niet herkend" in page
    assert "Gelezen als: vanaf 1-5-2022, zonder einde" in page  # the edit, read again
    assert events(app) == before
    assert client.post(review_url, data=dict(edited, **{"wanneer-0": "Q4"})).status_code == 302
    with app.extensions["tracker"].db.session() as session:
        kinds = {a.title: a.timing_kind for a in session.exec(select(Activity)).all()}
    assert (kinds["Overleg"], kinds["Gemeenten"]) == ("period", "period")


def test_a_wie_naming_a_member_or_a_workgroup_with_a_typo_finds_the_workgroup(
    app: Flask,
) -> None:
    world = build_world(app)  # "Persoon owner_member" is in Werkgroep beleid only
    client = app.test_client()
    login(client, world.emails["coordinator"])
    plan = PLAN_TEXT.replace("Wie\tWerkgroep beleid.", "Wie\tPersoon owner_member").replace(
        "Wie\tGemeenten en Kerngroep", "Wie\tWerkgroep PR & Communicatei en\nGemeenten"
    )
    page = html.unescape(client.get(upload(client, world, plan.encode())).get_data(as_text=True))
    assert "Werkgroepen: Werkgroep beleid" in page
    assert "Werkgroepen: Werkgroep PR & Communicatie" in page
    assert (
        "'Wie' 'Werkgroep PR & Communicatei' is gelezen als de werkgroep "
        "'Werkgroep PR & Communicatie'" in page
    )
    assert '<label for="party-0">Gemeenten</label>' in page
    assert 'value="Persoon' not in page  # a member is not proposed as a workgroup


def test_a_hand_filled_template_without_short_names_imports_and_its_plan_opens(
    app: Flask,
) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    rows = [{"Thema": "Informeren", "Titel": "Website", "Wie": "Werkgroep PR & Communicatie",
             "Wanneer": "Q2"}]  # fmt: skip
    review_url = upload(client, world, a_hand_filled_template({"Jaar": "2025"}, rows), "p.xlsx")
    page = html.unescape(client.get(review_url).get_data(as_text=True))
    assert "Werkgroepen: Werkgroep PR & Communicatie" in page  # its Wie was read
    form = {"keep-0": "on", "title-0": "Website", "theme-0": "Informeren", "wanneer-0": "Q2"}
    response = client.post(review_url, data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/plannen/{world.network_slug}-2025")
    overview = client.get(response.headers["Location"])
    assert overview.status_code == 200
    assert "Website" in overview.get_data(as_text=True)


def test_an_activity_of_several_moments_shows_each_moment(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    review_url = upload(client, world, PLAN_TEXT.encode())
    form = {"keep-0": "on", "title-0": "Overleg", "theme-0": "Coördinatie",
            "wanneer-0": "april en november"}  # fmt: skip
    assert client.post(review_url, data=form).status_code == 302
    with app.extensions["tracker"].db.session() as session:
        activity = session.exec(select(Activity).where(Activity.title == "Overleg")).one()
        assert (activity.timing_kind, activity.period_start, activity.period_end) == (
            "moments",
            date(2022, 4, 1),
            date(2022, 11, 30),
        )
    page = html.unescape(client.get(f"/activiteiten/{activity.id}").get_data(as_text=True))
    assert re.search(r"\(1 apr\.? 2022 – 30 apr\.? 2022; 1 nov\.? 2022 – 30 nov\.? 2022\)", page), (
        re.findall(r"\([^()]*2022[^()]*\)", page)
    )


def test_the_review_lists_the_lines_an_older_layout_did_not_place(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    plan = Path(__file__).parents[1] / "fixtures" / "plans" / "001_f9c4893a761be112.txt"
    page = client.get(upload(client, world, plan.read_bytes())).get_data(as_text=True)
    assert "1 stuk tekst is niet in een activiteit geplaatst" in page
    assert "regel 22: Via de werkgroepen geven we uitvoering" in html.unescape(page)
