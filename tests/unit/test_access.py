"""Access rules: coordinators manage their network, members their workgroups, the board reads."""

from tracker.domain.access import Principal, Role

NETWORK, OTHER = 1, 2
member = Principal(10, roles={NETWORK: Role.MEMBER}, workgroup_ids=frozenset({100}))
coordinator = Principal(11, roles={NETWORK: Role.COORDINATOR})
board = Principal(12, roles={NETWORK: Role.BOARD})
admin = Principal(13, is_admin=True)
outsider = Principal(14, roles={OTHER: Role.COORDINATOR})


def test_members_update_only_activities_of_their_own_workgroups() -> None:
    assert member.can_update_activity(NETWORK, [100, 101])
    assert not member.can_update_activity(NETWORK, [101])
    assert not member.can_update_activity(NETWORK, [])


def test_a_member_of_a_workgroup_in_another_network_cannot_update() -> None:
    assert not member.can_update_activity(OTHER, [100])


def test_coordinators_update_everything_in_their_network_only() -> None:
    assert coordinator.can_update_activity(NETWORK, [])
    assert not coordinator.can_update_activity(OTHER, [])
    assert not outsider.can_update_activity(NETWORK, [100])


def test_the_board_reads_but_never_updates() -> None:
    assert board.can_view_network(NETWORK)
    assert board.can_see_overview(NETWORK)
    assert not board.can_update_activity(NETWORK, [100])


def test_visibility_follows_roles_per_network() -> None:
    assert member.can_view_network(NETWORK) and not member.can_view_network(OTHER)
    assert not member.can_see_overview(NETWORK)
    assert admin.can_view_network(OTHER) and admin.can_update_activity(OTHER, [])


def test_coordinators_of_any_network_and_admins_get_the_coordinators_start_page() -> None:
    assert coordinator.coordinates_a_network and outsider.coordinates_a_network
    assert admin.coordinates_a_network
    assert not member.coordinates_a_network and not board.coordinates_a_network
