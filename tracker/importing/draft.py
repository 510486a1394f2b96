"""From what a layout parser found to a reviewable draft plan.

A layout parser (document text, Word, spreadsheet) yields `FoundActivity` items: the plan's
own words under a theme and a heading. `build_draft` turns them into a PlanDocument with
unique titles, matched workgroups and targets, and lists everything a coordinator must look
at: timing it could not read, parties it does not know, activities without a theme.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from tracker.domain.budget import BudgetLine, BudgetShare
from tracker.domain.message import Message
from tracker.domain.plan import PlannedActivity
from tracker.domain.targets import parse_targets
from tracker.domain.timing import Timing, TimingKind, parse_timing
from tracker.importing.cleaning import normalise_key
from tracker.importing.genre import multi_year_signs, not_a_yearly_plan
from tracker.importing.limits import ImportBudget
from tracker.importing.limits import ImportFailed as ImportFailed  # where callers import it
from tracker.importing.parties import KnownGroup, Parties, PartyMatcher, party_key
from tracker.importing.structure import Part
from tracker.planfile import PlanDocument, WorkgroupSpec

MAX_TITLE = 300
READ_AS = "read as %(pieces)s"  # the message id of a reading's explanation (Draft.reading)
NO_ACTIVITIES = Message(
    "no activities found: the layout of this file was not recognised. Expected under "
    "headings: a table with columns such as Doel / Actie / Wie / Wanneer, blocks of labels "
    "('Doel: …', 'Wie: …', 'Wanneer: …') or a list of bullets; or the tracker's XLSX "
    "template"
)


@dataclass(frozen=True)
class ImportWarning:
    """Something a coordinator should check before confirming, and where.

    `where` is an activity's place in the plan ("Theme › Title", the plan's own words) or a
    place in the file (a Message: "line 12"); `str()` gives it in English.
    """

    where: str | Message
    message: Message

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else str(self.message)


def timing_problem(wanneer: str, timing: Timing) -> Message | None:
    """What to check in a "Wanneer": no date could be read from it, or it gives a start and
    no end (such an activity never becomes due)."""
    if timing.kind is TimingKind.UNPARSED:
        return Message("'When' not recognised: %(text)s", text=repr(wanneer))
    if timing.open_ended:
        return Message(
            "'When' gives a start but no end: %(text)s; the activity is never due until an end "
            "is added",
            text=repr(wanneer),
        )
    return None


def guessed(written: str, workgroup: str) -> Message:
    """The warning for a party taken for a workgroup despite a typo."""
    return Message(
        "'Who' %(written)s was taken for the workgroup %(workgroup)s",
        written=repr(written),
        workgroup=repr(workgroup),
    )


@dataclass
class FoundActivity:
    """One activity block as a layout parser read it."""

    theme: str
    heading: str
    objectives: str = ""
    actions: str = ""
    wie: str = ""
    wanneer: str = ""
    source: str = ""
    title: str = ""  # a title of its own (table rows); otherwise the heading is used


@dataclass
class FoundPlan:
    """What a layout parser read from a document, before matching and checking."""

    activities: list[FoundActivity] = field(default_factory=list)
    title: str = ""
    year: int | None = None
    motto: str = ""
    introduction: str = ""
    warnings: list[ImportWarning] = field(default_factory=list)
    budget: list[BudgetLine] = field(default_factory=list)
    budget_shares: list[BudgetShare] = field(default_factory=list)
    reading: Message | None = None  # how the document was read, for the review


@dataclass(frozen=True)
class Draft:
    """A plan ready for review: the document to store and what to check first."""

    document: PlanDocument
    warnings: tuple[ImportWarning, ...]
    proposed_workgroups: tuple[str, ...]  # parties that match no workgroup
    reading: Message | None = None  # how the file was read ("read as 5 tables with …")
    structure: tuple[Part, ...] = ()  # text, Word, PDF: what a mapping reads again


def _unique_titles(found: Sequence[FoundActivity]) -> list[str]:
    """Titles unique within the plan.

    A heading over several blocks titles its first block; each further block is titled by
    the heading and its own objective ("Tekortkomingen en knelpunten: Monitoring inzet
    VPTZ"), not by a number. The same title under different themes is told apart by its
    theme: "Samenwerking in de regio (Hardenberg)". Only what is still the same after that
    (a block without text of its own) is numbered: "Heading (2)".
    """
    themes_of: dict[str, set[str]] = {}
    for item in found:
        themes_of.setdefault(_base(item), set()).add(item.theme)
    titles: list[str] = []
    taken: set[str] = set()
    seen: set[tuple[str, str]] = set()  # (theme, base) of the blocks titled so far
    last_number: dict[str, int] = {}  # per base: every lower number is taken already
    for item in found:
        base = _base(item)
        if len(themes_of[base]) > 1:
            base = f"{base} ({item.theme})"[:MAX_TITLE]
        own = _own_title(base, item, taken) if (item.theme, base) in seen else None
        if own:  # a further block under the same heading, titled by its own objective
            taken.add(own)
            titles.append(own)
            continue
        seen.add((item.theme, base))
        number = last_number.get(base, 1)
        title = base if number == 1 else f"{base} ({number})"
        while title in taken:  # a set and a remembered number: linear in the plan's size
            number += 1
            title = f"{base} ({number})"
        last_number[base] = number
        taken.add(title)
        titles.append(title)
    return titles


def _own_title(base: str, item: FoundActivity, taken: set[str]) -> str | None:
    """ "Heading: objective" for a further block under a heading: its objective's first
    sentence, or its actions' when the objective says nothing of its own (empty, or the
    heading again, as a merged cell repeats it); None when neither gives a free title."""
    for text in (item.objectives, item.actions):
        summary = objective_summary(text)
        if summary and summary.casefold() != base.casefold():
            title = f"{base}: {summary}"[:MAX_TITLE]
            if title not in taken:
                return title
    return None


SUMMARY_LENGTH = 50  # characters of an objective in a title, at most (then cut at a word)
_SENTENCE_END = re.compile(r"(?P<word>\S*)[.!?]\s")


def _first_sentence(line: str) -> str:
    """The line up to its first sentence end; a period after a capitalised word within the
    sentence, a name ("met Willem. Hart voor levensvragen"), is part of the name."""
    for match in _SENTENCE_END.finditer(line):
        if match.start() == 0 or not match.group("word")[:1].isupper():
            return line[: match.end() - 1]
    return line


def objective_summary(text: str) -> str:
    """The first sentence of a block's objective (or actions), short enough for a title."""
    lines = (line.strip().lstrip("-•*–").strip() for line in text.splitlines())
    first = next((line for line in lines if line), "")
    sentence = _first_sentence(first).strip().rstrip(".;:,")
    if len(sentence) <= SUMMARY_LENGTH:
        return sentence
    cut = sentence[:SUMMARY_LENGTH].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return f"{cut}…"


