"""Reading the "Wanneer" / "Looptijd" of a jaarplan: Dutch timing phrases → a period.

The original text is always kept; the structured period is added where the phrase can be
read with certainty, relative to the plan year ("4e kwartaal" in the 2021 plan is Oct–Dec
2021). A phrase that cannot be read is marked unparsed, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from tracker.domain.message import Message, Number


class TimingKind(StrEnum):
    PERIOD = "period"  # a known start and, unless open-ended, a known end
    CONTINUOUS = "continuous"  # "Continu": all through the plan year
    RECURRING = "recurring"  # "2 x per jaar", "jaarlijks": repeatedly during the plan year
    MOMENTS = "moments"  # "april en november": separate moments; due with the last one
    EMPTY = "empty"  # nothing was written
    UNPARSED = "unparsed"  # written, but not readable with certainty


@dataclass(frozen=True)
class Timing:
    """The plan's own words (`text`) plus, where known, the period they denote."""

    text: str
    kind: TimingKind
    start: date | None = None
    end: date | None = None  # None with a start: open-ended ("Start najaar 2020")
    per_year: float | None = None
    # MOMENTS: each moment's first and last day, in order; `start`/`end` are the first
    # moment's start and the last one's end, so the activity is due with its last moment.
    moments: tuple[tuple[date, date], ...] = ()

    def overlaps(self, first: date, last: date) -> bool:
        """True when the activity is meant to be active somewhere in [first, last]."""
        if self.moments:
            return any(start <= last and end >= first for start, end in self.moments)
        if self.start is None:
            return False
        return self.start <= last and (self.end is None or self.end >= first)

    @property
    def open_ended(self) -> bool:
        """A start without an end ("vanaf april", "start 2e kwartaal"): never due."""
        return self.kind is TimingKind.PERIOD and self.start is not None and self.end is None

    def ends_within(self, first: date, last: date) -> bool:
        """True when the activity is due (its period ends) within [first, last]."""
        return self.end is not None and first <= self.end <= last


MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4,
    "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
ORDINALS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4}
SEASONS = {"voorjaar": (3, 5), "lente": (3, 5), "zomer": (6, 8), "najaar": (9, 11),
           "herfst": (9, 11), "winter": (1, 2)}  # fmt: skip
CONTINUOUS_WORDS = ("continu", "doorlopend", "gehele jaar", "hele jaar", "heel het jaar")
FREQUENCY_WORDS = {"jaarlijks": 1.0, "halfjaarlijks": 2.0, "maandelijks": 12.0,
                   "per kwartaal": 4.0, "elk kwartaal": 4.0, "ieder kwartaal": 4.0,
                   "wekelijks": 52.0}  # fmt: skip


def _year(name: str) -> str:
    return rf"(?:\s+(?P<{name}>(?:19|20)\d\d))?"


_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_ANCHOR = re.compile(
    r"(?P<numeric>\b(?P<nd>[0-3]?\d)[-/.](?P<nm>[01]?\d)[-/.](?P<ny>(?:19|20)\d\d)\b)"
    r"|(?P<day>\b(?P<dd>[0-3]?\d)\s+(?P<dm>" + _MONTH_NAMES + r")\b" + _year("dy") + r")"
    r"|(?P<half>\b(?P<hn>1e|2e|eerste|tweede)\s+helft\b" + _year("hy") + r")"
    r"|(?P<range>\b(?P<y1>(?:19|20)\d\d)\s*(?:-|/|t/m|tot)\s*(?P<y2>(?:19|20)\d\d)\b)"
    r"|(?P<quarter>\b(?:q\s*(?P<qn>[1-4])|(?P<qo>[1-4])\s*e\s+kwartaal"
    r"|(?P<qw>eerste|tweede|derde|vierde)\s+kwartaal)\b" + _year("qy") + r")"
    r"|(?P<season>\b(?P<sn>voorjaar|lente|zomer|najaar|herfst|winter)\b" + _year("sy") + r")"
    r"|(?P<month>\b(?P<mn>"
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\b"
    + _year("my")
    + r")"
    r"|(?P<single>\b(?P<y>(?:19|20)\d\d)\b)"
)
_FREQUENCY = re.compile(
    r"\b(?P<n>\d+)\s*(?:x|keer|maal)\s*(?:per|in\s+het|p/?)\s*(?P<k>\d+\s+)?jaar\b"
)
_UNTIL = re.compile(r"\b(?:tot\s+en\s+met|tot|t/m|tm|uiterlijk|voor|v[oó][oó]r)\s*$")
_FROM = re.compile(r"\b(?:start|vanaf|vanaf\s+het|begint|beginnend|met\s+ingang\s+van)\s*$")
_EDGE = re.compile(r"\b(?P<edge>eind|einde|begin|medio|half)\s*$")
_LIST_JOIN = re.compile(r"\s*(?:,|;|&|\+|en|,\s*en)\s*")  # "april en november", "q1, q3"
_NEAR = 40  # longer than any of the three patterns above can match


