"""The year-end carry-over page: step 1 the plan the work continues in and why, step 2 the
preview (each open activity with its status, kept, and its "Wanneer" re-timed into the new
year, editable), then the carry-over itself. Errors are shown at their field, listed at the
top, and the first one gets the focus."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlmodel import select

from tracker.carry_over import Candidate, CarryOverRefused, candidates, carry_over_plan, later_plans
from tracker.domain.plan_changes import MAX_WANNEER_LENGTH
from tracker.models import Network, Plan
from tracker.services import db_session, services
from tracker.texts import translate
from tracker.web.access import principal
from tracker.web.forms import CarryOverForm


@dataclass(frozen=True)
class PageError:
    """An error of the page: the id of the field it belongs to, and what it says."""

    field_id: str
    text: str


def wanneer_field(candidate: Candidate) -> str:
    """The name (and id) of the "Wanneer" input of an activity in the preview."""
    return f"wanneer-{candidate.activity.id}"


def carry_over_page(plan: Plan, network: Network) -> ResponseReturnValue:
    session = db_session()
    form = CarryOverForm()
    later = later_plans(session, plan)
    form.target.choices = [(p.slug, f"{p.title} ({p.year})") for p in later]
    next_year = plan.year + 1
    if not any(p.year == next_year for p in later):
        form.target.choices.insert(0, ("", _("New plan: Jaarplan %(year)s", year=next_year)))
    if not form.is_submitted():
        form.target.data = form.target.choices[0][0]
        form.title.data = f"Jaarplan {next_year}"
    if not form.is_submitted() or form.back.data:
        return _render(plan, network, form, step=1)
    new_year = next((p.year for p in later if p.slug == form.target.data), next_year)
    rows = candidates(session, plan, new_year)
    form.activities.choices = [(c.activity.id, c.activity.title) for c in rows]
    if not form.validate():
        errors = [
            PageError(f.id, str(e))
            for f in (form.target, form.title, form.reason)
            for e in f.errors
        ]
        errors += [PageError(form.target.id, str(e)) for e in form.errors.get("csrf_token", [])]
        return _render(plan, network, form, step=1, errors=errors), 400
    # The "Wanneer" typed in the preview; the proposed one where none was (the preview itself).
    wanneer = {c.activity.id: request.form.get(wanneer_field(c), c.proposed.text) for c in rows}
    step_two = partial(
        _render, plan, network, form, step=2, rows=rows, wanneer=wanneer, new_year=new_year
    )
    if form.preview.data:
        form.activities.data = [c.activity.id for c in rows]
        return step_two()
    known = {c.activity.id for c in rows}
    chosen = [a for a in form.activities.data or [] if a in known]
    if errors := _choice_errors(form, rows, chosen, wanneer):
        return step_two(errors=errors), 400
    try:
        outcome = carry_over_plan(
            services().db,
            services().clock,
            actor=principal(),
            from_slug=plan.slug,
            to_slug=form.target.data or None,
            reason=form.reason.data or "",
            activity_ids=chosen,
            wanneer={a: wanneer[a] for a in chosen},
            new_plan_title=form.title.data if not form.target.data else None,
        )
    except CarryOverRefused as refused:
        text = _("Nothing was carried over: %(reason)s", reason=translate(refused.message))
        return step_two(errors=[PageError("activities-list", text)]), 400
    done = [c for c in outcome.carried if not c.already_carried]
    to_plan = db_session().exec(select(Plan).where(Plan.slug == outcome.to_plan_slug)).one()
    flash(
        ngettext(
            "%(num)d activity carried over to %(plan)s.",
            "%(num)d activities carried over to %(plan)s.",
            len(done),
            plan=to_plan.title,
        ),
        "success",
    )
    return redirect(url_for("plans.overview", slug=outcome.to_plan_slug))


def _choice_errors(
    form: CarryOverForm, rows: list[Candidate], chosen: list[str], wanneer: dict[str, str]
) -> list[PageError]:
    """What is wrong with the activities chosen in the preview and their "Wanneer"."""
    errors = []
    if not chosen:
        form.activities.errors = [_("Choose at least one activity.")]
        errors.append(PageError("activities-list", form.activities.errors[0]))
    for c in rows:
        if (
            c.activity.id in chosen
            and len(" ".join(wanneer[c.activity.id].split())) > MAX_WANNEER_LENGTH
        ):
            text = _(
                "“When” of %(title)s: at most %(max)d characters.",
                title=c.activity.title,
                max=MAX_WANNEER_LENGTH,
            )
            errors.append(PageError(wanneer_field(c), text))
    return errors


def _render(
    plan: Plan,
    network: Network,
    form: CarryOverForm,
    *,
    step: int,
    rows: list[Candidate] | None = None,
    wanneer: dict[str, str] | None = None,
    new_year: int | None = None,
    errors: list[PageError] | None = None,
) -> str:
    errors = errors or []
    return render_template(
        "plans/carry_over.html",
        plan=plan,
        network=network,
        form=form,
        step=step,
        rows=rows or [],
        wanneer=wanneer or {},
        new_year=new_year,
        errors=errors,
        error_for={e.field_id: e for e in reversed(errors)},
        first_error=errors[0].field_id if errors else None,
        wanneer_field=wanneer_field,
        has_open=bool(step == 2 or candidates(db_session(), plan, plan.year + 1)),
    )
