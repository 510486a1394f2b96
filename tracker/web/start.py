"""The start page: "/" leads coordinators (and admins) to what needs attention in their
network's plan, everyone else to their own activities."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import select

from tracker.dashboard import coordinated_networks, coordinator_start
from tracker.domain.access import Role
from tracker.models import Network
from tracker.services import db_session
from tracker.web.access import principal
from tracker.web.activities import today
from tracker.web.board import board_start_url

blueprint = Blueprint("start", __name__)


@blueprint.route("/")
@login_required
def home() -> ResponseReturnValue:
    me = principal()
    if me.coordinates_a_network:
        return redirect(url_for("start.coordinator"))
    board = board_start_url(me) if Role.BOARD in me.roles.values() else None
    return redirect(board or url_for("activities.mine"))


@blueprint.route("/start")
@login_required
def coordinator() -> ResponseReturnValue:
    return _start(None)


@blueprint.route("/start/<slug>")
@login_required
def network(slug: str) -> ResponseReturnValue:
    return _start(slug)


def _start(slug: str | None) -> ResponseReturnValue:
    me, session = principal(), db_session()
    networks = coordinated_networks(session, me)
    if slug is None:
        chosen = networks[0] if networks else None
    else:
        chosen = session.exec(select(Network).where(Network.slug == slug)).first()
        if chosen is None or not me.can_view_network(chosen.id or 0):
            abort(404)
    if not me.is_coordinator(chosen.id or 0 if chosen else 0):
        abort(403, description=_("The start page is for the network's coordinators."))
    start = coordinator_start(session, chosen, today()) if chosen else None
    return render_template("start/coordinator.html", networks=networks, start=start)
