"""The review's mapping step in the browser: a layout the importer does not know is mapped,
previewed without writing, applied, and confirmed; bad or stale forms write nothing."""

from __future__ import annotations

import html
import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import col, select

from tests.integration.test_import_web import events, upload
from tests.plan_files import UNRECOGNISED_PLAN, an_unrecognised_docx
from tests.support import World, build_world, login
from tracker.importing.review import deserialise
from tracker.models import Activity, ImportDraft, Theme

MAPPED = {"Onderdeel": "title", "Omschrijving": "actions", "Klaar in": "wanneer", "Door": "wie"}


def uploaded_unrecognised(app: Flask) -> tuple[World, FlaskClient, str, str]:
    """A coordinator who uploaded the Word plan of an unknown layout: world, client, the
    review's address and the page it shows."""
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    review_url = upload(client, world, an_unrecognised_docx(), "eigen-indeling.docx")
    return world, client, review_url, client.get(review_url).get_data(as_text=True)


def mapping_form(page: str, fields: dict[str, str], theme_level: str = "1") -> dict[str, str]:
    """The mapping form as the page offers it, with `fields` chosen by the labels' text."""
    form = {
        "state": re.search(r'name="state" value="([^"]*)"', page).group(1),  # type: ignore[union-attr]
        "theme_level": theme_level,
    }
    rows = re.findall(r'<label for="field-(\d+)">([^<]*)</label><input type="hidden" '
                      r'name="key-\d+" value="([^"]*)"', page)  # fmt: skip
    assert rows, "no mapping form on the page"
    for number, label, key in rows:
        form[f"key-{number}"] = html.unescape(key)
        form[f"field-{number}"] = fields.get(html.unescape(label), "")
    return form


def stored(app: Flask) -> list[tuple[str, str, str, str]]:
    with app.extensions["tracker"].db.session() as session:
        return [
            (d.id, d.document, d.warnings, d.structure) for d in session.exec(select(ImportDraft))
        ]


def confirm_all(client: FlaskClient, app: Flask, review_url: str) -> Any:
    with app.extensions["tracker"].db.session() as session:
        row = session.exec(select(ImportDraft)).one()
        draft = deserialise(row.document, row.warnings, row.proposed)
    form: dict[str, str] = {}
    for i, activity in enumerate(draft.document.activities):
        form |= {
            f"keep-{i}": "on",
            f"title-{i}": activity.title,
            f"theme-{i}": activity.theme,
            f"wanneer-{i}": activity.wanneer,
        }
    return client.post(review_url, data=form)


def test_an_unknown_layout_is_mapped_previewed_applied_and_imported(backend_app: Flask) -> None:
    app = backend_app
    _, client, review_url, page = uploaded_unrecognised(app)
    assert "Er zijn geen activiteiten gelezen" in page  # the mapping step, not a refusal
    assert "Indeling koppelen" in page and "0 activiteiten gevonden" in page
    assert "Cursus pijnbestrijding" in page  # an example under "Onderdeel"
    assert "Kopjes van niveau 1 (bijv. “Thema Scholing”)" in page
    assert "Importeer de aangevinkte" not in page  # nothing to confirm yet
    before, drafts = events(app), stored(app)

    form = mapping_form(page, MAPPED)
    preview = client.post(review_url + "/indeling", data=form | {"action": "preview"})
    assert preview.status_code == 200
    shown = preview.get_data(as_text=True)
    assert "5 activiteiten zouden worden gelezen" in shown
    assert "<td>Scholing</td><td>3</td>" in shown and "<td>Zorgpad</td><td>2</td>" in shown
    assert "<td>Werkgroep Scholing</td><td>2e kwartaal 2025</td>" in shown
    assert "de zelf gekoppelde kolommen en labels" in shown
    assert stored(app) == drafts and events(app) == before  # a preview writes nothing

    # Without a theme level the heading above each table ("Uitvoering") names the theme.
    plain = client.post(review_url + "/indeling", data=form | {"theme_level": "", "action": ""})
    assert "<td>Uitvoering</td><td>5</td>" in plain.get_data(as_text=True)

    applied = client.post(review_url + "/indeling", data=form | {"action": "apply"})
    assert applied.status_code == 302 and applied.headers["Location"].endswith(review_url)
    assert events(app) == before
    page = client.get(review_url).get_data(as_text=True)
    assert "5 activiteiten gevonden" in page
    assert "de thema&#39;s genoemd door de kopjes van niveau 1" in page
    assert 'id="indeling">' in page  # still offered, folded: every column is read now

    assert confirm_all(client, app, review_url).status_code == 302
    with app.extensions["tracker"].db.session() as session:
        rows = session.exec(
            select(Theme.name, Activity.title, Activity.wie, Activity.wanneer)
            .join(Theme, col(Theme.id) == Activity.theme_id)
            .order_by(col(Theme.position), col(Activity.position))
        ).all()
        assert session.exec(select(ImportDraft)).all() == []
    expected = [
        (theme, title, wie, wanneer)
        for theme, items in UNRECOGNISED_PLAN.items()
        for title, _, wanneer, wie in items
    ]
    imported = [row for row in rows if row[1] in {title for _, title, _, _ in expected}]
    assert [tuple(row) for row in imported] == expected


