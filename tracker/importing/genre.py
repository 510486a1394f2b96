"""Is it a yearly plan at all? A multi-year vision or policy plan is refused, not imported.

A network's vision ("In 2031 is palliatieve zorg in Twente …", mission, goals) reads as long
prose: read as a yearly plan it becomes one or two "activities" of thousands of characters
without a Wie or a Wanneer. Such a document is recognised by its class, not by its text:

- no activity says who or when (a yearly plan's defining fields), and
- the text is prose: few blocks (or none: text placed nowhere) holding a lot of text
  (`PROSE_CHARACTERS` per block on average), and
- it speaks of the longer term: "visie", "missie", "meerjaren…", "beleidsplan", "strategie",
  a span of years ("2021-2025"), or a horizon several years ahead ("In 2031 …"),
- and it does not call itself a yearly plan in its title ("Jaarplan 2023": such a plan is
  imported, what it does not say flagged).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracker.domain.message import Message

PROSE_CHARACTERS = 1500  # text per block, on average, of a document read as prose
HORIZON_YEARS = 3  # "In 2031" in a document of 2025 looks that far ahead: a multi-year view
_LONG_TERM = re.compile(
    r"\b(?:meerjaren\w*|meerjarig\w*|visie|missie|beleidsplan\w*|strategie\w*|"
    r"strategisch\w*\s+plan|stip\s+op\s+de\s+horizon)\b",
    re.IGNORECASE,
)
_SPAN = re.compile(r"\b((?:19|20)\d\d)\s*(?:-|–|—|/|t/m|tot)\s*((?:19|20)\d\d)\b")
_HORIZON = re.compile(r"\b(?:in|tot|naar|richting|voor)\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_YEARLY = re.compile(r"\b(?:jaarplan|jaarplanning|activiteitenplan|werkplan)\b", re.IGNORECASE)


def multi_year_signs(
    title: str, texts: Sequence[str], blocks: int, plan_year: int | None
) -> tuple[str, ...]:
    """The signs that a document is a multi-year vision rather than a yearly plan, as written
    ("visie", "2021-2025", "in 2031"); empty when it is (or may be) a yearly plan.

    `texts` is all the document's text as read, in `blocks` activities (none: all of it went
    nowhere); the caller has checked that none of them says who or when.
    """
    if _YEARLY.search(title):
        return ()
    text = "\n".join((title, *texts))
    if len(text) < PROSE_CHARACTERS * max(1, blocks):
        return ()
    signs = dict.fromkeys(m.group(0).lower() for m in _LONG_TERM.finditer(text))
    for match in _SPAN.finditer(text):
        if int(match.group(2)) - int(match.group(1)) >= 2:
            signs.setdefault(re.sub(r"\s+", "", match.group(0)))
    years = [int(y) for y in _YEAR.findall(text)]
    now = plan_year or min(years, default=0)
    for match in _HORIZON.finditer(text):
        if now and int(match.group(1)) - now >= HORIZON_YEARS:
            signs.setdefault(match.group(0).lower())
    return tuple(signs)


def not_a_yearly_plan(signs: tuple[str, ...]) -> Message:
    """The refusal of a multi-year vision, naming the signs it was recognised by."""
    return Message(
        "this file reads as a multi-year vision or policy plan (%(signs)s), not as a yearly "
        "plan: none of it says who does what when. Import the yearly plan (jaarplan) that "
        "works it out; if this is one, give it the title 'Jaarplan' and its year",
        signs=", ".join(signs),
    )
