"""Passwords: at least 10 characters, not one of the 10,000 most common, not easy to guess
(zxcvbn with Dutch words and names), argon2id (OWASP)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError

import config
from tests.dutch import dutch
from tracker.passwords import Passwords
from tracker.security.password_strength import personal_words
from tracker.security.passwords_policy import common_passwords, password_problem


def test_the_shipped_list_holds_the_ten_thousand_most_common_passwords() -> None:
    listed = common_passwords()
    assert len(listed) >= 9_900  # a few differ only in case
    assert {"123456", "password", "qwerty", "iloveyou"} <= listed


@pytest.mark.parametrize("password", ["1234567890", "qwertyuiop", "QWERTYUIOP", "password123"])
def test_common_passwords_are_refused_whatever_their_case(password: str) -> None:
    assert password.lower() in common_passwords()
    assert "veelgebruikte" in dutch(password_problem(password))


@pytest.mark.parametrize("password", ["", "kort", "negen-abc"])
def test_short_passwords_are_refused(password: str) -> None:
    assert "minstens 10" in dutch(password_problem(password))


def test_a_long_uncommon_password_is_accepted() -> None:
    assert password_problem("paarse-olifant-fietst") is None
    assert password_problem("x" * 1001) is not None


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("wachtwoord123", "te makkelijk te raden"),  # a Dutch word and a sequence
        ("Welkom2021!", "te makkelijk te raden"),  # a Dutch word, a year, a sign
        ("zomerzomerzomer", "herhalingen"),
        ("asdfghjkl;12", "rijen toetsen"),
        ("qwertyuiop12", "veelgebruikt wachtwoord"),
        ("jaarplan2021", "te makkelijk te raden"),  # the app's own word
    ],
)
def test_passwords_easy_to_guess_are_refused_with_a_dutch_reason(password: str, why: str) -> None:
    assert password.lower() not in common_passwords()
    assert why in dutch(password_problem(password))


def test_a_persons_own_name_makes_a_password_easy_to_guess() -> None:
    known = personal_words("Ybeltje Zwartekruis", "ybeltje@zwartekruis.example.org")
    assert {"ybeltje", "zwartekruis", "example"} <= set(known)
    assert password_problem("Ybeltje-Zwartekruis") is None  # a stranger's name is not known
    assert "te makkelijk te raden" in dutch(password_problem("Ybeltje-Zwartekruis", known))
    assert "te makkelijk te raden" in dutch(password_problem("Annedevries1975"))  # common


@pytest.mark.parametrize(
    "password", ["paarse-olifant-fietst", "een-lang-wachtwoord", "Mijn-Nieuwe-Geheime-Zin"]
)
def test_a_phrase_of_a_few_words_is_accepted(password: str) -> None:
    assert password_problem(password, personal_words("Bert Jansen")) is None


def test_only_the_first_72_characters_are_judged() -> None:
    assert password_problem("paarse-olifant-fietst" * 40) is None  # 840 characters, no error


def test_production_hashing_is_argon2id_with_the_owasp_parameters() -> None:
    assert config.Config.ARGON2_TIME_COST >= 2
    assert config.Config.ARGON2_MEMORY_COST >= 19 * 1024
    assert config.Config.ARGON2_PARALLELISM == 1
    hashed = Passwords(
        config.Config.ARGON2_TIME_COST,
        config.Config.ARGON2_MEMORY_COST,
        config.Config.ARGON2_PARALLELISM,
    ).hash("paarse-olifant-fietst")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_hash_made_with_other_parameters_needs_a_rehash() -> None:
    old = Passwords(1, 8, 1)
    new = Passwords(2, 16, 1)
    stored = old.hash("paarse-olifant-fietst")
    assert new.verify(stored, "paarse-olifant-fietst")
    assert new.needs_rehash(stored) and not old.needs_rehash(stored)
    assert not new.verify(stored, "fout") and not new.verify("", "x")
    assert not new.verify("", "not-a-password-of-anyone")  # not even the dummy hash's password
    with pytest.raises(InvalidHashError):
        PasswordHasher(type=Type.ID).verify("not-a-hash", "x")
