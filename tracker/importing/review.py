"""A coordinator's review of a draft: keep or drop activities, correct them, and say what
each proposed party is.

Pure: takes the draft and the choices, returns the plan to store or the problems (Messages).

A party that matched no workgroup of the network is, as the coordinator chooses, a new
workgroup (`CREATE`), one of the network's existing workgroups (`WORKGROUP`, e.g. "Werkgroep
Scholng" that is "Werkgroep scholing"), the same as another proposed party (`MERGE`: both
become what that one becomes, one new workgroup when it is created) or text only (`IGNORE`,
the default). A mapped or merged name may be remembered as an alias of its workgroup, so the
next import matches it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tracker.domain.message import Message
from tracker.domain.plan import PlannedActivity, WorkgroupSpec
from tracker.domain.timing import TimingKind, parse_timing
from tracker.importing.draft import (
    MAX_TITLE,
    READ_AS,
    Draft,
    ImportWarning,
)
from tracker.importing.limits import UNLIMITED, ImportBudget
from tracker.importing.parties import party_key
from tracker.planfile import PlanDocument, dump_plan_yaml, read_plan_yaml

MAX_THEME = 200
MAX_WANNEER = 200


@dataclass(frozen=True)
class ActivityChoice:
    """What the coordinator decided for one activity of the draft, in the draft's order."""

    keep: bool
    title: str
    theme: str
    wanneer: str


CREATE, WORKGROUP, MERGE, IGNORE = "create", "workgroup", "merge", "ignore"
PARTY_ACTIONS = (CREATE, WORKGROUP, MERGE, IGNORE)


@dataclass(frozen=True)
class PartyChoice:
    """What the coordinator decided for one proposed party (one of `PARTY_ACTIONS`)."""

    party: str  # as the draft proposes it
    action: str
    workgroup_id: int | None = None  # WORKGROUP: which of the network's workgroups
    merge_with: str = ""  # MERGE: the other proposed party
    remember: bool = False  # WORKGROUP, MERGE: keep the name as an alias of the workgroup


