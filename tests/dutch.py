"""Reading what the app says in Dutch: the importers and the domain give texts as data
(tracker.domain.message), the catalogue turns them into the Dutch the networks read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tracker.domain.message import Message, MessageError
from tracker.importing.draft import ImportWarning
from tracker.texts import translate


def dutch(item: Message | MessageError | ImportWarning | str | None) -> str:
    """A message, an error with one, or an import warning ("where: what") in Dutch."""
    if isinstance(item, MessageError):
        return translate(item.message, "nl")
    if isinstance(item, ImportWarning):
        what = translate(item.message, "nl")
        return f"{translate(item.where, 'nl')}: {what}" if item.where else what
    if item is None:
        return ""
    return translate(item, "nl")


@contextmanager
def refused_in_dutch(
    kind: type[MessageError], pattern: str
) -> Iterator[pytest.ExceptionInfo[MessageError]]:
    """Like `pytest.raises(kind, match=pattern)`, matching the Dutch text of the message."""
    with pytest.raises(kind) as caught:
        yield caught
    text = dutch(caught.value)
    assert re.search(pattern, text), f"{pattern!r} not in {text!r}"
