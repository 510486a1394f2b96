"""Running a command handler from a view or the API, with the app's unit of work and clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from tracker.clock import Clock
from tracker.database import UnitOfWork
from tracker.services import services

Result = TypeVar("Result")


def run(handler: Callable[[UnitOfWork, Any, Clock], Result], command: object) -> Result:
    return handler(services().db.unit_of_work(), command, services().clock)
