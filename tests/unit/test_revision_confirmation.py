"""What confirming a revision review amounts to: new ones added, changed ones amended at the
version the review showed, only ticked missing ones that can still lapse withdrawn."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tracker.domain.commands import Amendment, Withdrawal
from tracker.domain.plan import PlanDocument, PlannedActivity
from tracker.domain.plan_diff import StoredActivity
from tracker.importing.revision import StaleReview, confirmed_revision, revision_diff

MEETING = PlannedActivity("Bestuursoverleg", "Coördinatie", "Akkoord op het jaarplan")
WEBSITE = PlannedActivity("Website", "Informeren", "De website is actueel")
FOLDER = PlannedActivity("Folder", "Informeren", "Een nieuwe folder")
STORED = [
    StoredActivity("meeting", MEETING, 0, version=3),
    StoredActivity("website", WEBSITE, 1, version=2),
    StoredActivity("closed", PlannedActivity("Oud", "Informeren", "Gestopt"), 2, 5, False),
]
RENAMED = replace(MEETING, title="Algemeen bestuursoverleg")


def document(*activities: PlannedActivity) -> PlanDocument:
    return PlanDocument("net", "Net", "net-2021", 2021, "Jaarplan 2021", "", "", (), activities)


def test_a_confirmation_adds_amends_and_withdraws_only_what_was_ticked_and_can_lapse() -> None:
    revised = document(RENAMED, FOLDER)
    diff = revision_diff(STORED, revised)
    seen = {"meeting": 3, "website": 2, "closed": 5}
    revision = confirmed_revision(STORED, revised, diff, {"website", "closed"}, seen)
    assert revision.additions == (FOLDER,)
    assert revision.amendments == (Amendment("meeting", RENAMED, 3),)
    assert revision.withdrawals == (Withdrawal("website", 2),)
    untouched = confirmed_revision(STORED, revised, diff, set(), seen)
    assert untouched.withdrawals == ()


def test_a_change_to_an_activity_the_review_did_not_show_is_stale() -> None:
    revised = document(RENAMED, WEBSITE)
    diff = revision_diff(STORED, revised)
    with pytest.raises(StaleReview):
        confirmed_revision(STORED, revised, diff, set(), {"website": 2})


def test_a_person_unpairs_a_changed_activity_it_becomes_new_and_the_stored_one_missing() -> None:
    revised = document(RENAMED, WEBSITE)
    diff = revision_diff(STORED, revised, {0: None})
    revision = confirmed_revision(STORED, revised, diff, {"meeting"}, {"meeting": 3})
    assert revision.additions == (RENAMED,)
    assert revision.amendments == ()
    assert revision.withdrawals == (Withdrawal("meeting", 3),)
