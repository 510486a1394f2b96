"""An audit entry's detail holds ids and short codes as key=value pairs, written and read in
one place; the free text older entries hold reads as no fields (the page shows it as is)."""

from __future__ import annotations

from tracker.security import audit


def test_fields_read_back_as_written() -> None:
    detail = audit.fields(workgroup=4, method="POST", path="/a b?c=d&e")
    assert audit.parse(detail) == {"workgroup": "4", "method": "POST", "path": "/a b?c=d&e"}


def test_older_free_text_has_no_fields() -> None:
    for text in ("", "4", "network 3: coordinator", "report twente-2021 2021Q2 csv", "a=b=c&"):
        assert audit.parse(text) == {}, text
