"""Quarterly reports from a real database: as-of reproducibility and the four formats."""

from __future__ import annotations

import csv
import gc
import io
import itertools
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import weasyprint
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlmodel import select

from events.store import EventStore
from tests.support import World, build_world, login
from tracker.clock import FixedClock
from tracker.domain.access import OPERATOR
from tracker.domain.activity import HappenedOutOfBounds
from tracker.domain.commands import ChangeActivityStatus
from tracker.domain.period import Period
from tracker.handlers.activities import change_activity_status
from tracker.ids import activity_id_for
from tracker.models import Activity, Workgroup
from tracker.reports.render import render
from tracker.reports.service import reports_for

MEETING = "Algemeen bestuursoverleg"
WEBSITE = "Website is actueel"


def update(app: Flask, title: str, status: str, note: str, when: datetime) -> None:
    services = app.extensions["tracker"]
    services.clock.current = when
    change_activity_status(
        services.db.unit_of_work(),
        ChangeActivityStatus(OPERATOR, activity_id_for("testnet-2021", title), status, note),
        services.clock,
    )


def made(app: Flask, fmt: str, period: str = "2021Q2", as_of: date | None = None) -> bytes:
    services = app.extensions["tracker"]
    with app.app_context(), services.db.session() as session:
        reports = reports_for(
            session, period=Period.parse(period), now=services.clock.now(),
            plan_slug="testnet-2021", as_of=as_of,
        )  # fmt: skip
        return render(reports, fmt)


def pdftotext(pdf: bytes, tmp_path: Path, option: str) -> str:
    """The PDF read back by poppler's pdftotext (`-layout`: text; `-bbox`: words placed)."""
    assert shutil.which("pdftotext"), "run make: it installs poppler-utils (pdftotext)"
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", option, str(path), "-"], capture_output=True, text=True, check=True,
        timeout=60,
    ).stdout  # fmt: skip


Word = tuple[int, float, float, float, str]  # page, left, top, right, text


def placed_words(pdf: bytes, tmp_path: Path) -> tuple[float, list[Word]]:
    """The page width and every word with its page and position (PDF points)."""
    boxes = pdftotext(pdf, tmp_path, "-bbox")
    page_width = float(re.findall(r'<page width="([\d.]+)"', boxes)[0])
    words = [
        (page, float(left), float(top), float(right), text)
        for page, content in enumerate(boxes.split("<page ")[1:])
        for left, top, right, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<',
            content,
        )
    ]
    return page_width, words


@pytest.fixture
def history(app: Flask) -> World:
    app.extensions["tracker"].clock.current = datetime(2021, 1, 4, 9, tzinfo=UTC)
    world = build_world(app)
    update(app, MEETING, "lopend", "Agenda rond", datetime(2021, 4, 12, 9, tzinfo=UTC))
    update(
        app, WEBSITE, "vertraagd", '=HYPERLINK("http://evil")', datetime(2021, 5, 3, 9, tzinfo=UTC)
    )
    return world


def test_a_past_report_is_byte_identical_after_later_events_and_shows_its_own_moment(
    app: Flask, history: World
) -> None:
    clock: FixedClock = app.extensions["tracker"].clock
    clock.current = datetime(2021, 7, 1, 8, tzinfo=UTC)
    before = {fmt: made(app, fmt) for fmt in ("html", "csv")}
    update(app, MEETING, "afgerond", "Klaar", datetime(2021, 7, 5, 9, tzinfo=UTC))
    clock.current = datetime(2026, 11, 23, 10, tzinfo=UTC)  # produced years later
    after = {fmt: made(app, fmt) for fmt in ("html", "csv")}
    assert before == after
    html = after["html"].decode()
    assert "stand van 30 juni 2021, 23:59" in html and "2026" not in html
    later = made(app, "html", "2021Q3").decode()
    assert "Klaar" in later and "Klaar" not in html


def test_as_of_an_earlier_date_shows_the_log_as_it_stood_then(app: Flask, history: World) -> None:
    early = made(app, "csv", "2021Q2", as_of=date(2021, 4, 30)).decode("utf-8-sig")
    rows = {row["Activiteit"]: row for row in csv.DictReader(io.StringIO(early), delimiter=";")}
    assert rows[MEETING]["Status"] == "Lopend"
    assert rows[WEBSITE]["Status"] == "Gepland"  # delayed only on 3 May


