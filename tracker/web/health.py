"""`/api/health` for the reverse proxy and monitoring: is this app server able to answer?

It asks the database one trivial question and shows no data. When the database cannot be
reached the error handlers answer 503 (JSON, as everywhere under /api/).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from tracker.services import db_session

blueprint = Blueprint("health", __name__)


@blueprint.get("/api/health")
def health() -> ResponseReturnValue:
    db_session().connection().execute(sa.text("SELECT 1"))
    return jsonify(status="ok"), 200, {"Cache-Control": "no-store"}
