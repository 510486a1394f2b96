"""The status lifecycle: gepland → lopend ⇄ vertraagd → afgerond; open → gestopt with a reason."""

import pytest

from tracker.domain.status import (
    Status,
    TransitionRefused,
    UnknownStatus,
    check_transition,
    parse_status,
)

S = Status
ALLOWED = {
    (S.GEPLAND, S.LOPEND),
    (S.GEPLAND, S.VERTRAAGD),
    (S.GEPLAND, S.GESTOPT),
    (S.LOPEND, S.VERTRAAGD),
    (S.LOPEND, S.AFGEROND),
    (S.LOPEND, S.GESTOPT),
    (S.VERTRAAGD, S.LOPEND),
    (S.VERTRAAGD, S.AFGEROND),
    (S.VERTRAAGD, S.GESTOPT),
}


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("requested", list(Status))
def test_every_pair_of_statuses_is_allowed_or_refused_as_the_lifecycle_says(
    current: Status, requested: Status
) -> None:
    if (current, requested) in ALLOWED:
        check_transition(current, requested, "reden")
    else:
        with pytest.raises(TransitionRefused):
            check_transition(current, requested, "reden")


@pytest.mark.parametrize(
    ("current", "requested", "note", "code"),
    [
        (S.AFGEROND, S.LOPEND, "", "closed"),
        (S.GESTOPT, S.LOPEND, "", "closed"),
        (S.DOORGESCHOVEN, S.LOPEND, "", "closed"),
        (S.LOPEND, S.LOPEND, "", "unchanged"),
        (S.LOPEND, S.DOORGESCHOVEN, "COVID-19", "carry_over_only"),
        (S.LOPEND, S.GESTOPT, "   ", "reason_required"),
        (S.GEPLAND, S.AFGEROND, "", "start_first"),
        (S.VERTRAAGD, S.GEPLAND, "", "not_allowed"),
    ],
)
def test_a_refused_transition_says_why(
    current: Status, requested: Status, note: str, code: str
) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_transition(current, requested, note)
    assert refused.value.code == code


def test_stopping_with_a_reason_is_allowed() -> None:
    check_transition(S.LOPEND, S.GESTOPT, "Geen budget meer")


@pytest.mark.parametrize("text", ["Lopend", " lopend ", "LOPEND"])
def test_status_names_are_read_regardless_of_case_and_spaces(text: str) -> None:
    assert parse_status(text) is S.LOPEND


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(UnknownStatus):
        parse_status("klaar")


def test_open_statuses() -> None:
    assert {s for s in Status if s.is_open} == {S.GEPLAND, S.LOPEND, S.VERTRAAGD}
