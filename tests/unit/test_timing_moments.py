"""Several moments ("april en november") stay several moments; a start without an end is
flagged; what a "Wanneer" was read as is shown; an edited "Wanneer" is read again."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.attention import Attention, attention
from tracker.domain.status import Status
from tracker.domain.timing import TimingKind, describe_timing, parse_timing
from tracker.importing.draft import Draft, FoundActivity, FoundPlan, build_draft
from tracker.importing.report import describe_draft
from tracker.importing.review import ActivityChoice, ReviewRefused, apply_review
from tracker.models import Activity
from tracker.queries import timing_of

d = date
M, P = TimingKind.MOMENTS, TimingKind.PERIOD
APRIL, JUNE, NOVEMBER = (
    (d(2021, 4, 1), d(2021, 4, 30)),
    (d(2021, 6, 1), d(2021, 6, 30)),
    (
        d(2021, 11, 1),
        d(2021, 11, 30),
    ),
)
Q1, Q2, Q3 = (
    (d(2021, 1, 1), d(2021, 3, 31)),
    (d(2021, 4, 1), d(2021, 6, 30)),
    (
        d(2021, 7, 1),
        d(2021, 9, 30),
    ),
)


@pytest.mark.parametrize(
    ("text", "moments"),
    [
        ("april en november", (APRIL, NOVEMBER)),
        ("April & November", (APRIL, NOVEMBER)),
        ("november en april", (APRIL, NOVEMBER)),  # in the order of the year
        (
            "maart, juni en september",
            ((d(2021, 3, 1), d(2021, 3, 31)), JUNE, (d(2021, 9, 1), d(2021, 9, 30))),
        ),  # fmt: skip
        ("Q1 en Q3", (Q1, Q3)),
        ("Q1, Q3", (Q1, Q3)),
        ("1e en 3e kwartaal", (Q1, Q3)),
        ("1e, 2e en 3e kwartaal", (Q1, Q2, Q3)),
        ("april 2021 en november 2021", (APRIL, NOVEMBER)),
    ],
)
def test_several_moments_are_moments_not_one_span(
    text: str, moments: tuple[tuple[date, date], ...]
) -> None:
    timing = parse_timing(text, 2021)
    assert timing.kind is M
    assert timing.moments == moments
    assert (timing.start, timing.end) == (moments[0][0], moments[-1][1])  # due with the last


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("april - november", d(2021, 4, 1), d(2021, 11, 30)),
        ("april t/m november", d(2021, 4, 1), d(2021, 11, 30)),
        ("1e - 2e kwartaal", d(2021, 1, 1), d(2021, 6, 30)),
        ("Q1 start pilot tot en met september 2021", d(2021, 1, 1), d(2021, 9, 30)),
    ],
)
def test_a_range_between_two_moments_stays_one_period(text: str, start: date, end: date) -> None:
    timing = parse_timing(text, 2021)
    assert (timing.kind, timing.start, timing.end, timing.moments) == (P, start, end, ())


def test_between_moments_the_activity_is_not_active() -> None:
    timing = parse_timing("april en november", 2021)
    assert timing.overlaps(*APRIL) and timing.overlaps(*NOVEMBER)
    assert not timing.overlaps(d(2021, 7, 1), d(2021, 9, 30))  # Q3: between the moments
    open_now = Status.LOPEND
    assert attention(timing, open_now, d(2021, 8, 15)) is Attention.LATER
    assert attention(timing, open_now, d(2021, 10, 15)) is Attention.DUE_NOW
    assert attention(timing, open_now, d(2021, 12, 1)) is Attention.OVERDUE


@pytest.mark.parametrize("text", ["start 2e kwartaal", "Vanaf april", "Start najaar 2020."])
def test_a_start_without_an_end_is_open_ended_and_flagged(text: str) -> None:
    timing = parse_timing(text, 2021)
    assert timing.open_ended and timing.end is None
    draft = build_draft(_found(text), network_slug="twente", network_name="Twente")
    assert _about_when(draft) == [
        f"'When' gives a start but no end: {text!r}; the activity is never due until an end "
        "is added"
    ]


def test_a_span_or_moments_are_not_flagged_as_open_ended() -> None:
    for text in ("april en november", "2e kwartaal", "Continu"):
        assert not parse_timing(text, 2021).open_ended
        assert _about_when(build_draft(_found(text), network_slug="t", network_name="T")) == []


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        (
            "april en november",
            "2 moments: 1-4-2021 – 30-4-2021, 1-11-2021 – 30-11-2021; due with the last",
        ),  # fmt: skip
        ("vanaf april", "from 1-4-2021, without an end"),
        ("4e kwartaal", "1-10-2021 – 31-12-2021"),
        ("Continu", "continuous, 1-1-2021 – 31-12-2021"),
        ("2 x per jaar", "2 times a year, 1-1-2021 – 31-12-2021"),
        ("Q5 2O21 ergens", "not recognised"),
        ("", "no date given"),
    ],
)
def test_what_a_wanneer_was_read_as_is_described(text: str, read_as: str) -> None:
    assert str(describe_timing(parse_timing(text, 2021))) == read_as


def _about_when(draft: Draft) -> list[str]:
    return [str(w.message) for w in draft.warnings if "'When'" in str(w.message)]


def _found(wanneer: str) -> FoundPlan:
    activity = FoundActivity("Coördinatie", "Overleg", wie="Twente", wanneer=wanneer)
    return FoundPlan([activity], year=2021)


def _choice(wanneer: str) -> ActivityChoice:
    return ActivityChoice(keep=True, title="Overleg", theme="Coördinatie", wanneer=wanneer)


def test_an_edited_wanneer_that_cannot_be_read_is_refused_not_stored() -> None:
    draft = build_draft(_found("4e kwartaal"), network_slug="t", network_name="Twente")
    with pytest.raises(ReviewRefused) as refused:
        apply_review(draft, [_choice("Q5 2O21 ergens")], [])
    assert [str(p) for p in refused.value.problems] == [
        "activity 1: 'When' 'Q5 2O21 ergens' is not recognised; write for example "
        "'2e kwartaal', 'april en november', 'vanaf maart' or leave it empty"
    ]
    for readable in ("april en november", "vanaf maart", "", "4e kwartaal"):
        assert apply_review(draft, [_choice(readable)], []).activities[0].wanneer == readable


def test_an_unreadable_wanneer_left_as_the_plan_wrote_it_is_kept_with_its_warning() -> None:
    draft = build_draft(_found("zodra het kan"), network_slug="t", network_name="Twente")
    assert "not recognised" in str(draft.warnings[0])
    assert apply_review(draft, [_choice("zodra het kan")], []).activities[0].wanneer == (
        "zodra het kan"
    )


def test_stored_moments_are_read_again_when_an_activity_is_listed() -> None:
    activity = Activity(
        id="a", plan_id=1, theme_id=1, title="Overleg", wanneer="april en november",
        timing_kind="moments", period_start=d(2021, 4, 1), period_end=d(2021, 11, 30),
    )  # fmt: skip
    assert timing_of(activity).moments == (APRIL, NOVEMBER)
    assert not timing_of(activity).overlaps(d(2021, 7, 1), d(2021, 9, 30))


def test_the_dry_run_lists_each_moment() -> None:
    draft = build_draft(_found("april en november"), network_slug="t", network_name="Twente")
    assert (
        "when: 'april en november' → moments 2021-04-01..2021-11-30 "
        "(2021-04-01..2021-04-30, 2021-11-01..2021-11-30)"
    ) in describe_draft(draft)
