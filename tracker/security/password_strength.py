"""How easy a password is to guess: zxcvbn, with Dutch words and names next to its own lists.

zxcvbn (PyPI `zxcvbn`) estimates the guesses an attacker needs, trying common passwords,
English words, names, keyboard patterns, repeats, sequences, dates and l33t substitutions.
`dutch-words.txt` adds Dutch words, first names and surnames (see dutch-words.NOTICE), and the
person's own name and address and the words of this app count as known. A password must score
4 of 4 (more than 10^10 guesses): "Welkom2021!" and "annedevries1975" score 3 and are refused,
a phrase of a few uncommon words passes. The reason for a refusal is zxcvbn's, in the reader's
language.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from zxcvbn import zxcvbn
from zxcvbn.matching import add_frequency_lists

from tracker.domain.message import Message

MIN_SCORE = 4
CHECKED_LENGTH = 72  # zxcvbn's own bound: a longer password is judged by its start
DUTCH_WORDS = Path(__file__).with_name("dutch-words.txt")
# Words anyone would try against this app.
APP_WORDS = ("jaarplan", "palliatief", "palliatieve", "zorg", "netwerk", "tracker", "werkgroep")
# zxcvbn keeps the person's own words in a module-wide dictionary while it judges a password:
# one judgement at a time, or one person's words would be used for another's password.
_judging = threading.Lock()

REASONS = {
    "Straight rows of keys are easy to guess.": Message("straight rows of keys are easy to guess"),
    "Short keyboard patterns are easy to guess.": Message(
        "short keyboard patterns are easy to guess"
    ),
    'Repeats like "aaa" are easy to guess.': Message('repeats like "aaa" are easy to guess'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': Message(
        'repeats like "abcabcabc" are hardly harder to guess than "abc"'
    ),
    "Sequences like abc or 6543 are easy to guess.": Message(
        "sequences like abc or 6543 are easy to guess"
    ),
    "Recent years are easy to guess.": Message("recent years are easy to guess"),
    "Dates are often easy to guess.": Message("dates are easy to guess"),
    "This is a top-10 common password.": Message("it is one of the most common passwords"),
    "This is a top-100 common password.": Message("it is one of the most common passwords"),
    "This is a very common password.": Message("it is a very common password"),
    "This is similar to a commonly used password.": Message(
        "it is much like a commonly used password"
    ),
    "A word by itself is easy to guess.": Message("a word by itself is easy to guess"),
    "Names and surnames by themselves are easy to guess.": Message(
        "names and surnames by themselves are easy to guess"
    ),
    "Common names and surnames are easy to guess.": Message(
        "common names and surnames are easy to guess"
    ),
}


@cache
def _with_dutch_words() -> None:
    """Give zxcvbn the Dutch lists, once per process."""
    lists: dict[str, list[str]] = {}
    current: list[str] = []
    for line in DUTCH_WORDS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = lists.setdefault(f"dutch_{line[3:].strip()}", [])
        elif line and not line.startswith("#"):
            current.append(line)
    add_frequency_lists(lists)


def personal_words(*texts: str) -> list[str]:
    """The words of a name, an e-mail address or a network's name, as zxcvbn's user inputs."""
    return [word for text in texts for word in re.split(r"[\W_]+", text.lower()) if word]


def strength_problem(password: str, known: Iterable[str] = ()) -> Message | None:
    """Why the password is too easy to guess, or None. `known`: the person's own words."""
    _with_dutch_words()
    with _judging:
        result = zxcvbn(password[:CHECKED_LENGTH], user_inputs=[*APP_WORDS, *known])
    if result["score"] >= MIN_SCORE:
        return None
    reason = REASONS.get(result["feedback"]["warning"])
    if reason is None:
        return Message(
            "this password is too easy to guess; use a few uncommon words, or a longer password"
        )
    return Message(
        "this password is too easy to guess: %(reason)s; use a few uncommon words, or a longer "
        "password",
        reason=reason,
    )