def test_csv_is_dutch_excel_friendly_and_formulas_are_neutralised(
    app: Flask, history: World
) -> None:
    data = made(app, "csv")
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Plan", "Thema", "Activiteit", "Status"]
    notes = [row[10] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in notes
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_xlsx_reads_back_with_one_row_per_activity_and_no_formulas(
    app: Flask, history: World
) -> None:
    book = load_workbook(io.BytesIO(made(app, "xlsx")))
    assert book.sheetnames == [
        "Samenvatting", "Activiteiten", "Wijzigingen", "Streefwaarden", "Doorgeschoven"
    ]  # fmt: skip
    activities = list(book["Activiteiten"].iter_rows(min_row=2, values_only=True))
    assert sorted(row[2] for row in activities) == sorted([MEETING, "Gesprek bestuurders", WEBSITE])
    assert all(cell.data_type != "f" for row in book["Activiteiten"].iter_rows() for cell in row)
    summary = {row[1]: row for row in book["Samenvatting"].iter_rows(min_row=2, values_only=True)}
    assert summary["Totaal"][-2:] == (3, 0)
    changes = list(book["Wijzigingen"].iter_rows(min_row=2, values_only=True))
    assert [(row[2], row[4]) for row in changes] == [(MEETING, "Lopend"), (WEBSITE, "Vertraagd")]


def test_the_xlsx_is_a_table_with_dates_titles_filters_and_widths(
    app: Flask, history: World
) -> None:
    book = load_workbook(io.BytesIO(made(app, "xlsx")))
    sheet = book["Activiteiten"]
    header = [cell.value for cell in sheet[1]]
    ends = [row[header.index("Einde periode")] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.is_date and cell.number_format == "DD-MM-YYYY" for cell in ends if cell.value)
    dated = [cell.value for cell in ends if cell.value]
    assert dated and all(value.year == 2021 for value in dated)
    changed = book["Wijzigingen"]["B2"]
    assert changed.is_date and changed.value.year == 2021
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"Jaarplan 2021"}
    for name in book.sheetnames:
        each = book[name]
        assert each.freeze_panes == "A2" and each.auto_filter.ref == each.dimensions
        assert all(cell.font.bold for cell in each[1])
    widths = {sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLM"}
    assert len(widths) > 3 and max(widths) <= 62 and min(widths) >= 10


def test_the_pdf_holds_the_activity_titles(app: Flask, history: World, tmp_path: Path) -> None:
    text = pdftotext(made(app, "pdf"), tmp_path, "-layout")
    for title in (MEETING, "Gesprek bestuurders", WEBSITE, "Voortgangsrapportage"):
        assert title in text
    assert re.search(r"\b(\d+) ?/ ?\1\b", text)  # "n / n": the style sheet's page numbers


def test_the_html_document_carries_its_style_sheet_unescaped(app: Flask, history: World) -> None:
    """Escaped, the quotes of the style sheet became &#34; inside <style>, which neither a
    browser nor WeasyPrint decodes: the font and the PDF's page numbers were lost."""
    html = made(app, "html").decode()
    style = html[html.index("<style>") : html.index("</style>")]
    assert 'font-family: "DejaVu Sans"' in style and "&#34;" not in style


def test_the_board_sees_the_report_in_the_browser_and_downloads_it(
    app: Flask, history: World
) -> None:
    client = app.test_client()
    login(client, history.emails["board"])
    page = client.get("/plannen/testnet-2021/rapportage?period=2021Q2&as_of=&format=html")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Wijzigingen dit kwartaal (2)" in text and "<svg" in text
    assert '<a href="/plannen/testnet-2021">← Jaarplan 2021</a>' in text  # back to the plan
    meeting = activity_id_for("testnet-2021", MEETING)
    assert f'<a href="/activiteiten/{meeting}">{MEETING}</a>' in text
    assert "/activiteiten/" not in made(app, "html").decode()  # a file links nowhere
    download = client.get("/plannen/testnet-2021/rapportage?period=2021Q2&format=xlsx")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].endswith('voortgang-testnet-2021-2021Q2.xlsx"')
    bad = client.get("/plannen/testnet-2021/rapportage?period=2030Q1&format=html")
    assert bad.status_code == 400
    member = app.test_client()
    login(member, history.emails["owner_member"])
    assert member.get("/plannen/testnet-2021/rapportage").status_code == 403


