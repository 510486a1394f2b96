"""Invitations: an admin or a network's coordinator invites a person by e-mail; the link in
the mail works once, for INVITATION_DAYS days; until then the account cannot sign in; the
inviter gets the same answer for a known and an unknown address; outsiders get 404."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import col, select

from tests import support
from tests.support import (
    PASSWORD,
    CollectingMailer,
    World,
    build_world,
    invitation_link,
    login,
    mail_text,
)
from tracker.clock import FixedClock
from tracker.handlers import accounts as account_handlers
from tracker.models import NetworkRole, User, Workgroup, WorkgroupMember
from tracker.security import invitations, password_reset
from tracker.security.models import AuditEntry, PasswordResetToken

NEW = "een-gloednieuw-wachtwoord"
INVITED = "nieuw.lid@example.org"


@pytest.fixture
def mailer(backend_app: Flask) -> CollectingMailer:
    collecting = CollectingMailer()
    backend_app.extensions["reminders"].mailer = collecting
    return collecting


@pytest.fixture
def world(backend_app: Flask) -> World:
    return build_world(backend_app)


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def workgroup_id(app: Flask, world: World, name: str) -> int:
    with app.extensions["tracker"].db.session() as session:
        query = select(Workgroup).where(
            Workgroup.network_id == world.network_id, Workgroup.name == name
        )
        group = session.exec(query).one()
    assert group.id is not None
    return group.id


def invite(
    client: FlaskClient, world: World, email: str, network_id: int | None = None, **extra: object
) -> tuple[int, str]:
    response = support.invite(client, network_id or world.network_id, email, **extra)
    return response.status_code, response.get_data(as_text=True)


def accounts_with(app: Flask, email: str) -> list[User]:
    with app.extensions["tracker"].db.session() as session:
        return list(session.exec(select(User).where(User.email == email)))


def audit_of(app: Flask, kind: str) -> list[AuditEntry]:
    with app.extensions["tracker"].db.session() as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.kind == kind)))


def test_an_invited_person_chooses_a_password_once_and_then_signs_in(
    backend_app: Flask, world: World, mailer: CollectingMailer
) -> None:
    group = workgroup_id(backend_app, world, "Werkgroep beleid")
    admin = signed_in(backend_app, world.emails["admin"])
    status, page = invite(admin, world, INVITED, workgroup_ids=str(group))
    assert status == 200 and "Uitnodiging verstuurd" in page
    [mail] = mailer.sent
    assert mail["To"] == INVITED and "7 dagen" in mail_text(mail)
    [person] = accounts_with(backend_app, INVITED)
    refused = backend_app.test_client().post("/inloggen", data={"email": INVITED, "password": ""})
    assert refused.status_code == 200  # no password signs a waiting account in
    for guess in ("", PASSWORD, NEW):
        response = backend_app.test_client().post(
            "/inloggen", data={"email": INVITED, "password": guess}
        )
        assert response.status_code == 200
    link = invitation_link(mail)
    client = backend_app.test_client()
    assert client.get(link).status_code == 200
    weak = client.post(link, data={"new": "wachtwoord123", "repeat": "wachtwoord123"})
    assert weak.status_code == 400
    done = client.post(link, data={"new": NEW, "repeat": NEW})
    assert done.status_code == 302 and done.headers["Location"].endswith("/inloggen")
    login(backend_app.test_client(), INVITED, NEW)
    again = backend_app.test_client().post(link, data={"new": NEW + "x", "repeat": NEW + "x"})
    assert again.status_code == 400
    assert "Deze uitnodigingslink is niet (meer) geldig" in again.get_data(as_text=True)
    with backend_app.extensions["tracker"].db.session() as session:
        role = session.get(NetworkRole, (person.id, world.network_id))
        assert role is not None and role.role == "member"
        assert session.get(WorkgroupMember, (person.id, group)) is not None
        tokens = session.exec(select(PasswordResetToken)).all()
    assert all(t.token_hash not in link for t in tokens)  # only its hash is stored
    sent, accepted = (
        audit_of(backend_app, "invitation_sent"),
        audit_of(backend_app, "invitation_accepted"),
    )
    assert [(e.actor_id, e.subject_id) for e in sent] == [(world.user_ids["admin"], person.id)]
    assert [(e.actor_id, e.subject_id) for e in accepted] == [(None, person.id)]
    assert all("@" not in e.detail for e in sent + accepted)


def test_the_invitation_link_expires_after_the_configured_days(
    backend_app: Flask, world: World, mailer: CollectingMailer, clock: FixedClock
) -> None:
    backend_app.config["INVITATION_DAYS"] = 3
    invite(signed_in(backend_app, world.emails["coordinator"]), world, INVITED)
    link = invitation_link(mailer.sent[-1])
    assert "3 dagen" in mail_text(mailer.sent[-1])
    clock.advance(timedelta(days=3, seconds=-1))
    assert backend_app.test_client().get(link).status_code == 200
    clock.advance(timedelta(seconds=2))
    expired = backend_app.test_client().post(link, data={"new": NEW, "repeat": NEW})
    assert expired.status_code == 400
    assert "Vraag wie je uitnodigde om een nieuwe uitnodiging" in expired.get_data(as_text=True)
    assert backend_app.test_client().get("/uitnodiging/verzonnen").status_code == 400
    again = invite(signed_in(backend_app, world.emails["coordinator"]), world, INVITED)
    assert again[0] == 200 and len(accounts_with(backend_app, INVITED)) == 1
    assert backend_app.test_client().get(invitation_link(mailer.sent[-1])).status_code == 200


def test_known_and_unknown_addresses_get_the_same_answer_and_no_second_account(
    backend_app: Flask, world: World, mailer: CollectingMailer
) -> None:
    coordinator = signed_in(backend_app, world.emails["coordinator"])
    known = invite(coordinator, world, world.emails["other_coordinator"])
    unknown = invite(coordinator, world, INVITED)
    assert known == unknown
    assert len(accounts_with(backend_app, world.emails["other_coordinator"])) == 1
    with backend_app.extensions["tracker"].db.session() as session:
        roles = session.exec(
            select(NetworkRole).where(NetworkRole.user_id == world.user_ids["other_coordinator"])
        ).all()
    assert world.network_id not in {r.network_id for r in roles}  # nothing changed for them
    login(backend_app.test_client(), world.emails["other_coordinator"])  # password unchanged
    to_known, to_unknown = mailer.sent
    assert to_known["To"] == world.emails["other_coordinator"] and to_unknown["To"] == INVITED
    assert "/uitnodiging/" not in mail_text(to_known) and "/inloggen" in mail_text(to_known)
    [existing] = [e for e in audit_of(backend_app, "invitation_sent") if e.detail]
    assert existing.subject_id == world.user_ids["other_coordinator"]


def test_a_coordinator_cannot_invite_into_another_network_and_members_cannot_invite(
    backend_app: Flask, world: World, mailer: CollectingMailer
) -> None:
    outsider = signed_in(backend_app, world.emails["other_coordinator"])
    assert "Ander Netwerk" in outsider.get("/uitnodigen").get_data(as_text=True)
    assert "Netwerk Palliatieve Zorg Test" not in outsider.get("/uitnodigen").get_data(as_text=True)
    assert invite(outsider, world, INVITED)[0] == 404
    coordinator = signed_in(backend_app, world.emails["coordinator"])
    with backend_app.extensions["tracker"].db.session() as session:
        other_group = session.exec(
            select(Workgroup).where(col(Workgroup.network_id) != world.network_id)
        ).first()
    assert other_group is not None
    assert invite(coordinator, world, INVITED, workgroup_ids=str(other_group.id))[0] == 404
    member = signed_in(backend_app, world.emails["owner_member"])
    assert invite(member, world, INVITED)[0] == 403
    assert accounts_with(backend_app, INVITED) == [] and mailer.sent == []


def test_of_two_concurrent_accepts_one_wins(
    backend_app: Flask, world: World, mailer: CollectingMailer
) -> None:
    invite(signed_in(backend_app, world.emails["admin"]), world, INVITED)
    token = invitation_link(mailer.sent[-1]).rsplit("/", 1)[1]
    tools = backend_app.extensions["tracker"]
    start, outcomes = threading.Barrier(2), []

    def accept(password: str) -> None:
        start.wait()
        try:
            account_handlers.set_password_by_link(
                tools.db.unit_of_work(),
                token,
                invitations.PURPOSE,
                password,
                "",
                tools.clock,
                tools.passwords,
            )
            outcomes.append("accepted")
        except password_reset.ResetRefused:
            outcomes.append("refused")
        except Exception as error:  # noqa: BLE001 - a lock conflict on the database
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=accept, args=(p,)) for p in (NEW, NEW + "-ander")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("accepted") == 1
    assert len(audit_of(backend_app, "invitation_accepted")) == 1


def test_a_reset_link_is_no_invitation_link_and_the_reverse(
    backend_app: Flask, world: World, mailer: CollectingMailer
) -> None:
    backend_app.test_client().post("/wachtwoord-vergeten", data={"email": world.emails["board"]})
    reset = re.search(r"/wachtwoord-herstellen/(\S+)", mail_text(mailer.sent[-1]))
    assert reset is not None
    assert backend_app.test_client().get(f"/uitnodiging/{reset.group(1)}").status_code == 400
    invite(signed_in(backend_app, world.emails["admin"]), world, INVITED)
    token = invitation_link(mailer.sent[-1]).rsplit("/", 1)[1]
    assert backend_app.test_client().get(f"/wachtwoord-herstellen/{token}").status_code == 400
