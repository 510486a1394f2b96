"""Importing plans end to end: the CLI, storing a draft, and export → import round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from sqlmodel import select

from tests.plan_files import an_unrecognised_docx
from tests.support import load_plan
from tracker.demo import DEMO_PLAN, DEMO_WORKGROUPS, demo_draft
from tracker.importing.spreadsheet import read_plan_xlsx, write_plan_xlsx
from tracker.importing.stored import stored_plan_document
from tracker.models import Activity, Plan, Workgroup
from tracker.planfile import dump_plan_yaml, read_plan_yaml


def event_count(app: Flask) -> int:
    with app.extensions["tracker"].db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM events")).scalar_one())


def invoke(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_dry_run_prints_the_draft_and_its_warnings_and_stores_nothing(app: Flask) -> None:
    output = invoke(app, "import-plan", str(DEMO_PLAN), "--network", "twente", "--dry-run")
    assert "Jaarplan 2021 (2021)" in output and "40 activities in 5 themes" in output
    assert "when: '4e kwartaal' → period 2021-10-01..2021-12-31" in output
    assert "target: at most 24 verpleegkundigen" in output  # the CLI speaks English
    assert "Proposed workgroups:" in output and "Menzis" in output
    assert "no known workgroup in 'Who'" in output  # every activity: no workgroups exist yet
    assert "Dry run: nothing stored." in output
    assert event_count(app) == 0
    with app.extensions["tracker"].db.session() as session:
        assert session.exec(select(Plan)).all() == []


def test_importing_a_document_stores_each_activity_with_its_source_and_no_duplicates(
    app: Flask,
) -> None:
    output = invoke(app, "import-plan", str(DEMO_PLAN), "--network", "twente")
    assert "twente-2021: 40 activities added, 0 already there." in output
    again = invoke(app, "import-plan", str(DEMO_PLAN), "--network", "twente")
    assert "0 activities added, 40 already there." in again
    assert event_count(app) == 40
    with app.extensions["tracker"].db.engine.connect() as connection:
        sources = connection.execute(
            text("SELECT data FROM events WHERE type = 'ActivityPlanned'")
        ).all()
    assert len(sources) == 40
    assert all(json.loads(row[0])["source"].startswith("twente-2021.txt › ") for row in sources)


def test_the_importer_matches_wie_to_the_networks_workgroups_and_can_create_the_rest(
    app: Flask, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.txt"
    plan.write_text(
        "Jaarplan 2022\n\nINFORMEREN\n\nWebsite\n\nDoelstellingen\tActuele website.\n"
        "Wie\tWerkgroep PR en communicatie, Kerngroep\nWanneer\tQ2\n",
        encoding="utf-8",
    )
    invoke(app, "import-plan", str(DEMO_PLAN), "--network", "twente", "--dry-run")
    output = invoke(
        app, "import-plan", str(plan), "--network", "noord", "--network-name", "Netwerk Noord",
        "--create-workgroups",
    )  # fmt: skip
    assert "noord-2022: 1 activities added" in output
    with app.extensions["tracker"].db.session() as session:
        names = sorted(w.name for w in session.exec(select(Workgroup)))
        activity = session.exec(select(Activity)).one()
    assert names == ["Kerngroep", "Werkgroep PR en communicatie"]
    assert (activity.period_start.isoformat(), activity.period_end.isoformat()) == (  # type: ignore[union-attr]
        "2022-04-01",
        "2022-06-30",
    )


def test_an_unreadable_file_is_refused_with_one_clear_message(app: Flask, tmp_path: Path) -> None:
    binary = tmp_path / "plan.txt"
    binary.write_bytes(b"\x00\x01\x02 binary")
    result = app.test_cli_runner().invoke(
        args=["import-plan", str(binary), "--network", "twente", "--year", "2021"]
    )
    assert result.exit_code != 0
    assert "not a text file" in result.output
    assert event_count(app) == 0


def test_a_layout_to_map_is_refused_on_the_command_line(app: Flask, tmp_path: Path) -> None:
    plan = tmp_path / "plan.docx"
    plan.write_bytes(an_unrecognised_docx(2025))
    result = app.test_cli_runner().invoke(args=["import-plan", str(plan), "--network", "twente"])
    assert result.exit_code != 0
    assert "the layout of this file was not recognised" in result.output
    assert "upload it in the browser to map its columns and labels" in result.output
    assert event_count(app) == 0


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_an_exported_plan_imports_as_the_same_plan(app: Flask, tmp_path: Path, suffix: str) -> None:
    db = app.extensions["tracker"].db
    original = demo_draft().document
    load_plan(db, original, app.extensions["tracker"].clock)
    exported = tmp_path / f"plan{suffix}"
    output = invoke(app, "export-plan", "twente-2021", "-o", str(exported))
    assert "40 activities written" in output
    data = exported.read_bytes()
    imported = read_plan_xlsx(data) if suffix == ".xlsx" else read_plan_yaml(data.decode())
    assert imported == original
    with db.session() as session:
        plan = session.exec(select(Plan)).one()
        assert stored_plan_document(session, plan) == original


def test_yaml_and_xlsx_round_trip_the_draft_exactly() -> None:
    document = demo_draft().document
    assert read_plan_yaml(dump_plan_yaml(document)) == document
    assert read_plan_xlsx(write_plan_xlsx(document)) == document


def test_importing_the_export_into_a_fresh_database_adds_the_same_activities(
    app: Flask, tmp_path: Path
) -> None:
    db = app.extensions["tracker"].db
    load_plan(db, demo_draft().document, app.extensions["tracker"].clock)
    exported = tmp_path / "twente.xlsx"
    invoke(app, "export-plan", "twente-2021", "-o", str(exported))
    output = invoke(app, "import-plan", str(exported), "--network", "twente")
    assert "0 activities added, 40 already there." in output
    assert DEMO_WORKGROUPS.exists()
