"""The review's choices for proposed parties: a new workgroup, an existing workgroup, merged
with another party, or ignored (tracker.importing.review.with_party_choices)."""

from __future__ import annotations

import pytest

from tracker.domain.plan import WorkgroupSpec
from tracker.importing.draft import Draft, FoundActivity, FoundPlan, build_draft
from tracker.importing.parties import KnownGroup
from tracker.importing.review import (
    CREATE,
    IGNORE,
    MERGE,
    WORKGROUP,
    ActivityChoice,
    PartyChoice,
    ReviewRefused,
    apply_review,
    with_party_choices,
)

EXISTING = {7: WorkgroupSpec("Werkgroep beleid", "beleid@example.org", ("WB",))}


def _draft() -> Draft:
    found = FoundPlan(
        [
            FoundActivity("Scholing", "Cursus", wie="Werkgroep Scholng"),
            FoundActivity("Scholing", "Training", wie="Werkgroep beleid en Kerngroep"),
            FoundActivity("Regio", "Overleg", wie="Kern-groep, Gemeenten"),
            FoundActivity("Regio", "Gemeenteoverleg", wie="gemeenten"),
        ],
        year=2024,
    )
    known = [KnownGroup("Werkgroep beleid", ("WB",))]
    return build_draft(found, network_slug="t", network_name="Twente", known=known)


def _groups(draft: Draft) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    return {a.title: (a.workgroups, a.parties) for a in draft.document.activities}


def test_the_draft_proposes_the_unknown_parties() -> None:
    assert _draft().proposed_workgroups == ("Werkgroep Scholng", "Kerngroep", "Kern-groep",
                                            "Gemeenten")  # fmt: skip


def test_a_party_mapped_to_an_existing_workgroup_becomes_that_workgroup() -> None:
    draft = with_party_choices(
        _draft(), [PartyChoice("Werkgroep Scholng", WORKGROUP, workgroup_id=7)], EXISTING
    )
    assert _groups(draft)["Cursus"] == (("Werkgroep beleid",), ())
    assert "Werkgroep Scholng" not in draft.proposed_workgroups
    spec = next(s for s in draft.document.workgroups if s.name == "Werkgroep beleid")
    assert spec.aliases == ("WB",)  # not remembered unless asked


def test_a_remembered_mapping_is_an_alias_of_the_workgroup() -> None:
    choice = PartyChoice("Werkgroep Scholng", WORKGROUP, workgroup_id=7, remember=True)
    draft = with_party_choices(_draft(), [choice], EXISTING)
    spec = next(s for s in draft.document.workgroups if s.name == "Werkgroep beleid")
    assert spec.aliases == ("WB", "Werkgroep Scholng")


def test_merged_parties_become_one_new_workgroup_and_ignored_ones_stay_text() -> None:
    choices = [
        PartyChoice("Kern-groep", MERGE, merge_with="Kerngroep", remember=True),
        PartyChoice("Kerngroep", CREATE),
        PartyChoice("Gemeenten", IGNORE),
    ]
    draft = with_party_choices(_draft(), choices, EXISTING)
    groups = _groups(draft)
    assert groups["Training"] == (("Werkgroep beleid", "Kerngroep"), ())
    assert groups["Overleg"] == (("Kerngroep",), ("Gemeenten",))
    assert groups["Gemeenteoverleg"] == ((), ("gemeenten",))
    new = [s for s in draft.document.workgroups if s.name == "Kerngroep"]
    assert new == [WorkgroupSpec("Kerngroep", aliases=("Kern-groep",))]
    assert draft.proposed_workgroups == ("Werkgroep Scholng", "Gemeenten")


def test_a_chain_of_merges_ends_at_what_its_last_party_becomes() -> None:
    choices = [
        PartyChoice("Kern-groep", MERGE, merge_with="Kerngroep"),
        PartyChoice("Kerngroep", MERGE, merge_with="Werkgroep Scholng"),
        PartyChoice("Werkgroep Scholng", WORKGROUP, workgroup_id=7),
    ]
    groups = _groups(with_party_choices(_draft(), choices, EXISTING))
    assert groups["Overleg"] == (("Werkgroep beleid",), ("Gemeenten",))
    assert groups["Training"] == (("Werkgroep beleid",), ())


def test_a_party_merged_into_an_ignored_one_stays_text() -> None:
    choices = [PartyChoice("Kern-groep", MERGE, merge_with="Gemeenten")]
    draft = with_party_choices(_draft(), choices, EXISTING)
    assert _groups(draft)["Overleg"] == ((), ("Kern-groep", "Gemeenten"))
    assert "Kern-groep" in draft.proposed_workgroups


@pytest.mark.parametrize(
    ("choices", "problem"),
    [
        ([PartyChoice("Werkgroep Scholng", WORKGROUP, workgroup_id=8)],
         "'Werkgroep Scholng': the chosen workgroup is not a workgroup of this network"),
        ([PartyChoice("Werkgroep Scholng", WORKGROUP, workgroup_id=None)],
         "'Werkgroep Scholng': the chosen workgroup is not a workgroup of this network"),
        ([PartyChoice("IKNL", CREATE)], "'IKNL' is not a party of this draft"),
        ([PartyChoice("Kerngroep", MERGE, merge_with="IKNL")],
         "'Kerngroep' cannot be merged with 'IKNL': that is not another party of this draft"),
        ([PartyChoice("Kerngroep", MERGE, merge_with="Kerngroep")],
         "'Kerngroep' cannot be merged with 'Kerngroep': that is not another party of this "
         "draft"),
        ([PartyChoice("Kerngroep", "delete")], "the choice for 'Kerngroep' is not understood"),
        ([PartyChoice("Kerngroep", MERGE, merge_with="Kern-groep"),
          PartyChoice("Kern-groep", MERGE, merge_with="Gemeenten"),
          PartyChoice("Gemeenten", MERGE, merge_with="Kerngroep")],
         "the parties Gemeenten, Kern-groep, Kerngroep are merged with each other in a circle; "
         "make one of them a workgroup, or ignore it"),
    ],
)  # fmt: skip
def test_bad_party_choices_are_refused(choices: list[PartyChoice], problem: str) -> None:
    with pytest.raises(ReviewRefused) as refused:
        with_party_choices(_draft(), choices, EXISTING)
    assert [str(p) for p in refused.value.problems] == [problem]


def test_the_review_stores_only_the_workgroups_its_kept_activities_use() -> None:
    draft = _draft()
    keep = [ActivityChoice(True, a.title, a.theme, a.wanneer) for a in draft.document.activities]
    keep[1] = ActivityChoice(False, "Training", "Scholing", "")
    parties = [PartyChoice("Kerngroep", CREATE), PartyChoice("Werkgroep Scholng", CREATE)]
    document = apply_review(draft, keep, parties, EXISTING)
    assert [s.name for s in document.workgroups] == ["Werkgroep Scholng"]
    with pytest.raises(ReviewRefused) as refused:
        apply_review(draft, keep, [PartyChoice("Kerngroep", WORKGROUP, workgroup_id=3)], EXISTING)
    assert "not a workgroup of this network" in str(refused.value)
