"""The audit trail people can read: every admin action (web and command line) writes one
entry of its own kind, with ids only; the admin's page tells it as Dutch sentences with
today's names, in Amsterdam time, filtered by person, kind and period, and as a CSV."""

from __future__ import annotations

import csv
import html
import io
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import col, select

from tests.support import FIXTURES, PASSWORD, World, build_world, invite, login
from tracker.models import User, Workgroup
from tracker.security import audit
from tracker.security.audit import AuditKind
from tracker.security.models import AuditEntry


def _entries(app: Flask, after: int = 0) -> list[AuditEntry]:
    with app.extensions["tracker"].db.session() as session:
        query = select(AuditEntry).where(col(AuditEntry.id) > after)
        return list(session.exec(query.order_by(col(AuditEntry.id))).all())


def _last_id(app: Flask) -> int:
    return max((e.id or 0 for e in _entries(app)), default=0)


def _user_id(app: Flask, name: str) -> int:
    with app.extensions["tracker"].db.session() as session:
        user = session.exec(select(User).where(User.name == name)).one()
        assert user.id is not None
        return user.id


def _workgroup_id(app: Flask, name: str) -> int:
    with app.extensions["tracker"].db.session() as session:
        workgroup = session.exec(select(Workgroup).where(Workgroup.name == name)).first()
        assert workgroup is not None and workgroup.id is not None
        return workgroup.id


def _admin(app: Flask, world: World) -> FlaskClient:
    client = app.test_client()
    login(client, world.emails["admin"])
    return client


def _text(client: FlaskClient, url: str) -> str:
    return html.unescape(client.get(url).get_data(as_text=True))


def _table(client: FlaskClient, url: str) -> str:
    return _text(client, url).split("<tbody>")[1]