def test_the_cli_writes_a_network_report_and_refuses_a_bad_period(
    app: Flask, history: World, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    target = tmp_path / "netwerk.csv"
    done = runner.invoke(
        args=["report", "--network", "testnet", "--period", "2021Q2", "--format", "csv",
              "-o", str(target)]
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert {row[0] for row in rows[1:]} == {"Jaarplan 2021"} and len(rows) == 4
    bad = runner.invoke(args=["report", "--plan", "testnet-2021", "--period", "2021Q5", "-o", "x"])
    assert bad.exit_code != 0 and "2021Q3" in bad.output
    none = runner.invoke(args=["report", "--network", "testnet", "--period", "2019Q1", "-o", "x"])
    assert none.exit_code != 0 and "no plan for 2019" in none.output


def test_a_pdf_asked_for_again_comes_from_the_cache_and_is_the_same(
    app: Flask, history: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = made(app, "pdf")
    cache = Path(app.instance_path) / "report-pdf"
    assert len(list(cache.glob("*.pdf"))) == 1

    def no_layout(*args: object, **kwargs: object) -> None:
        raise AssertionError("the PDF should have come from the cache")

    monkeypatch.setattr("weasyprint.HTML", no_layout)
    assert made(app, "pdf") == first
    update(app, MEETING, "afgerond", "Klaar", datetime(2021, 6, 1, 9, tzinfo=UTC))
    with pytest.raises(AssertionError, match="from the cache"):
        made(app, "pdf")  # the report changed, so its PDF is laid out again


def test_the_pdf_is_laid_out_with_the_collector_paused_and_resumed(
    app: Flask, history: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    real = weasyprint.HTML

    def watched(*args: object, **kwargs: object) -> weasyprint.HTML:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr("weasyprint.HTML", watched)
    assert made(app, "pdf").startswith(b"%PDF")
    assert seen == [False] and gc.isenabled()


def test_the_pdf_keeps_long_titles_and_notes_inside_the_page(
    app: Flask, history: World, tmp_path: Path
) -> None:
    """The long tables have fixed column widths on paper; every word must stay left of the
    right margin (12 mm of an A4 landscape page: 297 mm = 842 pt)."""
    note = (
        "Overleg met de werkgroep deskundigheidsbevordering gevoerd; de scholing voor "
        "verpleegkundigen in de VVT wordt in het najaar herhaald, uitnodigingen volgen."
    )
    update(app, MEETING, "vertraagd", note, datetime(2021, 6, 1, 9, tzinfo=UTC))
    page_width, words = placed_words(made(app, "pdf"), tmp_path)
    right_edges = [right for _, _, _, right, _ in words]
    assert any("verpleegkundigen" in text for *_, text in words)
    assert page_width == pytest.approx(842, abs=1)
    assert max(right_edges) <= page_width - 12 / 25.4 * 72 + 1


def test_long_words_in_the_pdf_stay_in_their_column(
    app: Flask, history: World, tmp_path: Path
) -> None:
    """Fixed columns do not grow for a long word: it must wrap inside its cell, not run
    over the next column (no two words of one line may overlap)."""
    services = app.extensions["tracker"]
    with services.db.session() as session:
        for number, workgroup in enumerate(session.exec(select(Workgroup)).all()):
            workgroup.name = f"Deskundigheidsbevordering{number}"
            session.add(workgroup)
        for activity in session.exec(select(Activity)).all():
            activity.title = "Deskundigheidsbevorderingsbijeenkomstenplanning " + activity.title
            session.add(activity)
        session.commit()
    _, words = placed_words(made(app, "pdf"), tmp_path)
    lines: dict[tuple[int, float], list[tuple[float, float, str]]] = {}
    for page, left, top, right, text in words:
        lines.setdefault((page, round(top)), []).append((left, right, text))
    assert any("Deskundigheidsbevordering" in text for *_, text in words)
    for line in lines.values():
        line.sort()
        for (_, left_end, left), (right_start, _, right) in itertools.pairwise(line):
            assert right_start >= left_end - 0.5, f"{left!r} runs into {right!r}"


@pytest.mark.parametrize(
    ("today", "opens_on"),
    [
        (datetime(2020, 11, 3, 9, tzinfo=UTC), "2021Q1"),  # before the plan's year
        (datetime(2021, 5, 10, 9, tzinfo=UTC), "2021Q2"),  # while it runs: the current one
        (datetime(2021, 12, 31, 23, 30, tzinfo=UTC), "2021Q4"),  # 1 January in Amsterdam
        (datetime(2026, 12, 1, 9, tzinfo=UTC), "2021Q4"),  # years later: its last quarter
    ],
)
def test_the_report_page_opens_on_the_quarter_of_now_within_the_plans_year(
    app: Flask, history: World, client: FlaskClient, today: datetime, opens_on: str
) -> None:
    app.extensions["tracker"].clock.current = today
    login(client, history.emails["coordinator"])
    page = client.get(f"/plannen/{history.plan_slug}/rapportage").get_data(as_text=True)
    selected = re.findall(r'<option selected value="(\d{4}Q\d)"', page)
    assert selected == [opens_on]


@pytest.fixture
def backend_history(backend_app: Flask) -> World:
    backend_app.extensions["tracker"].clock.current = datetime(2021, 1, 4, 9, tzinfo=UTC)
    world = build_world(backend_app)
    update(backend_app, MEETING, "lopend", "Agenda rond", datetime(2021, 4, 12, 9, tzinfo=UTC))
    return world


def test_an_update_dated_back_into_the_quarter_counts_for_it_as_known_on_the_reports_date(
    backend_app: Flask, backend_history: World
) -> None:
    """A member answers the reminder on 10 July that the meeting was done on 28 June."""
    app = backend_app
    services = app.extensions["tracker"]
    services.clock.current = datetime(2021, 7, 10, 9, tzinfo=UTC)
    change_activity_status(
        services.db.unit_of_work(),
        ChangeActivityStatus(
            OPERATOR, activity_id_for("testnet-2021", MEETING), "afgerond", "Gedaan",
            happened_on=date(2021, 6, 28),
        ),
        services.clock,
    )  # fmt: skip

    def status_in(period: str, as_of: date | None = None) -> str:
        text = made(app, "csv", period, as_of).decode("utf-8-sig")
        rows = {r["Activiteit"]: r for r in csv.DictReader(io.StringIO(text), delimiter=";")}
        return rows[MEETING]["Status"]

    services.clock.current = datetime(2021, 7, 12, 9, tzinfo=UTC)
    assert status_in("2021Q2") == "Afgerond"  # made now: the late update counts for June
    assert status_in("2021Q2", as_of=date(2021, 7, 9)) == "Lopend"  # not known on 9 July
    assert status_in("2021Q2", as_of=date(2021, 7, 10)) == "Afgerond"
    assert status_in("2021Q2", as_of=date(2021, 6, 27)) == "Lopend"  # happened on the 28th
    html = made(app, "html", "2021Q2").decode()
    assert "stand van 30 juni 2021, 23:59, bijgewerkt tot 10 juli 2021" in html
    q3 = made(app, "html", "2021Q3").decode()
    assert "bijgewerkt tot" not in q3
    # A report of a past date gives the same bytes whenever it is made.
    before = made(app, "html", "2021Q2", date(2021, 7, 10))
    services.clock.current = datetime(2021, 7, 20, 9, tzinfo=UTC)
    change_activity_status(
        services.db.unit_of_work(),
        ChangeActivityStatus(
            OPERATOR, activity_id_for("testnet-2021", WEBSITE), "lopend", "Gestart",
            happened_on=date(2021, 6, 1),
        ),
        services.clock,
    )  # fmt: skip
    assert made(app, "html", "2021Q2") != before  # the later-known update counts now
    services.clock.current = datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert made(app, "html", "2021Q2", date(2021, 7, 10)) == before


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2021, 7, 11), "happened_in_future"),
        (date(2020, 12, 31), "happened_before_plan_year"),
        (date(2021, 4, 11), "happened_before_previous"),
    ],
)
def test_a_day_out_of_bounds_is_refused_and_nothing_is_written(
    backend_app: Flask, backend_history: World, day: date, code: str
) -> None:
    services = backend_app.extensions["tracker"]
    services.clock.current = datetime(2021, 7, 10, 9, tzinfo=UTC)
    activity_id = activity_id_for("testnet-2021", MEETING)
    with services.db.session() as session:
        before = EventStore(session.connection()).current_version(activity_id)
    with pytest.raises(HappenedOutOfBounds) as refused:
        change_activity_status(
            services.db.unit_of_work(),
            ChangeActivityStatus(OPERATOR, activity_id, "afgerond", "", happened_on=day),
            services.clock,
        )
    assert refused.value.code == code
    with services.db.session() as session:
        assert EventStore(session.connection()).current_version(activity_id) == before
