"""The overdue rule on the day before, of and after a deadline, and the attention order."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.attention import Attention, attention, is_overdue
from tracker.domain.status import Status
from tracker.domain.timing import Timing, TimingKind, parse_timing

Q2 = parse_timing("2e kwartaal", 2021)  # ends 30 June 2021


@pytest.mark.parametrize(
    ("today", "overdue"),
    [(date(2021, 6, 29), False), (date(2021, 6, 30), False), (date(2021, 7, 1), True)],
)
def test_overdue_from_the_day_after_the_deadline(today: date, overdue: bool) -> None:
    assert Q2.end == date(2021, 6, 30)
    assert is_overdue(Q2, Status.LOPEND, today) is overdue


@pytest.mark.parametrize("status", [s for s in Status if not s.is_open])
def test_closed_activities_are_never_overdue(status: Status) -> None:
    assert not is_overdue(Q2, status, date(2022, 1, 1))
    assert attention(Q2, status, date(2022, 1, 1)) is Attention.CLOSED


@pytest.mark.parametrize(
    "timing",
    [
        parse_timing("Start najaar 2020", 2021),
        parse_timing("ergens dit jaar misschien", 2021),
        parse_timing("", 2021),
    ],
)
def test_without_an_end_never_overdue(timing: Timing) -> None:
    assert timing.end is None
    assert not is_overdue(timing, Status.GEPLAND, date(2030, 1, 1))


def test_continuous_work_is_overdue_after_its_plan_year_only() -> None:
    continuous = parse_timing("Continu", 2021)
    assert continuous.kind is TimingKind.CONTINUOUS
    assert attention(continuous, Status.LOPEND, date(2021, 12, 31)) is Attention.DUE_NOW
    assert attention(continuous, Status.LOPEND, date(2021, 5, 1)) is Attention.ACTIVE_NOW
    assert attention(continuous, Status.LOPEND, date(2022, 1, 1)) is Attention.OVERDUE


def test_order_overdue_then_due_then_active_then_later() -> None:
    today = date(2021, 5, 10)  # second quarter
    found = {
        text: attention(parse_timing(text, 2021), Status.GEPLAND, today)
        for text in ("1e kwartaal", "2e kwartaal", "2021-2022", "4e kwartaal")
    }
    assert found == {
        "1e kwartaal": Attention.OVERDUE,
        "2e kwartaal": Attention.DUE_NOW,
        "2021-2022": Attention.ACTIVE_NOW,
        "4e kwartaal": Attention.LATER,
    }
    assert sorted(found.values()) == list(found.values())
