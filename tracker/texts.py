"""Translating texts for people: a `Message` (tracker.domain.message) in the reader's language.

One way for every text that leaves the app: the domain and the importers give a Message,
pages, mails, reports and the CLI call `translate` (in templates: the `translate` filter).
The catalogues are Flask-Babel's own (tracker/translations, msgids in English); the language
is Flask-Babel's current one (the person's choice in a request, `force_locale` around a mail,
Dutch outside a request), or the one passed in.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from flask import Flask, has_app_context
from flask_babel import get_locale

from tracker.domain.message import Message, Number, Param
from tracker.domain.status_texts import status_name

TRANSLATIONS = Path(__file__).with_name("translations")
DEFAULT_LOCALE = "nl"


@cache
def catalogue(locale: str) -> NullTranslations:
    """The compiled catalogue of `locale` (English: none, the msgids are English)."""
    return Translations.load(str(TRANSLATIONS), [locale])


def current_locale() -> str:
    """Flask-Babel's language of the moment; Dutch outside the app."""
    if has_app_context():
        locale = get_locale()
        if locale is not None:
            return str(locale)
    return DEFAULT_LOCALE


def translate(message: Message | str, locale: str | None = None) -> str:
    """The message in `locale` (default: the current one); a plain string stays as it is."""
    if not isinstance(message, Message):
        return str(message)
    locale = locale or current_locale()
    texts = catalogue(locale)
    if message.plural_id is None:
        text = texts.ugettext(message.text_id)
    else:
        text = texts.ungettext(message.text_id, message.plural_id, message.count)
    if not message.params:
        return text
    return text % {key: _param(value, locale) for key, value in message.params.items()}


def _param(value: Param, locale: str) -> str:
    if isinstance(value, tuple):
        return ", ".join(_param(item, locale) for item in value)
    if isinstance(value, Message):
        return translate(value, locale)
    if isinstance(value, Number):
        grouped = "#,##0" if value.grouping else "0"
        decimals = "######" if value.decimals is None else "0" * value.decimals
        pattern = f"{grouped}.{decimals}" if decimals else grouped
        return format_decimal(value.value, format=pattern, locale=locale)
    return str(value)


def status_label(status: str, locale: str | None = None) -> str:
    """A status in the reader's words ("Gepland", "Planned"); an unknown one as it is."""
    return translate(status_name(status), locale)


def init_app(app: Flask) -> None:
    """Templates translate a Message with `{{ message | translate }}`."""
    app.jinja_env.filters["translate"] = translate
    app.jinja_env.globals["status_label"] = status_label
