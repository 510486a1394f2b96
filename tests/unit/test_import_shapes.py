"""Files shaped to exhaust an importer (issue 15 §6) are refused or read in bounded time and memory.

Each file is read in a separate process with a deadline, and the process reports its peak
memory (ru_maxrss): a regression then fails the test instead of hanging the suite or taking
the machine's memory. The deadline only turns a hang into a failure; time is not asserted
(speed belongs to the benchmarks). The shapes are the ones the probe of the landed app found,
and the ones profiling found after them.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.plan_files import a_docx, a_docx_table, an_xlsx, blocks, understated

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 120  # seconds; what is read here takes a few at most
PEAK_MB = 200  # a fresh interpreter with the importer's libraries takes about 50
LIMITS = {"time_budget": 600}  # so that a loaded machine cannot make the budget refuse first

CHILD = r"""
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))  # a runaway fails, not the machine
from tracker.importing.files import read_plan_file
from tracker.importing.limits import ImportLimits
from tracker.importing.parties import KnownGroup
from tracker.domain.message import MessageError
from tracker.texts import translate
path, limits, groups = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
known = [KnownGroup(f"Werkgroep nummer {i}", (f"wg{i}",)) for i in range(groups)]
try:
    draft = read_plan_file(
        path, open(path, "rb").read(), network_slug="t", network_name="T", year=2021,
        known=known, limits=ImportLimits(**limits),
    )
    titles = [activity.title for activity in draft.document.activities]
    outcome = {"activities": len(titles), "unique": len(set(titles)), "last": titles[-1]}
except Exception as error:
    dutch = translate(error.message, "nl") if isinstance(error, MessageError) else str(error)
    outcome = {"error": type(error).__name__, "message": dutch}
