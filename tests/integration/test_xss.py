"""XSS payloads in every free-text field are shown inert on every page and in the PDF.

Every text of the plan (network, plan title, motto, themes, workgroups, activity title,
doelstellingen, acties, wie, wanneer, targets), people's names, notes, progress notes and the
carry-over reason carry script tags, event handlers, `javascript:` links and SVG. Each page
is parsed: no script without a `src` of our own, no `on…` attribute, no `javascript:` URL,
no SVG or foreign image; the payload's text is there, escaped. The PDF shows it as text.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from tests.support import FIXTURES, PASSWORD, load_plan, login
from tracker import accounts
from tracker.domain.access import Role
from tracker.ids import activity_id_for
from tracker.models import Network, Workgroup
from tracker.planfile import read_plan_yaml

PAYLOAD = (
    "<script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>"
    '<a href="javascript:alert(4)">k</a>"\'><iframe src=javascript:alert(5)>'
)
KEEP = {"format", "slug", "comparator", "email", "value", "per_year", "year", "source"}


def poisoned(value: Any, key: str = "") -> Any:
    """The plan with the payload appended to every free text (names referred to elsewhere
    change the same way, so the references still match)."""
    if isinstance(value, dict):
        return {k: v if k in KEEP else poisoned(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [poisoned(v, key) for v in value]
    if isinstance(value, str):
        return f"{value} {PAYLOAD}"[:190] if key in ("name", "workgroups") else f"{value} {PAYLOAD}"
    return value


class Inspector(HTMLParser):
    """Collects what would run or load in a browser."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"script: {attrs}")
        if tag in ("iframe", "object", "embed", "base") or (
            tag == "meta" and "http-equiv" in values
        ):
            self.problems.append(f"{tag} element")
        if tag == "svg" and values.get("class") not in ("chart", "trend-chart"):  # our own
            self.problems.append("svg element")
        if tag == "img" and not (values.get("src") or "").startswith(("/static/", "data:")):
            self.problems.append(f"img {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} has {name}")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"{tag} {name}={value}")


@pytest.fixture
def poisoned_app(app: Flask) -> dict[str, Any]:
    services = app.extensions["tracker"]
    data = yaml.safe_load((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
    document = read_plan_yaml(yaml.safe_dump(poisoned(data), allow_unicode=True))
    load_plan(services.db, document, services.clock)
    world: dict[str, Any] = {"plan": document.plan_slug}
    world["activity"] = activity_id_for(document.plan_slug, document.activities[0].title)
    with services.db.session() as session:
        network = session.exec(select(Network)).one()
        groups = session.exec(select(Workgroup)).all()
        for role in ("coordinator", "member", "admin"):
            user = accounts.create_user(
                session,
                services.passwords,
                email=f"{role}@example.org",
                name=f"{role} {PAYLOAD}"[:200],
                password=PASSWORD,
                is_admin=role == "admin",
            )
            assert user.id is not None and network.id is not None
            world[role] = user.id
            if role != "admin":
                accounts.set_role(session, user.id, network.id, Role(role))
            for group in groups:
                assert group.id is not None
                accounts.add_to_workgroup(session, user.id, group.id)
        session.commit()
    member = app.test_client()
    login(member, "member@example.org")
    page = f"/activiteiten/{world['activity']}"
    assert (
        member.post(
            page + "/status", data={"status": "lopend", "note": f"note {PAYLOAD}", "version": "1"}
        ).status_code
        == 302
    )
    assert (
        member.post(
            page + "/voortgang",
            data={"indicator_id": "1", "value": "2", "note": f"progress {PAYLOAD}", "version": "2"},
        ).status_code
        == 302
    )
    coordinator = app.test_client()
    login(coordinator, "coordinator@example.org")
    carried = coordinator.post(
        f"/plannen/{world['plan']}/jaarovergang",
        data={
            "activities": [world["activity"]],
            "target": "",
            "reason": f"reden {PAYLOAD}",
        },
    )
    assert carried.status_code in (200, 302)
    admin = app.test_client()
    login(admin, "admin@example.org")
    world["clients"] = {"member": member, "coordinator": coordinator, "admin": admin}
    return world


def test_every_page_shows_the_payloads_inert(app: Flask, poisoned_app: dict[str, Any]) -> None:
    world = poisoned_app
    clients: dict[str, FlaskClient] = world["clients"]
    plan, activity = world["plan"], world["activity"]
    pages = {
        "member": ["/mijn-activiteiten", f"/activiteiten/{activity}", "/plannen/"],
        "coordinator": [
            "/start",
            f"/plannen/{plan}",
            f"/plannen/{plan}/rapportage",
            f"/plannen/{plan}/rapportage?period=2021Q2&format=html",
            f"/plannen/{plan}/bestuur",
            f"/plannen/{plan}/begroting",
            f"/plannen/{plan}/jaarovergang",
            "/plannen/testnet-2022",
            f"/activiteiten/{activity}",
        ],
        "admin": [
            "/beheer/gebruikers",
            f"/beheer/gebruikers/{world['member']}",
            "/werkgroepen/",
            "/beheer/netwerken",
            "/beheer/audit",
        ],
    }
    checked = 0
    for role, paths in pages.items():
        for path in paths:
            response = clients[role].get(path)
            assert response.status_code == 200, f"{path}: {response.status_code}"
            html = response.get_data(as_text=True)
            inspector = Inspector()
            inspector.feed(html)
            assert inspector.problems == [], f"{path}: {inspector.problems[:5]}"
            checked += "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert checked >= 12  # the payload is shown (escaped) on nearly every page
    detail = clients["member"].get(f"/activiteiten/{activity}").get_data(as_text=True)
    for text in ("note ", "progress ", "member "):
        assert f"{text}&lt;script&gt;" in detail or text.strip() not in detail


def test_the_report_files_carry_the_payload_as_text(
    app: Flask, poisoned_app: dict[str, Any]
) -> None:
    coordinator: FlaskClient = poisoned_app["clients"]["coordinator"]
    base = f"/plannen/{poisoned_app['plan']}/rapportage?period=2021Q2&format="
    csv = coordinator.get(base + "csv")
    assert csv.status_code == 200 and "<script>alert(1)</script>" in csv.get_data(as_text=True)
    pdf = coordinator.get(base + "pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert b"/JavaScript" not in pdf.data and b"/JS " not in pdf.data and b"/Launch" not in pdf.data
    assert shutil.which("pdftotext"), "run make: it installs poppler-utils (pdftotext)"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    assert "<script>alert(1)</script>" in " ".join(text.split())
