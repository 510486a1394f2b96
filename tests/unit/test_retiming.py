"""Re-timing a "Wanneer" at the year-end carry-over: every kind the parser reads."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tracker.domain.retiming import Retiming, retime
from tracker.domain.timing import TimingKind, parse_timing

MOVED, KEPT, EMPTY = Retiming.MOVED, Retiming.KEPT, Retiming.EMPTY
UNREADABLE, ENDED = Retiming.UNREADABLE, Retiming.ENDED

CASES = [
    # (wanneer in the old plan, old year, new year, proposed wanneer, how)
    ("4e kwartaal", 2021, 2022, "4e kwartaal 2022", MOVED),  # a quarter of the old year
    ("1e kwartaal 2021", 2021, 2022, "1e kwartaal 2022", MOVED),
    ("Q3", 2021, 2022, "Q3 2022", MOVED),
    ("Oktober", 2021, 2022, "Oktober 2022", MOVED),  # a month
    ("april en november", 2021, 2022, "april en november 2022", MOVED),
    ("Voorjaar 2021", 2021, 2022, "Voorjaar 2022", MOVED),  # a season
    ("najaar.", 2021, 2022, "najaar 2022", MOVED),
    ("2e helft", 2021, 2022, "2e helft 2022", MOVED),  # a half
    ("15-03-2021", 2021, 2022, "15-03-2022", MOVED),  # a day
    ("1 juli", 2021, 2022, "1 juli 2022", MOVED),
    ("29-02-2024", 2024, 2025, "28-02-2025", MOVED),  # no 29 February in the new year
    ("2021", 2021, 2022, "2022", MOVED),  # a bare old year → the new year
    ("Eind 2021", 2021, 2022, "Eind 2022", MOVED),
    ("2021", 2021, 2023, "2023", MOVED),  # into a later plan than the next
    ("Tot september 2021", 2021, 2022, "Tot september 2022", MOVED),  # a passed deadline
    ("Tot september 2024", 2024, 2025, "Tot september 2025", MOVED),
    (
        "Q1 start pilot tot en met september 2024",
        2024,
        2025,
        "Q1 start pilot tot en met september 2025",
        MOVED,
    ),  # fmt: skip
    ("2020-2021", 2021, 2022, "2020-2022", MOVED),  # a range that ends: its end moves
    ("2021-2025", 2021, 2022, "2021-2025", KEPT),  # a range that still runs stays
    ("Start najaar 2020.", 2021, 2022, "Start najaar 2020.", KEPT),  # goes on
    ("Start 2e kwartaal", 2021, 2022, "Start 2e kwartaal 2021", KEPT),  # its start kept
    ("Continu", 2021, 2022, "Continu", KEPT),
    ("2 x per jaar", 2021, 2022, "2 x per jaar", KEPT),
    ("jaarlijks", 2021, 2022, "jaarlijks", KEPT),
    ("2022", 2021, 2022, "2022", KEPT),  # already about the new year
    ("", 2021, 2022, "", EMPTY),
    ("Bij Go", 2021, 2022, "Bij Go", UNREADABLE),  # unreadable: stays, flagged
    ("n.t.b.", 2021, 2022, "n.t.b.", UNREADABLE),
    ("2019", 2021, 2022, "2019", ENDED),  # long past, no old year to move: flagged
]


@pytest.mark.parametrize(("text", "old", "new", "proposed", "how"), CASES)
def test_each_kind_of_wanneer_is_re_timed_into_the_new_year(
    text: str, old: int, new: int, proposed: str, how: Retiming
) -> None:
    retimed = retime(text, old, new)
    assert (retimed.text, retimed.how) == (proposed, how)
    assert retimed.needs_check == (how in (UNREADABLE, ENDED))


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("4e kwartaal", date(2022, 10, 1), date(2022, 12, 31)),
        ("2021", date(2022, 1, 1), date(2022, 12, 31)),
        ("Tot september 2021", date(2022, 1, 1), date(2022, 9, 30)),
        ("Voorjaar 2021", date(2022, 3, 1), date(2022, 5, 31)),
        ("2021-2025", date(2021, 1, 1), date(2025, 12, 31)),
        ("Start 2e kwartaal", date(2021, 4, 1), None),
    ],
)
def test_the_proposal_reads_as_the_intended_period_in_the_new_plan(
    text: str, start: date, end: date | None
) -> None:
    timing = parse_timing(retime(text, 2021, 2022).text, 2022)
    assert (timing.kind, timing.start, timing.end) == (TimingKind.PERIOD, start, end)


MONTH_NAMES = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
               "september", "oktober", "november", "december", "okt", "sept", "feb"]  # fmt: skip


def moments() -> st.SearchStrategy[str]:
    """A moment as the plans write it, without its year."""
    return st.one_of(
        st.integers(1, 4).map(lambda q: f"{q}e kwartaal"),
        st.integers(1, 4).map(lambda q: f"Q{q}"),
        st.sampled_from(["eerste", "tweede", "derde", "vierde"]).map(lambda w: f"{w} kwartaal"),
        st.sampled_from(MONTH_NAMES),
        st.sampled_from(["voorjaar", "zomer", "najaar", "herfst", "winter", "lente"]),
        st.sampled_from(["1e helft", "2e helft", "eerste helft", "tweede helft"]),
        st.tuples(st.integers(1, 28), st.sampled_from(MONTH_NAMES[:12])).map(
            lambda dm: f"{dm[0]} {dm[1]}"
        ),
    )


@st.composite
def wanneer_of(draw: st.DrawFn, year: int) -> str:
    """A "Wanneer" of the plan of `year`: moments with or without that year, a bare year,
    a day, with the words the plans put around them."""
    written = lambda m: f"{m} {year}" if draw(st.booleans()) else m  # noqa: E731
    one = st.one_of(
        moments().map(written),
        st.just(str(year)),
        st.sampled_from(["eind", "begin", "medio"]).map(lambda e: f"{e} {year}"),
        st.tuples(st.integers(1, 29), st.integers(1, 12)).map(
            lambda dm: (
                f"{dm[0]:02d}-{dm[1]:02d}-{year}"
                if dm[0] < 29 or dm[1] != 2 or year % 4 == 0
                else f"28-02-{year}"
            )
        ),
    )
    prefix = draw(
        st.sampled_from(["", "Tot ", "tot en met ", "uiterlijk ", "Afronding ", "Start "])
    )
    parts = draw(st.lists(one, min_size=1, max_size=3))
    suffix = draw(st.sampled_from(["", ".", " (evaluatie)", ", daarna evaluatie"]))
    return prefix + " en ".join(parts) + suffix


@given(
    st.integers(2000, 2090).flatmap(
        lambda y: st.tuples(st.just(y), wanneer_of(y), st.integers(1, 3))
    )
)
def test_a_period_of_the_old_year_is_proposed_inside_the_new_year(
    case: tuple[int, str, int],
) -> None:
    old, text, step = case
    new = old + step
    before = parse_timing(text, old)
    assume(before.kind is TimingKind.PERIOD and before.start and before.end)  # a period…
    assume(date(old, 1, 1) <= before.start <= before.end <= date(old, 12, 31))  # type: ignore[operator]
    retimed = retime(text, old, new)
    after = parse_timing(retimed.text, new)
    assert retimed.how is MOVED
    assert after.kind is TimingKind.PERIOD
    assert after.overlaps(date(new, 1, 1), date(new, 12, 31)), (text, retimed.text)


@given(st.text(max_size=60), st.integers(2000, 2090), st.integers(1, 3))
def test_any_text_is_re_timed_without_error_and_unreadable_text_is_kept(
    text: str, old: int, step: int
) -> None:
    retimed = retime(text, old, old + step)
    if parse_timing(text, old).kind is TimingKind.UNPARSED:
        assert retimed.text == text.strip() and retimed.needs_check
