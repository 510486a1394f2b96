"""Re-importing a corrected plan: the review shows the differences with the stored plan
(new, changed field by field, unchanged, not in the file) and confirming applies them."""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import replace
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlmodel import select

from tests.plan_files import ROUWCAFE, corrected_twente_2021
from tests.support import World, build_world, login
from tracker.demo import DEMO_PASSWORD, load_demo
from tracker.ids import activity_id_for
from tracker.models import Activity, ImportDraft, Plan
from tracker.planfile import dump_plan_yaml, read_plan_yaml
from tracker.projections import ActivityState

FIXTURES = Path(__file__).parent.parent / "fixtures"
SELF_EVALUATION = activity_id_for("twente-2021", "Zelfevaluatie instrument")
PEEKING = activity_id_for("twente-2021", "Gluren bij de buren")
MENZIS = activity_id_for("twente-2021", "Afstemming Menzis")


def events(app: Flask) -> int:
    with app.extensions["tracker"].db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM events")).scalar_one())


def upload(client: FlaskClient, network_id: int, data: bytes, name: str = "plan.yaml") -> str:
    response = client.post(
        "/plannen/importeren/",
        data={"network_id": str(network_id), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def form_of(page: str) -> dict[str, str]:
    """The review form as the page sends it back untouched: the versions it showed and
    every "paired with" choice as proposed."""
    seen = re.search(r'name="seen" value="([^"]*)"', page)
    assert seen, page[:500]
    data = {"seen": html.unescape(seen.group(1))}
    for select_ in re.finditer(r'<select id="(pair-\d+)".*?</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', select_.group(0))
        data[select_.group(1)] = chosen.group(1) if chosen else ""
    return data


def fieldsets(page: str, kind: str) -> list[str]:
    pattern = rf'<fieldset class="draft-activity revision-{kind}[^"]*".*?</fieldset>'
    return re.findall(pattern, page, re.S)


def network_of(app: Flask, activity_id: str) -> int:
    with app.extensions["tracker"].db.session() as session:
        activity = session.get(Activity, activity_id)
        assert activity is not None
        plan = session.get(Plan, activity.plan_id)
        assert plan is not None
        return plan.network_id


def test_a_corrected_twente_plan_shows_the_diff_and_confirming_applies_it(
    backend_app: Flask,
) -> None:
    app = backend_app
    services = app.extensions["tracker"]
    load_demo(services.db, services.passwords)
    client = app.test_client()
    login(client, "coordinator@example.org", DEMO_PASSWORD)
    before = events(app)
    review_url = upload(client, network_of(app, MENZIS), corrected_twente_2021())
    page = client.get(review_url).get_data(as_text=True)
    assert "Herziene versie van het plan controleren" in page
    assert "1 nieuw, 2 gewijzigd" in page
    changed = re.findall(
        r'<fieldset class="draft-activity revision-changed".*?</fieldset>', page, re.S
    )
    assert len(changed) == 2
    assert "Zelfevaluatie instrument" in changed[0] and "Zelfevaluatie-instrument" in changed[0]
    assert "Gluren bij de buren: leren van elkaar" in changed[1]
    assert all('<th scope="row">Titel</th>' in c for c in changed)
    new = fieldsets(page, "new")
    assert len(new) == 1 and "Rouwcafé in elke gemeente" in new[0]
    assert f'name="lapse" value="{MENZIS}"' in page
    assert "laten vervallen" in page
    assert events(app) == before  # reviewing writes nothing

    response = client.post(review_url, data={**form_of(page), "lapse": MENZIS})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    overview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Herziene versie verwerkt: 2 gewijzigd, 1 toegevoegd, 1 vervallen." in overview
    assert events(app) == before + 4
    history = client.get(f"/activiteiten/{SELF_EVALUATION}").get_data(as_text=True)
    assert "Zelfevaluatie-instrument" in history and "Zelfevaluatie instrument" in history
    with services.db.session() as session:
        assert session.get(Activity, PEEKING).title == "Gluren bij de buren: leren van elkaar"  # type: ignore[union-attr]
        assert session.get(ActivityState, MENZIS).status == "vervallen"  # type: ignore[union-attr]
        added = session.exec(select(Activity).where(Activity.title == ROUWCAFE.title)).one()
        assert session.get(ActivityState, added.id).status == "gepland"  # type: ignore[union-attr]
        assert session.exec(select(ImportDraft)).all() == []
    with services.db.unit_of_work() as uow:
        amended = [e for e in uow.events.read_stream(PEEKING) if e.type == "ActivityAmended"]
    assert len(amended) == 1


def mini_plan_renamed() -> bytes:
    document = read_plan_yaml((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
    first = replace(document.activities[0], title="Algemeen bestuursoverleg (ABO)")
    return dump_plan_yaml(replace(document, activities=(first, *document.activities[1:]))).encode()


def test_a_wrong_pair_is_corrected_to_not_paired_new_and_missing(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    review_url = upload(client, world.network_id, mini_plan_renamed())
    page = client.get(review_url).get_data(as_text=True)
    data = form_of(page)
    assert data["pair-0"] == world.activity_id
    data["pair-0"] = ""  # not the same activity after all
    data["lapse"] = world.activity_id
    before = events(app)
    response = client.post(review_url, data=data)
    assert response.status_code == 302
    assert events(app) == before + 2  # one added, one withdrawn
    with app.extensions["tracker"].db.session() as session:
        assert session.get(ActivityState, world.activity_id).status == "vervallen"  # type: ignore[union-attr]
        assert session.exec(
            select(Activity).where(Activity.title == "Algemeen bestuursoverleg (ABO)")
        ).one()


def test_a_stale_or_refused_confirmation_writes_nothing(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    review_url = upload(client, world.network_id, mini_plan_renamed())
    page = client.get(review_url).get_data(as_text=True)
    data = form_of(page)
    before = events(app)
    # A stored activity paired twice is refused.
    twice = dict(data, **{"pair-1": world.activity_id})
    refused = client.post(review_url, data=twice)
    assert refused.status_code == 400
    assert "gekoppeld aan meer dan één" in refused.get_data(as_text=True)
    # Someone updates the activity after the page was opened: the review is stale.
    seen = json.loads(data["seen"])
    seen[world.activity_id] -= 1
    stale = client.post(review_url, data=dict(data, seen=json.dumps(seen)))
    assert stale.status_code == 409
    assert "controleer het opnieuw" in stale.get_data(as_text=True)
    assert events(app) == before
    with app.extensions["tracker"].db.session() as session:
        assert session.exec(select(ImportDraft)).one()


def test_only_the_networks_coordinator_confirms_a_revision(app: Flask) -> None:
    world: World = build_world(app)
    coordinator = app.test_client()
    login(coordinator, world.emails["coordinator"])
    review_url = upload(coordinator, world.network_id, mini_plan_renamed())
    data = form_of(coordinator.get(review_url).get_data(as_text=True))
    before = events(app)
    for role, upload_code in [("owner_member", 403), ("board", 403), ("other_coordinator", 200)]:
        other = app.test_client()
        login(other, world.emails[role])
        assert other.get("/plannen/importeren/").status_code == upload_code
        assert other.post(review_url, data=data).status_code == 404
    assert events(app) == before