def test_a_bad_or_stale_mapping_is_refused_in_dutch_and_nothing_is_written(
    backend_app: Flask,
) -> None:
    app = backend_app
    world, client, review_url, page = uploaded_unrecognised(app)
    form = mapping_form(page, MAPPED) | {"action": "apply"}
    drafts = stored(app)
    for change, code, message in [
        ({"field-0": "budgetten"}, 400, "onbekend veld"),
        ({"theme_level": "4"}, 400, "geen kopjes van niveau 4"),
        ({"theme_level": "een"}, 400, "geen kopjes van niveau een"),
        ({"key-0": "vervalst"}, 400, "het formulier past niet bij dit concept"),
        ({"state": "oud"}, 409, "Het concept is gewijzigd"),
    ]:
        response = client.post(review_url + "/indeling", data=form | change)
        assert response.status_code == code, change
        assert message in response.get_data(as_text=True), message
        assert stored(app) == drafts
    other = app.test_client()
    login(other, world.emails["other_coordinator"])
    assert other.post(review_url + "/indeling", data=form).status_code == 404
    assert stored(app) == drafts
    # A form made before the draft was remapped (another tab) does not overwrite it.
    assert client.post(review_url + "/indeling", data=form).status_code == 302
    again = client.post(review_url + "/indeling", data=form | {"field-0": "objectives"})
    assert again.status_code == 409


def test_a_file_without_any_table_is_still_refused(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    response = client.post(
        "/plannen/importeren/",
        data={
            "network_id": str(world.network_id),
            "file": (io.BytesIO(b"Jaarplan 2025\n\nWat losse zinnen.\n"), "plan.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "indeling van dit bestand is niet herkend" in response.get_data(as_text=True)
    assert stored(app) == []


def test_a_read_plan_offers_the_mapping_folded_and_a_spreadsheet_none(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    plan = "Jaarplan 2025\n\nScholing\n\nWat\tWie\tLooptijd\tOpmerking\nCursus\tPR\t2025\tklein\n"
    review_url = upload(client, world, plan.encode(), "plan.txt")
    page = client.get(review_url).get_data(as_text=True)
    assert "1 activiteit gevonden" in page
    assert '<details class="mapping" id="indeling">' in page  # folded
    assert "1 kolom of label is niet als veld gelezen" in page  # "Opmerking"
    assert "Opmerking: klein" in page  # and what stood under it is listed, not dropped


def test_an_unknown_layout_for_a_year_with_a_plan_is_mapped_before_it_is_compared(
    app: Flask,
) -> None:
    world = build_world(app)  # its network has a plan for 2021
    client = app.test_client()
    login(client, world.emails["coordinator"])
    review_url = upload(client, world, an_unrecognised_docx(2021), "eigen-indeling.docx")
    page = client.get(review_url).get_data(as_text=True)
    assert "Er zijn geen activiteiten gelezen" in page
    assert "Herziene versie" not in page  # not a revision that would withdraw everything
