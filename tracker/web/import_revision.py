"""Reviewing a revised plan in the browser: an upload for a year the network already has a
plan for is compared with that plan, activity by activity, and confirming applies the
differences (tracker.handlers.plan_revision).

The review shows what is new, what changed (field by field, old → new, with the stored
activity it is paired with and a choice to pair it otherwise or not at all), how many are
unchanged, and what the file no longer has (each with "laten vervallen" to tick). The
versions the page showed go back with the form, so a plan changed in the meantime is not
overwritten: the confirmation is refused (409) and the review shows the plan as it is now.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from events.store import ConcurrencyError
from tracker.domain.commands import RevisePlan
from tracker.domain.plan_diff import Kind, PairingRefused, PlanDiff, StoredActivity
from tracker.domain.status import StatusError
from tracker.handlers.plan_revision import RevisionResult, apply_plan_revision
from tracker.importing.draft import Draft
from tracker.importing.review import ReviewRefused, with_party_choices
from tracker.importing.revision import StaleReview, confirmed_revision, revision_diff
from tracker.importing.stored import stored_activities
from tracker.models import ImportDraft, Network, Plan
from tracker.services import db_session, services
from tracker.texts import translate
from tracker.web.access import principal
from tracker.web.forms import ActionForm
from tracker.web.import_parties import network_workgroups, submitted_parties
from tracker.web.import_warnings import review_warnings
from tracker.web.messages import refusal_message

MAX_PAIR_OPTIONS = 200  # stored activities offered in one "paired with" list


def review_revision(row: ImportDraft, draft: Draft, plan: Plan) -> ResponseReturnValue:
    """The revision review (GET) or its confirmation (POST)."""
    form = ActionForm()
    problems: list[str] = []
    corrections: dict[int, str | None] | None = None
    code = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, description=_("The form has expired; reload the page and try again."))
        corrections = _corrections(len(draft.document.activities))
        try:
            result = _confirm(row, draft, plan, corrections)
        except PairingRefused as refused:
            problems, code, corrections = [translate(refused.message)], 400, None
        except StatusError as refused:
            problems, code = [refusal_message(refused)], 400
        except ReviewRefused as refused:
            problems, code = [translate(problem) for problem in refused.problems], 400
        except (StaleReview, ConcurrencyError):
            problems = [_("The plan was changed after this page was opened; check again.")]
            code, corrections = 409, None
        else:
            flash(
                _(
                    "Revised plan applied: %(amended)s changed, %(added)s added, "
                    "%(withdrawn)s withdrawn.",
                    amended=result.amended,
                    added=result.added,
                    withdrawn=result.withdrawn,
                ),
                "success",
            )
            return redirect(url_for("plans.overview", slug=result.plan_slug))
        db_session().expire_all()  # show the plan as it is now
    stored = stored_activities(db_session(), plan)
    diff = revision_diff(stored, draft.document, corrections)
    general, by_place = review_warnings(draft)
    return render_template(
        "imports/revision.html",
        row=row,
        draft=draft,
        plan=plan,
        network=db_session().get(Network, row.network_id),
        form=form,
        problems=problems,
        diff=diff,
        Kind=Kind,
        stored={s.activity_id: s for s in stored},
        options=_pair_options(stored, diff),
        seen=json.dumps({s.activity_id: s.version for s in stored}),
        labels=_labels(),
        general_warnings=general,
        warnings_by_place=by_place,
        submitted=request.form if problems else None,
        workgroups=network_workgroups(row.network_id),
    ), code


def _confirm(
    row: ImportDraft, draft: Draft, plan: Plan, corrections: Mapping[int, str | None]
) -> RevisionResult:
    """Apply the revision as the form confirms it; raises what the handler raises."""
    parties = submitted_parties(draft, request.form)
    document = with_party_choices(draft, parties, network_workgroups(row.network_id)).document
    stored = stored_activities(db_session(), plan)
    diff = revision_diff(stored, document, corrections)
    revision = confirmed_revision(
        stored, document, diff, set(request.form.getlist("lapse")), _seen()
    )
    command = RevisePlan(
        principal(),
        plan.id or 0,
        additions=revision.additions,
        amendments=revision.amendments,
        withdrawals=revision.withdrawals,
        reason=_("Revised version of the plan"),
        withdrawal_reason=_("No longer in the plan (revised version)"),
        workgroups=document.workgroups,
        draft_id=row.id,
    )
    return apply_plan_revision(services().db.unit_of_work(), command, services().clock)


def _corrections(count: int) -> dict[int, str | None]:
    """The "paired with" choices of the form: index in the file → stored activity or None."""
    found: dict[int, str | None] = {}
    for index in range(count):
        value = request.form.get(f"pair-{index}")
        if value is not None:
            found[index] = value[:64] or None
    return found


def _seen() -> dict[str, int]:
    """The versions the review showed (anything unreadable counts as nothing shown)."""
    try:
        seen = json.loads(request.form.get("seen", "{}"))
    except ValueError:
        return {}
    if not isinstance(seen, dict):
        return {}
    return {k: v for k, v in seen.items() if isinstance(k, str) and type(v) is int}


def _pair_options(stored: list[StoredActivity], diff: PlanDiff) -> dict[int, list[str]]:
    """Per new or changed activity of the file, the stored ones it may be paired with: its
    own pair and those the file no longer has."""
    missing = [item.activity_id for item in diff.of_kind(Kind.MISSING) if item.activity_id]
    missing = missing[:MAX_PAIR_OPTIONS]
    options: dict[int, list[str]] = {}
    for item in diff.items:
        if item.index is None or item.kind not in (Kind.NEW, Kind.CHANGED):
            continue
        options[item.index] = ([item.activity_id] if item.activity_id else []) + missing
    return options


def _labels() -> dict[str, str]:
    return {
        "title": _("Title"),
        "theme": _("Theme"),
        "objectives": _("Objectives"),
        "actions": _("Actions and results"),
        "wie": _("Who"),
        "wanneer": _("When"),
        "workgroups": _("Workgroups"),
    }
