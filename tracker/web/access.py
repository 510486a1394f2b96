"""Loading objects for the signed-in person: 404 for other networks, 403 for missing rights."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from flask import abort, request
from flask_login import current_user
from sqlmodel import select

from tracker.domain.access import Principal
from tracker.models import Network, Plan
from tracker.queries import ActivityDetail, activity_detail
from tracker.services import db_session


def principal() -> Principal:
    """The signed-in person as the access rules and the command handlers see them, with
    the address the request came from (for the audit trail)."""
    return replace(cast(Principal, current_user.principal), address=client_address())


def client_address() -> str:
    """The client's address (behind a proxy: as PROXY_FIX_X_FOR lets ProxyFix read it)."""
    return (request.remote_addr or "")[:64]


def visible_activity(activity_id: str) -> ActivityDetail:
    """The activity, if it exists in a network the person may see; otherwise 404."""
    if len(activity_id) > 64:
        abort(404)
    detail = activity_detail(db_session(), activity_id)
    if detail is None or not principal().can_view_network(detail.network.id or 0):
        abort(404)
    return detail


def can_update(detail: ActivityDetail) -> bool:
    return principal().can_update_activity(
        detail.network.id or 0, [w.id for w in detail.workgroups if w.id is not None]
    )


def visible_plan(slug: str) -> tuple[Plan, Network]:
    """The plan, if it exists in a network the person may see; otherwise 404."""
    found = db_session().exec(select(Plan, Network).join(Network).where(Plan.slug == slug)).first()
    if found is None or not principal().can_view_network(found[1].id or 0):
        abort(404)
    return found
