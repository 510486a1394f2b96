"""The audit trail records failed logins, lockouts, refusals, role changes and exports (who,
when, from which address), and admins (only) can read it."""

from __future__ import annotations

from flask import Flask
from sqlmodel import col, select

from tests.support import World, build_world, login
from tracker.security import audit
from tracker.security.models import AuditEntry


def entries(app: Flask) -> list[AuditEntry]:
    with app.extensions["tracker"].db.session() as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


def test_refusals_role_changes_and_exports_are_recorded_and_shown_to_admins(
    backend_app: Flask,
) -> None:
    world: World = build_world(backend_app)
    member, admin = backend_app.test_client(), backend_app.test_client()
    login(member, world.emails["other_member"])
    login(admin, world.emails["admin"])
    member.post(
        f"/activiteiten/{world.activity_id}/status",
        data={"status": "lopend", "note": "", "version": "1"},
        environ_base={"REMOTE_ADDR": "203.0.113.5"},
    )
    board = world.user_ids["board"]
    admin.post(
        f"/beheer/gebruikers/{board}",
        data={"role-network_id": "1", "role-role": "coordinator", "role-submit": "1"},
    )
    coordinator = backend_app.test_client()
    login(coordinator, world.emails["coordinator"])
    export = coordinator.get(f"/plannen/{world.plan_slug}/rapportage?period=2021Q2&format=csv")
    assert export.status_code == 200
    recorded = [(e.kind, e.actor_id, e.subject_id) for e in entries(backend_app)]
    assert ("access_refused", world.user_ids["other_member"], None) in recorded
    assert ("role_changed", world.user_ids["admin"], board) in recorded
    assert ("export", world.user_ids["coordinator"], None) in recorded
    refusal = next(e for e in entries(backend_app) if e.kind == "access_refused")
    assert refusal.address == "203.0.113.5"
    assert audit.parse(refusal.detail) == {
        "method": "POST",
        "path": f"/activiteiten/{world.activity_id}/status",
    }
    page = admin.get("/beheer/audit").get_data(as_text=True)
    assert "toegang geweigerd" in page and "rol gewijzigd" in page and "203.0.113.5" in page
    assert "Persoon other_member" in page
    only_roles = admin.get("/beheer/audit?soort=role_changed").get_data(as_text=True)
    assert "rol gewijzigd" in only_roles and "203.0.113.5" not in only_roles
    assert member.get("/beheer/audit").status_code == 403
