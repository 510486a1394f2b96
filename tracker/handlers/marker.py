"""Marking command handlers: their writes are the only ones allowed (tracker.database)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from tracker.database import handling

P = ParamSpec("P")
R = TypeVar("R")


def handler(function: Callable[P, R]) -> Callable[P, R]:
    """A command handler: the one place that writes (checked in tests: GUARD_WRITE_PATH)."""

    @functools.wraps(function)
    def handle(*args: P.args, **kwargs: P.kwargs) -> R:
        with handling():
            return function(*args, **kwargs)

    return handle
