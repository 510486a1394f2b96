"""A downloaded report tells the page it has arrived (the busy indicator of static/busy.js)."""

from __future__ import annotations

from flask import Flask

from tests.support import build_world, login


def test_a_report_download_answers_with_the_token_of_the_page_that_asked(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["coordinator"])
    url = "/plannen/testnet-2021/rapportage?period=2021Q2&format=csv"
    answered = client.get(url + "&download=1732112233")
    assert answered.status_code == 200
    cookie = answered.headers["Set-Cookie"]
    assert cookie.startswith("download=1732112233;") and "SameSite=Strict" in cookie
    assert "Path=/plannen/testnet-2021/rapportage" in cookie
    assert "Set-Cookie" not in client.get(url).headers  # no token, no cookie
    odd = client.get(url + "&download=%3Cscript%3E")  # only digits are echoed
    assert odd.status_code == 200 and "download=" not in odd.headers.get("Set-Cookie", "")
