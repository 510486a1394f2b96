"""Schemathesis against /api/v1/openapi.json: generated requests (valid and invalid bodies,
ids, query strings) to every operation, signed in with a coordinator's token. No answer may
be a 5xx, and every answer must match the schema the document gives for its status.

`make test` runs API_FUZZ_EXAMPLES (default 100) cases per operation; `make fuzz-api` (run by
CI) runs 1,000.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.support import build_world
from tracker import accounts
from tracker.web.openapi import openapi_document

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "100"))


OPERATIONS = [
    (method.upper(), path)
    for path, methods in openapi_document()["paths"].items()
    for method in methods
]


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_generated_request_gets_a_5xx_or_an_answer_outside_the_schema(
    app: Flask, method: str, path: str
) -> None:
    world = build_world(app)
    services = app.extensions["tracker"]
    with services.db.session() as session:
        token = accounts.create_token(session, world.user_ids["coordinator"], services.clock.now())
        session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]
    headers = {"Authorization": f"Bearer {token}"}
    seen: list[int] = []

    @given(case=operation.as_strategy(), real=st.booleans())
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case: Any, real: bool) -> None:
        if real:  # half the cases name objects that exist, so they get past the 404
            if case.path_parameters and "activity_id" in case.path_parameters:
                case.path_parameters["activity_id"] = world.activity_id
            if isinstance(case.query, dict) and "plan" in case.query:
                case.query["plan"] = world.plan_slug
        response = case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )
        seen.append(response.status_code)

    run()
    assert len(seen) >= EXAMPLES // 2, "too few cases were generated"
    if "{activity_id}" in path or path == "/activities":
        assert 200 in seen or method == "POST", f"no case reached a real object: {set(seen)}"
