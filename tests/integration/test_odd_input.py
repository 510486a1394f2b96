"""Odd input never answers 5xx and never writes: each class at every route, as several roles,
on SQLite and PostgreSQL.

The classes (issue 15 §4): NUL and control characters in the path, the query string, form
fields and JSON strings; lone surrogates in JSON; JSON nested very deeply; non-numbers and
out-of-range numbers in JSON; integers in paths beyond any id; extreme dates; CR/LF in a
redirect target; a body over the size limit. Every rule of the app's url_map is enumerated,
so a new route is covered the day it is added. Each test sends a few hundred requests; what
was written is checked as the row count of every table (the event log included).
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse
from wtforms import DateField
from wtforms.fields.core import UnboundField

import reminders.web
import tracker.web.forms
from config import TestConfig
from tests.odd_input import (
    FORM_ODD,
    JSON_ODD,
    PATH_ODD,
    QUERY_NAMES,
    ROLES,
    TEXT_FIELDS,
    Route,
    build_path,
    path_values,
    rotate,
    routes,
    signed_in_clients,
    table_counts,
    valid_form,
)
from tests.support import World, build_world, login
from tracker.clock import FixedClock
from tracker.web.auth import is_safe_next
from tracker.web.forms import DayField
from wsgi import create_app

REFUSED_TEXT = "tekens die niet gebruikt kunnen worden"  # the Dutch page's message


@pytest.fixture
def world(backend_app: Flask) -> World:
    return build_world(backend_app)


@pytest.fixture
def clients(backend_app: Flask, world: World) -> dict[str, FlaskClient]:
    return signed_in_clients(backend_app, world)


def explain(route: Route, role: str, what: object, status: int, body: bytes) -> str:
    return f"{route.name} as {role} with {what!r}: {status} {body[:300]!r}"


def refusal_problem(route: Route, response: TestResponse, code: int) -> str | None:
    """What is wrong with the answer, or None: `code`, with a Dutch page for pages and a
    precise JSON error under /api/."""
    body = response.get_data()
    if response.status_code != code:
        return f"{response.status_code} {body[:200]!r}"
    if route.is_api:
        answer = json.loads(body)
        if not (set(answer) >= {"error", "message"} and answer["message"]):
            return f"not a precise JSON error: {body[:200]!r}"
        if code == 400 and answer["error"] not in ("invalid_characters", "invalid_json"):
            return f"error kind {answer['error']}"
    elif code == 400:
        text = body.decode()
        if '<html lang="nl"' not in text or not (
            REFUSED_TEXT in text or "kon niet worden gelezen" in text
        ):
            return f"not the Dutch refusal page: {text[-300:]!r}"
    elif code == 413:
        text = body.decode()
        if "Het bestand of formulier is te groot" not in text or "niets opgeslagen" not in text:
            return f"not the Dutch page: {text[-300:]!r}"
    return None


class Tally:
    """Every wrong answer of a batch, so a failure shows them all (by status), not the first."""

    def __init__(self) -> None:
        self.sent = 0
        self.wrong: list[str] = []
        self.statuses: Counter[int] = Counter()

    def check(
        self, route: Route, role: str, what: object, response: TestResponse, code: int
    ) -> None:
        self.sent += 1
        problem = refusal_problem(route, response, code)
        response.close()  # a static file served by mistake must not leak its handle
        if problem is not None:
            self.statuses[response.status_code] += 1
            self.wrong.append(f"{route.name} as {role} with {what!r}: {problem}")

    def assert_clean(self, at_least: int, before: dict[str, int], after: dict[str, int]) -> None:
        """No wrong answer, at least `at_least` requests sent, and no table changed."""
        written = {
            name: (before.get(name), n) for name, n in after.items() if before.get(name) != n
        }
        summary = (
            f"{len(self.wrong)} of {self.sent} wrong, by status: {dict(self.statuses)}; "
            f"tables written (rows before, after): {written}"
        )
        assert not self.wrong and not written, summary + "\n" + "\n".join(self.wrong[:30])
        assert self.sent >= at_least


def test_the_enumeration_knows_every_route_and_its_path_arguments(
    backend_app: Flask, world: World
) -> None:
    found = routes(backend_app)
    values = path_values(backend_app, world)
    assert len(found) >= 50, [r.name for r in found]
    for route in found:  # fails for a new path argument without a value in tests/odd_input.py
        build_path(route, values)


def test_control_characters_in_a_path_segment_answer_404_on_every_route(
    backend_app: Flask, world: World, clients: dict[str, FlaskClient]
) -> None:
    values = path_values(backend_app, world)
    before = table_counts(backend_app)
    tally = Tally()
    for index, route in enumerate(r for r in routes(backend_app) if r.rule.arguments):
        for offset, role in enumerate(ROLES):
            odd = next(rotate(PATH_ODD, index + offset))
            if route.text_arguments():
                odd_args = {name: odd for name in route.text_arguments()}
                path = build_path(route, values, odd_args)
            else:  # <int:…> only: an id beyond any column (10**20)
                path = build_path(route, {**values, **dict.fromkeys(route.int_arguments(), 10**20)})
            response = clients[role].open(path, method=route.method)
            tally.check(route, role, path, response, 404)
    tally.assert_clean(at_least=100, before=before, after=table_counts(backend_app))


def test_bytes_that_are_not_utf8_in_a_path_segment_never_answer_5xx(
    backend_app: Flask, world: World, clients: dict[str, FlaskClient]
) -> None:
    """An encoded surrogate (or any invalid UTF-8) is read as U+FFFD: ordinary text, so the
    view answers as for any unknown object, and writes nothing."""
    values = path_values(backend_app, world)
    before = table_counts(backend_app)
    for route in (r for r in routes(backend_app) if r.text_arguments()):
        for role in ROLES:
            for odd in ("%ed%a0%80", "%ff%fe", "%c0%80"):
                path = build_path(route, values, dict.fromkeys(route.text_arguments(), odd))
                response = clients[role].open(path, method=route.method)
                assert response.status_code < 500, explain(
                    route, role, path, response.status_code, response.get_data()
                )
    assert table_counts(backend_app) == before


def test_control_characters_in_the_query_string_answer_400_on_every_route(
    backend_app: Flask, world: World, clients: dict[str, FlaskClient]
) -> None:
    values = path_values(backend_app, world)
    before = table_counts(backend_app)
    tally = Tally()
    for index, route in enumerate(routes(backend_app)):
        path = build_path(route, values)
        for offset, role in enumerate(ROLES):
            odd = next(rotate(PATH_ODD, index + offset))
            query = "&".join(f"{name}={odd}" for name in QUERY_NAMES)
            if offset == 0:
                query = f"ok=1&{odd}=1"  # the odd text in a parameter's name
            response = clients[role].open(f"{path}?{query}", method=route.method)
            tally.check(route, role, query, response, 400)
    tally.assert_clean(at_least=200, before=before, after=table_counts(backend_app))


def test_control_characters_in_any_form_field_answer_400_on_every_form(
    backend_app: Flask, world: World, clients: dict[str, FlaskClient]
) -> None:
    """Each free-text field in turn holds the odd value, every other field is valid: without
    the check, views would store it (SQLite) or fail on it (PostgreSQL refuses NUL)."""
    values = path_values(backend_app, world)
    base = valid_form(backend_app, world)
    before = table_counts(backend_app)
    posts = [r for r in routes(backend_app) if r.method == "POST" and not r.is_api]
    tally = Tally()
    for index, route in enumerate(posts):
        path = build_path(route, values)
        for field_index, field in enumerate((*TEXT_FIELDS, "<name>")):
            role = ROLES[(index + field_index) % len(ROLES)]
            odd = next(rotate(FORM_ODD, index + field_index))
            form = MultiDict(base)
            if field == "<name>":
                form.add(f"no{odd}te", "x")
            else:
                form[field] = odd
            response = clients[role].post(path, data=form)
            tally.check(route, role, (field, odd), response, 400)
        # a file name in a multipart body
        upload = {**base, "file": (io.BytesIO(b"Thema\n"), f"plan{FORM_ODD[index % 3]}.txt")}
        response = clients["coordinator"].post(
            path, data=upload, content_type="multipart/form-data"
        )
        tally.check(route, "coordinator", "file name", response, 400)
    tally.assert_clean(at_least=200, before=before, after=table_counts(backend_app))


def test_odd_json_answers_400_with_a_precise_error_on_every_post(
    backend_app: Flask, world: World, clients: dict[str, FlaskClient]
) -> None:
    values = path_values(backend_app, world)
    before = table_counts(backend_app)
    posts = [r for r in routes(backend_app) if r.method != "GET"]  # POST, and PATCH
    tally = Tally()
    for index, route in enumerate(posts):
        path = build_path(route, values)
        for number, body in enumerate(JSON_ODD):
            role = "coordinator" if route.is_api else ROLES[(index + number) % len(ROLES)]
            response = clients[role].open(
                path, method=route.method, data=body, content_type="application/json"
            )
            tally.check(route, role, body[:80], response, 400)
    tally.assert_clean(at_least=200, before=before, after=table_counts(backend_app))


PRECISE = [
    (JSON_ODD[0], "invalid_characters", "field 'note' contains U+0000"),
    (JSON_ODD[2], "invalid_characters", "field 'note' contains U+D800"),
    (JSON_ODD[4], "invalid_characters", "field 'note' contains U+D800"),
    (JSON_ODD[5], "invalid_characters", "a key in the body contains U+0000"),
    (JSON_ODD[6], "invalid_json", "nested more than 32 levels"),
    (JSON_ODD[8], "invalid_json", "NaN"),
    (JSON_ODD[10], "invalid_json", "1e400"),
    (JSON_ODD[11], "invalid_json", "outside ±(2**53 - 1)"),
]


def test_the_api_says_precisely_what_it_refused(backend_app: Flask, world: World) -> None:
    client = backend_app.test_client()
    login(client, world.emails["coordinator"])
    before = table_counts(backend_app)
    for body, kind, words in PRECISE:
        response = client.post(
            f"/api/v1/activities/{world.activity_id}/status",
            data=body,
            content_type="application/json",
        )
        assert response.status_code == 400, (body[:80], response.get_data())
        assert response.json == {"error": kind, "message": response.json["message"]}
        assert words in response.json["message"], response.json
    assert table_counts(backend_app) == before


def test_valid_text_with_tabs_newlines_and_any_script_is_still_accepted(
    backend_app: Flask, world: World, clients: dict[str, FlaskClient]
) -> None:
    """The check refuses only what it must: a note in several lines, with a tab, accents,
    emoji and right-to-left text is saved by the page and by the API."""
    note = "Regel één\r\nRegel\ttwee 😀 שלום\n"
    client = clients["owner_member"]
    page = client.post(
        f"/activiteiten/{world.activity_id}/status",
        data={"status": "lopend", "version": "1", "note": note},
    )
    assert page.status_code == 302, page.get_data(as_text=True)[-500:]
    api = client.post(
        f"/api/v1/activities/{world.activity_id}/status",
        json={"status": "vertraagd", "note": note, "expected_version": 2},
    )
    assert api.status_code == 200, api.json
    events = client.get(f"/api/v1/activities/{world.activity_id}/events").json
    assert [e["data"].get("note") for e in events[-2:]] == [note.strip(), note.strip()]


AS_OF = [
    ("9999-12-31", 400),
    ("0001-01-01", 400),
    ("1999-12-31", 400),
    ("2101-01-01", 400),
    ("99999-01-01", 400),
    ("2000-01-01", 200),
    ("2100-12-31", 200),
]


def test_an_as_of_date_outside_2000_to_2100_is_refused_with_a_dutch_message(
    backend_app: Flask, world: World
) -> None:
    client = backend_app.test_client()
    login(client, world.emails["coordinator"])
    for as_of, code in AS_OF:
        before = table_counts(backend_app)
        for fmt in ("html", "csv"):
            response = client.get(
                f"/plannen/{world.plan_slug}/rapportage?period=2021Q2&as_of={as_of}&format={fmt}"
            )
            text = response.get_data(as_text=True)
            assert response.status_code == code, (as_of, fmt, text[-500:])
            if code == 400:
                expected = (
                    "Ongeldige datum."  # not a date at all (WTForms' own message)
                    if as_of == "99999-01-01"
                    else "Kies een datum tussen 01-01-2000 en 31-12-2100."
                )
                assert expected in text, text[-1500:]
        after = table_counts(backend_app)
        if code == 200:  # the CSV download is audited, as every export is
            assert after["audit_entry"] == before["audit_entry"] + 1
            after["audit_entry"] -= 1
        assert after == before, as_of


def test_every_date_field_of_every_form_is_a_bounded_day_field() -> None:
    """Dates people type are read in one place (DayField): a plain DateField added to a form
    later would accept year 9999 again."""
    forms = [
        value
        for module in (tracker.web.forms, reminders.web)
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, FlaskForm)
    ]
    date_fields = [
        (form.__name__, name, field.field_class)
        for form in forms
        for name, field in vars(form).items()
        if isinstance(field, UnboundField) and issubclass(field.field_class, DateField)
    ]
    assert date_fields, "no date field found: the check would prove nothing"
    assert all(cls is DayField for _form, _name, cls in date_fields), date_fields


REDIRECTS = [
    ("/x\r\nSet-Cookie: a=b", 302),  # CR/LF are text in a form field: the view decides
    ("/x\nLocation: http://evil.example", 302),
    ("/\t/evil.example", 302),
    ("/ok path", 302),
    ("/x\u2028y", 302),
    ("/ok\x0b", 400),  # refused at the door already
    ("/x\x00", 400),
]


def test_a_redirect_target_with_whitespace_or_control_characters_is_not_followed(
    backend_app: Flask, world: World
) -> None:
    client = backend_app.test_client()
    before = table_counts(backend_app)
    for target, code in REDIRECTS:
        assert not is_safe_next(target), target
        response = client.post("/taal/en", data={"next": target})
        assert response.status_code == code, target
        if code == 302:
            assert response.headers["Location"] == "/mijn-activiteiten", target
        assert "Set-Cookie: a=b" not in str(response.headers)
    assert table_counts(backend_app) == before
    assert is_safe_next("/plannen/testnet-2021?theme=3") and is_safe_next("/ü")


def test_a_login_whose_next_carries_cr_lf_is_refused_before_signing_in(
    backend_app: Flask, world: World
) -> None:
    client = backend_app.test_client()
    before = table_counts(backend_app)
    response = client.post(
        "/inloggen?next=/x%0d%0aSet-Cookie:%20a=b",
        data={"email": world.emails["coordinator"], "password": "correct-horse-battery"},
    )
    assert response.status_code == 400
    assert REFUSED_TEXT in response.get_data(as_text=True)
    assert table_counts(backend_app) == before  # not even a login attempt was counted


def test_a_body_over_the_limit_answers_413_on_pages_and_the_api(
    backend_app: Flask, world: World, clients: dict[str, FlaskClient]
) -> None:
    """Every POST route, as a stranger and as a coordinator, a form or an upload or JSON of
    100 kB against a limit of 64 kB: 413 with a Dutch page (it must not read the form it
    refused) or a JSON error."""
    backend_app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    big = "x" * (100 * 1024)
    values = path_values(backend_app, world)
    before = table_counts(backend_app)
    tally = Tally()
    for route in (r for r in routes(backend_app) if r.method != "GET"):
        path = build_path(route, values)
        for role in ("anonymous", "coordinator"):
            client = clients[role]
            if route.is_api:
                response = client.open(path, method=route.method, json={"note": big})
            elif route.rule.endpoint == "imports.upload" or role == "coordinator":
                upload = {"network_id": "1", "file": (io.BytesIO(big.encode()), "plan.txt")}
                response = client.post(path, data=upload, content_type="multipart/form-data")
            else:
                response = client.post(path, data={"note": big})
            tally.check(route, role, "100 kB", response, 413)
            if not route.is_api and response.status_code == 413:
                assert "hoogstens 0,1 MB" in response.get_data(as_text=True)
    tally.assert_clean(at_least=40, before=before, after=table_counts(backend_app))


def test_a_forwarded_client_address_with_control_characters_is_refused(
    database_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    """Behind a proxy the address comes from X-Forwarded-For and goes into the audit trail
    (a failed login writes it): with NUL in it PostgreSQL refused the row (500)."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(DATABASE_URL=database_url, PROXY_FIX_X_FOR=1)
    proxied = create_app(config, clock=clock)
    proxied.instance_path = str(tmp_path)
    proxied.extensions["tracker"].db.create_schema()
    try:
        world = build_world(proxied)
        client = proxied.test_client()
        before = table_counts(proxied)
        for forwarded in ("198.51.100.7\x00", "198.51.100.7\x01", "\x1b[31m"):
            response = client.post(
                "/inloggen",
                data={"email": world.emails["coordinator"], "password": "wrong-password"},
                headers={"X-Forwarded-For": forwarded},
                environ_base={"REMOTE_ADDR": "127.0.0.1"},
            )
            assert response.status_code == 400, forwarded
            assert REFUSED_TEXT in response.get_data(as_text=True)
        assert table_counts(proxied) == before
        response = client.post(
            "/inloggen",
            data={"email": world.emails["coordinator"], "password": "wrong-password"},
            headers={"X-Forwarded-For": "198.51.100.7"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        assert response.status_code == 200  # an ordinary failed login, counted and audited
        assert table_counts(proxied)["audit_entry"] == before["audit_entry"] + 1
    finally:
        proxied.extensions["tracker"].db.dispose()
