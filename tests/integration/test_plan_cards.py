"""What people see of a plan: every plan card on "Jaarplannen" opens something the person may
see (the overview for coordinators and the board, the plan's part of "Mijn activiteiten" for
members); where an activity stood in the imported file is shown to coordinators only."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.support import World, build_world, login


@pytest.mark.parametrize("role", ["owner_member", "other_member", "board", "coordinator"])
def test_every_plan_card_opens(app: Flask, role: str) -> None:
    world: World = build_world(app)
    client = app.test_client()
    login(client, world.emails[role])
    index = client.get("/plannen/").get_data(as_text=True)
    cards = re.findall(r'<li class="card">(.*?)</li>', index, flags=re.S)
    links = [re.search(r'class="card-title" href="([^"]+)"', card) for card in cards]
    assert cards and all(links), "a card without a link"
    for link in links:
        assert link is not None
        path, _, anchor = link.group(1).replace("&amp;", "&").partition("#")
        opened = client.get(path)
        assert opened.status_code == 200, path
        if anchor:
            assert f'id="{anchor}"' in opened.get_data(as_text=True)


@pytest.mark.parametrize(("role", "shown"), [("owner_member", False), ("coordinator", True)])
def test_where_an_activity_came_from_in_the_imported_file_is_for_coordinators(
    app: Flask, role: str, shown: bool
) -> None:
    world: World = build_world(app)
    client = app.test_client()
    login(client, world.emails[role])
    page = client.get(f"/activiteiten/{world.activity_id}").get_data(as_text=True)
    assert ("Coördinatie › Algemeen bestuursoverleg" in page) is shown
    assert ("<dt>Bron</dt>" in page) is shown
