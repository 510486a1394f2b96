"""Texts for people as data: an English message id plus the values to put into it.

The domain and the importers do not know the reader's language (and import neither Flask nor
Babel): they raise or return a `Message`, and the edge (page, mail, report, CLI) translates it
with `tracker.texts.translate`. The id is the English text, so `str(message)` reads in English
(logs, the operator's CLI) and the Dutch catalogue has it as a msgid: `pybabel extract` finds
`Message("…")` and `Message.plural("…", "…", n)` (keywords in the Makefile).

A value is inserted as written, except a `Number` (formatted the reader's way: 2.000 in
Dutch, 2,000 in English), a nested `Message` (translated first) and a tuple (its items so,
joined by commas).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

Param = Union[str, int, float, "Number", "Message", tuple["Param", ...]]


@dataclass(frozen=True)
class Number:
    """A number shown the reader's way: `decimals` fixed (or as few as needed when None),
    thousands grouped unless `grouping` is off."""

    value: float
    decimals: int | None = None
    grouping: bool = True

    def __str__(self) -> str:
        """The English way: 2,000 and 2.5."""
        if self.decimals is None:
            text = f"{self.value:{',' if self.grouping else ''}.6f}".rstrip("0").rstrip(".")
        else:
            text = f"{self.value:{',' if self.grouping else ''}.{self.decimals}f}"
        return text


class Message:
    """A text for people: `text_id` (English, the msgid) with `params` put into it.

    `Message.plural(singular, plural, count, **params)` chooses the form by `count`.
    """

    __slots__ = ("text_id", "plural_id", "count", "params")

    def __init__(self, text_id: str, /, **params: Param) -> None:
        self.text_id = text_id
        self.plural_id: str | None = None
        self.count = 0
        self.params: Mapping[str, Param] = params

    @classmethod
    def plural(cls, singular: str, plural: str, count: int, /, **params: Param) -> Message:
        message = cls(singular, **params)
        message.plural_id = plural
        message.count = count
        return message

    def __str__(self) -> str:
        """The English text (msgid), for logs and the operator's command line."""
        text = self.text_id if self.plural_id is None or self.count == 1 else self.plural_id
        if not self.params:
            return text
        return text % {key: _english(value) for key, value in self.params.items()}

    def __repr__(self) -> str:
        return f"Message({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and self.to_data() == other.to_data()

    def __hash__(self) -> int:
        return hash(self.text_id)

    def to_data(self) -> dict[str, Any]:
        """The message as JSON-able data (a stored import draft keeps its warnings so)."""
        data: dict[str, Any] = {"text": self.text_id}
        if self.plural_id is not None:
            data["plural"] = self.plural_id
            data["count"] = self.count
        if self.params:
            data["params"] = {key: _param_data(value) for key, value in self.params.items()}
        return data

    @classmethod
    def from_data(cls, data: Any) -> Message:
        """The inverse of `to_data`; a plain string (stored before texts were data) is kept
        as it was written."""
        if isinstance(data, str):
            return cls(data)
        params = {key: _param_from(value) for key, value in data.get("params", {}).items()}
        message = cls(data["text"], **params)
        if "plural" in data:
            message.plural_id, message.count = data["plural"], int(data["count"])
        return message


def _english(value: Param) -> str:
    if isinstance(value, tuple):
        return ", ".join(_english(item) for item in value)
    return str(value)


def _param_data(value: Param) -> Any:
    if isinstance(value, Message):
        return {"message": value.to_data()}
    if isinstance(value, Number):
        return {"number": value.value, "decimals": value.decimals, "grouping": value.grouping}
    if isinstance(value, tuple):
        return {"items": [_param_data(item) for item in value]}
    return value


def _param_from(data: Any) -> Param:
    if isinstance(data, dict) and "message" in data:
        return Message.from_data(data["message"])
    if isinstance(data, dict) and "number" in data:
        return Number(data["number"], data.get("decimals"), bool(data.get("grouping", True)))
    if isinstance(data, dict) and "items" in data:
        return tuple(_param_from(item) for item in data["items"])
    if isinstance(data, str | int | float):
        return data
    return str(data)


def stored(message: Message) -> str:
    """The message as text for a string column (its data as JSON), translated when shown."""
    return json.dumps(message.to_data(), ensure_ascii=False)


def from_stored(text: str) -> Message | str:
    """The inverse of `stored`; other text (a mail server's reply, a row written before
    texts were data) is given back as it is."""
    if text.startswith('{"text": '):
        try:
            return Message.from_data(json.loads(text))
        except (ValueError, KeyError, TypeError, AttributeError):
            pass
    return text


class MessageError(Exception):
    """An error whose text is a `Message`: English in `str()`, translated at the edge."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message
