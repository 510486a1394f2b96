"""Matching a "Wie" despite the way it was written: typos (conservatively), the coordinator's
spellings, lines wrapped by the extraction, and the people of the network's workgroups."""

from __future__ import annotations

import pytest

from tracker.importing.draft import FoundActivity, FoundPlan, build_draft
from tracker.importing.parties import (
    KnownGroup,
    Parties,
    canonical_roles,
    join_wrapped_lines,
    match_parties,
)

KNOWN = [
    KnownGroup("Werkgroep PR & Communicatie"),
    KnownGroup("Werkgroep PZ"),
    KnownGroup("Werkgroep IDPZ"),
    KnownGroup("Werkgroep deskundigheidsbevordering", people=("Anna de Vries",)),
    KnownGroup("Werkgroep beleid", people=("Bram Smit", "Anna de Vries")),
    KnownGroup("Netwerkcoördinatoren"),
    KnownGroup("Secretariaat", people=("Bram Smit",)),
    KnownGroup("Dagelijks Bestuur", ("DB",), people=("Carla Bos",)),
    KnownGroup("Werkgroep scholing"),
    KnownGroup("Werkgroep scholingen jeugd"),
    KnownGroup("Netwerkgroepen"),
]

DESK = "Werkgroep deskundigheidsbevordering"
PR = "Werkgroep PR & Communicatie"


@pytest.mark.parametrize(
    ("wie", "workgroups", "guessed"),
    [
        # exact, as before: no guess reported
        ("Werkgroep PZ", ("Werkgroep PZ",), ()),
        ("Werkgroep IDPZ", ("Werkgroep IDPZ",), ()),
        ("secretariaat", ("Secretariaat",), ()),
        # one or two letters off in a long name
        (
            "Werkgroep deskundigheidsbevorderig",
            (DESK,),
            (("Werkgroep deskundigheidsbevorderig", DESK),),
        ),
        (
            "Werkgroep deskundigheidbevordering",
            (DESK,),
            (("Werkgroep deskundigheidbevordering", DESK),),
        ),  # fmt: skip
        ("Secretariat", ("Secretariaat",), (("Secretariat", "Secretariaat"),)),
        ("Dagelijks Bestur", ("Dagelijks Bestuur",), (("Dagelijks Bestur", "Dagelijks Bestuur"),)),
        # a person of exactly one workgroup stands for it (also with a typo)
        ("Carla Bos", ("Dagelijks Bestuur",), ()),
        ("Carla Bos en secretariaat", ("Dagelijks Bestuur", "Secretariaat"), ()),
    ],
)
def test_a_typo_in_a_long_name_still_finds_its_workgroup_and_is_reported(
    wie: str, workgroups: tuple[str, ...], guessed: tuple[tuple[str, str], ...]
) -> None:
    parties = match_parties(wie, KNOWN)
    assert (parties.workgroups, parties.unknown, parties.guessed) == (workgroups, (), guessed)


@pytest.mark.parametrize(
    "wie",
    [
        "PR",  # not "Werkgroep PZ": too short to guess
        "Werkgroep PR",  # neither: a short distinctive part must match exactly
        "Werkgroep IDP",
        "Werkgroep PZX",
        "DBA",
        "Werkgroep beleidsplan",  # a longer word is another group
        "Werkgroep kwaliteit",
        "werkgroepen",  # all workgroups, not "Netwerkgroepen"
        "Anna de Vries",  # in two workgroups: cannot tell which
        "Bram Smit",
    ],
)
def test_a_guess_is_conservative_what_is_short_or_unclear_stays_unknown(wie: str) -> None:
    parties = match_parties(wie, KNOWN)
    assert parties.workgroups == () and parties.guessed == ()
    assert len(parties.unknown) == 1


@pytest.mark.parametrize(
    ("wie", "workgroups", "unknown"),
    [
        # a name with "&" written as it is, inside a longer "Wie"
        ("Werkgroep PR & Communicatie i.s.m. Dagelijks Bestuur", (PR, "Dagelijks Bestuur"), ()),
        ("Werkgroep PR&Communicatie samen met het DB", (PR, "Dagelijks Bestuur"), ()),
        ("Werkgroep PR en Communicatie ism secretariaat", (PR, "Secretariaat"), ()),
        # the partner named after "in samenwerking met" is a party of its own
        ("Werkgroep PZ in samenwerking met de huisartsen", ("Werkgroep PZ",), ("huisartsen",)),
    ],
)  # fmt: skip
def test_a_name_with_an_ampersand_and_a_partner_after_ism_are_read_apart(
    wie: str, workgroups: tuple[str, ...], unknown: tuple[str, ...]
) -> None:
    """ "&" and "en" are the same in a workgroup's name wherever the name stands, and "i.s.m.",
    "samen met" and "in samenwerking met" separate parties as a comma does."""
    parties = match_parties(wie, KNOWN)
    assert (parties.workgroups, parties.unknown) == (workgroups, unknown)


