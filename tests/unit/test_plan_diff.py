"""Pairing a revised plan document with the stored plan, and what changed field by field."""

from __future__ import annotations

import random
import time
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.plan import PlannedActivity
from tracker.domain.plan_diff import (
    FieldChange,
    Kind,
    PairingRefused,
    StoredActivity,
    compare,
    corrected,
    match,
)

WORDS = [
    "scholing", "huisartsen", "netwerk", "palliatieve", "zorg", "overleg", "werkgroep",
    "poster", "praktijken", "mantelzorg", "vrijwilligers", "rouw", "nieuwsbrief", "website",
    "gemeenten", "casuïstiek", "signalering", "proactieve", "zorgplanning", "evaluatie",
    "bijeenkomst", "thuiszorg", "hospice", "verpleeghuis", "apotheker", "regio", "twente",
]  # fmt: skip


def activity(title: str, body: str, theme: str = "Coördinatie", **more: object) -> PlannedActivity:
    return PlannedActivity(title=title, theme=theme, objectives=body, actions=body, **more)  # type: ignore[arg-type]


def stored_plan(contents: list[PlannedActivity]) -> list[StoredActivity]:
    return [StoredActivity(f"a{i}", content, i) for i, content in enumerate(contents)]


def test_a_corrected_title_pairs_with_its_activity_and_shows_the_change() -> None:
    stored = stored_plan(
        [
            activity("Scholing huisartsen", "Drie avonden scholing voor huisartsen in de regio"),
            activity("Nieuwsbrief", "Vier keer per jaar een nieuwsbrief voor zorgverleners"),
            activity("Website", "De website is actueel en toegankelijk"),
        ]
    )
    document = [
        activity("Scholing voor huisartsen", "Drie avonden scholing voor huisartsen in de regio"),
        activity("Nieuwsbrief", "Vier keer per jaar een nieuwsbrief voor zorgverleners"),
        activity("Rouwcafé", "Een rouwcafé in elke gemeente"),
    ]
    diff = compare(stored, document, match(stored, document))
    kinds = [(item.kind, item.index, item.activity_id) for item in diff.items]
    assert kinds == [
        (Kind.CHANGED, 0, "a0"),
        (Kind.UNCHANGED, 1, "a1"),
        (Kind.NEW, 2, None),
        (Kind.MISSING, None, "a2"),
    ]
    assert diff.items[0].changes == (
        FieldChange("title", "Scholing huisartsen", "Scholing voor huisartsen"),
    )


def test_every_changed_field_is_listed_old_and_new_and_workgroups_by_name() -> None:
    old = activity("Overleg", "Tekst", wie="Werkgroep A", wanneer="Q1", workgroups=("A",))
    new = activity("Overleg", "Tekst  ", wie="Werkgroep B", wanneer="Q2 ", workgroups=("B", "A"))
    stored = stored_plan([old])
    diff = compare(stored, [new], match(stored, [new]))
    assert [(c.field, c.old, c.new) for c in diff.items[0].changes] == [
        ("wie", "Werkgroep A", "Werkgroep B"),
        ("wanneer", "Q1", "Q2"),
        ("workgroups", ("A",), ("B", "A")),
    ]


def test_a_different_activity_below_the_threshold_is_not_paired() -> None:
    stored = stored_plan([activity("Scholing huisartsen", "Drie avonden scholing")])
    document = [activity("Rouwcafé", "Een rouwcafé in elke gemeente")]
    assert match(stored, document) == {}


def test_between_equally_similar_activities_the_theme_then_the_position_decides() -> None:
    body = "Overleg met de gemeenten over de palliatieve zorg in de regio"
    stored = stored_plan(
        [
            activity("Overleg gemeenten", body, theme="Coördinatie"),
            activity("overleg gemeenten", body, theme="Informeren"),
            activity("OVERLEG GEMEENTEN", body, theme="Informeren"),
        ]
    )
    document = [
        activity("Overleg met gemeenten", body, theme="Informeren"),
        activity("overleg met gemeenten", body, theme="Informeren"),
        activity("OVERLEG MET GEMEENTEN", body, theme="Coördinatie"),
    ]
    # All as similar: the same theme first, then the nearest place in the plan.
    assert match(stored, document) == {1: "a1", 0: "a2", 2: "a0"}


