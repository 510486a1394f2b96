"""The app's import limits (IMPORT_* settings) reach the readers from the browser and the CLI.

A refused file shows its Dutch message where any unreadable file does, and nothing is
written: no draft, no event. The bounds themselves are tested in tests/unit.
"""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from sqlalchemy import text
from sqlmodel import select

from tests.plan_files import blocks
from tests.support import build_world, login
from tracker.models import ImportDraft


def events(app: Flask) -> int:
    with app.extensions["tracker"].db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM events")).scalar_one())


def drafts(app: Flask) -> int:
    with app.extensions["tracker"].db.session() as session:
        return len(session.exec(select(ImportDraft)).all())


def test_an_upload_over_the_configured_activity_cap_is_refused_and_nothing_is_stored(
    backend_app: Flask,
) -> None:
    world = build_world(backend_app)
    backend_app.config["IMPORT_MAX_ACTIVITIES"] = 2
    client = backend_app.test_client()
    login(client, world.emails["coordinator"])
    before = events(backend_app)
    response = client.post(
        "/plannen/importeren/",
        data={"network_id": str(world.network_id),
              "file": (io.BytesIO(blocks(3).encode()), "plan.txt")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 400
    assert "het plan bevat meer dan 2 activiteiten" in response.get_data(as_text=True)
    assert (events(backend_app), drafts(backend_app)) == (before, 0)
    backend_app.config["IMPORT_MAX_ACTIVITIES"] = 3
    accepted = client.post(
        "/plannen/importeren/",
        data={"network_id": str(world.network_id),
              "file": (io.BytesIO(blocks(3).encode()), "plan.txt")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert accepted.status_code == 302 and drafts(backend_app) == 1


def test_the_import_command_applies_the_configured_limits(app: Flask, tmp_path: Path) -> None:
    plan = tmp_path / "plan.txt"
    plan.write_text(blocks(3), encoding="utf-8")
    app.config["IMPORT_MAX_ACTIVITIES"] = 2
    result = app.test_cli_runner().invoke(args=["import-plan", str(plan), "--network", "twente"])
    assert result.exit_code != 0
    assert "the plan has more than 2 activities" in result.output  # the CLI speaks English
    assert events(app) == 0


def test_the_load_command_refuses_a_yaml_alias_bomb_and_stores_nothing(
    app: Flask, tmp_path: Path
) -> None:
    bomb = tmp_path / "plan.yaml"
    bomb.write_text(
        "format: jaarplan/1\nnetwork: {slug: t, name: T}\n"
        "plan: {slug: t-2021, year: 2021, title: Jaarplan 2021}\n"
        "a: &a {title: Overleg}\n"
        "b: &b [" + ", ".join(["*a"] * 1000) + "]\n"
        "themes: [" + ", ".join(["{name: T, activities: *b}"] * 100) + "]\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["load-plan", str(bomb)])
    assert result.exit_code != 0
    assert "more than 200,000 values" in result.output
    assert events(app) == 0
