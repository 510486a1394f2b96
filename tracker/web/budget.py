"""A plan's budget per theme against the spending recorded so far (who sees the report), and
recording spending (the coordinators), through the `record_spending` handler."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.clock import AMSTERDAM
from tracker.domain.budget import BadAmount, SpendingRefused, parse_amount, per_theme
from tracker.domain.commands import RecordSpending
from tracker.handlers.plans import UnknownBudgetTheme, record_spending
from tracker.importing.stored import stored_budget
from tracker.reports.spending import spending_entries, spent_per_theme
from tracker.services import db_session, services
from tracker.texts import translate
from tracker.web.access import principal, visible_plan
from tracker.web.commands import run
from tracker.web.forms import DayField

blueprint = Blueprint("budget", __name__, url_prefix="/plannen")

MAX_SPENDING_NOTE = 500  # BudgetSpending.note


class SpendingForm(FlaskForm):
    theme = SelectField(_l("Theme"), validate_choice=False)  # an unknown one: the handler says
    amount = StringField(
        _l("Amount in euros"),
        validators=[DataRequired(_l("Give the amount, e.g. 1.250,50.")), Length(max=30)],
    )
    spent_on = DayField(_l("Spent on"), validators=[InputRequired(_l("Give the day."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_SPENDING_NOTE)])
    submit = SubmitField(_l("Record spending"))

    def euros(self) -> Decimal:
        return parse_amount(self.amount.data or "")

    def validate_amount(self, field: StringField) -> None:
        try:
            self.euros()
        except BadAmount:
            raise ValidationError(_l("Write an amount in euros, e.g. 1.250,50.")) from None


@blueprint.route("/<slug>/begroting", methods=["GET", "POST"])
@login_required
def page(slug: str) -> ResponseReturnValue:
    plan, network = visible_plan(slug)
    person = principal()
    if not person.can_see_overview(network.id or 0):
        abort(403, description=_("Reports are for the coordinators and the board."))
    may_record = person.is_coordinator(network.id or 0)
    planned = per_theme(stored_budget(db_session(), plan.id or 0)[0])
    form = SpendingForm()
    form.theme.choices = [(theme, theme) for theme in planned]
    if form.is_submitted():
        person.require_coordinator(network.id or 0)
        if form.validate() and _recorded(form, plan.id or 0):
            flash(_("The spending has been recorded."), "success")
            return redirect(url_for("budget.page", slug=plan.slug))
    now = services().clock.now()
    entries = spending_entries(db_session(), plan.id or 0, now.astimezone(AMSTERDAM).date(), now)
    return render_template(
        "budget/page.html",
        plan=plan,
        network=network,
        planned=tuple(planned.items()),
        spent=spent_per_theme(entries),
        entries=entries,
        form=form if may_record else None,
    ), 400 if form.is_submitted() else 200


def _recorded(form: SpendingForm, plan_id: int) -> bool:
    """Record the spending; False with the refusal at its field when the rules refuse it."""
    command = RecordSpending(
        principal(),
        plan_id,
        form.theme.data or "",
        form.euros(),
        form.spent_on.data,
        (form.note.data or "").strip(),
    )
    try:
        run(record_spending, command)
    except UnknownBudgetTheme:
        form.theme.errors = [_("Choose one of the themes of the budget.")]
        return False
    except SpendingRefused as refused:
        field = getattr(form, refused.field)
        field.errors = [*field.errors, translate(refused.message)]
        return False
    return True
