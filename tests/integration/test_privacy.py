"""Privacy: no password, token or e-mail address ends up in the logs, the event log or the
audit trail; a person's data can be exported as JSON and then erased, after which the log
still replays and shows "verwijderde gebruiker"."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import SQLModel

from events.schema import metadata as events_metadata
from tests.support import (
    PASSWORD,
    CollectingMailer,
    World,
    accept_invitation,
    build_world,
    invitation_link,
    invite,
    login,
)
from tracker import accounts, projections


def every_row_as_text(app: Flask, tables: list[str] | None = None) -> str:
    """A text dump of every table (or the given ones), for scanning."""
    db = app.extensions["tracker"].db
    names = sorted(set(SQLModel.metadata.tables) | set(events_metadata.tables))
    lines = []
    with db.engine.connect() as connection:
        for name in tables or names:
            for row in connection.execute(sa.text(f'SELECT * FROM "{name}"')):
                lines.append(f"{name}: {tuple(row)!r}")
    return "\n".join(lines)


def full_scenario(app: Flask, world: World) -> dict[str, list[str]]:
    """Sign-ins (good, bad, unknown), updates by page and API, a password change, a new
    person invited who chooses a password, an export: returns the secrets it used."""
    services = app.extensions["tracker"]
    secrets = {"passwords": [PASSWORD], "tokens": [], "emails": list(world.emails.values())}
    member = app.test_client()
    login(member, world.emails["owner_member"])
    member.post(
        f"/activiteiten/{world.activity_id}/status",
        data={"status": "lopend", "note": "Gestart met de eerste bijeenkomst", "version": "1"},
    )
    for wrong in ("Geheim-Fout-Wachtwoord-1", "Geheim-Fout-Wachtwoord-2"):
        secrets["passwords"].append(wrong)
        app.test_client().post(
            "/inloggen", data={"email": world.emails["board"], "password": wrong}
        )
    secrets["emails"].append("onbekend.persoon@example.net")
    app.test_client().post(
        "/inloggen", data={"email": "onbekend.persoon@example.net", "password": "Iets-Geheims-3"}
    )
    secrets["passwords"].append("Iets-Geheims-3")
    with services.db.session() as session:
        token = accounts.create_token(session, world.user_ids["coordinator"], services.clock.now())
        session.commit()
    secrets["tokens"].append(token)
    api = app.test_client()
    api.post(
        f"/api/v1/activities/{world.pr_activity_id}/status",
        json={"status": "lopend", "note": "Via de API", "expected_version": 1},
        headers={"Authorization": f"Bearer {token}"},
    )
    api.get("/api/v1/plans", headers={"Authorization": "Bearer fout-token-dat-niet-bestaat"})
    secrets["tokens"].append("fout-token-dat-niet-bestaat")
    new_password = "Mijn-Nieuwe-Geheime-Zin"
    secrets["passwords"].append(new_password)
    member.post(
        "/profiel/wachtwoord",
        data={"current": PASSWORD, "new": new_password, "repeat": new_password},
    )
    admin = app.test_client()
    login(admin, world.emails["admin"])
    secrets["emails"].append("nieuwe.collega@example.org")
    secrets["passwords"].append("Startwachtwoord-Nieuw")
    mailer = CollectingMailer()
    app.extensions["reminders"].mailer = mailer
    invite(admin, world.network_id, "nieuwe.collega@example.org", "Nieuwe Collega")
    [invitation] = mailer.sent
    secrets["tokens"].append(invitation_link(invitation).rsplit("/", 1)[1])
    accept_invitation(app, invitation, "Startwachtwoord-Nieuw")
    admin.get(f"/beheer/gebruikers/{world.user_ids['board']}/gegevens.json")
    member.get(f"/activiteiten/{world.other_network_activity_id}")  # 404, not 403
    member.post(
        f"/activiteiten/{world.pr_activity_id}/status",
        data={"status": "afgerond", "note": "", "version": "2"},
    )  # refused: audited
    return secrets


def test_no_password_token_or_email_in_logs_events_or_audit(
    backend_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    world = build_world(backend_app)
    with caplog.at_level(logging.DEBUG):
        secrets = full_scenario(backend_app, world)
    logged = caplog.text
    stored = every_row_as_text(backend_app, ["events", "audit_entry", "activity_state"])
    assert "access_refused" in stored and "login_failed" in stored  # the scan saw something
    for kind, values in secrets.items():
        for value in values:
            assert value not in logged, f"a {kind[:-1]} is in the logs"
            assert value.lower() not in stored.lower(), f"a {kind[:-1]} is stored in the log"
    assert "@" not in stored


def test_a_person_is_exported_then_erased_and_the_log_still_replays(
    backend_app: Flask, tmp_path: Path
) -> None:
    world = build_world(backend_app)
    full_scenario(backend_app, world)
    person = world.user_ids["owner_member"]
    email, name = world.emails["owner_member"], "Persoon owner_member"
    admin = backend_app.test_client()
    login(admin, world.emails["admin"])
    exported = admin.get(f"/beheer/gebruikers/{person}/gegevens.json")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    data = json.loads(exported.get_data(as_text=True))
    assert data["person"]["email"] == email and data["person"]["name"] == name
    assert [u["data"].get("note") for u in data["updates"]] == ["Gestart met de eerste bijeenkomst"]
    assert {"network": "testnet", "workgroup": "Werkgroep beleid"} in data["workgroups"]
    assert any(e["kind"] == "password_changed" for e in data["audit_trail"])
    assert "password_hash" not in exported.get_data(as_text=True)

    refused = admin.post(f"/beheer/gebruikers/{person}/wissen")  # not confirmed
    assert refused.status_code == 400
    assert (
        admin.post(f"/beheer/gebruikers/{person}/wissen", data={"confirm": "y"}).status_code == 302
    )

    everything = every_row_as_text(backend_app)
    assert email not in everything and name not in everything
    history = admin.get(f"/activiteiten/{world.activity_id}").get_data(as_text=True)
    assert "verwijderde gebruiker" in history and "Gestart met de eerste bijeenkomst" in history
    people = admin.get("/beheer/gebruikers").get_data(as_text=True)
    assert name not in people and "verwijderde gebruiker" in people
    db = backend_app.extensions["tracker"].db
    with db.engine.connect() as connection:
        live = projections.snapshot(connection)
    with db.unit_of_work() as uow:
        projections.rebuild(uow.connection)
        uow.commit()
    with db.engine.connect() as connection:
        assert projections.snapshot(connection) == live
    assert backend_app.test_cli_runner().invoke(args=["check-store"]).exit_code == 0
    # The erased person can no longer sign in; erasing twice is 404.
    gone = backend_app.test_client().post(
        "/inloggen", data={"email": email, "password": "Mijn-Nieuwe-Geheime-Zin"}
    )
    assert gone.status_code == 200
    assert (
        admin.post(f"/beheer/gebruikers/{person}/wissen", data={"confirm": "y"}).status_code == 404
    )


def test_the_cli_exports_then_erases_a_person(app: Flask, tmp_path: Path) -> None:
    world = build_world(app)
    email = world.emails["board"]
    output = tmp_path / "gegevens.json"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["erase-person", email, "--export", str(output)], input="n\n")
    assert result.exit_code == 1  # not confirmed: nothing erased
    assert json.loads(output.read_text())["person"]["email"] == email
    assert email in every_row_as_text(app, ["user"])
    result = runner.invoke(args=["erase-person", email, "--yes"])
    assert result.exit_code == 0, result.output
    assert email not in every_row_as_text(app)
    assert runner.invoke(args=["export-person", email, "-o", str(output)]).exit_code == 1


def test_a_person_downloads_their_own_data(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["board"])
    response = client.get("/profiel/gegevens.json")
    assert response.status_code == 200
    assert response.get_json()["person"]["email"] == world.emails["board"]