def test_between_two_close_names_no_group_is_guessed() -> None:
    # "scholingg" is one letter from "scholing", far from "scholingen jeugd": a clear guess.
    assert match_parties("Werkgroep scholingg", KNOWN).workgroups == ("Werkgroep scholing",)
    close = [KnownGroup("Werkgroep regio noord"), KnownGroup("Werkgroep regio nood")]
    assert match_parties("Werkgroep regio nord", close).workgroups == ()


@pytest.mark.parametrize(
    "spelling",
    [
        "netwerkcoördinator",
        "Netwerkcoördinatoren",
        "netwercoördinator",
        "netwerk-coördinator",
        "Netwerk coördinator",
        "netwerkcoordinatoren",
        "coördinator netwerk",
        "Coördinatoren van het netwerk",
        "NETWERK-COÖRDINATOR",
    ],
)
def test_the_coordinator_is_one_role_in_all_its_spellings(spelling: str) -> None:
    assert canonical_roles(spelling).lower() in ("netwerkcoördinator", "netwerkcoördinatoren")
    assert match_parties(f"Secretariaat en {spelling}", KNOWN) == Parties(
        ("Secretariaat", "Netwerkcoördinatoren"), ()
    )


def test_without_a_coordinators_group_the_spellings_make_one_proposal() -> None:
    found = FoundPlan(
        [
            FoundActivity("Thema", f"Activiteit {n}", wie=wie, wanneer="2021")
            for n, wie in enumerate(
                ["netwercoördinator", "netwerk-coördinatoren", "coördinator netwerk"]
            )
        ],
        year=2021,
    )
    draft = build_draft(found, network_slug="t", network_name="T")
    assert draft.proposed_workgroups == ("netwerkcoördinator",)


def test_a_word_that_only_contains_coordinator_is_not_the_role() -> None:
    assert canonical_roles("coördinator") == "coördinator"
    assert canonical_roles("zorgcoördinator") == "zorgcoördinator"


@pytest.mark.parametrize(
    ("wrapped", "joined"),
    [
        ("Werkgroep PR &\nCommunicatie", "Werkgroep PR & Communicatie"),
        ("Werkgroep deskundigheids-\nbevordering", "Werkgroep deskundigheidsbevordering"),
        ("PR-\nwerkgroep", "PR-werkgroep"),
        ("Werkgroep beleid en\nsecretariaat", "Werkgroep beleid en secretariaat"),
        ("Werkgroep beleid\nen secretariaat", "Werkgroep beleid en secretariaat"),
        ("Huisarts,\napotheker", "Huisarts, apotheker"),
        # a line that does not go on stays a line: a party of its own
        ("Saxion\nMediq", "Saxion\nMediq"),
        (
            "Werkgroep deskundigheidsbevordering\n- Ziekenhuis",
            "Werkgroep deskundigheidsbevordering\n- Ziekenhuis",
        ),  # fmt: skip
    ],
)
def test_lines_wrapped_by_the_extraction_are_joined_before_splitting(
    wrapped: str, joined: str
) -> None:
    assert join_wrapped_lines(wrapped) == joined


def test_a_wrapped_unknown_party_is_proposed_whole_and_a_wrapped_group_is_found() -> None:
    parties = match_parties(
        "Werkgroep deskundigheids-\nbevordering, Stichting Zorg &\nWelzijn", KNOWN
    )
    assert parties == Parties((DESK,), ("Stichting Zorg & Welzijn",))


def test_a_guessed_workgroup_is_flagged_in_the_draft() -> None:
    found = FoundPlan([FoundActivity("Thema", "Scholing", wie="Secretariat", wanneer="2021")])
    found.year = 2021
    draft = build_draft(found, network_slug="t", network_name="T", known=KNOWN)
    assert draft.document.activities[0].workgroups == ("Secretariaat",)
    assert [str(w) for w in draft.warnings] == [
        "Thema › Scholing: 'Who' 'Secretariat' was taken for the workgroup 'Secretariaat'"
    ]


def test_people_are_matched_but_never_written_into_the_plan() -> None:
    found = FoundPlan([FoundActivity("Thema", "Overleg", wie="Carla Bos", wanneer="2021")])
    found.year = 2021
    draft = build_draft(found, network_slug="t", network_name="T", known=KNOWN)
    assert draft.document.workgroups[0].name == "Dagelijks Bestuur"
    assert "Carla" not in repr(draft.document.workgroups)


def test_a_wie_of_many_wrapped_lines_is_joined_in_one_pass() -> None:
    """Only the end of the line being joined is looked at: searched whole, 20,000 wrapped
    lines took 47 s (quadratic); this input would take minutes."""
    joined = join_wrapped_lines("Werkgroep &\n" * 50_000 + "Saxion")
    assert joined == "Werkgroep & " * 50_000 + "Saxion"