# VmHWM: this program's own peak; ru_maxrss would include the parent's size at the fork.
status = open("/proc/self/status").read()
outcome["peak_mb"] = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps(outcome))
"""


def read_in_child(
    path: Path, limits: dict[str, Any] | None = None, groups: int = 0
) -> dict[str, Any]:
    """What reading `path` gave in a fresh process: the outcome and its peak memory (MB)."""
    arguments = [str(path), json.dumps({**LIMITS, **(limits or {})}), str(groups)]
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, *arguments],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading {path.name} did not end within {DEADLINE} s")
    assert done.returncode == 0, done.stderr[-2000:]
    outcome: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return outcome


# --- the shapes of the issue ------------------------------------------------------------------


def test_12000_blocks_under_one_heading_are_refused_at_the_activity_cap(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(blocks(12_000), encoding="utf-8")
    outcome = read_in_child(path)
    assert outcome["error"] == "ImportFailed"
    assert "meer dan 2.000 activiteiten" in outcome["message"]
    assert outcome["peak_mb"] < PEAK_MB


def test_12000_blocks_under_one_heading_are_read_when_the_cap_allows_them(tmp_path: Path) -> None:
    """Titles are made unique in linear time (a list searched per number made this cubic)."""
    path = tmp_path / "plan.txt"
    path.write_text(blocks(12_000), encoding="utf-8")
    outcome = read_in_child(path, {"max_activities": 12_000, "max_bytes": 50 << 20})
    assert (outcome.get("activities"), outcome.get("unique")) == (12_000, 12_000), outcome
    # After the first, 50 blocks are titled by an objective of their own ("…: In minimaal 7
    # huisartsenpraktijken") and one by its action ("…: overleg"); the other 11,948 repeat
    # those and are numbered (2) to (11949).
    assert outcome["last"] == "Samenwerking in de regio (11949)"


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A Word file of 1.5 MB whose document.xml unpacks to 1 GiB of empty paragraphs."""
    source = zipfile.ZipFile(io.BytesIO(a_docx()))
    head, _, tail = source.read("word/document.xml").partition(b"</w:body>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for member in source.infolist():
            if member.filename != "word/document.xml":
                target.writestr(member.filename, source.read(member.filename))
                continue
            with target.open(member.filename, "w", force_zip64=True) as stream:
                stream.write(head)
                chunk = b"<w:p/>" * (1 << 20)
                for _ in range((1 << 30) // len(chunk)):
                    stream.write(chunk)
                stream.write(b"</w:body>" + tail)
    return buffer.getvalue()


def test_a_docx_that_unpacks_to_1_gb_is_refused_before_it_is_parsed(
    tmp_path: Path, zip_bomb: bytes
) -> None:
    path = tmp_path / "plan.docx"
    path.write_bytes(zip_bomb)
    outcome = read_in_child(path)
    assert outcome["error"] == "ImportFailed"
    assert "uitgepakt te groot" in outcome["message"]
    assert outcome["peak_mb"] < PEAK_MB


def test_a_docx_whose_zip_directory_understates_a_member_is_refused_without_inflating_it(
    tmp_path: Path, zip_bomb: bytes
) -> None:
    """zipfile stops at the stated size, but inflates up to 1 GiB in one step when a library
    reads a member whole; the importer inflates in small steps and sees the lie first."""
    path = tmp_path / "plan.docx"
    path.write_bytes(understated(zip_bomb, "word/document.xml", 4000))
    outcome = read_in_child(path)
    assert outcome["error"] == "ImportFailed"
    assert "geen leesbaar Word-bestand" in outcome["message"]
    assert outcome["peak_mb"] < PEAK_MB


def test_a_yaml_file_of_10_kb_whose_aliases_expand_to_100000_activities_is_refused(
    tmp_path: Path,
) -> None:
    lines = [
        "format: jaarplan/1",
        "network: {slug: t, name: T}",
        "plan: {slug: t-2021, year: 2021, title: Jaarplan 2021}",
        "a: &a {title: Overleg, wanneer: Q1 2021}",
        "b: &b [" + ", ".join(["*a"] * 1000) + "]",  # 1,000 activities
        "themes: [" + ", ".join(["{name: T, activities: *b}"] * 100) + "]",  # 100 times
    ]
    path = tmp_path / "plan.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size < 10_000
    outcome = read_in_child(path)
    assert outcome["error"] == "ImportFailed"
    assert "meer dan 200.000 waarden" in outcome["message"]
    assert outcome["peak_mb"] < PEAK_MB


def test_an_xlsx_of_100000_rows_is_refused_without_reading_them(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(an_xlsx(100_000))
    outcome = read_in_child(path)
    assert outcome["error"] == "ImportFailed"
    assert "te veel opmaak" in outcome["message"]
    assert outcome["peak_mb"] < PEAK_MB


def test_an_xlsx_over_the_activity_cap_is_refused_at_the_first_row_too_many(
    tmp_path: Path,
) -> None:
    """Reading stops there: the broken row after it is never reached."""
    path = tmp_path / "plan.xlsx"
    path.write_bytes(an_xlsx(3000, after="zonder thema"))
    outcome = read_in_child(path)
    assert outcome["error"] == "ImportFailed"
    assert "meer dan 2.000 activiteiten" in outcome["message"]
    assert outcome["peak_mb"] < PEAK_MB


# --- shapes found by profiling ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("wie_properties", "wie"),
    [
        # python-docx finds the cell above a merged one by searching the table again per row
        pytest.param("<w:vMerge/>", "Wie", id="merged-cells-2000-rows"),
        # python-docx repeats a cell once per column it claims to span
        pytest.param('<w:gridSpan w:val="300000000"/>', "PR", id="cells-spanning-300M-columns"),
    ],
)
def test_a_docx_table_with_merged_or_spanning_cells_is_read_in_bounded_time_and_memory(
    tmp_path: Path, wie_properties: str, wie: str
) -> None:
    path = tmp_path / "plan.docx"
    path.write_bytes(a_docx_table(2000, wie_properties))
    outcome = read_in_child(path)
    assert (outcome.get("activities"), outcome.get("unique")) == (2000, 2000), outcome
    assert outcome["peak_mb"] < PEAK_MB


QUADRATIC = (
    # (field, text, copies): each text made a regular expression try again from every
    # position; one copy took from 5 s to over 100 s, so that the copies of any one of them
    # alone pass the deadline if it comes back
    ("heading", "[" * 99_000, 8),  # Markdown links
    ("heading", "Kop " + "\u2003" * 99_000 + "x", 8),  # a heading's "(2)" variant
    ("wie", "(" * 99_000, 8),  # remarks in parentheses
    ("wie", "a" + "\u2003" * 99_000 + "b", 8),  # separators and "en" around a whitespace run
    ("objectives", "<p " * 33_000, 32),  # HTML block tags
    ("wanneer", "tot 2021 " * 11_000, 8),  # "tot", "vanaf", "eind" before each date
    ("wat", "<b>" * 33_000, 8),  # bold titles in a table cell, one not closed
)


def quadratic_plan(shapes: tuple[tuple[str, str, int], ...] = QUADRATIC) -> str:
    """A plan with the given number of activities for each text of `shapes`."""
    parts = ["Jaarplan 2021\n\nCOÖRDINATIE\n"]
    for field, text, copies in shapes:
        for number in range(copies):
            if field == "wat":
                row = f"<b>T{number}</b> {text}\tPR\t2021"
                parts.append(f"### 1. Sectie\n\nWat\tWie\tLooptijd\n{row}\n")
                continue
            values = {"heading": f"Kop {number}", "objectives": "doel", "wie": "PR",
                      "wanneer": "Q1"} | {field: text}  # fmt: skip
            parts.append(
                f"\nCOÖRDINATIE\n\n{values['heading']}\n\nDoelstellingen\t{values['objectives']}"
                f"\nWie\t{values['wie']}\nWanneer\t{values['wanneer']}\n"
            )
    return "\n".join(parts)


def test_long_texts_that_made_the_readers_quadratic_are_read_in_bounded_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(quadratic_plan(), encoding="utf-8")
    outcome = read_in_child(path, {"max_bytes": 50 << 20})
    assert outcome.get("activities") == sum(copies for _, _, copies in QUADRATIC), outcome
    assert outcome["peak_mb"] < PEAK_MB


def test_a_network_with_many_workgroups_does_not_make_matching_slow(tmp_path: Path) -> None:
    """The names' patterns are compiled once per import, not once per activity (with more
    names than Python's pattern cache holds, every activity compiled them all again)."""
    path = tmp_path / "plan.txt"
    path.write_text(blocks(1000), encoding="utf-8")
    outcome = read_in_child(path, groups=1000)
    assert outcome.get("activities") == 1000, outcome
