"""Importing a plan in the browser: upload, review the draft (warnings highlighted), confirm.

The upload keeps a draft; confirming stores the reviewed plan in the draft's network and
removes the draft, in one transaction (tracker.handlers.plans). Coordinators import for
their own networks, admins for any; the handlers check that, whatever the form says.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import col, select

from tracker.domain.commands import (
    DiscardImportDraft,
    ImportPlan,
    RemapImportDraft,
    SaveImportDraft,
)
from tracker.handlers.plans import (
    StaleDraft,
    discard_import_draft,
    draft_fingerprint,
    import_plan,
    own_draft,
    remap_import_draft,
    save_import_draft,
)
from tracker.importing.draft import Draft, ImportFailed
from tracker.importing.files import read_plan_file
from tracker.importing.mapping import BadMapping, Mapping, dump_structure, load_structure
from tracker.importing.review import (
    ActivityChoice,
    ReviewRefused,
    apply_review,
    deserialise,
    serialise,
)
from tracker.models import ImportDraft, Network
from tracker.queries import plan_for_year
from tracker.services import db_session, services
from tracker.texts import translate
from tracker.web.access import principal
from tracker.web.forms import ActionForm, ImportForm
from tracker.web.import_mapping import (
    Preview,
    mapping_step,
    preview_of,
    read_with,
    reading_context,
    submitted_mapping,
)
from tracker.web.import_parties import network_workgroups, submitted_parties
from tracker.web.import_revision import review_revision
from tracker.web.import_warnings import not_placed, review_warnings, timing_readings

blueprint = Blueprint("imports", __name__, url_prefix="/plannen/importeren")


def _importable_networks() -> list[Network]:
    networks = db_session().exec(select(Network).order_by(col(Network.name))).all()
    return [n for n in networks if n.id is not None and principal().is_coordinator(n.id)]


def _own_draft(draft_id: str) -> ImportDraft:
    """The draft, if the signed-in person uploaded it (or is an admin) for a network they
    coordinate; otherwise 404."""
    return own_draft(db_session(), principal(), draft_id)


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
    try:
        draft = read_plan_file(
            upload.filename or "",
            upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1),
            year=form.year.data,
            **reading_context(network),
        )
    except ImportFailed as problem:
        form.file.errors = [
            _("This file cannot be imported: %(problem)s", problem=translate(problem.message))
        ]
        return render_template("imports/upload.html", form=form), 400
    document, warnings, proposed = serialise(draft)
    structure = dump_structure(draft.structure, Mapping()) if draft.structure else ""
    command = SaveImportDraft(
        principal(), network.id or 0, upload.filename or "", document, warnings, proposed, structure
    )
    draft_id = save_import_draft(services().db.unit_of_work(), command, services().clock)
    return redirect(url_for("imports.review", draft_id=draft_id))


@blueprint.route("/<draft_id>", methods=["GET", "POST"])
@login_required
def review(draft_id: str) -> ResponseReturnValue:
    row = _own_draft(draft_id)
    draft = deserialise(row.document, row.warnings, row.proposed)
    revised = plan_for_year(db_session(), row.network_id, draft.document.year)
    if revised is not None and draft.document.activities:  # compare with this year's plan
        return review_revision(row, draft, revised)
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
        parties = submitted_parties(draft, request.form)
        try:
            document = apply_review(draft, choices, parties, network_workgroups(row.network_id))
        except ReviewRefused as refused:
            problems = [translate(problem) for problem in refused.problems]
        else:
            command = ImportPlan(principal(), row.network_id, document, draft_id=row.id)
            result = import_plan(services().db.unit_of_work(), command, services().clock)
            flash(
                _(
                    "Plan imported: %(created)s activities added, %(existing)s already there.",
                    created=result.created,
                    existing=result.existing,
                ),
                "success",
            )
            return redirect(url_for("plans.overview", slug=result.plan_slug))
    return _render_review(row, draft, form, problems=problems), 400 if problems else 200


def _render_review(
    row: ImportDraft,
    draft: Draft,
    form: ActionForm,
    *,
    problems: list[str] | None = None,
    mapping: Mapping | None = None,
    mapping_problems: list[str] | None = None,
    preview: Preview | None = None,
) -> str:
    general, warnings_by_place = review_warnings(draft)
    return render_template(
        "imports/review.html",
        row=row,
        draft=draft,
        network=db_session().get(Network, row.network_id),
        form=form,
        problems=problems or [],
        general_warnings=general,
        warnings_by_place=warnings_by_place,
        unplaced=not_placed(draft),
        submitted=request.form if problems else None,
        mapping=mapping_step(row, draft, draft_fingerprint(row), mapping),
        mapping_problems=mapping_problems or [],
        preview=preview,
        timing_readings=timing_readings(draft, request.form if problems else None),
        workgroups=network_workgroups(row.network_id),
    )


@blueprint.route("/<draft_id>/indeling", methods=["POST"])
@login_required
def mapping(draft_id: str) -> ResponseReturnValue:
    """Preview (nothing written) or apply a mapping of the document's columns and labels."""
    row = _own_draft(draft_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form has expired; reload the page and try again."))
    draft = deserialise(row.document, row.warnings, row.proposed)
    parts, _stored = load_structure(row.structure)
    if not parts:
        abort(404)  # a spreadsheet or YAML draft: fixed columns, nothing to map
    try:
        if request.form.get("state") != draft_fingerprint(row):
            raise StaleDraft(row.id)
        chosen = submitted_mapping(parts)
        mapped = read_with(row, draft, parts, chosen)
        if request.form.get("action") == "apply":
            document, warnings, proposed = serialise(mapped)
            command = RemapImportDraft(
                principal(),
                row.id,
                request.form.get("state", ""),
                document,
                warnings,
                proposed,
                dump_structure(parts, chosen),
            )
            remap_import_draft(services().db.unit_of_work(), command)
            flash(_("The layout was applied: check the activities below."), "success")
            return redirect(url_for("imports.review", draft_id=row.id))
    except (BadMapping, ImportFailed) as refused:
        problems = [translate(refused.message)]
        return _render_review(row, draft, form, mapping_problems=problems), 400
    except StaleDraft:
        db_session().expire_all()
        row = _own_draft(draft_id)
        draft = deserialise(row.document, row.warnings, row.proposed)
        problems = [_("The draft was changed after this page was opened; check again.")]
        return _render_review(row, draft, form, mapping_problems=problems), 409
    return _render_review(row, draft, form, mapping=chosen, preview=preview_of(mapped))


@blueprint.route("/<draft_id>/verwijderen", methods=["POST"])
@login_required
def discard(draft_id: str) -> ResponseReturnValue:
    row = _own_draft(draft_id)
    if not ActionForm().validate_on_submit():
        abort(400, description=_("The form has expired; reload the page and try again."))
    discard_import_draft(services().db.unit_of_work(), DiscardImportDraft(principal(), row.id))
    flash(_("The draft was discarded; nothing was imported."), "success")
    return redirect(url_for("imports.upload"))