class ReviewRefused(Exception):
    """The choices cannot be stored; `problems` says why, per activity."""

    def __init__(self, problems: list[Message]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


def apply_review(
    draft: Draft,
    choices: Sequence[ActivityChoice],
    parties: Sequence[PartyChoice] = (),
    existing: Mapping[int, WorkgroupSpec] | None = None,
) -> PlanDocument:
    """The plan as reviewed; raises ReviewRefused when a choice is invalid.

    `existing` are the network's workgroups by id, those a party may be mapped to.
    """
    if len(choices) != len(draft.document.activities):
        raise ReviewRefused([Message("the form does not fit this draft; reload the page")])
    problems: list[Message] = []
    try:
        draft = with_party_choices(draft, parties, existing or {})
    except ReviewRefused as refused:
        problems += refused.problems
    kept = []
    activities = draft.document.activities
    for number, (activity, choice) in enumerate(zip(activities, choices, strict=True), start=1):
        if choice.keep:
            problems += _problems(number, activity, choice, draft.document.year)
            kept.append(
                replace(
                    activity,
                    title=choice.title.strip(),
                    theme=choice.theme.strip(),
                    wanneer=choice.wanneer.strip(),
                )
            )
    counts = Counter(a.title for a in kept)
    for title in sorted(title for title, n in counts.items() if n > 1):
        problems.append(Message("the title %(title)s occurs more than once", title=repr(title)))
    if not kept:
        problems.append(Message("no activity was chosen to import"))
    if problems:
        raise ReviewRefused(problems)
    document = replace(draft.document, activities=tuple(kept))
    used = {name for a in document.activities for name in a.workgroups}
    return replace(document, workgroups=tuple(w for w in document.workgroups if w.name in used))


def _problems(
    number: int, activity: PlannedActivity, choice: ActivityChoice, year: int
) -> list[Message]:
    """What is wrong with a kept activity as the coordinator corrected it."""
    title, theme, wanneer = choice.title.strip(), choice.theme.strip(), choice.wanneer.strip()
    problems: list[Message] = []
    if not title or len(title) > MAX_TITLE:
        problems.append(
            Message(
                "activity %(number)s: title is empty or longer than %(most)s characters",
                number=number,
                most=MAX_TITLE,
            )
        )
    if not theme or len(theme) > MAX_THEME:
        problems.append(
            Message(
                "activity %(number)s: theme is empty or longer than %(most)s characters",
                number=number,
                most=MAX_THEME,
            )
        )
    if len(wanneer) > MAX_WANNEER:
        problems.append(
            Message(
                "activity %(number)s: 'When' is longer than %(most)s characters",
                number=number,
                most=MAX_WANNEER,
            )
        )
    elif wanneer != activity.wanneer.strip() and (
        parse_timing(wanneer, year).kind is TimingKind.UNPARSED
    ):  # an edited "Wanneer" is read again: what cannot be read is not stored silently
        problems.append(
            Message(
                "activity %(number)s: 'When' %(text)s is not recognised; write for example "
                "'2e kwartaal', 'april en november', 'vanaf maart' or leave it empty",
                number=number,
                text=repr(wanneer),
            )
        )
    return problems


def with_party_choices(
    draft: Draft, choices: Sequence[PartyChoice], existing: Mapping[int, WorkgroupSpec]
) -> Draft:
    """The draft with its proposed parties resolved as chosen (see the module); a party
    without a choice is ignored. Raises ReviewRefused for a party the draft does not propose,
    a workgroup not in `existing`, a merge with no proposed party or a circle of merges."""
    proposed = set(draft.proposed_workgroups)
    chosen: dict[str, PartyChoice] = {}
    problems: list[Message] = []
    for choice in choices:
        if choice.party not in proposed:
            problems.append(
                Message("%(party)s is not a party of this draft", party=repr(choice.party))
            )
        elif choice.action not in PARTY_ACTIONS:
            problems.append(
                Message("the choice for %(party)s is not understood", party=repr(choice.party))
            )
        elif choice.action == WORKGROUP and choice.workgroup_id not in existing:
            problems.append(
                Message(
                    "%(party)s: the chosen workgroup is not a workgroup of this network",
                    party=repr(choice.party),
                )
            )
        elif choice.action == MERGE and (
            choice.merge_with not in proposed or choice.merge_with == choice.party
        ):
            problems.append(
                Message(
                    "%(party)s cannot be merged with %(other)s: that is not another party of "
                    "this draft",
                    party=repr(choice.party),
                    other=repr(choice.merge_with),
                )
            )
        else:
            chosen[choice.party] = choice
    if problems:
        raise ReviewRefused(problems)
    ends = {party: _end_of_merges(party, chosen) for party in chosen}
    in_circle = sorted(party for party, end in ends.items() if end is None)
    if in_circle:
        raise ReviewRefused(
            [
                Message(
                    "the parties %(parties)s are merged with each other in a circle; make one "
                    "of them a workgroup, or ignore it",
                    parties=", ".join(in_circle),
                )
            ]
        )
    return _resolved(draft, chosen, ends, existing)


def _end_of_merges(party: str, chosen: Mapping[str, PartyChoice]) -> str | None:
    """The party a chain of merges from `party` ends at; None when it goes round in a circle."""
    seen = {party}
    while (choice := chosen.get(party)) is not None and choice.action == MERGE:
        party = choice.merge_with
        if party in seen:
            return None
        seen.add(party)
    return party


def _resolved(
    draft: Draft,
    chosen: Mapping[str, PartyChoice],
    ends: Mapping[str, str | None],
    existing: Mapping[int, WorkgroupSpec],
) -> Draft:
    """The draft with each party made the workgroup its choice (through its merges) says."""
    target: dict[str, str] = {}  # party key → workgroup name
    specs = {spec.name: spec for spec in draft.document.workgroups}
    aliases: dict[str, list[str]] = {}  # workgroup name → names to remember
    for party, choice in chosen.items():
        end = ends[party] or party
        end_choice = chosen.get(end)
        if end_choice is None or end_choice.action == IGNORE:
            continue
        if end_choice.action == WORKGROUP:
            spec = existing[end_choice.workgroup_id or 0]
            specs.setdefault(spec.name, spec)
        else:
            spec = specs.setdefault(end, WorkgroupSpec(end))
        target[party_key(party)] = spec.name
        if choice.remember and party != spec.name:
            aliases.setdefault(spec.name, []).append(party)
    for name, names in aliases.items():
        spec = specs[name]
        known = {party_key(a) for a in (spec.name, *spec.aliases)}
        added = tuple(dict.fromkeys(a for a in names if party_key(a) not in known))
        specs[name] = replace(spec, aliases=spec.aliases + added)

    def resolved(activity: PlannedActivity) -> PlannedActivity:
        joined = [target[party_key(p)] for p in activity.parties if party_key(p) in target]
        return replace(
            activity,
            workgroups=tuple(dict.fromkeys(activity.workgroups + tuple(joined))),
            parties=tuple(p for p in activity.parties if party_key(p) not in target),
        )

    document = replace(
        draft.document,
        workgroups=tuple(specs.values()),
        activities=tuple(resolved(a) for a in draft.document.activities),
    )
    remaining = tuple(p for p in draft.proposed_workgroups if party_key(p) not in target)
    return replace(draft, document=document, proposed_workgroups=remaining)


def serialise(draft: Draft) -> tuple[str, str, str]:
    """A draft as text columns: the document as plan YAML, warnings (the reading first) and
    proposals as JSON.

    A warning is stored as data (its English text id and values, see Message.to_data), so
    the review shows it in the language of whoever opens the draft.
    """
    reading = [ImportWarning("", draft.reading)] if draft.reading else []
    warnings = [
        [w.where.to_data() if isinstance(w.where, Message) else w.where, w.message.to_data()]
        for w in (*reading, *draft.warnings)
    ]
    return (
        dump_plan_yaml(draft.document),
        json.dumps(warnings, ensure_ascii=False),
        json.dumps(list(draft.proposed_workgroups), ensure_ascii=False),
    )


def deserialise(document: str, warnings: str, proposed: str) -> Draft:
    """The inverse of `serialise`; a draft stored with Dutch warning texts keeps them."""
    stored = [
        ImportWarning(
            where if isinstance(where, str) else Message.from_data(where),
            Message.from_data(message),
        )
        for where, message in json.loads(warnings)
    ]
    reading = [w.message for w in stored if w.message.text_id == READ_AS]
    return Draft(
        read_plan_yaml(document, ImportBudget(UNLIMITED)),  # bounded when it was uploaded
        tuple(w for w in stored if w.message.text_id != READ_AS),
        tuple(json.loads(proposed)),
        reading[0] if reading else None,
    )