def test_a_person_corrects_a_pair_or_unpairs_an_activity() -> None:
    stored = stored_plan([activity("Een", "x y z"), activity("Twee", "p q r")])
    pairs = {0: "a0", 1: "a1"}
    assert corrected(stored, 2, pairs, {0: None}) == {1: "a1"}
    assert corrected(stored, 2, pairs, {0: "a1", 1: "a0"}) == {0: "a1", 1: "a0"}
    with pytest.raises(PairingRefused):
        corrected(stored, 2, pairs, {0: "a1"})  # a1 would be paired twice
    with pytest.raises(PairingRefused):
        corrected(stored, 2, pairs, {0: "elsewhere"})
    with pytest.raises(PairingRefused):
        corrected(stored, 2, pairs, {5: "a0"})


def test_pairing_two_thousand_renamed_activities_stays_quick() -> None:
    rng = random.Random(17)
    contents = [
        activity(f"Activiteit {n}", " ".join(rng.choices(WORDS, k=60)) + f" kenmerk{n}")
        for n in range(2000)
    ]
    stored = stored_plan(contents)
    document = [replace(c, title=f"{c.title} herzien") for c in contents]
    started = time.perf_counter()
    pairs = match(stored, document)
    assert time.perf_counter() - started < 10
    assert pairs == {n: f"a{n}" for n in range(2000)}


texts = st.lists(st.sampled_from(WORDS), min_size=6, max_size=30).map(" ".join)
plans = st.lists(
    st.tuples(st.sampled_from(["Coördinatie", "Informeren", "Faciliteren"]), texts),
    min_size=1,
    max_size=25,
).map(
    lambda items: [
        activity(f"Activiteit {n} {theme}", f"{body} kenmerk{n}", theme=theme)
        for n, (theme, body) in enumerate(items)
    ]
)


@settings(max_examples=60, deadline=None)
@given(plans)
def test_the_plan_itself_is_all_unchanged(contents: list[PlannedActivity]) -> None:
    stored = stored_plan(contents)
    diff = compare(stored, contents, match(stored, contents))
    assert {item.kind for item in diff.items} == {Kind.UNCHANGED}
    assert diff.pairs == {n: f"a{n}" for n in range(len(contents))}


@settings(max_examples=60, deadline=None)
@given(plans, st.randoms(use_true_random=False))
def test_a_shuffled_plan_pairs_every_activity(
    contents: list[PlannedActivity], rng: random.Random
) -> None:
    stored = stored_plan(contents)
    order = list(range(len(contents)))
    rng.shuffle(order)
    document = [contents[n] for n in order]
    pairs = match(stored, document)
    assert pairs == {i: f"a{n}" for i, n in enumerate(order)}
    assert not compare(stored, document, pairs).of_kind(Kind.MISSING)


@settings(max_examples=60, deadline=None)
@given(plans, st.data())
def test_a_renamed_title_with_the_same_content_still_pairs(
    contents: list[PlannedActivity], data: st.DataObject
) -> None:
    stored = stored_plan(contents)
    renamed = data.draw(st.integers(0, len(contents) - 1))
    new_title = data.draw(st.text(alphabet="abcdefghij ", min_size=1, max_size=40))
    document = list(contents)
    document[renamed] = replace(contents[renamed], title=f"Herzien: {new_title}")
    diff = compare(stored, document, match(stored, document))
    assert diff.pairs == {n: f"a{n}" for n in range(len(contents))}
    assert [item.index for item in diff.of_kind(Kind.CHANGED)] == [renamed]
    assert [c.field for c in diff.items[renamed].changes] == ["title"]
