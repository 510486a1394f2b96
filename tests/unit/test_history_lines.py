"""An amendment in the history: one line per changed field, in the reader's language, with
workgroups by name and long texts shortened."""

from __future__ import annotations

from tracker.domain.events import ActivityAmended
from tracker.history_lines import SHORT, amendment_lines, workgroup_ids
from tracker.texts import translate

NAMES = {1: "Werkgroep beleid", 2: "Werkgroep PR & Communicatie"}


def lines(changes: dict[str, list[object]]) -> list[str]:
    amendment = ActivityAmended("a", changes, "")
    return [translate(line.message, "nl") for line in amendment_lines(amendment, NAMES)]


def test_each_changed_field_is_a_line_in_the_order_of_the_form() -> None:
    changes = {"wanneer": ["2e kwartaal", "4e kwartaal"], "title": ["Oud", "Nieuw"]}
    assert lines(changes) == [
        "Titel gewijzigd van 'Oud' naar 'Nieuw'",
        "Wanneer gewijzigd van '2e kwartaal' naar '4e kwartaal'",
    ]


def test_workgroups_are_named_and_an_empty_value_says_so() -> None:
    changes: dict[str, list[object]] = {"workgroups": [[1], [1, 2]], "wie": ["", "Iedereen"]}
    assert lines(changes) == [
        "Wie gewijzigd van '(leeg)' naar 'Iedereen'",
        "Verantwoordelijke werkgroepen gewijzigd van 'Werkgroep beleid' naar "
        "'Werkgroep beleid, Werkgroep PR & Communicatie'",
    ]
    assert workgroup_ids([ActivityAmended("a", changes, "")]) == {1, 2}


def test_long_texts_are_shortened_to_one_line() -> None:
    long_text = "Een doelstelling\nmet " + "veel woorden " * 30
    amendment = ActivityAmended("a", {"objectives": ["kort", long_text]}, "")
    (line,) = amendment_lines(amendment, NAMES)
    assert isinstance(line.new, str)
    assert line.new.endswith("…") and len(line.new) <= SHORT and "\n" not in line.new
    assert line.old == "kort"