def _base(item: FoundActivity) -> str:
    return (item.title or item.heading).strip()[: MAX_TITLE - 40] or "Activiteit"


def build_draft(
    found: FoundPlan,
    *,
    network_slug: str,
    network_name: str,
    year: int | None = None,
    known: Sequence[KnownGroup] = (),
    workgroup_emails: dict[str, str] | None = None,
    source_name: str = "",
    budget: ImportBudget | None = None,
    allow_empty: bool = False,
    structure: Sequence[Part] = (),
) -> Draft:
    """Check and match what a parser found; raise ImportFailed when there is nothing to import
    (unless `allow_empty`: a document whose structure, kept with the draft, a coordinator will
    map). `budget` bounds the activities and the time (default limits when not given).
    """
    budget = budget or ImportBudget()
    budget.count_activities(len(found.activities))
    plan_year = _plan_year(found, year)
    if not found.activities and not allow_empty:
        raise ImportFailed(NO_ACTIVITIES)
    warnings = list(found.warnings)
    proposed: dict[str, str] = {}  # party key → the name as first written
    activities: list[PlannedActivity] = []
    matcher = PartyMatcher(known)
    titles = _unique_titles(found.activities)
    for number, (item, title) in enumerate(zip(found.activities, titles, strict=True), start=1):
        budget.tick()
        _check_lengths(item, number, budget)
        wanneer, wie = item.wanneer.strip() or str(plan_year), item.wie.strip() or network_name
        timing = parse_timing(wanneer, plan_year)
        parties = matcher.match(item.wie)
        where = f"{item.theme} › {title}"
        warnings += (ImportWarning(where, m) for m in _problems(item, timing, parties, plan_year))
        for name in parties.unknown:
            proposed.setdefault(party_key(name), name)
        source = " › ".join(part for part in (source_name, item.source) if part)
        # Work that started before the plan year continues an earlier plan ("Start najaar
        # 2020" in the 2021 plan): it is carried over, not new.
        carried = timing.start.year if timing.start and timing.start.year < plan_year else None
        activities.append(
            PlannedActivity(
                title=title,
                theme=item.theme,
                objectives=item.objectives,
                actions=item.actions,
                wie=wie,
                wanneer=wanneer,
                workgroups=parties.workgroups,
                source=source[:500],
                carried_from_year=carried,
                parties=parties.unknown,
                targets=tuple(parse_targets(f"{item.objectives}\n{item.actions}")),
            )
        )
    by_name = {group.name: group for group in known}
    emails = workgroup_emails or {}
    first_used = dict.fromkeys(name for activity in activities for name in activity.workgroups)
    document = PlanDocument(
        network_slug=network_slug,
        network_name=network_name,
        plan_slug=f"{network_slug}-{plan_year}",
        year=plan_year,
        title=found.title or f"Jaarplan {plan_year}",
        motto=found.motto,
        introduction=found.introduction,
        workgroups=tuple(
            WorkgroupSpec(name, emails.get(name, ""), by_name[name].aliases) for name in first_used
        ),
        activities=tuple(activities),
        budget=tuple(_budget_under_themes(found.budget, _themes(activities))),
        budget_shares=tuple(found.budget_shares),
    )
    return Draft(
        document, tuple(warnings), tuple(proposed.values()), found.reading, tuple(structure)
    )


