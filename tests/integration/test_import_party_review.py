"""The review says what each proposed party is: an existing workgroup, merged with another
party into one new workgroup, or text only; on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import col, select

from tests.integration.test_import_revision import form_of
from tests.integration.test_import_web import events, upload
from tests.support import World, build_world, login
from tracker.domain.plan import PlannedActivity
from tracker.models import Activity, ActivityWorkgroup, ImportDraft, Network, Plan, Workgroup
from tracker.planfile import dump_plan_yaml, read_plan_yaml

FIXTURES = Path(__file__).parents[1] / "fixtures"

PLAN = """Jaarplan 2022

SCHOLING

Cursus palliatieve zorg

Doelstellingen\tScholing van zorgverleners.
Wie\tWerkgroep Scholng
Wanneer\t2e kwartaal

Regionaal overleg

Doelstellingen\tAfstemming in de regio.
Wie\tKerngroep en Stuurgroep Oost
Wanneer\t3e kwartaal

Overleg gemeenten

Doelstellingen\tAfspraken met gemeenten.
Wie\tStuurgroep Oost, Gemeenten
Wanneer\t4e kwartaal
"""


def _fields(page: str) -> dict[str, str]:
    """The proposed parties on the review page: name → its field."""
    found = re.findall(r'<label for="(party-\d+)">([^<]*)</label>', page)
    return {html.unescape(name): field for field, name in found}


def _activities(app: Flask) -> dict[str, tuple[list[str], str]]:
    """The 2022 plan's activities: title → (its workgroups, its "wie")."""
    with app.extensions["tracker"].db.session() as session:
        rows = session.exec(
            select(Activity.id, Activity.title, Activity.wie).join(Plan).where(Plan.year == 2022)
        ).all()
        result = {}
        for activity_id, title, wie in rows:
            names = session.exec(
                select(Workgroup.name)
                .join(ActivityWorkgroup)
                .where(ActivityWorkgroup.activity_id == activity_id)
                .order_by(col(ActivityWorkgroup.position))
            ).all()
            result[title] = (list(names), wie)
        return result


def _review(client: FlaskClient, world: World) -> tuple[str, dict[str, str], dict[str, str]]:
    url = upload(client, world, PLAN.encode())
    page = client.get(url).get_data(as_text=True)
    form = {}
    for i, (title, when) in enumerate(
        [("Cursus palliatieve zorg", "2e kwartaal"), ("Regionaal overleg", "3e kwartaal"),
         ("Overleg gemeenten", "4e kwartaal")]
    ):  # fmt: skip
        form |= {f"keep-{i}": "on", f"title-{i}": title, f"theme-{i}": "Scholing",
                 f"wanneer-{i}": when}  # fmt: skip
    return url, _fields(page), form


def _workgroup_id(app: Flask, network_slug: str, name: str) -> int:
    with app.extensions["tracker"].db.session() as session:
        return (
            session.exec(
                select(Workgroup.id)
                .join(Network, col(Network.id) == col(Workgroup.network_id))
                .where(Network.slug == network_slug, Workgroup.name == name)
            ).one()
            or 0
        )


