"""Password hashing with argon2id; parameters come from the configuration."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Passwords:
    """Hash, verify, and tell when a stored hash uses outdated parameters."""

    def __init__(self, time_cost: int, memory_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
        )
        self._dummy = ""

    def dummy_hash(self) -> str:
        """A hash to verify against for an unknown account, so it takes as long as a known one."""
        if not self._dummy:
            self._dummy = self.hash("not-a-password-of-anyone")
        return self._dummy

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """An empty hash (an invited account without a password yet) verifies nothing, in
        the time a real one takes."""
        try:
            return self._hasher.verify(stored_hash or self.dummy_hash(), password) and bool(
                stored_hash
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