def _plan_year(found: FoundPlan, year: int | None) -> int:
    """The plan's year, given or read from the file; ImportFailed for a multi-year vision
    (checked first: a vision has no year of its own) or a year missing or out of range."""
    plan_year = year or found.year
    signs = _vision_signs(found, plan_year)
    if signs:
        raise ImportFailed(not_a_yearly_plan(signs))
    if plan_year is None:
        raise ImportFailed(Message("the plan's year is not in the file; give the year"))
    if not 1900 <= plan_year <= 2200:
        raise ImportFailed(Message("%(year)s is not a valid plan year (1900–2200)", year=plan_year))
    return plan_year


def _problems(item: FoundActivity, timing: Timing, parties: Parties, year: int) -> list[Message]:
    """What a coordinator should check in an activity's "Wanneer" and "Wie"."""
    problems: list[Message] = []
    if not item.wanneer.strip():
        problems.append(
            Message("the plan says no 'When': the plan's year %(year)s is assumed", year=year)
        )
    elif problem := timing_problem(item.wanneer, timing):
        problems.append(problem)
    if not item.wie.strip():
        problems.append(Message("the plan says no 'Who': the network is assumed"))
    elif not parties.workgroups:
        problems.append(Message("no known workgroup in 'Who'"))
    return problems + [guessed(*pair) for pair in parties.guessed]


