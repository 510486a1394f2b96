"""A coordinator's review of a draft: keep or drop activities, correct them, accept groups.

Pure: takes the draft and the choices, returns the plan to store or the problems (Messages).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tracker.domain.message import Message
from tracker.domain.timing import TimingKind, parse_timing
from tracker.importing.draft import (
    MAX_TITLE,
    READ_AS,
    Draft,
    ImportWarning,
    with_new_workgroups,
)
from tracker.importing.limits import UNLIMITED, ImportBudget
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


class ReviewRefused(Exception):
    """The choices cannot be stored; `problems` says why, per activity."""

    def __init__(self, problems: list[Message]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


def apply_review(
    draft: Draft, choices: Sequence[ActivityChoice], new_workgroups: Sequence[str]
) -> PlanDocument:
    """The plan as reviewed; raises ReviewRefused when a choice is invalid."""
    activities = draft.document.activities
    if len(choices) != len(activities):
        raise ReviewRefused([Message("the form does not fit this draft; reload the page")])
    problems: list[Message] = []
    kept = []
    for number, (activity, choice) in enumerate(zip(activities, choices, strict=True), start=1):
        if not choice.keep:
            continue
        title, theme, wanneer = choice.title.strip(), choice.theme.strip(), choice.wanneer.strip()
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
            parse_timing(wanneer, draft.document.year).kind is TimingKind.UNPARSED
        ):  # an edited "Wanneer" is read again: what cannot be read is not stored silently
            problems.append(
                Message(
                    "activity %(number)s: 'When' %(text)s is not recognised; write for example "
                    "'2e kwartaal', 'april en november', 'vanaf maart' or leave it empty",
                    number=number,
                    text=repr(wanneer),
                )
            )
        kept.append(replace(activity, title=title, theme=theme, wanneer=wanneer))
    counts = Counter(a.title for a in kept)
    for title in sorted(title for title, n in counts.items() if n > 1):
        problems.append(Message("the title %(title)s occurs more than once", title=repr(title)))
    if not kept:
        problems.append(Message("no activity was chosen to import"))
    unknown = [name for name in new_workgroups if name not in draft.proposed_workgroups]
    if unknown:
        problems.append(
            Message("unknown proposed workgroup(s): %(names)s", names=", ".join(unknown))
        )
    if problems:
        raise ReviewRefused(problems)
    reviewed = replace(draft, document=replace(draft.document, activities=tuple(kept)))
    document = with_new_workgroups(reviewed, new_workgroups).document
    used = {name for a in document.activities for name in a.workgroups}
    return replace(document, workgroups=tuple(w for w in document.workgroups if w.name in used))


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
