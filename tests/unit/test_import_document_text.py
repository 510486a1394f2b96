"""Reading extracted plan text: the two real plans in tests/fixtures/plans and small synthetic ones.

000 is the Twente plan 2021 (blocks Doelstellingen / Acties en resultaten / Wie / Wanneer under
pillar headings, with navigation, button labels and HTML as extraction noise); 001 is the
IJssel-Vecht plan 2024 (sections with a Wat / Wie / Looptijd table whose cells carry HTML).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from functools import cache
from pathlib import Path

import pytest

from tests.dutch import dutch, refused_in_dutch
from tracker.importing.document_text import read_document_text
from tracker.importing.draft import FoundActivity, FoundPlan, ImportFailed, build_draft

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"


@cache
def twente() -> FoundPlan:
    return read_document_text((PLANS / "000_7270eda182fee902.txt").read_text(encoding="utf-8"))


@cache
def ijssel_vecht() -> FoundPlan:
    return read_document_text((PLANS / "001_f9c4893a761be112.txt").read_text(encoding="utf-8"))


def fields(activity: FoundActivity) -> dict[str, str]:
    return {name: value for name, value in asdict(activity).items() if isinstance(value, str)}


# --- the Twente plan 2021 ---------------------------------------------------------------------

TWENTE_HEADINGS = [
    # Coördinatie (the raw text has no SIGNALEREN heading, so "Tekortkomingen" stays here)
    "Algemeen bestuursoverleg",
    "Gesprek bestuurders",
    "Start acties voortkomend uit meerjarenbeleidsplan 2021-2025",
    "Bijeenkomsten netwerkgroepen",
    "Implementatie kwaliteitskader Palliatieve Zorg met behulp van het levenspad Palliatieve "
    "Zorg Twente",
    "Toereikend aanbod palliatieve zorg",
    "Zelfevaluatie instrument",
    "Regionale samenwerkingsafspraken intensieve zorg in de terminale fase",
    "Transmurale samenwerking en consultatie",
    "Afstemming Menzis",
    "Samenwerking Keten Dementie Twente",
    "Samenwerking CVA-Keten Twente en/of Parkinson Net Twente",
    "Samenwerking Saxion, ROC van Twente, CIVO",
    "Samenwerking gemeenten",
    "Samenwerking binnen Consortium Ligare",
    "Cliëntenparticipatie",
    "Tekortkomingen en knelpunten",
    # Faciliteren
    "Faciliteren implementatie kwaliteitskader palliatieve zorg m.b.v. levenspad palliatieve zorg",
    "Borging en uitbreiding PaTz groepen (palliatieve thuiszorg)",
    "Spirituele zorg in de eerstelijns",
    "Bevorderen (invulling) rol centrale zorgverlener",
    "Digitale webapplicatie wensenboekje",
    "(Borging) Continuïteitshuisbezoeken regio MNWT",
    # Informeren
    "Overzicht aanbod palliatieve zorg is actueel",
    "Informereren algemeen publiek en zorgverleners",  # sic: the plan's own heading
    "Foldermateriaal regionaal en landelijk",
    "Internationale Dag van de Palliatieve Zorg (IDPZ)",
    # Leren en verbeteren
    "Diverse bij- en nascholingen voor professionals en vrijwilligers",
    "Gluren bij de burens",
    "Opleidingsplaatsen Leergang Palliatieve Zorg Saxion",
    "Samenwerking en afstemming tussen palliatief verpleegkundigen en palliatief consulenten",
]


def test_the_twente_plan_has_exactly_40_activities() -> None:
    assert len(twente().activities) == 40


def test_the_twente_activities_are_counted_under_the_pillars_of_the_raw_text() -> None:
    themes = Counter(activity.theme for activity in twente().activities)
    assert themes == {"Coördinatie": 21, "Faciliteren": 10, "Informeren": 5,
                      "Leren en verbeteren": 4}  # fmt: skip
    assert list(themes) == ["Coördinatie", "Faciliteren", "Informeren", "Leren en verbeteren"]


def test_the_twente_activities_carry_the_plans_headings_in_order_without_navigation() -> None:
    headings = [activity.heading for activity in twente().activities]
    assert list(dict.fromkeys(headings)) == TWENTE_HEADINGS


def test_a_heading_with_several_blocks_gives_one_activity_per_block() -> None:
    blocks = Counter(activity.heading for activity in twente().activities)
    assert {heading: n for heading, n in blocks.items() if n > 1} == {
        "Tekortkomingen en knelpunten": 5,
        "Spirituele zorg in de eerstelijns": 4,
        "Digitale webapplicatie wensenboekje": 2,
        "Informereren algemeen publiek en zorgverleners": 2,
    }


def test_the_numbered_page_variants_of_a_heading_stay_under_that_one_heading() -> None:
    spiritual = [a for a in twente().activities if "Spirituele" in a.heading]
    assert [(a.theme, a.heading) for a in spiritual] == [
        ("Faciliteren", "Spirituele zorg in de eerstelijns")
    ] * 4
    assert [a.objectives.split()[0] for a in spiritual] == ["Verbetering", "Afname", "Bij", "Eind"]


def test_every_twente_activity_has_objectives_or_actions_and_a_wie_and_a_wanneer() -> None:
    incomplete = [
        a.heading
        for a in twente().activities
        if not ((a.objectives or a.actions) and a.wie and a.wanneer)
    ]
    assert incomplete == []


@pytest.mark.parametrize("noise", ["⁽", "Knop", "<hr", "<", "**", "](", "^"])
def test_no_field_of_a_twente_activity_carries_extraction_noise(noise: str) -> None:
    noisy = [
        (a.heading, name)
        for a in twente().activities
        for name, value in fields(a).items()
        if noise in value
    ]
    assert noisy == []


def test_the_twente_plan_gives_its_title_year_and_motto() -> None:
    plan = twente()
    assert (plan.title, plan.year, plan.motto) == (
        "Jaarplan 2021",
        2021,
        "Leren van en met elkaar",
    )


def test_the_twente_foreword_explains_the_covid_carry_over_without_its_signature() -> None:
    introduction = twente().introduction
    assert introduction.startswith("Met trots presenteren we het gezamenlijke jaarplan 2021")
    assert "Vanwege de COVID-19 uitbraak zijn niet alle acties uit het jaarplan 2020" in (
        introduction
    )
    assert introduction.endswith("Wij zien ernaar uit om gezamenlijk de netwerkdoelen te "
                                 "verwezenlijken.")  # fmt: skip
    for signature in ("Agnes van Berkum", "Gerda Kievitsbosch", "Netwerkcoördinatoren"):
        assert signature not in introduction


def test_a_label_followed_by_a_space_is_read_like_one_followed_by_a_tab() -> None:
    [activity] = [a for a in twente().activities if a.heading.startswith("Transmurale")]
    assert activity.objectives == (
        "24/7 de mogelijkheid van consultatie in de regio Twente voor de eerste en tweede lijn."
    )
    assert activity.actions.splitlines()[0] == (
        "- Bijdragen aan PR Palliatief Consultteam ZGT (vanaf 1 okt. 2018 beschikbaar voor 1e "
        "en 2e lijn)."
    )
    assert (activity.wie, activity.wanneer) == ("IKNL, ZGT, MST, Twentse Netwerken.", "Continu")


def test_an_html_list_in_a_cell_becomes_a_list_of_bullets() -> None:
    blocks = [a for a in twente().activities if a.heading == "Tekortkomingen en knelpunten"]
    assert blocks[1].actions.splitlines() == [
        "- Inzichtelijk maken van vrije plaatsen in hospices op de netwerksite en op de app "
        "PalliArts.",
        "- Jaarlijks overzicht van bedbezetting alle hospices.",
        "- Realiseren meer inzicht in wachtlijsten op lokaal en regionaal niveau.",
    ]


def test_the_twente_timing_phrases_are_read_from_the_blocks() -> None:
    wanneer = Counter(activity.wanneer for activity in twente().activities)
    assert wanneer == {
        "2021": 22, "Continu": 10, "2021-2025": 2, "4e kwartaal": 1, "1e kwartaal 2021": 1,
        "Start najaar 2020.": 1, "Voorjaar 2021": 1, "Oktober": 1, "2 x per jaar": 1,
    }  # fmt: skip


def test_the_twente_plan_reads_without_warnings_but_lists_what_it_did_not_place() -> None:
    # The pillar menu and the cover's words, the foreword's signature, a sidebar's "Willem.
    # Hart voor levensvragen" and a subtitle: the navigation repeating headings is not listed.
    assert [dutch(w) for w in twente().warnings] == [
        f"regel {number}: niet geplaatst: {text}"
        for number, text in [
            (13, "Signaleren"), (17, "Leren en"), (18, "verbeteren"), (22, "Netwerken"),
            (23, "Palliatieve Zorg"), (24, "Twente"),
            (44, "Agnes van Berkum en Gerda Kievitsbosch"), (45, "Netwerkcoördinatoren"),
            (414, "Willem."), (416, "Hart voor"), (417, "levensvragen"),
            (601, "Willem."), (603, "Hart voor"), (604, "levensvragen"),
            (763, "Informeren algemeen publiek en zorgverleners"),
            (789, "Informeren algemeen publiek en zorgverleners"),
        ]
    ]  # fmt: skip


# --- the IJssel-Vecht plan 2024 ---------------------------------------------------------------

IJSSEL_VECHT_SECTIONS = [
    "Transmurale Samenwerking",
    "Deskundigheidsbevordering",
    "Verbinding & Verdieping",
    "Palliatieve zorg voor IJsselmond",
    "Lerend Netwerk in Hardenberg",
    "Uitvoering kwaliteitskader PZ in de regio",
]


def test_the_ijssel_vecht_plan_has_nine_activities_in_its_six_sections_in_order() -> None:
    activities = ijssel_vecht().activities
    assert len(activities) == 9
    assert list(dict.fromkeys(a.theme for a in activities)) == IJSSEL_VECHT_SECTIONS
    assert [a.title for a in activities] == [
        "Pilot: Continuïteit van de palliatieve zorg tussen 1e en 2e lijn",
        "Palliatieve Spoedkit positioneren in de regio",
        "Scholingprogramma voor- en najaar",
        "Internationale dag palliatieve zorg",
        "Bewustwordingscampagne in de regio",
        "Samenwerking in de regio",
        "Samenwerking in de regio",
        "Inzicht in stand van zaken in individuele organisaties kwaliteitskader",
        "Beleidsnotitie 2024-2028",
    ]


def test_the_ijssel_vecht_table_rows_keep_their_wie_and_looptijd() -> None:
    activities = ijssel_vecht().activities
    assert [(a.wie.splitlines()[0], a.wanneer) for a in activities[:2]] == [
        ("Werkgroep transmurale samenwerking adherente gebied Isala ziekenhuis",
         "Tot september 2024"),
        ("Huisarts, apotheker, netwerkcoördinator, Mediq",
         "Q1 start pilot tot en met september 2024"),
    ]  # fmt: skip
    assert [a.wanneer for a in activities[2:]] == ["2024"] * 7


def test_an_activity_of_a_table_row_keeps_the_text_after_its_bold_title_as_actions() -> None:
    first = ijssel_vecht().activities[0]
    assert first.actions.splitlines() == [
        "Deze pilot en werkwijze is een best practise en zorgt voor een efficiënte, doelmatige "
        "kwalitatief hoogwaardige samenwerking in de palliatieve zorg. Dit zorgt voor:",
        "- Het verbeteren van de continuïteit en kwaliteit van zorg;",
        "- Het verminderen van het aantal ongeplande ziekenhuisopnames;",
        "- Het faciliteren van zorg die aansluit bij de levenseindevoorkeuren, in het specifiek "
        "de voorkeursplaats van overlijden.",
    ]


def test_no_field_of_an_ijssel_vecht_activity_carries_html() -> None:
    with_html = [
        (a.title, name)
        for a in ijssel_vecht().activities
        for name, value in fields(a).items()
        if "<" in value or ">" in value or "&lt;" in value
    ]
    assert with_html == []


def test_a_list_item_that_has_its_own_dash_is_bulleted_once() -> None:
    wie = ijssel_vecht().activities[2].wie
    assert wie.splitlines()[1:] == [
        "- Ziekenhuis", "- GV", "- Thuiszorg", "- Verpleeghuiszorg", "- Consultteams",
    ]  # fmt: skip


def test_the_ijssel_vecht_plan_gives_its_title_and_year_and_its_introduction() -> None:
    plan = ijssel_vecht()
    assert (plan.title, plan.year, plan.motto) == ("Jaarplan 2024", 2024, "")
    assert plan.introduction.startswith("Voor u ligt het jaarplan 2024 van het Netwerk")
    assert "<" not in plan.introduction and "**" not in plan.introduction
    assert [dutch(w) for w in plan.warnings] == [  # after the foreword, before the tables
        "regel 22: niet geplaatst: Via de werkgroepen geven we uitvoering aan het beleid zoals "
        "dit door het NPPZ II is geformuleerd."
    ]


def test_the_same_row_title_in_two_sections_gets_a_title_that_names_its_section() -> None:
    draft = build_draft(ijssel_vecht(), network_slug="ijv", network_name="IJssel-Vecht")
    titles = [a.title for a in draft.document.activities]
    assert len(set(titles)) == 9
    assert titles[5:7] == [
        "Samenwerking in de regio (Palliatieve zorg voor IJsselmond)",
        "Samenwerking in de regio (Lerend Netwerk in Hardenberg)",
    ]


# --- small synthetic texts ---------------------------------------------------------------------

EXPECTED_MENZIS = FoundActivity(
    theme="Coördinatie",
    heading="Afstemming Menzis",
    objectives="Samenwerking en afstemming.",
    actions="Jaarlijkse afstemming.",
    wie="Netwerkcoördinatoren.",
    wanneer="2021",
)
HEAD = "Jaarplan 2021\n\nCOÖRDINATIE\n\nAfstemming Menzis\n\n"


@pytest.mark.parametrize(
    "body",
    [
        "Doelstellingen\n\nSamenwerking en afstemming.\n\nActies en resultaten\n\n"
        "Jaarlijkse afstemming.\n\nWie\n\nNetwerkcoördinatoren.\n\nWanneer\n\n2021\n",
        "Doelstellingen\tSamenwerking en afstemming.\nActies en resultaten\tJaarlijkse "
        "afstemming.\nWie\tNetwerkcoördinatoren.\nWanneer\t2021\n",
        "Doelstellingen Samenwerking en afstemming.\nActies en resultaten Jaarlijkse "
        "afstemming.\nWie Netwerkcoördinatoren.\nWanneer 2021\n",
        "Doelstellingen: Samenwerking en afstemming.\nActies en resultaten: Jaarlijkse "
        "afstemming.\nWie: Netwerkcoördinatoren.\nWanneer: 2021\n",
    ],
    ids=["label-on-its-own-line", "label-and-tab", "label-and-space", "label-and-colon"],
)
def test_a_block_reads_the_same_whether_its_labels_stand_alone_or_before_a_tab_or_space(
    body: str,
) -> None:
    plan = read_document_text(HEAD + body)
    assert [{**asdict(a), "source": ""} for a in plan.activities] == [asdict(EXPECTED_MENZIS)]
    assert plan.warnings == []


def test_button_labels_page_numbers_and_rules_are_ignored() -> None:
    text = (
        "Jaarplan 2021\n\nCOÖRDINATIE\n\nKnop 38:\n\n12\n\nPagina 3 van 20\n\n"
        "Afstemming Menzis\n\n"
        "Doelstellingen\tSamenwerking.\nActies en resultaten\tJaarlijkse afstemming.\n"
        "Wie\tNetwerkcoördinatoren.\nWanneer\t2021\n"
        "<hr/>\t\n"
        "Doelstellingen\tTweede blok.\nWie\tSecretariaat.\nWanneer\tContinu\n"
        "Knop 39: Terug\n\n7\n\n"
        "INFORMEREN\n\nWebsite\n\nDoelstellingen\tActueel.\nWie\tSecretariaat\nWanneer\tOktober\n"
    )
    plan = read_document_text(text)
    assert [(a.theme, a.heading, a.objectives, a.wie, a.wanneer) for a in plan.activities] == [
        ("Coördinatie", "Afstemming Menzis", "Samenwerking.", "Netwerkcoördinatoren.", "2021"),
        ("Coördinatie", "Afstemming Menzis", "Tweede blok.", "Secretariaat.", "Continu"),
        ("Informeren", "Website", "Actueel.", "Secretariaat", "Oktober"),
    ]
    assert plan.activities[0].source == "Coördinatie › Afstemming Menzis, regel 13"
    assert plan.warnings == []


def test_a_bullet_that_starts_with_a_label_word_stays_in_its_field() -> None:
    text = HEAD + (
        "Doelstellingen\tBorging.\nActies en resultaten\n\n- Blijvende aandacht voor PR.\n"
        "- Acties gericht op borging in de werkprocessen.\n\nWie\tWerkgroep.\nWanneer\tContinu\n"
    )
    [activity] = read_document_text(text).activities
    assert activity.actions == (
        "- Blijvende aandacht voor PR.\n- Acties gericht op borging in de werkprocessen."
    )


def test_a_numbered_variant_in_parentheses_is_the_same_heading() -> None:
    text = "Jaarplan 2021\n\nCOÖRDINATIE\n\nOverleg (2)\n\nDoelstellingen\tX\nWanneer\t2021\n"
    assert [a.heading for a in read_document_text(text).activities] == ["Overleg"]


def test_a_block_before_any_pillar_is_kept_under_algemeen_with_a_warning() -> None:
    text = (
        "Jaarplan 2021\n\nLosse activiteit\n\nDoelstellingen\tIets.\nWie\tSecretariaat\n"
        "Wanneer\t2021\n\nCOÖRDINATIE\n\nTweede\n\nDoelstellingen\tIets anders.\n"
        "Wie\tSecretariaat\nWanneer\t2021\n"
    )
    plan = read_document_text(text)
    assert [(a.theme, a.heading) for a in plan.activities] == [
        ("Algemeen", "Losse activiteit"),
        ("Coördinatie", "Tweede"),
    ]
    assert [dutch(w) for w in plan.warnings] == ["regel 5: activiteit staat niet onder een pijler"]


def test_a_block_without_objectives_or_actions_is_skipped_with_a_warning() -> None:
    text = "Jaarplan 2021\n\nCOÖRDINATIE\n\nLeeg\n\nDoelstellingen\n\nWie\tX\nWanneer\t2021\n"
    plan = read_document_text(text)
    assert plan.activities == []
    assert [dutch(w) for w in plan.warnings] == ["regel 7: blok zonder Doelstellingen of Acties"]


def test_a_wat_wie_looptijd_table_gives_one_activity_per_bold_title() -> None:
    text = (
        "## Jaarplan 2024\n\n### 1. Transmurale Samenwerking\n\nWat\tWie\tLooptijd\n"
        "<p><b>Spoedkit</b> positioneren.</p>\t<p>Werkgroep X</p>\t<p>Q1</p>\n"
        "<b>Twee</b> iets <b>Drie</b> meer\tY\t2024\n"
    )
    plan = read_document_text(text)
    assert (plan.title, plan.year) == ("Jaarplan 2024", 2024)
    assert [(a.theme, a.title, a.actions, a.wie, a.wanneer) for a in plan.activities] == [
        ("Transmurale Samenwerking", "Spoedkit", "positioneren.", "Werkgroep X", "Q1"),
        ("Transmurale Samenwerking", "Twee", "iets", "Y", "2024"),
        ("Transmurale Samenwerking", "Drie", "meer", "Y", "2024"),
    ]


def test_a_foreword_is_kept_without_its_signature_and_a_quoted_line_is_the_motto() -> None:
    text = (
        "Jaarplan 2021\n\n\u201cSamen verder\u201d\n\nVoorwoord\n\n"
        "Dit is een voorwoord van voldoende lengte om als alinea te tellen, over COVID-19.\n\n"
        "Jan Jansen\nCoördinator\n\nCOÖRDINATIE\n\nA\n\nDoelstellingen\tX\nWie\tY\n"
        "Wanneer\t2021\n"
    )
    plan = read_document_text(text)
    assert plan.motto == "Samen verder"
    assert plan.introduction == (
        "Dit is een voorwoord van voldoende lengte om als alinea te tellen, over COVID-19."
    )


@pytest.mark.parametrize(
    "text",
    ["", "Dit is een brief.\nMet vriendelijke groet,\nJan\n", "Jaarplan 2021\n\nCOÖRDINATIE\n"],
    ids=["empty", "a-letter", "title-and-pillar-only"],
)
def test_a_text_with_no_recognisable_layout_cannot_be_drafted(text: str) -> None:
    found = read_document_text(text)
    assert found.activities == []
    with refused_in_dutch(ImportFailed, "geen activiteiten gevonden"):
        build_draft(found, network_slug="twente", network_name="Twente", year=2021)


def test_a_text_without_a_year_asks_for_the_year() -> None:
    found = read_document_text("COÖRDINATIE\n\nA\n\nDoelstellingen\tX\nWanneer\tQ1\n")
    assert len(found.activities) == 1 and found.year is None
    with refused_in_dutch(ImportFailed, "het jaar van het plan"):
        build_draft(found, network_slug="twente", network_name="Twente")


def test_a_block_without_objectives_or_actions_is_reported_not_silently_dropped() -> None:
    found = read_document_text("Jaarplan 2021\nCOÖRDINATIE\nKop\nWie\tWerkgroep X\nWanneer\t2021\n")
    assert found.activities == []
    assert [dutch(w) for w in found.warnings] == ["regel 4: blok zonder Doelstellingen of Acties"]