def normalise(text: str) -> str:
    """Lower case, accents removed, whitespace collapsed, trailing punctuation dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = plain.replace("–", "-").replace("—", "-")
    plain = re.sub(r"(\d)\s*e\b", r"\1e", plain)  # "4 e kwartaal" → "4e kwartaal"
    plain = re.sub(r"(\d)\s*x\b", r"\1 x", plain)  # "4x" → "4 x"
    plain = re.sub(r"\b(jan|feb|mrt|apr|jun|jul|aug|sept?|okt|nov|dec)\.", r"\1", plain)
    plain = plain.replace(":", " ")  # "Start: januari 2021"
    # "1e en 3e kwartaal" → "1e kwartaal en 3e kwartaal": each ordinal a quarter of its own
    plain = re.sub(r"\b([1-4]e)(?=(?:\s*(?:,|en|&|-|t/m)\s*[1-4]e){1,3}\s+kwartaal\b)",
                   r"\1 kwartaal", plain)  # fmt: skip
    return re.sub(r"\s+", " ", plain).strip(" .,;:!")


def parse_timing(text: str, plan_year: int) -> Timing:
    """Read a "Wanneer" phrase in the context of the plan's year (see the module docstring)."""
    original = text.strip()
    plain = normalise(original)
    if not original.strip(" \u00a0\t\n"):
        return Timing(original, TimingKind.EMPTY)
    if not plain:
        return Timing(original, TimingKind.UNPARSED)
    year_start, year_end = date(plan_year, 1, 1), date(plan_year, 12, 31)
    if any(re.search(rf"\b{word}\b", plain) for word in CONTINUOUS_WORDS):
        return Timing(original, TimingKind.CONTINUOUS, year_start, year_end)
    frequency = _frequency(plain)
    if frequency is not None:
        return Timing(original, TimingKind.RECURRING, year_start, year_end, frequency)
    spans: list[tuple[date, date, str]] = []
    joins: list[str] = []  # the text between one anchor and the next
    previous_end: int | None = None
    for match in _ANCHOR.finditer(plain):
        try:
            span = _span(match, plan_year)
        except ValueError:  # no such day ("31-02-2021"): not something to read
            return Timing(original, TimingKind.UNPARSED)
        # The words before an anchor ("tot", "vanaf", "eind") end right before it: search only
        # the last few characters (normalised: single spaces), not all the text before it, which
        # made a long "Wanneer" with many dates cost quadratic time.
        near = max(0, match.start() - _NEAR), match.start()
        until = _UNTIL.search(plain, *near)
        if until and (match.group("day") or match.group("numeric")) and until.group(0).strip() in (
            "voor", "vóór", "voór", "vóor", "tot"
        ):  # fmt: skip
            # "voor 1 juli", "tot 1 juli": up to the day before
            span = (span[0] - timedelta(days=1), span[0] - timedelta(days=1))
        edge = _EDGE.search(plain, *near)
        if edge and match.group("single"):
            span = _edge_of_year(edge.group("edge"), int(match.group("y")))
        prefix = "until" if until else "from" if _FROM.search(plain, *near) else ""
        spans.append((span[0], span[1], prefix))
        if previous_end is not None:
            joins.append(plain[previous_end : match.start()])
        previous_end = match.end()
    if not spans:
        return Timing(original, TimingKind.UNPARSED)
    if len(spans) > 1 and not any(p for _, _, p in spans) and all(map(_LIST_JOIN.fullmatch, joins)):
        moments = tuple(sorted((s, e) for s, e, _ in spans))
        return Timing(
            original, TimingKind.MOMENTS, moments[0][0], max(e for _, e in moments), None, moments
        )
    start = min(s for s, _, _ in spans)
    end: date | None = max(e for _, e, _ in spans)
    if len(spans) == 1 and spans[0][2] == "until":
        start = min(year_start, spans[0][1])
    elif len(spans) == 1 and spans[0][2] == "from":
        end = None
    return Timing(original, TimingKind.PERIOD, start, end)


