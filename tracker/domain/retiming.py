"""Re-timing a "Wanneer" at the year-end carry-over: the proposed timing in the new plan.

Work carried from the plan of `old_year` into the plan of `new_year` keeps its own words where
they still hold, and has them moved into the new year where they had run out:

- a quarter, month, season, half or day of the old year → the same in the new year
  ("4e kwartaal" → "4e kwartaal 2022", "Voorjaar 2021" → "Voorjaar 2022", "2021" → "2022");
- a deadline that has passed → the same moment of the new year ("Tot september 2021" →
  "Tot september 2022");
- a period that still runs in the new year stays ("2021-2025"), as do "Continu" and
  recurring work ("2 x per jaar"), and work started earlier that goes on ("Start najaar
  2020"; "Start 2e kwartaal" gets its start year, so it is not read as the new year's);
- text that cannot be read stays as it is and is flagged, as is a period that ended before
  the old year and has no old year to move.

The proposal is checked by reading it again (`parse_timing`) in the new year; where that
fails the original text is kept and flagged. A person can always edit the proposal.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tracker.domain.timing import Timing, TimingKind, ends_with_moment, parse_timing

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_TRAILING = " .,;:!"
# A 29 February written as a day: "29-02-2024", "29/2/2024", "29 februari 2024", "29 feb".
_LEAP_NUMERIC = re.compile(r"\b29(?P<sep>[-/.])(?P<m>0?2)(?P=sep)(?P<y>(?:19|20)\d\d)\b")
_LEAP_NAMED = re.compile(r"\b29(?P<gap>\s+)(?P<m>februari|feb)\b(?:\s+(?P<y>(?:19|20)\d\d))?", re.I)


class Retiming(StrEnum):
    MOVED = "moved"  # moved into the new year
    KEPT = "kept"  # still holds in the new year: left as it was
    EMPTY = "empty"  # nothing was written
    UNREADABLE = "unreadable"  # could not be read: kept, to be checked
    ENDED = "ended"  # a period that ended before the old year: kept, to be checked


@dataclass(frozen=True)
class RetimedWanneer:
    """The proposed "Wanneer" in the new plan and how it came about."""

    text: str
    how: Retiming

    @property
    def needs_check(self) -> bool:
        """A person should look at it: it was kept because it could not be moved."""
        return self.how in (Retiming.UNREADABLE, Retiming.ENDED)


def retime(text: str, old_year: int, new_year: int) -> RetimedWanneer:
    """The "Wanneer" `text` of the plan of `old_year`, proposed for the plan of `new_year`."""
    original = text.strip()
    timing = parse_timing(original, old_year)
    if timing.kind is TimingKind.EMPTY:
        return RetimedWanneer(original, Retiming.EMPTY)
    if timing.kind is TimingKind.UNPARSED or timing.start is None:
        return RetimedWanneer(original, Retiming.UNREADABLE)
    if timing.kind in (TimingKind.CONTINUOUS, TimingKind.RECURRING):
        return RetimedWanneer(original, Retiming.KEPT)
    has_year = _YEAR.search(original) is not None
    if timing.end is None:  # started, and goes on: say when it started
        if has_year or not ends_with_moment(original):
            return RetimedWanneer(original, Retiming.KEPT)
        return RetimedWanneer(_with_year(original, old_year), Retiming.KEPT)
    if timing.end >= date(new_year, 1, 1):  # still runs in the new year
        return RetimedWanneer(original, Retiming.KEPT)
    if has_year:
        proposal = _YEAR.sub(
            lambda m: str(new_year) if m.group(0) == str(old_year) else m.group(0), original
        )
    elif ends_with_moment(original):
        proposal = _with_year(original, new_year)
    else:  # read relative to the plan's year, so it already means the new year
        proposal = original
    proposal = _valid_days(proposal, new_year)
    if _within(parse_timing(proposal, new_year), new_year):
        return RetimedWanneer(proposal, Retiming.MOVED)
    ended = timing.end < date(old_year, 1, 1)
    return RetimedWanneer(original, Retiming.ENDED if ended else Retiming.UNREADABLE)


def _with_year(text: str, year: int) -> str:
    return f"{text.rstrip(_TRAILING)} {year}"


def _within(timing: Timing, year: int) -> bool:
    """Whether the timing is a period that overlaps the year."""
    return timing.kind in (TimingKind.PERIOD, TimingKind.MOMENTS) and timing.overlaps(
        date(year, 1, 1), date(year, 12, 31)
    )


def _valid_days(text: str, year: int) -> str:
    """A 29 February of the new year made the 28th when that year has none."""
    if calendar.isleap(year):
        return text

    def numeric(match: re.Match[str]) -> str:
        if int(match.group("y")) != year:
            return match.group(0)
        return f"28{match.group('sep')}{match.group('m')}{match.group('sep')}{match.group('y')}"

    def named(match: re.Match[str]) -> str:
        if match.group("y") is not None and int(match.group("y")) != year:
            return match.group(0)
        return "28" + match.group(0)[2:]

    return _LEAP_NAMED.sub(named, _LEAP_NUMERIC.sub(numeric, text))
