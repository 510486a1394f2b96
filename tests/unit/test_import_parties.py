"""Reading "Wie": splitting it into parties and matching them to the network's workgroups."""

from __future__ import annotations

import pytest

from tracker.importing.draft import FoundActivity, FoundPlan, build_draft
from tracker.importing.parties import KnownGroup, Parties, match_parties, split_parties

KNOWN = [
    KnownGroup("Werkgroep PR & Communicatie", ("PR-werkgroep",)),
    KnownGroup("Secretariaat"),
    KnownGroup("Netwerkcoördinatoren"),
    KnownGroup("Dagelijks Bestuur", ("DB",)),
    KnownGroup("Werkgroep beleid"),
    KnownGroup("Werkgroep IDPZ"),
    KnownGroup("Werkgroep deskundigheidsbevordering"),
    KnownGroup("Netwerkgroepen"),
    KnownGroup("Werkgroep Verbinding & Verdieping"),
]

# The "Wie" of "Scholingprogramma voor- en najaar" in the IJssel-Vecht plan 2024, as read.
WIE_WITH_MEMBERS = (
    "Werkgroep deskundigheidsbevordering Met leden uit:\n"
    "- - Ziekenhuis\n- - GV\n- - Thuiszorg\n- - Verpleeghuiszorg\n- - Consultteams"
)


# --- splitting ------------------------------------------------------------------------------


def test_a_list_of_three_parties_is_split_at_its_comma_and_its_en() -> None:
    wie = "Werkgroep PR & Communicatie, secretariaat en netwerkcoördinatoren."
    assert split_parties(wie) == [
        "Werkgroep PR & Communicatie",
        "secretariaat",
        "netwerkcoördinatoren",
    ]


def test_parties_are_split_at_commas_semicolons_plus_signs_and_new_lines() -> None:
    assert split_parties("Huisarts, apotheker; Mediq + Isala\nSaxion") == [
        "Huisarts",
        "apotheker",
        "Mediq",
        "Isala",
        "Saxion",
    ]


def test_an_en_inside_a_group_name_does_not_split_it() -> None:
    assert split_parties("Werkgroep proactieve zorgplanning en continuïteit van zorg") == [
        "Werkgroep proactieve zorgplanning en continuïteit van zorg"
    ]


def test_an_en_before_another_capitalised_party_splits() -> None:
    assert split_parties("Werkgroep beleid en Dagelijks Bestuur.") == [
        "Werkgroep beleid",
        "Dagelijks Bestuur",
    ]


def test_remarks_in_parentheses_and_lead_words_are_not_part_of_a_party() -> None:
    wie = "Elly Wenneger (Nieuwe Weide), Afvaardiging DB en de netwerkcoördinatoren."
    assert split_parties(wie) == ["Elly Wenneger", "DB", "netwerkcoördinatoren"]


@pytest.mark.parametrize(
    "wie",
    [WIE_WITH_MEMBERS, "Werkgroep deskundigheidsbevordering Met leden uit: - Ziekenhuis - GV"],
    ids=["members-on-lines", "members-inline"],
)
def test_the_members_of_a_workgroup_are_not_parties_of_their_own(wie: str) -> None:
    assert split_parties(wie) == ["Werkgroep deskundigheidsbevordering"]


@pytest.mark.parametrize("wie", ["", "   ", "\n", " , ; "])
def test_an_empty_wie_names_no_parties(wie: str) -> None:
    assert split_parties(wie) == []
    assert match_parties(wie, KNOWN) == Parties((), ())


def test_a_party_is_kept_verbatim_including_its_ampersand() -> None:
    assert split_parties("Werkgroep zorg & welzijn, Mediq") == ["Werkgroep zorg & welzijn", "Mediq"]


# --- matching -------------------------------------------------------------------------------


def test_the_three_parties_of_the_twente_plan_match_three_workgroups_in_order() -> None:
    wie = "Werkgroep PR & Communicatie, secretariaat en netwerkcoördinatoren."
    assert match_parties(wie, KNOWN) == Parties(
        ("Werkgroep PR & Communicatie", "Secretariaat", "Netwerkcoördinatoren"), ()
    )


