"""Long work shows that it is busy and is not started twice by a double click.

The server is made to take a second over the action, so the second click of a double click
certainly lands while the first is still being answered. While a form's request is under way
the page cannot be inspected from the test (the browser is navigating), so the page reports
what its busy indicator shows through a function the test exposes to it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import request
from playwright.sync_api import Page, Request, expect
from sqlmodel import select

from tests.e2e.browser import log_in
from tests.e2e.conftest import PR_ACTIVITY, LiveServer
from tracker.ids import activity_id_for
from tracker.models import ImportDraft

FIXTURES = Path(__file__).parent / "fixtures"

WATCH_BUSY = """() => {
    const snapshot = () => ({
        text: (document.querySelector('main .busy-status') || {}).textContent || '',
        disabled: Array.from(document.querySelectorAll('main [type=submit]'))
            .filter(button => button.disabled).length,
    });
    new MutationObserver(() => window.e2eBusy(snapshot())).observe(document.querySelector('main'), {
        subtree: true, childList: true, characterData: true, attributes: true,
        attributeFilter: ['disabled', 'aria-busy', 'class'],
    });
}"""


def watch_busy(page: Page) -> Callable[[], list[dict[str, Any]]]:
    """Record what the page's busy indicator shows; call the result to read the record."""
    seen: list[dict[str, Any]] = []
    page.expose_function("e2eBusy", lambda snapshot: seen.append(snapshot))
    page.evaluate(WATCH_BUSY)
    return lambda: seen


def requests_to(page: Page, fragment: str, method: str = "GET") -> list[str]:
    """The page's requests for documents or downloads whose URL contains `fragment`."""
    seen: list[str] = []

    def record(sent: Request) -> None:
        if fragment in sent.url and sent.method == method and sent.resource_type == "document":
            seen.append(sent.url)

    page.on("request", record)
    return seen


def slow_down(server: LiveServer, endpoint: str, when: Callable[[], bool]) -> None:
    """Make the server take a second before it answers `endpoint` (when `when()`)."""
    view = server.app.view_functions[endpoint]

    def slow(*args: Any, **kwargs: Any) -> Any:
        if when():
            time.sleep(1)
        return view(*args, **kwargs)

    server.app.view_functions[endpoint] = slow


def test_while_the_pdf_is_made_the_page_says_so_and_a_double_click_sends_one_request(
    page: Page, live_server: LiveServer
) -> None:
    log_in(page, "coordinator@example.org", "/plannen/twente-2021/rapportage?period=2021Q3")
    slow_down(live_server, "reports.report", lambda: request.args.get("format") == "pdf")
    sent = requests_to(page, "format=pdf")
    shown = watch_busy(page)
    pdf_button = page.get_by_role("button", name="PDF downloaden")
    with page.expect_download() as pdf:
        pdf_button.dblclick()
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
    expect(page.get_by_role("status")).to_have_text(
        "Het PDF-bestand is klaar: je vindt het bij je downloads."
    )
    expect(pdf_button).to_be_enabled()
    assert {"text": "Het PDF-bestand wordt gemaakt…", "disabled": 4} in shown()
    assert len(sent) == 1, sent


def test_a_double_click_on_save_records_one_update(page: Page, live_server: LiveServer) -> None:
    activity = activity_id_for("twente-2021", PR_ACTIVITY)
    log_in(page, "lid.pr@example.org", f"/activiteiten/{activity}")
    slow_down(live_server, "activities.update_status", lambda: True)
    sent = requests_to(page, "/status", "POST")
    shown = watch_busy(page)
    page.get_by_label("Status", exact=True).select_option(label="Lopend")
    page.get_by_role("button", name="Update opslaan").dblclick()
    expect(page.get_by_role("status").first).to_have_text("Je update is opgeslagen.")
    expect(page.locator("#geschiedenis li", has_text="Gepland → Lopend")).to_have_count(1)
    assert {"text": "Je update wordt opgeslagen…", "disabled": 1} in shown()
    assert len(sent) == 1, sent


def test_a_double_click_reads_an_uploaded_plan_once(page: Page, live_server: LiveServer) -> None:
    log_in(page, "coordinator@example.org", "/plannen/importeren/")
    slow_down(live_server, "imports.upload", lambda: request.method == "POST")
    sent = requests_to(page, "/plannen/importeren/", "POST")
    shown = watch_busy(page)
    page.get_by_label("Planbestand").set_input_files(FIXTURES / "jaarplan-2023.txt")
    page.get_by_role("button", name="Plan inlezen").dblclick()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jaarplan 2023")
    assert {"text": "Het plan wordt ingelezen…", "disabled": 1} in shown()
    with live_server.db.session() as session:
        assert len(session.exec(select(ImportDraft)).all()) == 1
    assert len(sent) == 1, sent


def test_the_carry_over_says_it_is_busy_and_runs_once(page: Page, live_server: LiveServer) -> None:
    log_in(page, "coordinator@example.org", "/plannen/twente-2021/jaarovergang")
    slow_down(live_server, "plans.carry_over", lambda: "submit" in request.form)
    page.get_by_label("Reden").fill("Niet afgerond door de drukte in de zorg.")
    page.get_by_role("button", name="Bekijk wat doorloopt").click()  # the preview
    sent = requests_to(page, "/jaarovergang", "POST")
    shown = watch_busy(page)
    page.get_by_role("button", name="Doorschuiven").dblclick()
    expect(page.get_by_role("status").first).to_contain_text("doorgeschoven naar Jaarplan 2022.")
    busy = {"text": "De activiteiten worden doorgeschoven…", "disabled": 2}  # both buttons
    assert busy in shown()
    assert len(sent) == 1, sent
