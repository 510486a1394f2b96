"""Odd input for every route: the app's url_map enumerated, requests built for each rule, the
odd values of each class, signed-in clients per role, and "nothing was written" as a count of
every table's rows (the events table included).

Shared by tests/integration/test_odd_input.py (each class at each route) and
tests/fuzz/test_pages_fuzz.py (generated text at generated routes).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select
from werkzeug.routing import IntegerConverter, Rule

from tests.support import World, login
from tracker.models import Indicator, Workgroup

ROLES = ("anonymous", "owner_member", "coordinator", "admin")
METHODS = ("GET", "POST", "PATCH")
MARK = "ODDVALUEHERE"  # stands for the odd value in a built path

# Characters the guard refuses. In a path or a query: every control character.
PATH_ODD = ("a%00b", "%00", "x%0d%0ay", "%01", "%1b%5b2J", "x%7f", "x%c2%85y", "%09tab")
# Form values (free text: tab, CR and LF are allowed there).
FORM_ODD = ("a\x00b", "\x00", "x\x01y", "\x1b[2J", "x\x7f", "x\x85y", "\x0b", "\x0c", "x\x08")
# JSON bodies, as raw bytes: strings with NUL, controls, lone surrogates (escaped and raw),
# keys with them, deep nesting, NaN/Infinity, numbers beyond I-JSON.
JSON_ODD: tuple[bytes, ...] = (
    b'{"status": "lopend", "note": "a\\u0000b", "expected_version": 1}',
    b'{"status": "lopend", "note": "x\\u001by", "expected_version": 1}',
    b'{"status": "lopend", "note": "\\ud800", "expected_version": 1}',
    b'{"status": "lopend", "note": "x\\udfffy", "expected_version": 1}',
    b'{"status": "lopend", "note": "raw \xed\xa0\x80 surrogate", "expected_version": 1}',
    b'{"status": "lopend", "no\\u0000te": "", "expected_version": 1}',
    b'{"status": "lopend", "note": ' + b"[" * 5000 + b"]" * 5000 + b', "expected_version": 1}',
    b'{"a": ' * 200 + b"1" + b"}" * 200,
    b'{"target_id": 1, "value": NaN, "expected_version": 1}',
    b'{"target_id": 1, "value": -Infinity, "expected_version": 1}',
    b'{"target_id": 1, "value": 1e400, "expected_version": 1}',
    b'{"status": "lopend", "note": "", "expected_version": 100000000000000000000000}',
    b'{"target_id": 99999999999999999999999999999, "value": 1, "expected_version": 1}',
)
# Query parameters the views read (and one they do not): all get the odd value at once.
QUERY_NAMES = (
    "plan", "next", "period", "as_of", "format", "download", "theme", "status", "workgroup",
    "quarter", "soort", "persoon", "anything",
)  # fmt: skip
# Free-text form fields the views read; each in turn gets the odd value, the rest stay valid.
TEXT_FIELDS = ("note", "name", "reason", "email", "password", "title-0", "next", "target")


@dataclass(frozen=True)
class Route:
    rule: Rule
    method: str

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule.rule}"

    @property
    def is_api(self) -> bool:
        return self.rule.rule.startswith("/api/")

    def text_arguments(self) -> list[str]:
        """Path arguments that take text (not `<int:…>`)."""
        converters = self.rule._converters  # werkzeug keeps no public map of them
        return sorted(
            name
            for name in self.rule.arguments
            if not isinstance(converters[name], IntegerConverter)
        )

    def int_arguments(self) -> list[str]:
        return sorted(set(self.rule.arguments) - set(self.text_arguments()))


def routes(app: Flask) -> list[Route]:
    """Every rule of the app with each of its methods among GET, POST and PATCH."""
    found = [
        Route(rule, method)
        for rule in app.url_map.iter_rules()
        for method in METHODS
        if method in (rule.methods or ())
    ]
    return sorted(found, key=lambda r: r.name)


def path_values(app: Flask, world: World) -> dict[str, str | int]:
    """A real value for each path argument the app's rules use (so requests reach the view).

    A rule with an argument missing here fails the tests: add its value."""
    services = app.extensions["tracker"]
    with services.db.session() as session:
        workgroup = session.exec(select(Workgroup).where(Workgroup.network_id == world.network_id))
        indicator = session.exec(select(Indicator)).first()
        workgroup_id = next(iter(workgroup)).id
    assert indicator is not None and workgroup_id is not None
    return {
        "activity_id": world.activity_id,
        "slug": world.plan_slug,
        "plan": world.plan_slug,
        "token": "no-such-token",
        "code": "nl",
        "draft_id": "no-such-draft",
        "user_id": world.user_ids["owner_member"],
        "workgroup_id": workgroup_id,
        "message_id": 1,
        "filename": "app.css",
        "secret": "no-such-secret",
    }


def build_path(
    route: Route, values: dict[str, str | int], odd: dict[str, str] | None = None
) -> str:
    """The route's path with real values, and `odd` (already percent-encoded) where given."""
    missing = set(route.rule.arguments) - set(values)
    assert not missing, f"{route.name}: give tests/odd_input.py a value for {sorted(missing)}"
    args = {
        name: (MARK + name if odd and name in odd else values[name])
        for name in route.rule.arguments
    }
    path = route.rule.build(args, append_unknown=False)
    assert path is not None
    built = path[1]
    for name, value in (odd or {}).items():
        built = built.replace(MARK + name, value)
    return built


