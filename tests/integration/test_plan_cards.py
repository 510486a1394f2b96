"""Every plan card on "Jaarplannen" opens something the person may see: the overview for
coordinators and the board, the plan's part of "Mijn activiteiten" for members."""

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
