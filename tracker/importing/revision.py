"""A revised plan document under review: its comparison with the stored plan, and the
changes a coordinator's confirmation amounts to.

Pure: the stored activities are read by the caller (tracker.importing.stored), the changes
are applied by tracker.handlers.plan_revision.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from tracker.domain.commands import Amendment, Withdrawal
from tracker.domain.plan import PlanDocument, PlannedActivity
from tracker.domain.plan_diff import (
    Kind,
    PlanDiff,
    StoredActivity,
    compare,
    corrected,
    match,
)


class StaleReview(Exception):
    """A change touches an activity whose version the review did not show: someone changed
    the plan after the page was opened."""


@dataclass(frozen=True)
class Revision:
    """What a confirmation applies: new activities, amended ones, withdrawn ones."""

    additions: tuple[PlannedActivity, ...]
    amendments: tuple[Amendment, ...]
    withdrawals: tuple[Withdrawal, ...]


def revision_diff(
    stored: Sequence[StoredActivity],
    document: PlanDocument,
    corrections: Mapping[int, str | None] | None = None,
) -> PlanDiff:
    """The document against the stored plan, paired automatically and then as the person
    corrected it (index in the file → a stored activity, or None: not paired). Raises
    PairingRefused for a correction that cannot be."""
    pairs = match(stored, document.activities)
    if corrections:
        pairs = corrected(stored, len(document.activities), pairs, corrections)
    return compare(stored, document.activities, pairs)


def confirmed_revision(
    stored: Sequence[StoredActivity],
    document: PlanDocument,
    diff: PlanDiff,
    lapse: Collection[str],
    seen: Mapping[str, int],
) -> Revision:
    """The changes of `diff`: every new activity added, every changed one amended, the
    missing ones in `lapse` withdrawn (when they still can be), each stored activity at the
    version the review showed (`seen`; StaleReview when it did not show it)."""
    withdrawable = {s.activity_id for s in stored if s.withdrawable}

    def version(activity_id: str) -> int:
        if activity_id not in seen:
            raise StaleReview(activity_id)
        return seen[activity_id]

    additions = tuple(
        document.activities[item.index] for item in diff.of_kind(Kind.NEW) if item.index is not None
    )
    amendments = tuple(
        Amendment(item.activity_id, document.activities[item.index], version(item.activity_id))
        for item in diff.of_kind(Kind.CHANGED)
        if item.index is not None and item.activity_id is not None
    )
    withdrawals = tuple(
        Withdrawal(item.activity_id, version(item.activity_id))
        for item in diff.of_kind(Kind.MISSING)
        if item.activity_id in lapse and item.activity_id in withdrawable
    )
    return Revision(additions, amendments, withdrawals)
