"""Stable ids: an activity's id (and event stream id) follows from its plan and its title."""

from __future__ import annotations

import uuid

ACTIVITY_NAMESPACE = uuid.UUID("6f1c1f64-58a4-4f0e-9d1e-2f6a4c1b7a10")


def activity_id_for(plan_slug: str, title: str) -> str:
    """A stable id for an activity of a plan, so re-imports and carry-overs recognise it."""
    return str(uuid.uuid5(ACTIVITY_NAMESPACE, f"{plan_slug}\n{title}"))
