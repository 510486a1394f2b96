"""The Dutch field labels of jaarplannen and their synonyms: which field a column or label is.

A label is compared after normalising: case, accents, punctuation ("Wie?", "Wanneer:"),
"(s)"/"(en)" and plural endings ("Doelstellingen", "Acties"), a year or "in 2023" at its end
("Te verwachten resultaten in 2023").
"""

from __future__ import annotations

import re
from functools import lru_cache

from tracker.importing.cleaning import normalise_key

# field → its labels, singular (plurals in -en, -s, -n are read too; irregular ones are listed).
LEXICON: dict[str, tuple[str, ...]] = {
    "title": ("titel", "onderwerp", "project", "activiteit titel"),
    "objectives": ("doel", "doelstelling", "wat", "wat gaan we doen", "doel activiteit"),
    "actions": (
        "actie", "activiteit", "uitwerking", "aanpak", "acties en resultaat",
        "acties en resultaten", "werkwijze", "maatregel", "hoe",
    ),
    "results": (
        "resultaat", "beoogd resultaat", "verwacht resultaat", "te verwachten resultaat",
        "beoogde resultaten", "verwachte resultaten", "te verwachten resultaten", "resultaten",
    ),
    "wie": (
        "wie", "trekker", "eigenaren", "verantwoordelijk", "verantwoordelijke", "eigenaar",
        "uitvoering", "uitvoerder", "betrokken", "door wie",
    ),
    "wanneer": (
        "wanneer", "looptijd", "planning", "termijn", "tijdpad", "periode", "deadline", "datum",
        "gereed", "tijdsplanning",
    ),
    "budget": ("budget", "kosten", "begroting", "bedrag"),
}  # fmt: skip
_TAIL = re.compile(r"(?:\s+(?:in|voor))?\s+(?:19|20)\d\d$")


@lru_cache(maxsize=4096)  # a plan repeats its labels
def label_key(label: str) -> str:
    """'Doelstelling(en):', 'Wanneer?' → 'doelstelling(en)', 'wanneer' (see `field_of`)."""
    key = normalise_key(label.replace("(s)", "").replace("(en)", ""))
    return _TAIL.sub("", re.sub(r"[^\w ]+", " ", key)).strip()


_FIELD_OF = {label_key(label): name for name, labels in LEXICON.items() for label in labels}


@lru_cache(maxsize=4096)
def field_of(label: str) -> str | None:
    """The field a column header or label names ('Uitwerkingen' → 'actions'), or None."""
    if not label or len(label) > 60:
        return None
    key = label_key(label)
    for candidate in (key, key.removesuffix("en"), key.removesuffix("s"), key.removesuffix("n")):
        if candidate in _FIELD_OF:
            return _FIELD_OF[candidate]
    return None
