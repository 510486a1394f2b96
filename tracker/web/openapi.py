"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from tracker.domain.status import Status

_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    texts = {
        400: (
            "Invalid request or refused transition (the message says why); also any request "
            "with a control character or a lone surrogate in the query, a JSON key or string "
            "(error invalid_characters), or JSON nested too deeply or with a number outside "
            "I-JSON's range (error invalid_json)"
        ),
        401: "Not signed in and no valid bearer token",
        403: "Signed in, but not allowed",
        404: "No such object in the networks you can see",
        409: "Stale expected_version: someone else updated the activity",
        413: "The body is larger than the server accepts",
        415: "The body is not JSON",
    }
    return {str(code): _json(_ERROR, texts[code]) for code in codes}


def openapi_document() -> dict[str, Any]:
    activity_id = {
        "name": "activity_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "maxLength": 64},
    }
    statuses = [status.value for status in Status]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Jaarplan tracker API",
            "version": "1",
            "description": "Plans, activities and status history of palliative-care networks.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": {"type": "string"},
                        "message": {"type": "string"},
                        "current_version": {"type": "integer"},
                    },
                },
                "Plan": {
                    "type": "object",
                    "required": ["slug", "year", "title", "motto", "network", "status_counts"],
                    "properties": {
                        "slug": {"type": "string"},
                        "year": {"type": "integer"},
                        "title": {"type": "string"},
                        "motto": {"type": "string"},
                        "network": {"type": "string"},
                        "status_counts": {
                            "type": "object",
                            "additionalProperties": {"type": "integer"},
                        },
                    },
                },
                "ActivitySummary": {
                    "type": "object",
                    "required": ["id", "title", "theme", "status", "version"],
                    "properties": {
                        "id": {"type": "string"},
                        "title": {"type": "string"},
                        "theme": {"type": "string"},
                        "status": {"type": "string", "enum": statuses},
                        "version": {"type": "integer"},
                    },
                },
                "Activity": {
                    "type": "object",
                    "required": ["id", "plan", "theme", "title", "status", "version", "timing"],
                    "properties": {
                        "id": {"type": "string"},
                        "plan": {"type": "string"},
                        "theme": {"type": "string"},
                        "title": {"type": "string"},
                        "objectives": {"type": "string"},
                        "actions": {"type": "string"},
                        "wie": {"type": "string"},
                        "wanneer": {"type": "string"},
                        "timing": {
                            "type": "object",
                            "properties": {
                                "kind": {"type": "string"},
                                "start": {"type": ["string", "null"], "format": "date"},
                                "end": {"type": ["string", "null"], "format": "date"},
                            },
                        },
                        "workgroups": {"type": "array", "items": {"type": "string"}},
                        "status": {"type": "string", "enum": statuses},
                        "version": {"type": "integer"},
                        "last_note": {"type": "string"},
                        "last_update_at": {"type": ["string", "null"], "format": "date-time"},
                    },
                },
                "Event": {
                    "type": "object",
                    "required": ["position", "version", "type", "data", "recorded_at"],
                    "properties": {
                        "position": {"type": "integer"},
                        "version": {"type": "integer"},
                        "type": {"type": "string"},
                        "data": {"type": "object"},
                        "actor": {"type": ["integer", "null"]},
                        "recorded_at": {"type": "string", "format": "date-time"},
                    },
                },
                "StatusChange": {
                    "type": "object",
                    "required": ["status", "expected_version"],
                    "additionalProperties": False,
                    "properties": {
                        "status": {"type": "string", "enum": statuses},
                        "note": {"type": "string", "maxLength": 2000},
                        "expected_version": {"type": "integer", "minimum": 0},
                    },
                },
                "ProgressRecord": {
                    "type": "object",
                    "required": ["target_id", "value", "expected_version"],
                    "additionalProperties": False,
                    "properties": {
                        "target_id": {"type": "integer", "description": "id from 'targets'"},
                        "value": {"type": "number", "minimum": 0, "maximum": 1000000000},
                        "note": {"type": "string", "maxLength": 2000},
                        "expected_version": {"type": "integer", "minimum": 0},
                    },
                },
                "StatusChanged": {
                    "type": "object",
                    "required": ["id", "status", "version"],
                    "properties": {
                        "id": {"type": "string"},
                        "status": {"type": "string", "enum": statuses},
                        "version": {"type": "integer"},
                    },
                },
            },
        },
        "paths": {
            "/plans": {
                "get": {
                    "summary": "Plans of the networks you can see",
                    "responses": {
                        "200": _json(
                            {"type": "array", "items": {"$ref": "#/components/schemas/Plan"}},
                            "Plans",
                        ),
                        **_errors(400, 401),
                    },
                }
            },
            "/activities": {
                "get": {
                    "summary": "Activities of a plan",
                    "parameters": [
                        {
                            "name": "plan",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/ActivitySummary"},
                            },
                            "Activities in plan order",
                        ),
                        **_errors(400, 401, 404),
                    },
                }
            },
            "/activities/{activity_id}": {
                "get": {
                    "summary": "One activity: what the plan says and its current state",
                    "parameters": [activity_id],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Activity"}, "The activity"),
                        **_errors(400, 401, 404),
                    },
                }
            },
            "/activities/{activity_id}/events": {
                "get": {
                    "summary": "The activity's events, oldest first",
                    "parameters": [activity_id],
                    "responses": {
                        "200": _json(
                            {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
                            "Events",
                        ),
                        **_errors(400, 401, 404),
                    },
                }
            },
            "/activities/{activity_id}/status": {
                "post": {
                    "summary": "Change the status (same status with a note: record progress)",
                    "parameters": [activity_id],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/StatusChange"}
                            }
                        },
                    },
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/StatusChanged"}, "Saved"),
                        **_errors(400, 401, 403, 404, 409, 413, 415),
                    },
                }
            },
            "/activities/{activity_id}/progress": {
                "post": {
                    "summary": "Record the value a measurable target has reached",
                    "parameters": [activity_id],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ProgressRecord"}
                            }
                        },
                    },
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/StatusChanged"}, "Saved"),
                        **_errors(400, 401, 403, 404, 409, 413, 415),
                    },
                }
            },
        },
    }