def test_parties_are_mapped_to_a_workgroup_merged_and_ignored(backend_app: Flask) -> None:
    app = backend_app
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    url, fields, form = _review(client, world)
    assert set(fields) == {"Werkgroep Scholng", "Kerngroep", "Stuurgroep Oost", "Gemeenten"}
    beleid = _workgroup_id(app, "testnet", "Werkgroep beleid")
    page = client.get(url).get_data(as_text=True)
    assert f'<option value="workgroup:{beleid}">is werkgroep: Werkgroep beleid</option>' in page
    assert '<option value="merge:Kerngroep">samenvoegen met: Kerngroep</option>' in page
    form |= {
        fields["Werkgroep Scholng"]: f"workgroup:{beleid}",
        fields["Werkgroep Scholng"].replace("party", "remember"): "on",
        fields["Kerngroep"]: "create",
        fields["Stuurgroep Oost"]: "merge:Kerngroep",
        fields["Gemeenten"]: "ignore",
    }
    response = client.post(url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _activities(app) == {
        "Cursus palliatieve zorg": (["Werkgroep beleid"], "Werkgroep Scholng"),
        "Regionaal overleg": (["Kerngroep"], "Kerngroep en Stuurgroep Oost"),
        "Overleg gemeenten": (["Kerngroep"], "Stuurgroep Oost, Gemeenten"),
    }
    with app.extensions["tracker"].db.session() as session:
        mine = select(Workgroup).where(Workgroup.network_id == world.network_id)
        groups = {w.name: w for w in session.exec(mine)}
        assert "Stuurgroep Oost" not in groups and "Gemeenten" not in groups
        assert groups["Werkgroep beleid"].aliases == "Werkgroep Scholng"  # remembered
    # The next import reads the remembered name as the workgroup: nothing to choose for it.
    page = client.get(upload(client, world, PLAN.replace("2022", "2023").encode()))
    assert "Werkgroep Scholng" not in _fields(page.get_data(as_text=True))


def test_another_networks_workgroup_or_a_circle_is_refused_and_nothing_written(
    backend_app: Flask,
) -> None:
    app = backend_app
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    url, fields, form = _review(client, world)
    other = _workgroup_id(app, "andernet", "Werkgroep beleid")
    before = events(app)
    for choices, problem in [
        ({fields["Werkgroep Scholng"]: f"workgroup:{other}"},
         "de gekozen werkgroep is geen werkgroep van dit netwerk"),
        ({fields["Werkgroep Scholng"]: "workgroup:" + "9" * 30},
         "de gekozen werkgroep is geen werkgroep van dit netwerk"),
        ({fields["Kerngroep"]: "merge:Stuurgroep Oost",
          fields["Stuurgroep Oost"]: "merge:Kerngroep"},
         "worden in een kring met elkaar samengevoegd"),
        ({fields["Kerngroep"]: "merge:IKNL"}, "dat is geen andere partij van dit concept"),
    ]:  # fmt: skip
        response = client.post(url, data=form | choices)
        assert response.status_code == 400
        assert problem in html.unescape(response.get_data(as_text=True)), problem
    assert events(app) == before
    with app.extensions["tracker"].db.session() as session:
        assert session.exec(select(Plan).where(Plan.year == 2022)).all() == []
        assert session.exec(select(ImportDraft)).one()
        assert {w.aliases for w in session.exec(select(Workgroup))} == {""}


def test_a_revised_plan_maps_its_new_party_to_a_workgroup(backend_app: Flask) -> None:
    app = backend_app
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    document = read_plan_yaml((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
    added = PlannedActivity("Scholingsdag", "Coördinatie", "Kennis delen.", wie="Werkgroep Scholng")
    data = dump_plan_yaml(replace(document, activities=(*document.activities, added))).encode()
    url = upload(client, world, data, "plan.yaml")
    page = client.get(url).get_data(as_text=True)
    form = form_of(page)
    field = _fields(page)["Werkgroep Scholng"]
    other = _workgroup_id(app, "andernet", "Werkgroep beleid")
    before = events(app)
    refused = client.post(url, data=form | {field: f"workgroup:{other}"})
    assert refused.status_code == 400
    assert "geen werkgroep van dit netwerk" in html.unescape(refused.get_data(as_text=True))
    assert events(app) == before
    beleid = _workgroup_id(app, "testnet", "Werkgroep beleid")
    response = client.post(url, data=form | {field: f"workgroup:{beleid}"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.extensions["tracker"].db.session() as session:
        activity = session.exec(select(Activity).where(Activity.title == "Scholingsdag")).one()
        names = session.exec(
            select(Workgroup.name)
            .join(ActivityWorkgroup)
            .where(ActivityWorkgroup.activity_id == activity.id)
        ).all()
        assert names == ["Werkgroep beleid"]