def test_every_admin_action_writes_one_entry_of_its_kind(
    backend_app: Flask, tmp_path: Path
) -> None:
    world = build_world(backend_app)
    admin, admin_id = _admin(backend_app, world), world.user_ids["admin"]

    def cli(*args: str, stdin: str = "") -> object:
        return backend_app.test_cli_runner().invoke(args=list(args), input=stdin + "\n")

    pr = _workgroup_id(backend_app, "Werkgroep PR & Communicatie")
    names: dict[str, int] = {}
    plan_file = tmp_path / "derdenet.yaml"  # a plan of a network not stored yet
    plan_file.write_text(
        (FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8").replace("testnet", "derdenet"),
        encoding="utf-8",
    )

    def person(name: str) -> str:
        names[name] = _user_id(backend_app, name)
        return f"/beheer/gebruikers/{names[name]}"

    actions = [
        ("network", lambda: admin.post("/beheer/netwerken", data={"slug": "n3", "name": "N3"})),
        (
            "workgroup",
            lambda: admin.post(
                "/werkgroepen/", data={"network_id": world.network_id, "name": "Nieuw"}
            ),
        ),
        ("invitation", lambda: invite(admin, world.network_id, "anne@example.org", "Anne")),
        (
            "role",
            lambda: admin.post(
                person("Anne"),
                data={"role-network_id": world.network_id, "role-role": "member", "role-submit": 1},
            ),
        ),
        (
            "membership",
            lambda: admin.post(
                person("Anne"), data={"member-workgroup_id": pr, "member-submit": "1"}
            ),
        ),
        (
            "leave",
            lambda: admin.post(
                f"/werkgroepen/{pr}/leden/{_user_id(backend_app, 'Anne')}/verwijderen"
            ),
        ),
        ("deactivate", lambda: admin.post(person("Anne") + "/actief")),
        ("activate", lambda: admin.post(person("Anne") + "/actief")),
        ("export", lambda: admin.get(person("Anne") + "/gegevens.json")),
        ("erase", lambda: admin.post(person("Anne") + "/wissen", data={"confirm": "y"})),
        ("cli admin", lambda: cli("create-user", "bea@example.org", "--name", "Bea", "--role",
                                  "admin", stdin=PASSWORD)),
        ("cli member", lambda: cli("create-user", "cas@example.org", "--name", "Cas", "--role",
                                   "member", "--network", "testnet", "--workgroup",
                                   "Werkgroep PR & Communicatie", stdin=PASSWORD)),
        ("cli token", lambda: cli("create-token", "cas@example.org")),
        ("cli export", lambda: cli("export-person", "cas@example.org", "-o", str(tmp_path / "x"))),
        ("cli erase", lambda: cli("erase-person", "cas@example.org", "--yes")),
        ("cli load-plan", lambda: cli("load-plan", str(plan_file))),
    ]  # fmt: skip
    expected = {
        "network": ["network_added"],
        "workgroup": ["workgroup_added"],
        "invitation": ["role_changed", "invitation_sent"],
        "role": ["role_changed"],
        "membership": ["membership_added"],
        "leave": ["membership_removed"],
        "deactivate": ["deactivated"],
        "activate": ["reactivated"],
        "export": ["export"],
        "erase": ["person_erased"],
        "cli admin": ["person_created"],
        "cli member": ["person_created", "role_changed", "membership_added"],
        "cli token": ["token_created"],
        "cli export": ["export"],
        "cli erase": ["person_erased"],
        "cli load-plan": ["network_added", "workgroup_added", "workgroup_added"],
    }
    for name, action in actions:
        before = _last_id(backend_app)
        result = action()
        status = getattr(result, "status_code", None) or getattr(result, "exit_code", 0)
        assert status in (0, 200, 302), (name, status)
        written = _entries(backend_app, before)
        assert [e.kind for e in written] == expected[name], name
        by_cli = name.startswith("cli")
        assert {e.actor_id for e in written} == {None if by_cli else admin_id}, name
        for entry in written:
            assert (
                "@" not in entry.detail and "Anne" not in entry.detail and "Cas" not in entry.detail
            )
    anne = names["Anne"]
    assert {e.subject_id for e in _entries(backend_app) if e.kind == "deactivated"} == {anne}
    page = _text(admin, "/beheer/audit")
    for sentence in (
        "N3 als netwerk toegevoegd door Persoon admin",
        "Nieuw als werkgroep van Netwerk Palliatieve Zorg Test toegevoegd door Persoon admin",
        "Bea aangemaakt als beheerder door de opdrachtregel",
        "API-token aangemaakt voor verwijderde gebruiker door de opdrachtregel",
        "Persoonsgegevens van verwijderde gebruiker gedownload door Persoon admin",
        "Werkgroep beleid als werkgroep van Netwerk Palliatieve Zorg Test toegevoegd door de "
        "opdrachtregel",
    ):
        assert sentence in page, sentence


def test_sentences_name_people_and_workgroups_as_they_are_today(backend_app: Flask) -> None:
    world = build_world(backend_app)
    admin = _admin(backend_app, world)
    pr = _workgroup_id(backend_app, "Werkgroep PR & Communicatie")
    invite(admin, world.network_id, "anne@example.org", "Anne de Vries", workgroup_ids=str(pr))
    anne = _user_id(backend_app, "Anne de Vries")
    services = backend_app.extensions["tracker"]
    with services.db.unit_of_work() as uow:  # an entry from before details held ids
        audit.add(uow.session, AuditKind.MEMBERSHIP_ADDED, at=services.clock.now(), detail="4")
        uow.commit()
    page = _text(admin, "/beheer/audit")
    assert "Anne de Vries uitgenodigd door Persoon admin" in page
    network = "Netwerk Palliatieve Zorg Test"
    assert f"Rol van Anne de Vries in {network} gezet op Werkgroeplid door Persoon admin" in page
    assert "Anne de Vries toegevoegd aan Werkgroep PR & Communicatie door Persoon admin" in page
    assert "Persoon admin heeft zich aangemeld" in page
    assert "toegevoegd aan een werkgroep: 4" in page  # the old free text, shown as it was
    assert (
        ">2021-05-10 11:30:00<" in page and ">2021-05-10 09:30:00<" not in page
    )  # Amsterdam, summer time
    with services.db.session() as session:
        workgroup = session.get(Workgroup, pr)
        assert workgroup is not None
        workgroup.name = "Werkgroep Communicatie"
        session.add(workgroup)
        session.commit()
    admin.post(f"/beheer/gebruikers/{anne}/wissen", data={"confirm": "y"})
    page = _text(admin, "/beheer/audit")
    assert "Anne" not in page
    assert "verwijderde gebruiker toegevoegd aan Werkgroep Communicatie door Persoon admin" in page
    assert "Persoonsgegevens van verwijderde gebruiker gewist door Persoon admin" in page


def _seed(app: Flask, world: World) -> None:
    """Entries on three Amsterdam days: 9, 10 (from 00:30, still 9 May in UTC) and 11 May."""
    services = app.extensions["tracker"]
    board, member = world.user_ids["board"], world.user_ids["other_member"]
    with services.db.unit_of_work() as uow:
        for at, kind, subject in (
            (datetime(2021, 5, 9, 12, 0, tzinfo=UTC), AuditKind.DEACTIVATED, board),
            (datetime(2021, 5, 9, 22, 30, tzinfo=UTC), AuditKind.REACTIVATED, board),
            (datetime(2021, 5, 11, 8, 0, tzinfo=UTC), AuditKind.DEACTIVATED, member),
        ):
            audit.add(
                uow.session, kind, at=at, actor_id=world.user_ids["admin"], subject_id=subject
            )
        uow.commit()


def test_filters_by_person_kind_and_period(backend_app: Flask) -> None:
    world = build_world(backend_app)
    admin = _admin(backend_app, world)
    _seed(backend_app, world)
    board = world.user_ids["board"]
    page = _table(admin, "/beheer/audit?van=2021-05-10&tot=2021-05-10")
    assert "Persoon board geactiveerd" in page  # 22:30 UTC on the 9th is the 10th here
    assert "gedeactiveerd" not in page
    page = _table(admin, f"/beheer/audit?persoon={board}&soort=deactivated")
    assert "Persoon board gedeactiveerd" in page and "Persoon other_member" not in page
    assert page.count("gedeactiveerd door") == 1 and "Persoon board geactiveerd" not in page
    page = _table(admin, "/beheer/audit?van=2021-05-11")
    assert "Persoon other_member gedeactiveerd" in page and "Persoon board" not in page
    for query, message in (
        ("van=31-12-2021", "Van: geef een datum als jjjj-mm-dd."),
        ("tot=2021-02-30", "Tot en met: geef een datum als jjjj-mm-dd."),
        ("van=0001-01-01", "Van: geef een datum als jjjj-mm-dd."),
        ("tot=9999-12-31", "Tot en met: geef een datum als jjjj-mm-dd."),
        ("van=2021-05-11&tot=2021-05-10", "De begindatum ligt na de einddatum."),
        ("persoon=99999999999999999999", "Kies een persoon uit de lijst."),
        ("persoon=-1", "Kies een persoon uit de lijst."),
        ("soort=%3Cscript%3E", "Kies een soort uit de lijst."),
    ):
        response = admin.get(f"/beheer/audit?{query}")
        assert response.status_code == 400, query
        assert message in html.unescape(response.get_data(as_text=True)), query
        assert admin.get(f"/beheer/audit.csv?{query}").status_code == 400, query
    assert admin.get("/beheer/audit?persoon=4242").status_code == 200  # nobody: no entries


def test_csv_export_holds_the_filtered_entries(backend_app: Flask) -> None:
    world = build_world(backend_app)
    admin = _admin(backend_app, world)
    _seed(backend_app, world)
    with backend_app.extensions["tracker"].db.session() as session:
        board = session.get(User, world.user_ids["board"])
        assert board is not None
        board.name = "=HYPERLINK(1)"
        session.add(board)
        session.commit()
    response = admin.get("/beheer/audit.csv?soort=deactivated&tot=2021-05-10")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Wanneer", "Soort", "Wat", "Door", "Betreft", "Adres"]
    assert rows[1:] == [
        [
            "2021-05-09 14:00:00",
            "gedeactiveerd",
            "'=HYPERLINK(1) gedeactiveerd door Persoon admin",
            "Persoon admin",
            "'=HYPERLINK(1)",
            "",
        ]
    ]
    for role in ("coordinator", "board", "other_member"):
        client = backend_app.test_client()
        login(client, world.emails[role])
        assert client.get("/beheer/audit.csv").status_code == 403
