"""Measurable targets (indicators) read from a plan's expected results.

"3 netwerkorganisaties hebben het online levenspad geïmplementeerd" → 3 netwerkorganisaties;
"Zelfevaluatie is uitgevoerd bij 2 netwerkorganisaties" → 2 netwerkorganisaties;
"In minimaal 25 huisartsenpraktijken …" → at least 25; "Maximaal 24 verpleegkundigen …" → at
most 24; "Minimaal 6 keer per jaar casuïstiekbespreking" → at least 6 a year; "… streefcijfer 7
of hoger" → a score of 7 or more. Only these forms are read: a number in other company (dates,
"1x per 2 jaar", "24/7", "2e druk") is not a target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tracker.domain.message import Message, Number

SCORE_UNIT = "cijfer"


class Comparator(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="
    EXACTLY = "="


@dataclass(frozen=True)
class Target:
    """A number the plan commits to: `comparator value unit` (per year when `per_year`)."""

    text: str  # the sentence it was read from, verbatim
    comparator: Comparator
    value: float
    unit: str
    per_year: bool = False

    def describe(self) -> Message:
        """A short rendering: "at least 25 huisartsenpraktijken" ("minimaal …" in Dutch)."""
        value = Number(self.value, grouping=False)
        if self.unit == SCORE_UNIT:
            if self.comparator is Comparator.AT_MOST:
                return Message("score %(value)s or lower", value=value)
            return Message("score %(value)s or higher", value=value)
        if self.comparator is Comparator.AT_LEAST:
            target = Message("at least %(value)s %(unit)s", value=value, unit=self.unit)
        elif self.comparator is Comparator.AT_MOST:
            target = Message("at most %(value)s %(unit)s", value=value, unit=self.unit)
        else:
            target = Message("%(value)s %(unit)s", value=value, unit=self.unit)
        return Message("%(target)s a year", target=target) if self.per_year else target

    def is_met_by(self, measured: float) -> bool:
        """True when a measured value reaches the target."""
        if self.comparator is Comparator.AT_MOST:
            return measured <= self.value
        return measured >= self.value


NUMBER_WORDS = {"twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8,
                "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "twintig": 20}  # fmt: skip
_NUMBER = r"(?P<n>\d{1,5}(?:[.,]\d+)?|" + "|".join(NUMBER_WORDS) + r")"
_UNIT = r"(?P<unit>[^\W\d_][\w()/-]*(?:\s+(?:dementie|palliatieve\s+zorg))?)"
_SCORE = re.compile(
    r"\b(?:streefcijfer|score|cijfer|waardering)\s+(?:van\s+)?(?:minimaal\s+)?" + _NUMBER
    + r"\s*(?P<dir>of\s+hoger|of\s+meer|of\s+lager|of\s+minder)?",
    re.IGNORECASE,
)  # fmt: skip
_BOUNDED = re.compile(
    r"\b(?P<word>minimaal|minstens|ten\s+minste|tenminste|maximaal|hoogstens|ten\s+hoogste)\s+"
    + _NUMBER
    + r"\s+(?:(?P<times>keer|x|maal)\s+per\s+jaar\s+(?P<what>[^\W\d_][\w-]*)|"
    + _UNIT
    + r")",
    re.IGNORECASE,
)
_LEADING = re.compile(
    r"^(?:[-•]\s*)?(?!(?:19|20)\d\d\b)" + _NUMBER + r"\s+" + _UNIT + r"\s+(?!per\s+\d)",
    re.IGNORECASE,
)
_PER_YEAR = re.compile(
    r"\b" + _NUMBER + r"\s+(?P<unit>[^\W\d_][\w-]*)\s+per\s+jaar\b", re.IGNORECASE
)
_DONE_AT = re.compile(  # a result stated as done: "… is in 3 instellingen uitgerold"
    r"\b(?:is|zijn)\b[^.]*?\b(?:in|bij)\s+(?!(?:19|20)\d\d\b)" + _NUMBER + r"\s+" + _UNIT,
    re.IGNORECASE,
)
_NOT_UNITS = {"x", "keer", "maal", "jaar", "jaren", "maanden", "weken", "dagen", "uur", "e",
              "ste", "de", "procent", "euro", "januari", "februari", "maart", "april", "mei",
              "juni", "juli", "augustus", "september", "oktober", "november", "december",
              "okt", "jan", "feb", "mrt", "apr", "jun", "jul", "aug", "sep", "nov",
              "dec"}  # fmt: skip
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


def parse_targets(text: str) -> list[Target]:
    """Every target stated in `text` (objectives or actions), in the order written."""
    found: list[Target] = []
    for sentence in (s.strip() for s in _SENTENCE.split(text)):
        target = _target_in(sentence)
        if target is not None:
            found.append(target)
    return found


def _value(raw: str) -> float:
    word = NUMBER_WORDS.get(raw.lower())
    return float(word) if word is not None else float(raw.replace(",", "."))


def _target_in(sentence: str) -> Target | None:
    clean = sentence.lstrip("-• ").strip()
    if not clean:
        return None
    score = _SCORE.search(clean)
    if score:
        lower = (score.group("dir") or "").lower()
        comparator = (
            Comparator.AT_MOST if ("lager" in lower or "minder" in lower) else Comparator.AT_LEAST
        )
        return Target(clean, comparator, _value(score.group("n")), SCORE_UNIT)
    bounded = _BOUNDED.search(clean)
    if bounded:
        word = bounded.group("word").lower()
        comparator = (
            Comparator.AT_MOST
            if word.startswith(("max", "hoog", "ten h"))
            else (Comparator.AT_LEAST)
        )
        if bounded.group("times"):
            return Target(clean, comparator, _value(bounded.group("n")),
                          bounded.group("what"), per_year=True)  # fmt: skip
        unit = bounded.group("unit")
        if unit.lower() not in _NOT_UNITS:
            per_year = bool(re.search(r"\bper\s+jaar\b", clean[bounded.end() :], re.IGNORECASE))
            return Target(clean, comparator, _value(bounded.group("n")), unit, per_year)
    yearly = _PER_YEAR.search(clean)
    if yearly and yearly.group("unit").lower() not in _NOT_UNITS:
        return Target(clean, Comparator.EXACTLY, _value(yearly.group("n")),
                      yearly.group("unit"), per_year=True)  # fmt: skip
    for pattern in (_LEADING, _DONE_AT):
        found = pattern.search(clean)
        if found and found.group("unit").lower() not in _NOT_UNITS:
            return Target(clean, Comparator.EXACTLY, _value(found.group("n")), found.group("unit"))
    return None
