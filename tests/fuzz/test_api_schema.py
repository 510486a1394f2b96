"""Schemathesis against /api/v1/openapi.json: generated requests (valid and invalid bodies,
ids, query strings) to every operation, signed in with a coordinator's token, on SQLite and
PostgreSQL. No answer may be a 5xx, and every answer must match the schema the document gives
for its status.

On top of what the schema allows, most cases carry odd input (issue 15 §4): a control
character or NUL in a path parameter or the query, a control character or a lone surrogate in
a JSON string or key, JSON nested deeper than the limit, an integer beyond I-JSON's range.
Those must be refused (400, or 404 for a path that cannot name anything), and refused cases
never write (checked once per operation: the event log's length). A case without odd input
is never refused as malformed: the document promises nothing the API's models refuse. Half
the cases name the world's objects (an activity, a plan, its network, a theme, workgroups)
and carry a real status and the current version, so some are saved (each write but a
reopening, which needs a closed activity, must save one).

`make test` runs API_FUZZ_EXAMPLES (default 100) cases per operation and database;
`make fuzz-api` (run by CI) runs 1,000.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import quote, unquote

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.odd_input import event_count
from tests.support import build_world, token_for
from tracker.domain.status import Status, allowed_targets
from tracker.web.api import OPERATIONS as API_OPERATIONS

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "100"))
# Writes of which some generated case must be saved (with the objects made real).
SAVED = {
    ("PATCH", "/activities/{activity_id}"),
    ("POST", "/activities/{activity_id}/withdraw"),
    ("POST", "/plans/{plan}/activities"),
    ("POST", "/plans/{plan}/themes/rename"),
    ("POST", "/plans"),
}

OPERATIONS = [(operation.method.upper(), operation.path) for operation in API_OPERATIONS]

# Odd text for a path parameter or the query (every control character is refused there).
ODD_IN_URL = st.builds(
    lambda head, odd, tail: head + odd + tail,
    st.text(max_size=5),
    st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\x85", "\r\n", "\t", "\x9f"]),
    st.text(max_size=5),
)
# Odd text for a JSON string (tab, CR and LF are allowed in free text).
ODD_IN_JSON = st.builds(
    lambda head, odd, tail: head + odd + tail,
    st.text(max_size=5),
    st.sampled_from(["\x00", "\x08", "\x1b", "\x7f", "\x85", "\ud800", "\udfff", "\udbff"]),
    st.text(max_size=5),
)
# What the API answers to a body or query outside the document: a case generated from the
# document never gets these (control characters and huge numbers get other errors).
SHAPE_ERRORS = {"invalid_request", "missing_parameter", "invalid_parameter"}
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
DEEP = st.integers(min_value=33, max_value=400).map(lambda n: ([] if n % 2 else {}, n))
# Beyond I-JSON's integers (NaN and Infinity cannot be sent: the client refuses to encode
# them; tests/integration/test_odd_input.py sends them as raw bytes).
HUGE = st.integers(min_value=2**53, max_value=2**80) | st.integers(
    max_value=-(2**53), min_value=-(2**80)
)


def nested(shape: tuple[Any, int]) -> Any:
    empty, depth = shape
    value: Any = empty
    for _ in range(depth):
        value = [value] if isinstance(empty, list) else {"a": value}
    return value


@st.composite
def odd_input(draw: st.DrawFn) -> tuple[str, Any] | None:
    """None (the case as generated) or where to put what odd value."""
    kind = draw(st.sampled_from(["none", "none", "path", "query", "json", "key", "deep", "huge"]))
    if kind == "none":
        return None
    if kind in ("path", "query"):
        return kind, draw(ODD_IN_URL)
    if kind in ("json", "key"):
        return kind, draw(ODD_IN_JSON)
    if kind == "deep":
        return kind, nested(draw(DEEP))
    return kind, draw(HUGE)


def inject(case: Any, odd: tuple[str, Any] | None) -> int | None:
    """Put the odd value into the case; the status it must get (None: not injected).

    A path that holds a control character answers 404 whatever else is odd (it is checked
    first: such a path cannot name anything); any other odd input 400."""
    if odd is None:
        return None
    kind, value = odd
    if kind == "path" and case.path_parameters:
        name = next(iter(case.path_parameters))
        case.path_parameters[name] = quote(value, safe="")  # schemathesis keeps them quoted
    elif kind == "query":
        case.query = {**(case.query or {}), "plan": value}
    elif not isinstance(case.body, dict):
        return None  # no JSON object to put it in (the generated body stays as it was)
    else:
        put_in_body(case.body, kind, value)
    path_values = (unquote(str(v)) for v in (case.path_parameters or {}).values())
    return 404 if any(CONTROL.search(v) for v in path_values) else 400


def name_real_objects(body: dict[str, Any], path: str, status: Status, version: int) -> None:
    """What the body names, made real: a status name the domain knows, the current version
    (so that some are saved), the network's workgroups and plans, a theme of the plan."""
    real = {
        "status": status.value,
        "expected_version": version,
        "workgroups": ["Werkgroep beleid"],
        "network": "testnet",
        "copy_from": "testnet-2021",
        "year": 2022,
    }
    body.update({key: value for key, value in real.items() if key in body})
    # A generated day is nearly always outside the plan's year or in the future (refused, 400):
    # a real case leaves it out, so that some are saved.
    body.pop("happened_on", None)
    if path.endswith("/themes/rename"):
        body["theme"] = "Coördinatie"
    # Generated texts often hold control characters, refused (400; `odd_input` tries those on
    # purpose), and a change of the plan often names no field: a new title makes it a change.
    for key, value in body.items():
        if isinstance(value, str) and not value.isprintable():
            body[key] = "tekst"
    if path == "/activities/{activity_id}":
        body["title"] = f"Nieuwe titel {version}"


