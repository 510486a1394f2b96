"""A person who chooses English reads English everywhere: pages, an import review with its
warnings and refusals, a reminder mail, the password-reset mail and the report (page, PDF,
CSV, XLSX). What the plan itself says (titles, themes, names, "Wanneer") stays as written.

The check: the visible text, with the user data and addresses taken out, holds none of a
list of common Dutch words.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlmodel import select

from reminders.compose import DigestEntry, Links, compose_digest, compose_reminder, listed
from reminders.periods import ReminderKind
from reminders.planning import COORDINATOR_WHY, MEMBER_WHY, snapshots
from tests.integration.test_plan_change_pages import edit_form
from tests.support import FIXTURES, World, build_world, login
from tracker.domain.message import Message
from tracker.domain.period import Period
from tracker.models import Workgroup

DUTCH = frozenset(
    """activiteit activiteiten werkgroep werkgroepen gepland lopend vertraagd afgerond gestopt
    doorgeschoven geen niet het een van voor bestand kwartaal jaar regel blad streefwaarde
    minimaal maximaal herinnering herinneringen beste totaal ja nee nieuw bijwerken afmelden
    wachtwoord thema wanneer wie zijn moet kan bij""".split()
)

# A plan as a coordinator might upload it: a block outside any pillar, timing that cannot be
# read, parties that are no workgroup, a block without objectives (six warnings in all).
PLAN_TEXT = """Jaarplan 2022

Losse activiteit

Doelstellingen\tIets.
Wanneer\tooit eens

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

Wie\tNiemand
"""


class _VisibleText(HTMLParser):
    """Text nodes and the attributes people read (labels, titles, placeholders)."""

    SHOWN = frozenset({"title", "aria-label", "placeholder", "alt", "data-busy"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts.extend(value for name, value in attrs if name in self.SHOWN and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def user_data(world: World) -> list[str]:
    """Everything the plans and people say themselves, longest first."""
    texts: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, str):
            texts.update({value, value.strip(" ."), *value.splitlines()})

    collect(yaml.safe_load((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8")))
    for line in PLAN_TEXT.splitlines():
        texts.update(line.split("\t"))
    texts.update({"Ander Netwerk", "Gemeenten en Kerngroep", "COÖRDINATIE", "Coördinatie"})
    texts.update(f"Persoon {role}" for role in world.user_ids)
    return sorted((t for t in texts if t.strip()), key=len, reverse=True)


def dutch_words(text: str, world: World) -> set[str]:
    """The Dutch words of `text` once user data, addresses and file names are taken out."""
    text = re.sub(r"https?://\S+|\S+@\S+|\S+\.(?:txt|docx|xlsx|yaml|csv|pdf)\b", " ", text)
    text = " ".join(text.split())  # a PDF wraps text in table cells
    for data in user_data(world):
        text = text.replace(" ".join(data.split()), " ")
    return {word for word in re.findall(r"[^\W\d_]+", text.lower()) if word in DUTCH}


def english_client(app: Flask, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    login(client, world.emails[role])
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


def test_the_list_of_dutch_words_finds_dutch(app: Flask, world: World) -> None:
    """The check itself: the same page in Dutch is full of the listed words."""
    client = app.test_client()
    login(client, world.emails["coordinator"])
    page = visible(client.get(f"/activiteiten/{world.activity_id}").get_data(as_text=True))
    assert {"activiteit", "gepland", "geen", "het", "een", "bijwerken"} <= dutch_words(page, world)


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        ("coordinator", ["/start", "/mijn-activiteiten", "/activiteiten/{activity}", "/plannen/",
                         "/plannen/{plan}", "/plannen/{plan}/jaarovergang",
                         "/plannen/{plan}/rapportage", "/plannen/importeren/",
                         "/profiel/herinneringen", "/profiel/wachtwoord", "/bestaat-niet",
                         "/plannen/{plan}/bestuur", "/plannen/{plan}/begroting",
                         "/activiteiten/{activity}/wijzigen",
                         "/activiteiten/{activity}/laten-vervallen",
                         "/plannen/{plan}/activiteit-toevoegen", "/plannen/{plan}/thema-hernoemen",
                         "/plannen/nieuw-jaarplan", "/werkgroepen/", "/uitnodigen"]),
        ("owner_member", ["/mijn-activiteiten", "/activiteiten/{activity}"]),
        ("admin", ["/beheer/gebruikers", "/beheer/gebruikers/{member}", "/werkgroepen/",
                   "/beheer/netwerken", "/beheer/audit", "/beheer/herinneringen"]),
    ],
)  # fmt: skip
def test_the_main_pages_are_english(app: Flask, world: World, role: str, paths: list[str]) -> None:
    client = english_client(app, world, role)
    for path in paths:
        url = path.format(
            activity=world.activity_id,
            plan=world.plan_slug,
            member=world.user_ids["owner_member"],
        )
        page = visible(client.get(url).get_data(as_text=True))
        assert dutch_words(page, world) == set(), url


def test_the_example_of_when_is_english(app: Flask, world: World) -> None:
    """The 'When' field's example and the warning for a 'When' that cannot be read name the
    quarter as the reader's language does, in a form the tracker reads ("Q2")."""
    client = english_client(app, world, "coordinator")
    page = client.get(f"/plannen/{world.plan_slug}/activiteit-toevoegen").get_data(as_text=True)
    assert 'placeholder="Q2"' in page and "kwartaal" not in page
    form = edit_form(app, world, wanneer="ooit eens")
    saved = client.post(f"/activiteiten/{world.activity_id}/wijzigen", data=form)
    assert saved.status_code == 302, visible(saved.get_data(as_text=True))
    shown = visible(client.get(saved.headers["Location"]).get_data(as_text=True))
    assert "Write it as, for example, 'Q2' or a month in Dutch ('maart')." in shown
    assert dutch_words(shown.replace("ooit eens", ""), world) == set()
    dutch = app.test_client()
    login(dutch, world.emails["coordinator"])
    page = dutch.get(f"/plannen/{world.plan_slug}/activiteit-toevoegen").get_data(as_text=True)
    assert 'placeholder="2e kwartaal"' in page


