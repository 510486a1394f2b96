"""An admin invites a new person; the invitee opens the link from the mail, chooses a
password and signs in, with the role and workgroup the admin chose."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_accessible, log_in, sign_in
from tests.e2e.conftest import LiveServer
from tests.support import CollectingMailer

INVITED = "nieuwe.collega@example.org"
PASSWORD = "zonnebloem-kade-vijftien"


def test_an_invited_person_sets_a_password_from_the_mail_and_signs_in(
    page: Page, open_page: Callable[..., Page], live_server: LiveServer
) -> None:
    mailer = CollectingMailer()
    live_server.app.extensions["reminders"].mailer = mailer
    log_in(page, "beheer@example.org")
    page.goto("/uitnodigen")
    assert_accessible(page)
    page.get_by_label("Naam").fill("Nieuwe Collega")
    page.get_by_label("E-mailadres").fill(INVITED)
    page.get_by_label("Rol").select_option(label="Werkgroeplid")
    page.locator("label.check").first.check()
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.get_by_text("Uitnodiging verstuurd.")).to_be_visible()
    [mail] = mailer.sent
    assert mail["To"] == INVITED
    body = mail.get_body(("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/uitnodiging/\S+", body.get_content())
    assert found is not None
    invitee = open_page()
    invitee.goto(urlsplit(found.group(0)).path)  # APP_URL names another port than this server's
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Kies je wachtwoord")
    assert_accessible(invitee)
    invitee.get_by_label("Nieuw wachtwoord (minstens 10 tekens)").fill(PASSWORD)
    invitee.get_by_label("Nieuw wachtwoord nogmaals").fill(PASSWORD)
    invitee.get_by_role("button", name="Wachtwoord instellen").click()
    expect(invitee.get_by_text("Welkom! Je wachtwoord is ingesteld")).to_be_visible()
    sign_in(invitee, INVITED, PASSWORD)
    expect(invitee.get_by_role("button", name="Uitloggen")).to_be_visible()
