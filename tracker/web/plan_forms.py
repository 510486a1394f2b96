"""Forms for changing the plan during the year (coordinators): an activity's content, taking
it out of the plan and reopening it, adding one, renaming a theme, a new year plan.

The lengths are checked here for a message at the field; the rules themselves are the
domain's (tracker.domain.plan_changes), whose refusals the views put at the same fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.domain.activity import MAX_NOTE_LENGTH
from tracker.domain.plan_changes import (
    MAX_PLAN_TITLE_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_THEME_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_WANNEER_LENGTH,
)
from tracker.web.forms import version_field

NEW_THEME = ""  # the theme choice "a new theme" (its name in `new_theme`)
TOO_LONG = _l("This text is too long.")


def at_most(length: int) -> Length:
    return Length(max=length, message=TOO_LONG)


def reason_field(required: str | None = None) -> TextAreaField:
    """The reason of a change: optional, or required with this message."""
    length = at_most(MAX_NOTE_LENGTH)
    if required is None:
        return TextAreaField(_l("Reason (optional)"), validators=[length])
    return TextAreaField(_l("Reason"), validators=[DataRequired(required), length])


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes (the network's workgroups)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ContentFields(FlaskForm):
    """What the plan says about an activity: the fields of the edit and the add form."""

    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give a title.")), at_most(MAX_TITLE_LENGTH)]
    )
    # Not checked against the choices: the rules answer (an unknown workgroup, in Dutch);
    # a theme name not offered is a new theme.
    theme = SelectField(_l("Theme"), validate_choice=False)  # the plan's themes, or new
    new_theme = StringField(
        _l("Or a new theme"), validators=[Optional(), at_most(MAX_THEME_LENGTH)]
    )
    objectives = TextAreaField(_l("Objectives"), validators=[at_most(MAX_TEXT_LENGTH)])
    actions = TextAreaField(_l("Actions and results"), validators=[at_most(MAX_TEXT_LENGTH)])
    wie = TextAreaField(_l("Who"), validators=[at_most(MAX_TEXT_LENGTH)])
    wanneer = StringField(_l("When"), validators=[at_most(MAX_WANNEER_LENGTH)])
    workgroups = CheckboxesField(
        _l("Responsible workgroups"), coerce=int, validate_choice=False, validators=[Optional()]
    )

    def theme_name(self) -> str:
        """The chosen theme: the new name when one is typed, else the one chosen."""
        return (self.new_theme.data or "").strip() or (self.theme.data or "")


class ActivityEditForm(ContentFields):
    """Change what the plan says about an activity, with the version the person saw."""

    position = IntegerField(
        _l("Order within the theme"),
        validators=[
            InputRequired(_l("Give the order (a number, 0 or more).")),
            NumberRange(min=0, max=100_000, message=_l("The order must be 0 or more.")),
        ],
    )
    reason = reason_field()
    version = version_field()
    submit = SubmitField(_l("Save changes"))


class AddActivityForm(ContentFields):
    submit = SubmitField(_l("Add activity"))


class WithdrawForm(FlaskForm):
    """Take an activity out of the plan (vervallen): the reason is required."""

    reason = reason_field(_l("Give the reason why the activity is withdrawn."))
    version = version_field()
    submit = SubmitField(_l("Withdraw from the plan"))


class ReopenForm(FlaskForm):
    """Open a closed activity again, in the status chosen, with the reason."""

    # Not checked against the choices: the rules say why a status is refused, in Dutch.
    status = SelectField(_l("Reopen as"), validate_choice=False)  # choices: open statuses
    reason = reason_field(_l("Give the reason why the activity is reopened."))
    version = version_field()
    submit = SubmitField(_l("Reopen"))


class RenameThemeForm(FlaskForm):
    theme = SelectField(_l("Theme"), validate_choice=True)  # choices: the plan's themes
    new_name = StringField(
        _l("New name"), validators=[DataRequired(_l("Give a theme.")), at_most(MAX_THEME_LENGTH)]
    )
    reason = reason_field()
    submit = SubmitField(_l("Rename theme"))


class NewPlanForm(FlaskForm):
    """A new year plan of a network: empty with its themes, or a copy of an earlier plan."""

    # Not checked against the choices: a network the person may not see is a 404, as for a
    # network that does not exist (the handler decides).
    network_id = SelectField(_l("Network"), coerce=int, validate_choice=False)
    year = IntegerField(
        _l("Year"),
        validators=[
            DataRequired(_l("Give a year from 2000 to 2100.")),
            NumberRange(min=2000, max=2100, message=_l("Give a year from 2000 to 2100.")),
        ],
    )
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give a title.")), at_most(MAX_PLAN_TITLE_LENGTH)]
    )
    motto = StringField(_l("Motto (optional)"), validators=[at_most(200)])
    themes = TextAreaField(_l("Themes (one per line)"), validators=[at_most(20_000)])
    copy_from = SelectField(_l("Copy of (optional)"), validate_choice=False)
    submit = SubmitField(_l("Make plan"))

    def theme_names(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in (self.themes.data or "").splitlines() if line.strip())
