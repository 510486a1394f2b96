"""Every "Wanneer" / "Looptijd" phrase of the real plans, the issue's phrases and their variants.

Each row states what a coordinator would expect the phrase to mean in a plan of the given year:
the kind of timing, its first and last day and (for recurring work) how often a year. The
EDGE_CASES rows were once misread (a whole year for "Okt. 2021", continuous for
"Gecontinueerd"): they stay as regression tests.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tracker.domain.timing import Timing, TimingKind, parse_timing
from tracker.importing.document_text import read_document_text

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"

P = TimingKind.PERIOD
C = TimingKind.CONTINUOUS
R = TimingKind.RECURRING
E = TimingKind.EMPTY
U = TimingKind.UNPARSED
M = TimingKind.MOMENTS
d = date


def row(
    text: str,
    year: int,
    kind: TimingKind,
    start: date | None = None,
    end: date | None = None,
    per_year: float | None = None,
    *,
    id: str,
    marks: Any = (),
) -> Any:
    return pytest.param(text, year, kind, start, end, per_year, id=id, marks=marks)


# Phrases as they are written in /work/shared/plans (copies in tests/fixtures/plans).
PLAN_PHRASES = [
    row("4e kwartaal", 2021, P, d(2021, 10, 1), d(2021, 12, 31), id="plan-4e-kwartaal"),
    row("Continu", 2021, C, d(2021, 1, 1), d(2021, 12, 31), id="plan-continu"),
    row("2021-2025", 2021, P, d(2021, 1, 1), d(2025, 12, 31), id="plan-2021-2025"),
    row("2021", 2021, P, d(2021, 1, 1), d(2021, 12, 31), id="plan-2021"),
    row("1e kwartaal 2021", 2021, P, d(2021, 1, 1), d(2021, 3, 31), id="plan-1e-kwartaal-2021"),
    row("Start najaar 2020.", 2021, P, d(2020, 9, 1), None, id="plan-start-najaar-2020"),
    row("Voorjaar 2021", 2021, P, d(2021, 3, 1), d(2021, 5, 31), id="plan-voorjaar-2021"),
    row("Oktober", 2021, P, d(2021, 10, 1), d(2021, 10, 31), id="plan-oktober"),
    row("2 x per jaar", 2021, R, d(2021, 1, 1), d(2021, 12, 31), 2.0, id="plan-2-x-per-jaar"),
    row("Tot september 2024", 2024, P, d(2024, 1, 1), d(2024, 9, 30), id="plan-tot-sept-2024"),
    row(
        "Q1 start pilot tot en met september 2024",
        2024,
        P,
        d(2024, 1, 1),
        d(2024, 9, 30),
        id="plan-q1-start-pilot-tot-en-met-sept-2024",
    ),  # fmt: skip
    row("2024", 2024, P, d(2024, 1, 1), d(2024, 12, 31), id="plan-2024"),
]

# The phrases named in the issue.
ISSUE_PHRASES = [
    row("Q1", 2021, P, d(2021, 1, 1), d(2021, 3, 31), id="issue-q1"),
    row("Start 2e kwartaal", 2021, P, d(2021, 4, 1), None, id="issue-start-2e-kwartaal"),
    row("najaar", 2021, P, d(2021, 9, 1), d(2021, 11, 30), id="issue-najaar"),
    row("April en november", 2021, M, d(2021, 4, 1), d(2021, 11, 30), id="issue-april-en-nov"),
    row("4x per jaar", 2021, R, d(2021, 1, 1), d(2021, 12, 31), 4.0, id="issue-4x-per-jaar"),
    row("jaarlijks", 2021, R, d(2021, 1, 1), d(2021, 12, 31), 1.0, id="issue-jaarlijks"),
    row("vierde kwartaal", 2021, P, d(2021, 10, 1), d(2021, 12, 31), id="issue-vierde-kwartaal"),
]

# Case, spacing, punctuation and diacritics do not change the meaning.
VARIANTS = [
    row("4E KWARTAAL", 2021, P, d(2021, 10, 1), d(2021, 12, 31), id="case-4E-KWARTAAL"),
    row("4 e kwartaal", 2021, P, d(2021, 10, 1), d(2021, 12, 31), id="space-4-e-kwartaal"),
    row("4e   kwartaal", 2021, P, d(2021, 10, 1), d(2021, 12, 31), id="space-4e-wide-kwartaal"),
    row("4\u1d49 kwartaal", 2021, P, d(2021, 10, 1), d(2021, 12, 31), id="superscript-e"),
    row("4e kwartaal", 2024, P, d(2024, 10, 1), d(2024, 12, 31), id="plan-year-2024"),
    row(" Continu ", 2021, C, d(2021, 1, 1), d(2021, 12, 31), id="space-continu"),
    row("CONTINU", 2021, C, d(2021, 1, 1), d(2021, 12, 31), id="case-CONTINU"),
    row("continu.", 2021, C, d(2021, 1, 1), d(2021, 12, 31), id="punct-continu-dot"),
    row("Continú", 2021, C, d(2021, 1, 1), d(2021, 12, 31), id="accent-continu"),
    row("Doorlopend", 2021, C, d(2021, 1, 1), d(2021, 12, 31), id="doorlopend"),
    row("Het hele jaar", 2021, C, d(2021, 1, 1), d(2021, 12, 31), id="het-hele-jaar"),
    row("Oktober.", 2021, P, d(2021, 10, 1), d(2021, 10, 31), id="punct-oktober-dot"),
    row("OKTOBER", 2021, P, d(2021, 10, 1), d(2021, 10, 31), id="case-OKTOBER"),
    row("óktober", 2021, P, d(2021, 10, 1), d(2021, 10, 31), id="accent-oktober"),
    row("Fébruari", 2021, P, d(2021, 2, 1), d(2021, 2, 28), id="accent-februari"),
    row("Vóórjaar 2021", 2021, P, d(2021, 3, 1), d(2021, 5, 31), id="accent-voorjaar"),
    row("2021 - 2025", 2021, P, d(2021, 1, 1), d(2025, 12, 31), id="punct-range-spaced"),
    row("2021\u20132025", 2021, P, d(2021, 1, 1), d(2025, 12, 31), id="punct-range-en-dash"),
    row("2021 \u2014 2025", 2021, P, d(2021, 1, 1), d(2025, 12, 31), id="punct-range-em-dash"),
    row("2021 t/m 2025", 2021, P, d(2021, 1, 1), d(2025, 12, 31), id="range-t-m"),
    row("Start najaar 2020", 2021, P, d(2020, 9, 1), None, id="punct-start-najaar-no-dot"),
    row("2 X PER JAAR", 2021, R, d(2021, 1, 1), d(2021, 12, 31), 2.0, id="case-2-X-PER-JAAR"),
    row("2x per jaar", 2021, R, d(2021, 1, 1), d(2021, 12, 31), 2.0, id="space-2x-per-jaar"),
    row("2\u00a0x per jaar", 2021, R, d(2021, 1, 1), d(2021, 12, 31), 2.0, id="nbsp-2-x"),
    row("2 keer per jaar", 2021, R, d(2021, 1, 1), d(2021, 12, 31), 2.0, id="2-keer-per-jaar"),
    row("Jaarlijks.", 2021, R, d(2021, 1, 1), d(2021, 12, 31), 1.0, id="punct-jaarlijks"),
    row("Halfjaarlijks", 2021, R, d(2021, 1, 1), d(2021, 12, 31), 2.0, id="halfjaarlijks"),
    row("maandelijks", 2021, R, d(2021, 1, 1), d(2021, 12, 31), 12.0, id="maandelijks"),
    row("per kwartaal", 2021, R, d(2021, 1, 1), d(2021, 12, 31), 4.0, id="per-kwartaal"),
    row("1x per 2 jaar", 2021, R, d(2021, 1, 1), d(2021, 12, 31), 0.5, id="1x-per-2-jaar"),
    row("q4 2021", 2021, P, d(2021, 10, 1), d(2021, 12, 31), id="case-q4-2021"),
    row("Q 3", 2021, P, d(2021, 7, 1), d(2021, 9, 30), id="space-q-3"),
    row("Q1 2022", 2021, P, d(2022, 1, 1), d(2022, 3, 31), id="quarter-of-next-year"),
    row("eerste kwartaal", 2021, P, d(2021, 1, 1), d(2021, 3, 31), id="eerste-kwartaal"),
    row("Q1 t/m Q3", 2021, P, d(2021, 1, 1), d(2021, 9, 30), id="q1-t-m-q3"),
    row("Tot en met 2e kwartaal", 2021, P, d(2021, 1, 1), d(2021, 6, 30), id="tot-en-met-q2"),
    row("TOT SEPTEMBER 2024", 2024, P, d(2024, 1, 1), d(2024, 9, 30), id="case-TOT-SEPT"),
    row("tot  september  2024 .", 2024, P, d(2024, 1, 1), d(2024, 9, 30), id="space-tot-sept"),
    row("uiterlijk juni", 2021, P, d(2021, 1, 1), d(2021, 6, 30), id="uiterlijk-juni"),
    row("Vanaf maart", 2021, P, d(2021, 3, 1), None, id="vanaf-maart"),
    row("Eind 2021", 2021, P, d(2021, 10, 1), d(2021, 12, 31), id="eind-2021"),
    row("medio 2021", 2021, P, d(2021, 6, 1), d(2021, 7, 31), id="medio-2021"),
    row(
        "september 2020 - juni 2021",
        2021,
        P,
        d(2020, 9, 1),
        d(2021, 6, 30),
        id="month-range-over-years",
    ),  # fmt: skip
]

# Phrases a user reads differently from the parser today (product bugs, see the reasons).
EDGE_CASES = [
    row(
        "Begin 2021",
        2021,
        P,
        d(2021, 1, 1),
        d(2021, 3, 31),
        id="begin-2021",
    ),  # fmt: skip
    row(
        "Okt. 2021",
        2021,
        P,
        d(2021, 10, 1),
        d(2021, 10, 31),
        id="abbreviated-month-dot",
    ),  # fmt: skip
    row(
        "Tot sept. 2024",
        2024,
        P,
        d(2024, 1, 1),
        d(2024, 9, 30),
        id="tot-sept-dot-2024",
    ),  # fmt: skip
    row(
        "Gecontinueerd in 2022",
        2021,
        P,
        d(2022, 1, 1),
        d(2022, 12, 31),
        id="gecontinueerd-is-not-continu",
    ),  # fmt: skip
    row(
        "Voor 1 juli",
        2021,
        P,
        d(2021, 1, 1),
        d(2021, 6, 30),
        id="voor-1-juli",
    ),  # fmt: skip
    row(
        "Start: januari 2021",
        2021,
        P,
        d(2021, 1, 1),
        None,
        id="start-colon",
    ),  # fmt: skip
]


@pytest.mark.parametrize(
    ("text", "year", "kind", "start", "end", "per_year"),
    PLAN_PHRASES + ISSUE_PHRASES + VARIANTS + EDGE_CASES,
)
def test_a_timing_phrase_is_read_as_a_user_would_read_it_in_the_plan_year(
    text: str,
    year: int,
    kind: TimingKind,
    start: date | None,
    end: date | None,
    per_year: float | None,
) -> None:
    timing = parse_timing(text, year)
    assert (timing.kind, timing.start, timing.end, timing.per_year) == (
        kind,
        start,
        end,
        per_year,
    )
    assert timing.text == text.strip()


@pytest.mark.parametrize(
    ("text", "precise_start", "precise_end"),
    [
        pytest.param(
            "2e helft 2021", d(2021, 7, 1), d(2021, 12, 31), id="2e-helft-2021",
        ),
        pytest.param(
            "01-10-2021", d(2021, 10, 1), d(2021, 10, 1), id="dd-mm-yyyy-date",
        ),
    ],
)  # fmt: skip
def test_a_phrase_is_read_precisely_or_left_unparsed_but_never_widened(
    text: str, precise_start: date, precise_end: date
) -> None:
    timing = parse_timing(text, 2021)
    assert timing.kind is U or (timing.start, timing.end) == (precise_start, precise_end)


@pytest.mark.parametrize(
    "text",
    [
        "n.t.b.",
        "zodra het plan is goedgekeurd",
        "in overleg",
        "nog niet bekend",
        "Bij Go",
        "Wanneer nodig",
        "Tot nader order",
        "nvt",
        "Zie boven",
        "?",
        "-",
        "Q5",
        "5e kwartaal",
        "week 12",
        pytest.param(
            "...",
        ),
    ],
)
def test_a_phrase_that_cannot_be_read_with_certainty_is_unparsed_and_never_guessed(
    text: str,
) -> None:
    timing = parse_timing(text, 2021)
    assert timing == Timing(text, U, None, None, None)


@pytest.mark.parametrize(
    "text", ["", "   ", "\t\n", "\u00a0"], ids=["empty", "spaces", "tab-nl", "nbsp"]
)
def test_nothing_written_is_empty_and_has_no_period(text: str) -> None:
    timing = parse_timing(text, 2021)
    assert timing == Timing("", E, None, None, None)


@pytest.mark.parametrize(
    "text",
    ["Start najaar 2020.", "4 e  kwartaal", "TOT SEPTEMBER 2024", "Vóórjaar 2021", "n.t.b.",
     "2021\u20132025", "Q1 start pilot tot en met september 2024"],
)  # fmt: skip
def test_the_original_words_are_kept_verbatim_apart_from_surrounding_whitespace(
    text: str,
) -> None:
    assert parse_timing(f"  {text}\n", 2024).text == text


def test_the_plan_year_anchors_phrases_without_a_year() -> None:
    assert parse_timing("Oktober", 2021).start == d(2021, 10, 1)
    assert parse_timing("Oktober", 2024).start == d(2024, 10, 1)
    assert parse_timing("Oktober 2022", 2024).start == d(2022, 10, 1)


def test_the_table_covers_every_wanneer_phrase_of_the_real_plans() -> None:
    table = {(p.values[0], p.values[1]) for p in PLAN_PHRASES}
    in_plans = set()
    for name, year in (("000_7270eda182fee902.txt", 2021), ("001_f9c4893a761be112.txt", 2024)):
        found = read_document_text((PLANS / name).read_text(encoding="utf-8"))
        in_plans |= {(activity.wanneer, year) for activity in found.activities}
    assert in_plans == table


@pytest.mark.parametrize(
    ("text", "per_year"),
    [("twee keer per jaar", 2.0), ("Een keer per jaar", 1.0), ("vier maal per jaar", 4.0)],
)
def test_frequencies_written_in_words_are_read(text: str, per_year: float) -> None:
    timing = parse_timing(text, 2021)
    assert (timing.kind, timing.per_year) == (R, per_year)
