"""Property-based fuzzing of every route (pages and API) with generated text, on SQLite and
PostgreSQL: any route of the url_map, any role, the text in a path segment, a query
parameter, a form field or a JSON string. The text is drawn from all of Unicode, lone
surrogates included, with control characters mixed in often.

Properties: no answer is a 5xx; text with a character the app refuses (issue 15 §4) is
refused, 404 in a path and 400 elsewhere, and writes nothing (every table's rows counted).
Text without one may do whatever the route does with it (be saved, be refused by a form).

`make test` runs API_FUZZ_EXAMPLES (default 100) examples per database; `make fuzz-api`
(run by CI) 1,000.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any
from urllib.parse import quote

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.odd_input import (
    QUERY_NAMES,
    ROLES,
    TEXT_FIELDS,
    Route,
    build_path,
    path_values,
    routes,
    signed_in_clients,
    table_counts,
    valid_form,
)
from tests.support import build_world

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "100"))

# What the app refuses, written here independently of tracker/web/input_guard.py.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # in a path, a query, a name
CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # in free text
SURROGATE = re.compile("[\ud800-\udfff]")

CHARACTERS = st.one_of(
    st.characters(exclude_categories=()),  # all of Unicode, lone surrogates included
    st.sampled_from("\x00\x01\x08\t\n\x0b\r\x1b\x7f\x85\x9f\ud800\udfff"),
)
TEXT = st.text(CHARACTERS, max_size=12)


def encoded(text: str) -> str:
    """Percent-encoded UTF-8 (a lone surrogate as the bytes a client would send)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def test_generated_text_anywhere_never_gets_a_5xx_and_refused_text_writes_nothing(
    backend_app: Flask,
) -> None:
    app = backend_app
    world = build_world(app)
    clients = signed_in_clients(app, world)
    values = path_values(app, world)
    base = valid_form(app, world)
    every = routes(app)
    seen: dict[str, int] = {}

    @given(
        route=st.sampled_from(every),
        role=st.sampled_from(ROLES),
        where=st.sampled_from(["path", "query", "form", "json"]),
        name=st.sampled_from(TEXT_FIELDS + QUERY_NAMES),
        text=TEXT,
    )
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(route: Route, role: str, where: str, name: str, text: str) -> None:
        client = clients[role]
        kwargs: dict[str, Any] = {}
        if where == "path" and route.text_arguments():
            path = build_path(route, values, dict.fromkeys(route.text_arguments(), encoded(text)))
            refused = 404 if CONTROL.search(text) else None  # a surrogate arrives as U+FFFD
        elif where == "query" or route.method == "GET":
            path = build_path(route, values) + f"?{name}={encoded(text)}"
            refused = 400 if CONTROL.search(text) else None
        elif where == "form":
            path = build_path(route, values)
            form = {**base, name: text}
            kwargs["data"] = "&".join(f"{k}={encoded(v)}" for k, v in form.items())
            kwargs["content_type"] = "application/x-www-form-urlencoded"
            refused = 400 if CONTROL_IN_TEXT.search(text) else None
        else:
            path = build_path(route, values)
            body = {"status": "lopend", "note": "", "expected_version": 1, name: text}
            kwargs["data"] = json.dumps(body)  # ASCII: a surrogate as the escape "\ud800"
            kwargs["content_type"] = "application/json"
            refused = 400 if CONTROL_IN_TEXT.search(text) or SURROGATE.search(text) else None
        before = table_counts(app) if refused else None
        with client.open(path, method=route.method, **kwargs) as response:  # closes files
            status = response.status_code
            answer = response.get_data()[:300]
        seen[where] = seen.get(where, 0) + 1
        assert status < 500, (route.name, role, where, name, text, answer)
        if refused is not None:
            assert status == refused, (route.name, role, where, name, text, status)
            assert table_counts(app) == before, (route.name, role, where, name, text)

    run()
    assert sum(seen.values()) >= EXAMPLES // 2 and len(seen) == 4, seen
