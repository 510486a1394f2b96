"""The OpenAPI 3.1 document of /api/v1, made from the operations the API registers
(`Operation`, one per route, kept by tracker.web.api) and the pydantic models they validate
and answer with (tracker.web.api_models): JSON Schema from pydantic, the rest from here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from tracker.web.api_models import Conflict, Error, Refusal

# Every error status an operation may answer, and when. 400, 401 and 503 can be the answer
# to any request; the operation lists the others it can give.
ERRORS = {
    400: "Invalid request or refused change (error and message say why); also any request "
    "with a control character or a lone surrogate in the query, a JSON key or string "
    "(error invalid_characters), or JSON nested too deeply or with a number outside "
    "I-JSON's range (error invalid_json)",
    401: "Not signed in and no valid bearer token",
    403: "Signed in, but not allowed",
    404: "No such object in the networks you can see",
    409: "Stale expected_version: someone else updated the activity",
    413: "The body is larger than the server accepts",
    415: "The body is not JSON",
    503: "The database cannot be reached; try again (see Retry-After)",
}
ALWAYS = (400, 401, 503)
_REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Operation:
    """One API operation: its route, the models it checks and answers with, its errors."""

    method: str  # lower case: "get", "post"
    rule: str  # the Flask rule under the blueprint's prefix: "/activities/<activity_id>"
    summary: str
    answer: Any  # the type of a 200 answer: a model, or list[model]
    errors: tuple[int, ...] = ()
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None

    def error_model(self, code: int) -> type[Error]:
        """The answer of an error: a 409 names the current version; a 400 to a write may
        name the field it is about."""
        if code == 409:
            return Conflict
        return Refusal if code == 400 and self.body is not None else Error

    @property
    def path(self) -> str:
        """The OpenAPI path: "/activities/{activity_id}"."""
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)

    def parameters(self) -> list[dict[str, Any]]:
        """The path's parameters (as its converters read them) and the query model's fields."""
        found = [
            {"name": name, "in": "path", "required": True}
            | {"schema": {"type": "integer" if converter == "int" else "string"}}
            for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", self.rule)
        ]
        if self.query is not None:
            schema = self.query.model_json_schema()
            required = schema.get("required", ())
            found += [
                {"name": name, "in": "query", "required": name in required, "schema": field}
                for name, field in schema["properties"].items()
            ]
        return found


def openapi_document(operations: Sequence[Operation]) -> dict[str, Any]:
    """The document: each operation's parameters, body, answer and errors."""
    keys: list[tuple[Any, JsonSchemaMode, TypeAdapter[Any]]] = [
        (model, "serialization", TypeAdapter(model)) for model in (Error, Refusal, Conflict)
    ]
    for op in operations:
        keys.append(((op.path, op.method), "serialization", TypeAdapter(op.answer)))
        if op.body is not None:
            keys.append((op.body, "validation", TypeAdapter(op.body)))
    schemas, definitions = TypeAdapter.json_schemas(keys, ref_template=_REF)

    def content(key: Any, mode: JsonSchemaMode) -> dict[str, Any]:
        return {"content": {"application/json": {"schema": schemas[(key, mode)]}}}

    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        spec: dict[str, Any] = {"summary": op.summary, "parameters": op.parameters()}
        if op.body is not None:
            spec["requestBody"] = {"required": True} | content(op.body, "validation")
        answer = content((op.path, op.method), "serialization")
        spec["responses"] = {"200": {"description": "OK"} | answer} | {
            str(code): {"description": ERRORS[code]}
            | content(op.error_model(code), "serialization")
            for code in sorted(set(ALWAYS + op.errors))
        }
        paths.setdefault(op.path, {})[op.method] = spec
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Jaarplan tracker API",
            "version": "1",
            "description": "Plans, activities and status history of palliative-care networks.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": definitions.get("$defs", {}),
        },
    }
