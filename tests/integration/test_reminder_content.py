"""What each kind of reminder says and to whom, delivered through a real SMTP server.

The world (tests/support.py, mini-plan.yaml), per network: Werkgroep beleid (beleid@…) owns
"Algemeen bestuursoverleg" (4e kwartaal); Werkgroep PR & Communicatie (pr@…) owns "Website
is actueel" (voorjaar 2021: due in Q2); both share "Gesprek bestuurders" (continu).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import select

from reminders.periods import ReminderKind
from tests.dutch import dutch
from tests.reminder_support import (
    change_status,
    choose,
    db_of,
    event_types,
    make_and_deliver,
    outbox_rows,
    set_workgroup_email,
    use_smtp,
)
from tests.smtp_server import Received, SmtpServer, smtp_server
from tests.support import World, build_world
from tracker.clock import FixedClock
from tracker.domain.message import from_stored
from tracker.ids import activity_id_for
from tracker.models import Activity, ActivityWorkgroup, Network, Workgroup
from tracker.reminder_models import OutboxStatus

QUARTERLY, DUE_SOON, DIGEST = ReminderKind.QUARTERLY, ReminderKind.DUE_SOON, ReminderKind.DIGEST
APP_URL = "http://127.0.0.1:5000"
WEBSITE = activity_id_for("testnet-2021", "Website is actueel")
GESPREK = activity_id_for("testnet-2021", "Gesprek bestuurders")
OVERLEG = activity_id_for("testnet-2021", "Algemeen bestuursoverleg")


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def world(backend_app: Flask, server: SmtpServer) -> World:
    use_smtp(backend_app, server)
    return build_world(backend_app)


def to(received: list[Received]) -> list[str]:
    return sorted(address for mail in received for address in mail.recipients)


def mail_to(received: list[Received], address: str) -> list[Received]:
    return [mail for mail in received if address in mail.recipients]


def test_the_quarterly_reminder_lists_each_workgroups_open_activities_in_dutch(
    backend_app: Flask, world: World, server: SmtpServer
) -> None:
    change_status(
        backend_app, WEBSITE, "lopend", "Teksten in de maak", world.user_ids["other_member"]
    )

    outcomes = make_and_deliver(backend_app, QUARTERLY, "2021Q2")

    assert [o.status for o in outcomes] == [OutboxStatus.SENT] * 4
    # One mail per workgroup of each network, to the workgroup's own address.
    assert to(server.received) == [
        "beleid@test.example.org",
        "beleid@test.example.org",
        "pr@test.example.org",
        "pr@test.example.org",
    ]
    pr = next(
        mail
        for mail in mail_to(server.received, "pr@test.example.org")
        if WEBSITE in mail.body("plain")
    )
    assert pr.subject == "Jaarplan 2e kwartaal 2021: activiteiten van Werkgroep PR & Communicatie"
    assert pr.message["From"] == "Jaarplan-tracker <jaarplan@test.example.org>"
    assert pr.message["To"] == "pr@test.example.org"
    assert pr.message.get_content_type() == "multipart/alternative"
    text, html = pr.body("plain"), pr.body("html")
    assert "Beste leden van Werkgroep PR & Communicatie" in text
    # Active or due in Q2: the continuous talk and the website (due in May), with status,
    # last update and the link to the update form; not the Q4 meeting of the other group.
    assert "Gesprek bestuurders" in text and "Website is actueel" in text
    assert "Algemeen bestuursoverleg" not in text
    assert "Status: Lopend · laatste update: 10 mei 2021" in text
    assert "Status: Gepland · laatste update: nog geen update" in text
    assert f"Bijwerken: {APP_URL}/activiteiten/{WEBSITE}" in text
    assert f'href="{APP_URL}/activiteiten/{WEBSITE}"' in html
    assert f'href="{APP_URL}/activiteiten/{GESPREK}"' in html
    assert "Werkgroep PR &amp; Communicatie" in html and "deadline dit kwartaal" in html
    assert "List-Unsubscribe" not in pr.message  # a shared address, not a person
    # Each delivered reminder is in the history of each activity it listed.
    assert event_types(backend_app, WEBSITE)[-1] == "ReminderSent"
    assert event_types(backend_app, GESPREK)[-2:] == ["ReminderSent", "ReminderSent"]
    assert "ReminderSent" not in event_types(backend_app, OVERLEG)


def test_a_workgroup_with_nothing_open_gets_nothing(
    backend_app: Flask, world: World, server: SmtpServer
) -> None:
    change_status(backend_app, GESPREK, "gestopt", "Niet meer nodig")
    change_status(backend_app, WEBSITE, "lopend")
    change_status(backend_app, WEBSITE, "afgerond")

    make_and_deliver(backend_app, QUARTERLY, "2021Q2")

    testnet_mail = [m for m in server.received if "Website is actueel" in m.body("plain")]
    # testnet: beleid has nothing open in Q2 and PR nothing at all: only andernet is reminded.
    assert testnet_mail and all(WEBSITE not in m.body("plain") for m in testnet_mail)
    assert len(server.received) == 2


def test_the_due_soon_reminder_lists_only_what_is_due_and_not_finished(
    backend_app: Flask, world: World, server: SmtpServer
) -> None:
    make_and_deliver(backend_app, DUE_SOON, "2021Q2")

    assert to(server.received) == ["pr@test.example.org", "pr@test.example.org"]
    mail = next(m for m in server.received if WEBSITE in m.body("plain"))
    assert mail.subject == (
        "Jaarplan: deadline nadert voor activiteiten van Werkgroep PR & Communicatie "
        "(2e kwartaal 2021)"
    )
    text = mail.body("plain")
    assert "Website is actueel (deadline dit kwartaal)" in text
    assert "Gesprek bestuurders" not in text  # continuous: not due in Q2
    assert "(30-6-2021)" in text


def test_members_who_chose_a_copy_get_their_own_mail_with_an_unsubscribe_link(
    backend_app: Flask, world: World, server: SmtpServer
) -> None:
    choose(backend_app, world.user_ids["owner_member"], personal_copy=True)
    choose(backend_app, world.user_ids["other_member"], personal_copy=False)

    make_and_deliver(backend_app, QUARTERLY, "2021Q2")

    own = mail_to(server.received, world.emails["owner_member"])
    assert len(own) == 1 and len(server.received) == 5
    assert mail_to(server.received, world.emails["other_member"]) == []
    copy = own[0]
    assert copy.subject == "Jaarplan 2e kwartaal 2021: activiteiten van Werkgroep beleid"
    unsubscribe = copy.message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.startswith(f"{APP_URL}/herinneringen/afmelden/")
    assert copy.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f'href="{unsubscribe}"' in copy.body("html")
    assert f"Afmelden: {unsubscribe}" in copy.body("plain")

    # The link is honoured: the next quarter, no copy for this person.
    path = unsubscribe.removeprefix(APP_URL)
    assert backend_app.test_client().post(path).status_code == 200
    server.handler.received.clear()
    make_and_deliver(backend_app, QUARTERLY, "2021Q3")
    assert mail_to(server.received, world.emails["owner_member"]) == []
    assert len(server.received) == 4


def test_the_digest_names_the_workgroups_that_did_not_answer_and_those_without_address(
    backend_app: Flask, world: World, server: SmtpServer
) -> None:
    clock: FixedClock = backend_app.extensions["tracker"].clock
    with db_of(backend_app).session() as session:
        testnet = session.exec(select(Network).where(Network.slug == "testnet")).one()
        assert testnet.id is not None
        silent = Workgroup(network_id=testnet.id, name="Werkgroep zonder adres", email="")
        session.add(silent)
        session.flush()
        assert silent.id is not None
        session.add(ActivityWorkgroup(activity_id=GESPREK, workgroup_id=silent.id))
        session.commit()
    make_and_deliver(backend_app, QUARTERLY, "2021Q2")
    clock.advance(timedelta(days=3))
    # PR answers (a note on the website); beleid and the other network do not.
    change_status(
        backend_app, WEBSITE, "gepland", "Offerte gevraagd", world.user_ids["other_member"]
    )
    server.handler.received.clear()
    clock.advance(timedelta(days=4))

    make_and_deliver(backend_app, DIGEST, "2021Q2")

    assert to(server.received) == sorted(
        [world.emails["coordinator"], world.emails["other_coordinator"]]
    )
    digest = mail_to(server.received, world.emails["coordinator"])[0]
    assert digest.subject == (
        "Jaarplan 2e kwartaal 2021: werkgroepen zonder update (Netwerk Palliatieve Zorg Test)"
    )
    text = digest.body("plain")
    assert "== Werkgroep beleid: geen update sinds de herinnering" in text
    assert "== Werkgroep zonder adres: geen e-mailadres: deze werkgroep is niet herinnerd" in text
    assert "Werkgroep PR" not in text
    assert f"{APP_URL}/activiteiten/{GESPREK}" in text
    assert digest.message["List-Unsubscribe"]
    # The digest is in the history of the activities it names.
    assert event_types(backend_app, GESPREK)[-1] == "ReminderSent"


def test_plan_text_is_escaped_in_the_html_and_kept_off_the_header_lines(
    backend_app: Flask, world: World, server: SmtpServer
) -> None:
    with db_of(backend_app).session() as session:
        activity = session.get(Activity, WEBSITE)
        assert activity is not None
        activity.title = '<script>alert("x")</script> & <b>vet</b>'
        session.add(activity)
        session.commit()
    with db_of(backend_app).session() as session:
        for workgroup in session.exec(select(Workgroup)):
            if workgroup.name.startswith("Werkgroep PR"):
                workgroup.name = "PR <i>team</i>\nBcc: evil@example.org"
                session.add(workgroup)
        session.commit()

    make_and_deliver(backend_app, QUARTERLY, "2021Q2")

    mail = next(m for m in server.received if WEBSITE in m.body("plain"))
    html = mail.body("html")
    assert "<script>" not in html and "<b>vet</b>" not in html and "<i>team</i>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;vet&lt;/b&gt;" in html
    assert '<script>alert("x")</script> & <b>vet</b>' in mail.body("plain")
    assert mail.subject == (
        "Jaarplan 2e kwartaal 2021: activiteiten van PR <i>team</i> Bcc: evil@example.org"
    )
    assert mail.message["Bcc"] is None
    assert all("evil@example.org" not in m.recipients for m in server.received)


def test_an_invalid_address_is_reported_not_crashed_on(
    backend_app: Flask, world: World, server: SmtpServer
) -> None:
    set_workgroup_email(backend_app, "testnet", "Werkgroep beleid", "geen adres@@example")

    outcomes = make_and_deliver(backend_app, QUARTERLY, "2021Q2")

    assert sorted(o.status for o in outcomes) == ["failed", "sent", "sent", "sent"]
    failed = [row for row in outbox_rows(backend_app) if row.status == OutboxStatus.FAILED]
    assert [dutch(from_stored(row.last_error)) for row in failed] == ["ongeldig e-mailadres"]
    assert len(server.received) == 3