@pytest.mark.parametrize(
    ("wie", "workgroup"),
    [
        ("Werkgroep PR en communicatie", "Werkgroep PR & Communicatie"),
        ("werkgroep pr & communicatie", "Werkgroep PR & Communicatie"),
        ("WERKGROEP PR &COMMUNICATIE", "Werkgroep PR & Communicatie"),
        ("Werkgroep PR&Communicatie", "Werkgroep PR & Communicatie"),
        ("NETWERKCOORDINATOREN", "Netwerkcoördinatoren"),
        ("netwerkcoordinator", "Netwerkcoördinatoren"),
        ("Netwerkcoördinator.", "Netwerkcoördinatoren"),
        ("de netwerkcoördinatoren", "Netwerkcoördinatoren"),
        ("Werkgroep verbinding en verdieping", "Werkgroep Verbinding & Verdieping"),
        ("Netwerkgroep", "Netwerkgroepen"),
        ("secretariaat", "Secretariaat"),
        ("Sécretariaat", "Secretariaat"),
    ],
)
def test_a_party_matches_its_workgroup_whatever_its_case_accents_ampersand_or_plural(
    wie: str, workgroup: str
) -> None:
    assert match_parties(wie, KNOWN) == Parties((workgroup,), ())


@pytest.mark.parametrize(
    ("wie", "workgroups"),
    [
        ("Afvaardiging DB en netwerkcoördinatoren.", ("Dagelijks Bestuur", "Netwerkcoördinatoren")),
        ("PR-werkgroep + secretariaat", ("Werkgroep PR & Communicatie", "Secretariaat")),
    ],
)
def test_a_workgroup_is_also_found_by_its_other_names(
    wie: str, workgroups: tuple[str, ...]
) -> None:
    assert match_parties(wie, KNOWN) == Parties(workgroups, ())


def test_workgroups_are_listed_in_the_order_the_wie_names_them() -> None:
    parties = match_parties("Netwerkcoördinatoren, Werkgroep IDPZ en DB", KNOWN)
    assert parties.workgroups == ("Netwerkcoördinatoren", "Werkgroep IDPZ", "Dagelijks Bestuur")


def test_a_workgroup_named_twice_is_listed_once() -> None:
    parties = match_parties("Secretariaat, DB, secretariaat en Dagelijks Bestuur", KNOWN)
    assert parties == Parties(("Secretariaat", "Dagelijks Bestuur"), ())


@pytest.mark.parametrize(
    ("wie", "unknown"),
    [("DBA", "DBA"), ("Werkgroep beleidsplan", "Werkgroep beleidsplan")],
)
def test_a_name_is_not_matched_inside_a_longer_word(wie: str, unknown: str) -> None:
    assert match_parties(wie, KNOWN) == Parties((), (unknown,))


def test_unknown_parties_are_proposed_in_the_order_written_next_to_the_matched_ones() -> None:
    wie = "Saxion, ROC van Twente, CIVO en netwerkcoördinatoren."
    assert match_parties(wie, KNOWN) == Parties(
        ("Netwerkcoördinatoren",), ("Saxion", "ROC van Twente", "CIVO")
    )


def test_an_unknown_party_named_twice_is_proposed_once() -> None:
    assert match_parties("Saxion, Mediq en Saxion.", KNOWN).unknown == ("Saxion", "Mediq")


def test_an_unknown_party_named_twice_in_another_case_is_proposed_once() -> None:
    assert match_parties("Saxion, Mediq en saxion", KNOWN).unknown == ("Saxion", "Mediq")


def test_with_no_known_workgroups_every_party_is_proposed() -> None:
    assert match_parties("Werkgroep beleid en Dagelijks Bestuur.", []) == Parties(
        (), ("Werkgroep beleid", "Dagelijks Bestuur")
    )


def test_the_members_of_a_workgroup_are_neither_matched_nor_proposed() -> None:
    assert match_parties(WIE_WITH_MEMBERS, KNOWN) == Parties(
        ("Werkgroep deskundigheidsbevordering",), ()
    )


# --- across the activities of a draft --------------------------------------------------------


def _draft_with_wie(*wies: str) -> tuple[str, ...]:
    found = FoundPlan(
        activities=[
            FoundActivity(
                "Coördinatie", f"Activiteit {n}", objectives="Doel.", wie=wie, wanneer="2021"
            )  # fmt: skip
            for n, wie in enumerate(wies, start=1)
        ],
        year=2021,
    )
    draft = build_draft(found, network_slug="twente", network_name="Twente", known=KNOWN[:1])
    return draft.proposed_workgroups


def test_a_draft_proposes_each_unknown_party_once_in_order_of_first_mention() -> None:
    assert _draft_with_wie("Saxion en Mediq", "Mediq, Menzis", "Saxion.") == (
        "Saxion",
        "Mediq",
        "Menzis",
    )


def test_a_draft_proposes_a_party_once_whatever_its_case_accents_or_plural() -> None:
    proposed = _draft_with_wie(
        "Netwerkcoördinatoren.",
        "netwerkcoördinatoren",
        "Netwerkcoordinator",
        "NETWERKCOÖRDINATOREN",
    )
    assert proposed == ("Netwerkcoördinatoren",)
