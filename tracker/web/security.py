"""Security headers on every response, and refusals written to the audit trail."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

from tracker.security import audit
from tracker.security.audit import AuditKind
from tracker.services import services
from tracker.web.access import client_address

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    @app.after_request
    def set_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        if response.status_code == 403:
            _record_refusal()
        return response


def _record_refusal() -> None:
    """An authorization refusal: who asked for what (method and path; ids only)."""
    actor = current_user.user.id if current_user.is_authenticated else None
    audit.record(
        services().db,
        AuditKind.ACCESS_REFUSED,
        at=services().clock.now(),
        actor_id=actor,
        address=client_address(),
        detail=audit.fields(method=request.method, path=request.path),
    )
