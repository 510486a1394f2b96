"""A revised plan document against the stored plan: which activity of the file is which stored
activity, and what changed, field by field.

A coordinator uploads a corrected jaarplan for a plan the tracker already follows. Its
activities are paired with the stored ones: the same title first, then the most similar
content (title, doelstellingen, acties en resultaten), so a corrected title does not make a
new activity. Theme and position only break ties. Each activity of the file is then new,
changed or unchanged; each stored activity no activity of the file is paired with is missing.

Pure: the caller gives the stored activities and the document's; nothing is read or written.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tracker.domain.message import Message
from tracker.domain.plan import PlannedActivity

# The fields a revision compares, as in AMENDABLE_FIELDS (workgroups by name). The position
# is left out: an activity added early in the file moves every later one, which is not a
# change of what the plan says about them.
FIELDS = ("title", "theme", "objectives", "actions", "wie", "wanneer", "workgroups")

THRESHOLD = 0.5  # below this similarity two activities are not the same one
MAX_TOKENS = 200  # distinct words per text looked at: bounds the work per pair
MAX_CANDIDATES = 20  # stored activities scored per activity of the file
TITLE_WEIGHT = 0.3  # the rest is the weight of doelstellingen and acties together

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class StoredActivity:
    """An activity of the stored plan: its id, what it says, where it is, its version."""

    activity_id: str
    content: PlannedActivity
    position: int  # its place in the stored plan, in the plan's order
    version: int = 0
    withdrawable: bool = True  # not vervallen or doorgeschoven already


class Kind(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    MISSING = "missing"


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | tuple[str, ...]
    new: str | tuple[str, ...]


@dataclass(frozen=True)
class ActivityDiff:
    """One line of the comparison: an activity of the file (`index`), a stored one
    (`activity_id`), or both when they are paired."""

    kind: Kind
    index: int | None = None
    activity_id: str | None = None
    changes: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class PlanDiff:
    items: tuple[ActivityDiff, ...]

    def of_kind(self, kind: Kind) -> list[ActivityDiff]:
        return [item for item in self.items if item.kind is kind]

    @property
    def pairs(self) -> dict[int, str]:
        """Index in the file → the stored activity it is paired with."""
        return {
            item.index: item.activity_id
            for item in self.items
            if item.index is not None and item.activity_id is not None
        }


class PairingRefused(Exception):
    """A corrected pairing that cannot be: an unknown activity, or one paired twice."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def normal(field: str, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
    """A field's value as compared: one-line fields with their spaces collapsed, texts
    stripped, workgroups without repeats (as tracker.domain.plan_changes.checked stores them)."""
    if field == "workgroups":
        return tuple(dict.fromkeys(value))
    assert isinstance(value, str)
    if field in ("title", "theme", "wanneer"):
        return " ".join(value.split())
    return value.strip()


def changes_between(old: PlannedActivity, new: PlannedActivity) -> tuple[FieldChange, ...]:
    """The fields `new` says otherwise than `old`, with both values."""
    found = []
    for field in FIELDS:
        before, after = normal(field, getattr(old, field)), normal(field, getattr(new, field))
        if before != after:
            found.append(FieldChange(field, before, after))
    return tuple(found)