def _vision_signs(found: FoundPlan, plan_year: int | None) -> tuple[str, ...]:
    """Signs that the document is a multi-year vision (tracker.importing.genre), not a yearly
    plan; none when any of its activities says who or when."""
    if any(a.wie.strip() or a.wanneer.strip() for a in found.activities):
        return ()
    texts = [found.motto, found.introduction]
    texts += [f"{a.theme}\n{a.heading}\n{a.title}\n{a.objectives}\n{a.actions}"
              for a in found.activities]  # fmt: skip
    # what the reader placed nowhere ("not placed: …") is the document's text too
    texts += [str(w.message.params.get("text", "")) for w in found.warnings]
    return multi_year_signs(found.title, texts, len(found.activities), plan_year)


def _themes(activities: Sequence[PlannedActivity]) -> dict[str, str]:
    """The plan's themes by their comparison key ('participatie en ondersteuning')."""
    return {normalise_key(a.theme): a.theme for a in activities}


def _budget_under_themes(lines: Sequence[BudgetLine], themes: dict[str, str]) -> list[BudgetLine]:
    """Budget lines under the plan's own theme names ("Participatie & ondersteuning" for the
    budget's "Participatie en Ondersteuning")."""
    return [
        replace(line, theme=themes.get(normalise_key(line.theme), line.theme)) for line in lines
    ]


def _check_lengths(item: FoundActivity, number: int, budget: ImportBudget) -> None:
    """Refuse an activity with a text longer than one import allows, naming its label."""
    for label, text in (
        (Message("Title"), item.title or item.heading),
        (Message("Theme"), item.theme),
        (Message("Objectives"), item.objectives),
        (Message("Actions and results"), item.actions),
        (Message("Who"), item.wie),
        (Message("When"), item.wanneer),
    ):
        where = Message("activity %(number)s, '%(label)s'", number=number, label=label)
        budget.check_text(where, text)


def read_wie_columns(
    document: PlanDocument, known: Sequence[KnownGroup]
) -> tuple[PlanDocument, list[ImportWarning], tuple[str, ...]]:
    """A structured plan (the XLSX template) with its "Wie" read where its "Werkgroepen" is
    empty: the workgroups it names (the network's and the plan's own), the other parties
    proposed, typos flagged. Returns the plan, the warnings and the proposed parties."""
    own = tuple(KnownGroup(spec.name, spec.aliases) for spec in document.workgroups)
    network = {group.name: group for group in known}
    matcher = PartyMatcher((*own, *(g for g in known if g.name not in {o.name for o in own})))
    warnings: list[ImportWarning] = []
    proposed: dict[str, str] = {}
    activities = []
    for activity in document.activities:
        if activity.workgroups or not activity.wie.strip():
            activities.append(activity)
            continue
        parties = matcher.match(activity.wie)
        where = f"{activity.theme} › {activity.title}"
        warnings.extend(ImportWarning(where, guessed(*pair)) for pair in parties.guessed)
        for name in parties.unknown:
            proposed.setdefault(party_key(name), name)
        activities.append(
            replace(
                activity,
                workgroups=parties.workgroups,
                parties=tuple(dict.fromkeys(activity.parties + parties.unknown)),
            )
        )
    specs = {spec.name for spec in document.workgroups}
    used = dict.fromkeys(name for a in activities for name in a.workgroups if name not in specs)
    added = tuple(WorkgroupSpec(name, "", network[name].aliases) for name in used)
    read = replace(document, activities=tuple(activities), workgroups=document.workgroups + added)
    return read, warnings, tuple(proposed.values())


_YEAR_IN_TITLE = re.compile(r"\bjaarplan\s+((?:19|20)\d\d)\b", re.IGNORECASE)


def year_in_title(text: str) -> int | None:
    """The year of "Jaarplan 2021"."""
    match = _YEAR_IN_TITLE.search(text)
    return int(match.group(1)) if match else None