def test_status_refusals_are_english(app: Flask, world: World) -> None:
    client = english_client(app, world, "owner_member")
    url = f"/activiteiten/{world.activity_id}/status"
    done = client.post(url, data={"status": "afgerond", "note": "", "version": "1"})
    assert done.status_code == 400
    page = visible(done.get_data(as_text=True))
    assert "An activity that has not started cannot be done yet" in page
    assert dutch_words(page, world) == set()
    assert client.post(url, data={"status": "lopend", "version": "1"}).status_code == 302
    back = client.post(url, data={"status": "gepland", "note": "", "version": "2"})
    page = visible(back.get_data(as_text=True))
    assert "From 'In progress' you can go to: Delayed, Done, Stopped." in page
    assert dutch_words(page, world) == set()


def test_an_import_review_with_its_warnings_and_refusals_is_english(
    app: Flask, world: World
) -> None:
    client = english_client(app, world, "coordinator")
    plan = (io.BytesIO(PLAN_TEXT.encode()), "p.txt")
    response = client.post(
        "/plannen/importeren/",
        data={"network_id": str(world.network_id), "file": plan},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    review = visible(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "6 warnings" in review
    assert "line 5: activity is not under a pillar" in review
    assert "'When' not recognised: 'ooit eens'" in review
    assert "no known workgroup in 'Who'" in review
    assert "at least 25 huisartsenpraktijken" in review
    assert dutch_words(review, world) == set()

    refused = client.post(response.headers["Location"], data={})  # nothing ticked
    assert refused.status_code == 400
    page = visible(refused.get_data(as_text=True))
    assert "no activity was chosen to import" in page
    assert dutch_words(page, world) == set()

    for name, data in [("p.docx", b"not a zip"), ("p.txt", b"\x00binary"), ("p.yaml", b"- x")]:
        upload = client.post(
            "/plannen/importeren/",
            data={"network_id": str(world.network_id), "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        page = visible(upload.get_data(as_text=True))
        assert upload.status_code == 400 and "This file cannot be imported: " in page
        assert dutch_words(page, world) == set(), name


def test_a_reminder_and_a_digest_can_be_written_in_english(app: Flask, world: World) -> None:
    period = Period(2021, 2)
    services = app.extensions["tracker"]
    with app.app_context(), services.db.session() as session:
        found = snapshots(session, listable_in=period)
        names = {w.id: (w.name, w.network_id) for w in session.exec(select(Workgroup))}
    group_id = next(
        i
        for i, (name, net) in names.items()
        if name == "Werkgroep beleid" and net == world.network_id
    )
    mine = [a for a in found if group_id in a.workgroup_ids]
    assert mine
    zone = app.extensions["reminders"].schedule.timezone
    links = Links(
        "https://tracker.example", unsubscribe="https://tracker.example/u/x", why=MEMBER_WHY
    )
    with app.app_context():
        lines = listed(mine, period, links, zone, locale="en")
        mails = [
            compose_reminder(app.jinja_env, kind, period, "Werkgroep beleid", "Ander Netwerk",
                             lines, links, locale="en")
            for kind in (ReminderKind.QUARTERLY, ReminderKind.DUE_SOON)
        ]  # fmt: skip
        entries = [DigestEntry("Werkgroep beleid", Message("no update since the reminder"), lines)]
        digest_links = Links(
            "https://tracker.example", "https://tracker.example/u/y", COORDINATOR_WHY
        )
        mails.append(
            compose_digest(
                app.jinja_env, period, "Ander Netwerk", entries, digest_links, locale="en"
            )
        )
        in_dutch = listed(mine, period, links, zone)  # the default
        dutch = compose_reminder(
            app.jinja_env, ReminderKind.QUARTERLY, period, "Werkgroep beleid", "Ander Netwerk",
            in_dutch, links,
        )  # fmt: skip
    assert mails[0].subject == "Annual plan Q2 2021: activities of Werkgroep beleid"
    assert "Status: Planned · last update: no update yet" in mails[0].text
    assert '<html lang="en">' in mails[0].html
    for mail in mails:
        for text in (mail.subject, mail.text, visible(mail.html)):
            assert dutch_words(text, world) == set(), text
    # The default, for every mail a run writes: Dutch.
    assert dutch.subject == "Jaarplan 2e kwartaal 2021: activiteiten van Werkgroep beleid"
    assert "Status: Gepland · laatste update: nog geen update" in dutch.text


class CollectingMailer:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


def test_the_password_reset_mail_follows_the_language_of_the_request(
    app: Flask, world: World
) -> None:
    mailer = CollectingMailer()
    app.extensions["reminders"].mailer = mailer
    client = app.test_client()
    with client.session_transaction() as session:
        session["locale"] = "en"
    page = client.post(
        "/wachtwoord-vergeten", data={"email": world.emails["board"]}, follow_redirects=True
    )
    assert dutch_words(visible(page.get_data(as_text=True)), world) == set()
    [mail] = mailer.sent
    body = mail.get_body(("plain",))
    assert body is not None
    assert mail["Subject"] == "Reset your password – Jaarplan tracker"
    assert dutch_words(body.get_content(), world) == set()


def test_the_report_files_are_english(app: Flask, world: World, tmp_path: Path) -> None:
    client = english_client(app, world, "coordinator")
    base = f"/plannen/{world.plan_slug}/rapportage?period=2021Q2&format="
    csv = client.get(base + "csv").get_data().decode("utf-8-sig")
    header, *rows = csv.splitlines()
    assert header.split(";") == [
        "Plan", "Theme", "Activity", "Status", "Previous quarter", "Changed", "Workgroups",
        "When", "End of period", "Last update", "Last note", "Overdue", "No update this quarter",
        "Changed after closing",
    ]  # fmt: skip
    assert dutch_words(csv, world) == set()

    book = load_workbook(io.BytesIO(client.get(base + "xlsx").get_data()))
    assert book.sheetnames == ["Summary", "Activities", "Changes", "Targets", "Carried over"]
    cells = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
    assert "Percentage done" in cells and "Total" in cells
    assert dutch_words(cells.replace("testnet-2021", ""), world) == set()

    assert shutil.which("pdftotext"), "run make: it installs poppler-utils (pdftotext)"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(client.get(base + "pdf").get_data())
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "Progress report Q2 2021" in " ".join(text.split())
    assert dutch_words(text, world) == set()
