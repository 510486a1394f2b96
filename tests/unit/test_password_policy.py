"""Passwords: at least 10 characters, not one of the 10,000 most common, argon2id (OWASP)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError

import config
from tests.dutch import dutch
from tracker.passwords import Passwords
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
    with pytest.raises(InvalidHashError):
        PasswordHasher(type=Type.ID).verify("not-a-hash", "x")