def describe_timing(timing: Timing) -> Message:
    """What a "Wanneer" was read as, for a person checking it (the import review)."""
    if timing.kind is TimingKind.EMPTY:
        return Message("no date given")
    if timing.kind is TimingKind.UNPARSED or timing.start is None:
        return Message("not recognised")
    if timing.kind is TimingKind.CONTINUOUS:
        return Message("continuous, %(period)s", period=_days(timing.start, timing.end))
    if timing.kind is TimingKind.RECURRING:
        return Message(
            "%(times)s times a year, %(period)s",
            times=Number(timing.per_year or 0),
            period=_days(timing.start, timing.end),
        )
    if timing.kind is TimingKind.MOMENTS:
        return Message(
            "%(count)s moments: %(moments)s; due with the last",
            count=len(timing.moments),
            moments=tuple(_days(start, end) for start, end in timing.moments),
        )
    if timing.end is None:
        return Message("from %(start)s, without an end", start=_day(timing.start))
    return Message("%(period)s", period=_days(timing.start, timing.end))


def _day(day: date) -> str:
    return f"{day.day}-{day.month}-{day.year}"


def _days(start: date, end: date | None) -> str:
    return _day(start) if end is None or end == start else f"{_day(start)} – {_day(end)}"


_COUNT_WORDS = {"een": "1", "twee": "2", "drie": "3", "vier": "4", "vijf": "5", "zes": "6",
                "acht": "8", "tien": "10", "twaalf": "12"}  # fmt: skip


def ends_with_moment(text: str) -> bool:
    """Whether the text ends with a moment the parser reads ("… 4e kwartaal", "Tot
    september"), so a year written right after it belongs to that moment."""
    plain = normalise(text)
    return any(match.end() == len(plain) for match in _ANCHOR.finditer(plain))


def _frequency(plain: str) -> float | None:
    plain = re.sub(
        r"\b(" + "|".join(_COUNT_WORDS) + r")\s+(?=(?:x|keer|maal)\b)",
        lambda m: _COUNT_WORDS[m.group(1)] + " ",
        plain,
    )
    match = _FREQUENCY.search(plain)
    if match:
        every = int(match.group("k") or 1)
        return int(match.group("n")) / every if every else None
    for word, per_year in FREQUENCY_WORDS.items():
        if re.search(rf"\b{word}\b", plain):
            return per_year
    return None


def _span(match: re.Match[str], plan_year: int) -> tuple[date, date]:
    explicit = (
        match.group("qy")
        or match.group("sy")
        or match.group("my")
        or match.group("dy")
        or match.group("hy")
    )
    year = int(explicit) if explicit else plan_year
    if match.group("numeric"):
        day = date(int(match.group("ny")), int(match.group("nm")), int(match.group("nd")))
        return day, day
    if match.group("day"):
        day = date(year, MONTHS[match.group("dm")], int(match.group("dd")))
        return day, day
    if match.group("half"):
        if match.group("hn") in ("1e", "eerste"):
            return date(year, 1, 1), date(year, 6, 30)
        return date(year, 7, 1), date(year, 12, 31)
    if match.group("range"):
        first, last = int(match.group("y1")), int(match.group("y2"))
        return date(min(first, last), 1, 1), date(max(first, last), 12, 31)
    if match.group("quarter"):
        number = match.group("qn") or match.group("qo")
        quarter = int(number) if number else ORDINALS[match.group("qw")]
        return quarter_bounds(year, quarter)
    if match.group("season"):
        first_month, last_month = SEASONS[match.group("sn")]
        return date(year, first_month, 1), month_end(year, last_month)
    if match.group("month"):
        month = MONTHS[match.group("mn")]
        return date(year, month, 1), month_end(year, month)
    single = int(match.group("y"))
    return date(single, 1, 1), date(single, 12, 31)


def _edge_of_year(edge: str, year: int) -> tuple[date, date]:
    """ "Eind 2021" is its last quarter, "begin 2021" its first, "medio 2021" June–July."""
    if edge in ("eind", "einde"):
        return quarter_bounds(year, 4)
    if edge == "begin":
        return quarter_bounds(year, 1)
    return date(year, 6, 1), month_end(year, 7)


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a quarter (1–4)."""
    first_month = 3 * (quarter - 1) + 1
    return date(year, first_month, 1), month_end(year, first_month + 2)


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter) of a day."""
    return day.year, (day.month - 1) // 3 + 1
