"""Importing a plan in the browser: upload, review the draft (warnings highlighted), confirm.

Only the upload writes a draft row; confirming stores the reviewed plan in one transaction
(tracker.loading.load_plan) and removes the draft. Coordinators import for their own
networks, admins for any.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import col, select

from tracker.importing.draft import ImportFailed
from tracker.importing.files import read_plan_file
from tracker.importing.limits import ImportLimits
from tracker.importing.review import (
    ActivityChoice,
    ReviewRefused,
    apply_review,
    deserialise,
    serialise,
)
from tracker.loading import load_plan
from tracker.models import ImportDraft, Network, Workgroup
from tracker.queries import known_workgroups
from tracker.services import db_session, services
from tracker.web.access import principal
from tracker.web.forms import ActionForm, ImportForm

blueprint = Blueprint("imports", __name__, url_prefix="/plannen/importeren")


def _importable_networks() -> list[Network]:
    networks = db_session().exec(select(Network).order_by(col(Network.name))).all()
    return [n for n in networks if n.id is not None and principal().is_coordinator(n.id)]


def _own_draft(draft_id: str) -> ImportDraft:
    """The draft, if the signed-in person uploaded it (or is an admin); otherwise 404."""
    draft = db_session().get(ImportDraft, draft_id[:36])
    if draft is None or not (draft.user_id == principal().user_id or principal().is_admin):
        abort(404)
    return draft


@blueprint.route("/", methods=["GET", "POST"])
@login_required
def upload() -> ResponseReturnValue:
    networks = _importable_networks()
    if not networks:
        abort(403, description=_("Importing a plan is for the coordinators of a network."))
    form = ImportForm()
    form.network_id.choices = [(n.id or 0, n.name) for n in networks]
    if not form.validate_on_submit():
        code = 400 if request.method == "POST" else 200
        return render_template("imports/upload.html", form=form), code
    network = next(n for n in networks if n.id == form.network_id.data)
    upload = form.file.data
    session = db_session()
    try:
        draft = read_plan_file(
            upload.filename or "",
            upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1),
            network_slug=network.slug,
            network_name=network.name,
            year=form.year.data,
            known=known_workgroups(session, network.id or 0),
            workgroup_emails={
                w.name: w.email
                for w in session.exec(select(Workgroup).where(Workgroup.network_id == network.id))
            },
            limits=ImportLimits.from_config(current_app.config),
        )
    except ImportFailed as problem:
        form.file.errors = [_("This file cannot be imported: %(problem)s", problem=problem)]
        return render_template("imports/upload.html", form=form), 400
    document, warnings, proposed = serialise(draft)
    row = ImportDraft(
        id=str(uuid.uuid4()),
        network_id=network.id or 0,
        user_id=principal().user_id,
        created_at=services().clock.now(),
        filename=(upload.filename or "")[:255],
        document=document,
        warnings=warnings,
        proposed=proposed,
    )
    with services().db.session() as writer:
        writer.add(row)
        writer.commit()
    return redirect(url_for("imports.review", draft_id=row.id))


@blueprint.route("/<draft_id>", methods=["GET", "POST"])
@login_required
def review(draft_id: str) -> ResponseReturnValue:
    row = _own_draft(draft_id)
    if not principal().is_coordinator(row.network_id):
        abort(404)
    draft = deserialise(row.document, row.warnings, row.proposed)
    form = ActionForm()
    problems: list[str] = []
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, description=_("The form has expired; reload the page and try again."))
        choices = [
            ActivityChoice(
                keep=request.form.get(f"keep-{i}") == "on",
                title=request.form.get(f"title-{i}", ""),
                theme=request.form.get(f"theme-{i}", ""),
                wanneer=request.form.get(f"wanneer-{i}", ""),
            )
            for i in range(len(draft.document.activities))
        ]
        accepted = request.form.getlist("create")
        try:
            document = apply_review(draft, choices, accepted)
        except ReviewRefused as refused:
            problems = refused.problems
        else:
            result = load_plan(services().db, document, services().clock, principal().user_id)
            with services().db.session() as writer:
                stored = writer.get(ImportDraft, row.id)
                if stored is not None:
                    writer.delete(stored)
                    writer.commit()
            flash(
                _(
                    "Plan imported: %(created)s activities added, %(existing)s already there.",
                    created=result.created,
                    existing=result.existing,
                ),
                "success",
            )
            return redirect(url_for("plans.overview", slug=document.plan_slug))
    warnings_by_place: dict[str, list[str]] = {}
    general: list[str] = []
    for warning in draft.warnings:
        if warning.where.startswith("regel ") or not warning.where:
            general.append(str(warning))
        else:
            warnings_by_place.setdefault(warning.where, []).append(warning.message)
    return (
        render_template(
            "imports/review.html",
            row=row,
            draft=draft,
            form=form,
            problems=problems,
            general_warnings=general,
            warnings_by_place=warnings_by_place,
            submitted=request.form if problems else None,
        ),
        400 if problems else 200,
    )


@blueprint.route("/<draft_id>/verwijderen", methods=["POST"])
@login_required
def discard(draft_id: str) -> ResponseReturnValue:
    row = _own_draft(draft_id)
    if not ActionForm().validate_on_submit():
        abort(400, description=_("The form has expired; reload the page and try again."))
    with services().db.session() as writer:
        stored = writer.get(ImportDraft, row.id)
        if stored is not None:
            writer.delete(stored)
            writer.commit()
    flash(_("The draft was discarded; nothing was imported."), "success")
    return redirect(url_for("imports.upload"))
