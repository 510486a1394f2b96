"""Forms (Flask-WTF: CSRF token on every one). Labels are translated lazily."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from tracker.domain.activity import MAX_NOTE_LENGTH
from tracker.domain.period import EARLIEST_DAY, LATEST_DAY
from tracker.domain.status import SELECTABLE_STATUSES

# Every date a person types is a day of the plans' years: beyond these the app has nothing
# to show, and date arithmetic near year 1 or 9999 overflows (a 500 instead of an answer).


class DayField(DateField):
    """A date typed by a person: the one place where user dates are read, and bounded
    (EARLIEST_DAY to LATEST_DAY; the browser's date picker gets the same bounds)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        bounds = {"min": EARLIEST_DAY.isoformat(), "max": LATEST_DAY.isoformat()}
        kwargs["render_kw"] = {**bounds, **(kwargs.get("render_kw") or {})}
        super().__init__(*args, **kwargs)

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and not EARLIEST_DAY <= self.data <= LATEST_DAY:
            raise ValidationError(
                _l(
                    "Choose a date between %(first)s and %(last)s.",
                    first=EARLIEST_DAY.strftime("%d-%m-%Y"),
                    last=LATEST_DAY.strftime("%d-%m-%Y"),
                )
            )


class DecimalCommaField(DecimalField):
    """A number as Dutch people type it: "2,5" and "1.250,5" as well as "2.5". With a comma,
    the comma is the decimal sign and dots only group thousands. Text that is no number gets
    one message, and no other rule of the field adds a second."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if not text:
            return
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise ValueError(_l("Enter a number, such as 12 or 2,5."))
        self.data = number

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()


def version_field() -> HiddenField:
    """The version of the activity the person saw (a stale one is refused with 409)."""
    return HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Sign in"))


class PasswordResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class PasswordResetForm(FlaskForm):
    """A new password, typed twice (a reset link, an invitation)."""

    new = PasswordField(
        _l("New password (at least 10 characters)"), validators=[DataRequired(), Length(max=1000)]
    )
    repeat = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", _l("The two new passwords differ."))],
    )
    submit = SubmitField(_l("Set password"))


class PasswordChangeForm(PasswordResetForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Change password"))


class StatusForm(FlaskForm):
    """A status update: the new status (or the same one, for a progress note) and a note."""

    # The page offers the transitions the activity allows; any status a person may choose is
    # accepted here, so a step the lifecycle refuses gets the rule's own reason.
    status = SelectField(
        _l("Status"),
        validate_choice=False,
        validators=[
            DataRequired(),
            AnyOf(
                [s.value for s in SELECTABLE_STATUSES],
                message=_l("Choose one of the statuses offered."),
            ),
        ],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])
    happened_on = DayField(_l("Happened on (if not today)"), validators=[Optional()])
    version = version_field()
    submit = SubmitField(_l("Save update"))


class ActionForm(FlaskForm):
    """A button that only needs a CSRF token (sign out, remove, choose language)."""

    submit = SubmitField()


class EraseForm(FlaskForm):
    """Erasing a person: only with the box ticked."""

    confirm = BooleanField(
        _l("Yes, erase this person's name, e-mail address and account for good"),
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Erase personal data"))


class NetworkForm(FlaskForm):
    slug = StringField(
        _l("Short name (in addresses)"),
        validators=[DataRequired(), Length(max=60), Regexp(r"^[a-z0-9][a-z0-9-]*$")],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Add network"))


class WorkgroupForm(FlaskForm):
    # Not checked against the choices: another network's id is the handler's 404.
    network_id = SelectField(
        _l("Network"), coerce=int, validate_choice=False, validators=[DataRequired()]
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail address"), validators=[Optional(), Email(check_deliverability=False)]
    )
    submit = SubmitField(_l("Add workgroup"))


class InvitationForm(FlaskForm):
    """Invite a person; the handler checks the network and workgroups (outsiders: 404)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    network_id = SelectField(_l("Network"), coerce=int, validate_choice=False)
    role = SelectField(_l("Role"), validators=[DataRequired()])
    workgroup_ids = SelectMultipleField(_l("Workgroups"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Send invitation"))


class RoleForm(FlaskForm):
    network_id = SelectField(_l("Network"), coerce=int, validators=[DataRequired()])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    submit = SubmitField(_l("Set role"))


class MembershipForm(FlaskForm):
    workgroup_id = SelectField(_l("Workgroup"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Add to workgroup"))


class PlanFilterForm(FlaskForm):
    """The plan overview's filters (a GET form: no CSRF needed)."""

    class Meta:
        csrf = False

    theme = SelectField(_l("Theme"), coerce=str, validators=[Optional()])
    status = SelectField(_l("Status"), coerce=str, validators=[Optional()])
    workgroup = SelectField(_l("Workgroup"), coerce=str, validators=[Optional()])
    quarter = SelectField(_l("Quarter"), coerce=str, validators=[Optional()])
    # ?over_tijd=1: only the activities overdue today (the name is the address users share).
    over_tijd = BooleanField(_l("Overdue only"), false_values=("", "0", "false"))
    submit = SubmitField(_l("Filter"))


class ImportForm(FlaskForm):
    """Upload a plan (document text, Word, XLSX or YAML) for review."""

    network_id = SelectField(_l("Network"), coerce=int, validators=[DataRequired()])
    file = FileField(
        _l("Plan file"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(
                ["txt", "md", "docx", "xlsx", "yaml", "yml", "pdf"],
                _l("Choose a .txt, .docx, .xlsx or .yaml file."),
            ),
        ],
    )
    year = IntegerField(
        _l("Year (when the file does not say)"),
        validators=[Optional(), NumberRange(min=2000, max=2100)],
    )
    submit = SubmitField(_l("Read plan"))


class ProgressForm(FlaskForm):
    """The value a measurable target has reached, with an optional note."""

    indicator_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    value = DecimalCommaField(
        _l("Value reached"),
        places=None,
        validators=[
            InputRequired(_l("Enter the value reached (a number).")),
            NumberRange(min=0, max=1_000_000_000),
        ],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])
    happened_on = DayField(_l("Reached on (if not today)"), validators=[Optional()])
    version = version_field()
    submit = SubmitField(_l("Save value"))


class ReportForm(FlaskForm):
    """Which report: the quarter, an optional earlier date to show it as of, the format."""

    period = SelectField(_l("Quarter"))
    as_of = DayField(_l("As it stood on (optional)"), validators=[Optional()])
    format = SelectField(_l("Format"), default="html")  # choices: set by the view


class CarryOverForm(FlaskForm):
    """Year-end carry-over in two steps: the plan the work continues in (a later plan of the
    network, or "" for the next year's plan, made with `title`) and why; then the preview:
    which unfinished activities continue (each with its new "Wanneer", read by the view)."""

    target = SelectField(_l("Into plan"), validate_choice=True)
    title = StringField(_l("Title of the new plan"), validators=[Length(max=200)])
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason why they continue.")), Length(max=2000)],
    )
    activities = SelectMultipleField(_l("Activities that continue"), validate_choice=False)
    preview = SubmitField(_l("Show what continues"))
    back = SubmitField(_l("Change the plan or the reason"))
    submit = SubmitField(_l("Carry over"))

    def validate_title(self, field: StringField) -> None:
        # Cleared on the page: an error. Not sent at all (a script): "Jaarplan <year>".
        if not self.target.data and field.raw_data and not (field.data or "").strip():
            raise ValidationError(_l("Give the new plan a title."))