def put_in_body(body: dict[str, Any], kind: str, value: Any) -> None:
    if kind in ("json", "deep"):  # in a text the body has, so that the model would read it
        texts = [key for key, item in body.items() if isinstance(item, str)]
        body["note" if "note" in body or not texts else texts[0]] = value
    elif kind == "key":
        body[value] = "x"
    else:
        body["expected_version"] = value


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_generated_request_gets_a_5xx_or_an_answer_outside_the_schema(
    backend_app: Flask, method: str, path: str
) -> None:
    world = build_world(backend_app)
    headers = token_for(backend_app, world, "coordinator")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", backend_app)
    operation = schema[path][method]
    seen: list[int] = []
    refused: list[int] = []
    version = [1]  # the world's activity's current version
    current = [Status.GEPLAND]  # and its status

    @given(
        case=operation.as_strategy(),
        real=st.booleans(),
        odd=odd_input(),
        clean=st.booleans(),  # a real case without the odd input: so that some are saved
        # Any status, or (None) the next one the activity may go to: so that some are saved.
        status=st.one_of(st.sampled_from(list(Status)), st.none()),
    )
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(
        case: Any, real: bool, odd: tuple[str, Any] | None, clean: bool, status: Status | None
    ) -> None:
        if real and clean:
            odd = None
        if status is None:
            allowed = allowed_targets(current[-1])  # itself first, then where it may go
            status = allowed[1] if len(allowed) > 1 else Status.LOPEND
        if real:  # half the cases name objects that exist, so they get past the 404
            if case.path_parameters and "activity_id" in case.path_parameters:
                case.path_parameters["activity_id"] = world.activity_id
            if case.path_parameters and "plan" in case.path_parameters:
                case.path_parameters["plan"] = world.plan_slug
            if isinstance(case.query, dict) and "plan" in case.query:
                case.query["plan"] = world.plan_slug
            if isinstance(case.body, dict):
                name_real_objects(case.body, path, status, version[-1])
        expected = inject(case, odd)
        before = event_count(backend_app) if expected else None
        response = case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )
        seen.append(response.status_code)
        if response.status_code == 200 and method != "GET" and "{activity_id}" in path:
            version.append(response.json()["version"])
            current.append(Status(response.json()["status"]))
        if expected is None and response.status_code == 400:  # the body and query as documented
            assert response.json()["error"] not in SHAPE_ERRORS, response.json()
        if expected is not None:
            refused.append(response.status_code)
            assert response.status_code == expected, (
                odd,
                response.request.url,
                response.text[:300],
            )
            assert event_count(backend_app) == before

    run()
    assert len(seen) >= EXAMPLES // 2, "too few cases were generated"
    assert refused, "no case carried odd input"
    if "{activity_id}" in path or path == "/activities":
        assert 200 in seen or method == "POST", f"no case reached a real object: {set(seen)}"
    if path.endswith("/status") or (method, path) in SAVED:
        assert 200 in seen, f"no change was saved: {set(seen)}"