def valid_form(app: Flask, world: World) -> dict[str, str]:
    """Values that make every page form of the app valid (fields a view does not know are
    ignored), so an odd value in one field is the only thing wrong with a request."""
    services = app.extensions["tracker"]
    with services.db.session() as session:
        indicator = session.exec(select(Indicator)).first()
    assert indicator is not None
    return {
        "status": "lopend",
        "version": "1",
        "note": "Een notitie",
        "indicator_id": str(indicator.id),
        "value": "3",
        "email": "nieuw@example.org",
        "name": "Nieuwe naam",
        "password": "een-lang-wachtwoord",
        "current": "correct-horse-battery",
        "new": "een-nieuw-wachtwoord",
        "repeat": "een-nieuw-wachtwoord",
        "slug": "nieuwnet",
        "network_id": str(world.network_id),
        "role-network_id": str(world.network_id),
        "role-role": "member",
        "role-submit": "y",
        "activities": world.activity_id,
        "target": "testnet-2022",
        "reason": "Loopt door",
        "keep-0": "on",
        "title-0": "Titel",
        "theme-0": "Thema",
        "wanneer-0": "2e kwartaal",
        "next": "/plannen/",
        "confirm": "y",
        "personal_copy": "y",
        "digest": "y",
        "year": "2021",
        "submit": "y",
    }


def signed_in_clients(app: Flask, world: World) -> dict[str, FlaskClient]:
    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login(client, world.emails[role])
        clients[role] = client
    return clients


def table_counts(app: Flask) -> dict[str, int]:
    """The number of rows in every table (the event log included), and the last event's
    position: what "nothing was written" is checked against."""
    engine = app.extensions["tracker"].db.engine
    with engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        counts = {
            name: int(connection.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one())
            for name in names
        }
        last = connection.execute(sa.text("SELECT max(position) FROM events")).scalar_one()
    counts["events.max(position)"] = int(last or 0)
    assert counts["events"] > 0, "the world has no events: the check would prove nothing"
    return counts


def event_count(app: Flask) -> int:
    """The length of the event log (one cheap query: for checks after every request)."""
    engine = app.extensions["tracker"].db.engine
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT count(*) FROM events")).scalar_one())


def rotate(items: tuple[Any, ...], start: int) -> Iterator[Any]:
    """The items from position `start` on, round: spreads values over routes and roles."""
    for offset in range(len(items)):
        yield items[(start + offset) % len(items)]
