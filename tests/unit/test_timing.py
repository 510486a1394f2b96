"""Reading "Wanneer": every phrase of the real plans, and variants of case, spacing, accents."""

from datetime import date

import pytest

from tracker.domain.timing import TimingKind, parse_timing, quarter_bounds

P, C, R, U = TimingKind.PERIOD, TimingKind.CONTINUOUS, TimingKind.RECURRING, TimingKind.UNPARSED
d = date

CASES = [
    # (text, plan year, kind, start, end)
    ("4e kwartaal", 2021, P, d(2021, 10, 1), d(2021, 12, 31)),
    ("Continu", 2021, C, d(2021, 1, 1), d(2021, 12, 31)),
    ("2021-2025", 2021, P, d(2021, 1, 1), d(2025, 12, 31)),
    ("2021", 2021, P, d(2021, 1, 1), d(2021, 12, 31)),
    ("1e kwartaal 2021", 2021, P, d(2021, 1, 1), d(2021, 3, 31)),
    ("Start najaar 2020.", 2021, P, d(2020, 9, 1), None),
    ("Voorjaar 2021", 2021, P, d(2021, 3, 1), d(2021, 5, 31)),
    ("Oktober", 2021, P, d(2021, 10, 1), d(2021, 10, 31)),
    ("2 x per jaar", 2021, R, d(2021, 1, 1), d(2021, 12, 31)),
    ("Tot september 2024", 2024, P, d(2024, 1, 1), d(2024, 9, 30)),
    ("Q1 start pilot tot en met september 2024", 2024, P, d(2024, 1, 1), d(2024, 9, 30)),
    ("2024", 2024, P, d(2024, 1, 1), d(2024, 12, 31)),
    # variants
    ("4E KWARTAAL", 2021, P, d(2021, 10, 1), d(2021, 12, 31)),
    ("4 e  kwartaal.", 2021, P, d(2021, 10, 1), d(2021, 12, 31)),
    ("vierde kwartaal", 2021, P, d(2021, 10, 1), d(2021, 12, 31)),
    ("Q3 2024", 2021, P, d(2024, 7, 1), d(2024, 9, 30)),
    ("Start 2e kwartaal", 2021, P, d(2021, 4, 1), None),
    ("continu.", 2021, C, d(2021, 1, 1), d(2021, 12, 31)),
    ("Doorlopend", 2021, C, d(2021, 1, 1), d(2021, 12, 31)),
    ("4x per jaar", 2021, R, d(2021, 1, 1), d(2021, 12, 31)),
    ("jaarlijks", 2021, R, d(2021, 1, 1), d(2021, 12, 31)),
    ("April en november", 2021, TimingKind.MOMENTS, d(2021, 4, 1), d(2021, 11, 30)),
    ("najaar", 2021, P, d(2021, 9, 1), d(2021, 11, 30)),
    ("Eind 2021", 2021, P, d(2021, 10, 1), d(2021, 12, 31)),
    ("2021 – 2025", 2021, P, d(2021, 1, 1), d(2025, 12, 31)),
    ("Fébruari", 2021, P, d(2021, 2, 1), d(2021, 2, 28)),
]


@pytest.mark.parametrize(("text", "year", "kind", "start", "end"), CASES)
def test_timing_phrases_are_read_relative_to_the_plan_year(
    text: str, year: int, kind: TimingKind, start: date, end: date | None
) -> None:
    timing = parse_timing(text, year)
    assert (timing.kind, timing.start, timing.end) == (kind, start, end)
    assert timing.text == text.strip()


@pytest.mark.parametrize("text", ["Bij Go", "zodra het meerjarenplan er is", "n.t.b."])
def test_unreadable_text_is_kept_and_flagged_never_guessed(text: str) -> None:
    timing = parse_timing(text, 2021)
    assert timing.kind is U and timing.start is None and timing.text == text


def test_frequencies_are_kept() -> None:
    assert parse_timing("2 x per jaar", 2021).per_year == 2
    assert parse_timing("1x per 2 jaar", 2021).per_year == 0.5


def test_empty_text_is_empty() -> None:
    assert parse_timing("  ", 2021).kind is TimingKind.EMPTY


def test_overlap_and_due_within_a_quarter() -> None:
    q4 = quarter_bounds(2021, 4)
    q2 = quarter_bounds(2021, 2)
    fourth = parse_timing("4e kwartaal", 2021)
    assert fourth.overlaps(*q4) and not fourth.overlaps(*q2)
    assert fourth.ends_within(*q4) and not fourth.ends_within(*q2)
    open_ended = parse_timing("Start najaar 2020", 2021)
    assert open_ended.overlaps(*q2) and not open_ended.ends_within(*q4)
    assert not parse_timing("Bij Go", 2021).overlaps(*q2)
