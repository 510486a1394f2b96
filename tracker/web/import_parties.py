"""The review's choices for the proposed parties: per party a new workgroup, one of the
network's workgroups, the same as another proposed party, or text only
(tracker.importing.review.PartyChoice), and whether to remember the name as an alias.

The form has, per proposed party (by its place in the draft's list), `party-N` with the
value "create", "ignore", "workgroup:<id>" or "merge:<other party>", and `remember-N`.
Whatever the form says is checked by `with_party_choices`: an id of another network's
workgroup is refused there, not trusted here.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import col, select

from tracker.domain.plan import WorkgroupSpec
from tracker.importing.draft import Draft
from tracker.importing.review import IGNORE, MERGE, WORKGROUP, PartyChoice
from tracker.importing.stored import workgroup_spec
from tracker.models import Workgroup
from tracker.services import db_session

UNKNOWN_ID = -1  # a workgroup id the form gave but that is no number: no workgroup has it


def network_workgroups(network_id: int) -> dict[int, WorkgroupSpec]:
    """The network's workgroups by id, sorted by name: what a party may be mapped to."""
    rows = db_session().exec(
        select(Workgroup).where(Workgroup.network_id == network_id).order_by(col(Workgroup.name))
    )
    return {w.id or 0: workgroup_spec(w) for w in rows}


def submitted_parties(draft: Draft, form: Mapping[str, str]) -> list[PartyChoice]:
    """The party choices of a submitted review form; a party without one is ignored."""
    choices = []
    for index, party in enumerate(draft.proposed_workgroups):
        action, _, target = form.get(f"party-{index}", IGNORE).partition(":")
        workgroup_id = None
        if action == WORKGROUP:
            workgroup_id = int(target) if target.isdigit() and len(target) < 19 else UNKNOWN_ID
        remember = form.get(f"remember-{index}") == "on"
        merge_with = target if action == MERGE else ""
        choices.append(PartyChoice(party, action, workgroup_id, merge_with, remember))
    return choices
