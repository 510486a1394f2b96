"""Which passwords are accepted: at least 10 characters, not one of the 10,000 most common,
and not easy to guess (tracker/security/password_strength.py: zxcvbn with Dutch words).

The list ships with the app (`common-passwords.txt`, see `common-passwords.NOTICE`); it is
compared case-insensitively, so "Password123" is refused like "password123".
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from tracker.domain.message import Message
from tracker.security.password_strength import strength_problem

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problem(password: str, known: Iterable[str] = ()) -> Message | None:
    """Why the password is refused (for the person choosing it), or None. `known`: the
    person's own words (name, e-mail address), which make a password easy to guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Message(
            "the password must have at least %(most)s characters", most=MIN_PASSWORD_LENGTH
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return Message(
            "the password may have at most %(most)s characters", most=MAX_PASSWORD_LENGTH
        )
    if password.strip().lower() in common_passwords():
        return Message("this password is in the list of commonly used passwords; choose another")
    return strength_problem(password, known)