def match(stored: Sequence[StoredActivity], document: Sequence[PlannedActivity]) -> dict[int, str]:
    """Pair the file's activities (by index) with stored ones: equal titles first, then the
    most similar content above THRESHOLD, one to one.

    Bounded for plans of thousands of activities: only stored activities sharing a word that
    few activities use are scored (at most MAX_CANDIDATES per activity of the file), each on
    at most MAX_TOKENS words per text.
    """
    pairs: dict[int, str] = {}
    by_title: dict[str, list[StoredActivity]] = defaultdict(list)
    for activity in sorted(stored, key=lambda a: a.position):
        by_title[str(normal("title", activity.content.title))].append(activity)
    for index, planned in enumerate(document):
        same = by_title.get(str(normal("title", planned.title)))
        if same:
            pairs[index] = same.pop(0).activity_id
    taken = set(pairs.values())
    left = [a for a in stored if a.activity_id not in taken]
    unpaired = [i for i in range(len(document)) if i not in pairs]
    if not left or not unpaired:
        return pairs
    profiles = {a.activity_id: _Profile.of(a.content) for a in left}
    index_of: dict[str, list[str]] = defaultdict(list)  # word → stored activities using it
    for activity in left:
        for word in profiles[activity.activity_id].words:
            index_of[word].append(activity.activity_id)
    common = max(50, len(left) // 10)  # words most activities use do not single one out
    found = {a.activity_id: a for a in left}
    scored: list[tuple[float, bool, float, int, str]] = []
    for index in unpaired:
        planned = document[index]
        profile = _Profile.of(planned)
        shared: Counter[str] = Counter()
        for word in profile.words:
            users = index_of.get(word, ())
            if len(users) <= common:
                shared.update(users)
        for activity_id, _ in shared.most_common(MAX_CANDIDATES):
            score = profile.similarity(profiles[activity_id])
            if score >= THRESHOLD:
                candidate = found[activity_id]
                other_theme = normal("theme", candidate.content.theme) != normal(
                    "theme", planned.theme
                )
                distance = abs(index / len(document) - candidate.position / len(stored))
                scored.append((-score, other_theme, distance, index, activity_id))
    for _, _, _, index, activity_id in sorted(scored):
        if index not in pairs and activity_id not in taken:
            pairs[index] = activity_id
            taken.add(activity_id)
    return pairs


def compare(
    stored: Sequence[StoredActivity],
    document: Sequence[PlannedActivity],
    pairs: Mapping[int, str],
) -> PlanDiff:
    """The comparison for a pairing (from `match`, or as a person corrected it): the file's
    activities in its order, then the missing stored ones in the plan's order."""
    by_id = {activity.activity_id: activity for activity in stored}
    items: list[ActivityDiff] = []
    for index, planned in enumerate(document):
        activity_id = pairs.get(index)
        if activity_id is None:
            items.append(ActivityDiff(Kind.NEW, index))
            continue
        changes = changes_between(by_id[activity_id].content, planned)
        kind = Kind.CHANGED if changes else Kind.UNCHANGED
        items.append(ActivityDiff(kind, index, activity_id, changes))
    paired = set(pairs.values())
    items += [
        ActivityDiff(Kind.MISSING, activity_id=activity.activity_id)
        for activity in sorted(stored, key=lambda a: a.position)
        if activity.activity_id not in paired
    ]
    return PlanDiff(tuple(items))


def corrected(
    stored: Sequence[StoredActivity],
    count: int,
    pairs: Mapping[int, str],
    corrections: Mapping[int, str | None],
) -> dict[int, str]:
    """`pairs` with a person's corrections (index in the file → a stored activity, or None
    for "not paired": then it is new, and the stored one it was paired with is missing).
    Raises PairingRefused for an unknown activity or index, or an activity paired twice."""
    known = {activity.activity_id for activity in stored}
    result = {i: a for i, a in pairs.items() if i not in corrections}
    for index, activity_id in corrections.items():
        if not 0 <= index < count:
            raise PairingRefused(Message("the form does not fit this draft; reload the page"))
        if activity_id is None:
            continue
        if activity_id not in known:
            raise PairingRefused(Message("the form does not fit this draft; reload the page"))
        result[index] = activity_id
    twice = [a for a, n in Counter(result.values()).items() if n > 1]
    if twice:
        raise PairingRefused(
            Message("one stored activity is paired with more than one activity of the file")
        )
    return result


@dataclass(frozen=True)
class _Profile:
    """The words of an activity's title and of its doelstellingen and acties."""

    title: frozenset[str]
    body: frozenset[str]

    @classmethod
    def of(cls, content: PlannedActivity) -> _Profile:
        return cls(_words(content.title), _words(f"{content.objectives}\n{content.actions}"))

    @property
    def words(self) -> frozenset[str]:
        return self.title | self.body

    def similarity(self, other: _Profile) -> float:
        """Between 0 and 1: word overlap (Jaccard) of the titles and of the texts, the
        texts weighing most; the titles alone when neither has a text."""
        title = _jaccard(self.title, other.title)
        if not self.body and not other.body:
            return title
        return TITLE_WEIGHT * title + (1 - TITLE_WEIGHT) * _jaccard(self.body, other.body)


def _words(text: str) -> frozenset[str]:
    found: dict[str, None] = {}
    for word in _WORD.finditer(text.casefold()):
        found[word.group()] = None
        if len(found) >= MAX_TOKENS:
            break
    return frozenset(found)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)
