"""The benchmark's one table: each figure, its baseline from the same run, ratio and target.

A row that could not be measured keeps its place in the table with a note instead of a value.
"""

from __future__ import annotations

import os
import platform
import re
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BEGIN_MARK = "<!-- bench:begin (written by `make bench`; edit outside these marks) -->"
END_MARK = "<!-- bench:end -->"


@dataclass(frozen=True)
class Row:
    """One line of the table. `value` None means not measured (see `note`)."""

    key: str  # stable id for tests and tooling, e.g. "1", "2.p95", "6.rebuild"
    measure: str
    backend: str
    value: float | None
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    target: str = ""
    higher_is_better: bool = True
    threshold: float | None = None  # compared with the ratio, or the value when no baseline
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline_value:
            return None
        return self.value / self.baseline_value

    @property
    def met(self) -> str:
        if self.threshold is None or self.value is None:
            return ""
        compared = self.ratio if self.baseline_value else self.value
        if compared is None:
            return ""
        ok = compared >= self.threshold if self.higher_is_better else compared <= self.threshold
        return "yes" if ok else "**no**"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio, "met": self.met}


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if value >= 100:
        text = f"{value:,.0f}"
    elif value >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


HEADER = "| # | measure | backend | value | baseline (same run) | ratio | target | met |"


def table(rows: list[Row]) -> str:
    """The rows as one Markdown table."""
    lines = [HEADER, "|---|---|---|---:|---|---:|---|---|"]
    for row in rows:
        value = row.note if row.value is None else number(row.value, row.unit)
        baseline = (
            f"{row.baseline} {number(row.baseline_value, row.unit)}".strip()
            if row.baseline_value is not None
            else row.baseline
        )
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
        lines.append(
            f"| {row.key} | {row.measure} | {row.backend} | {value} | {baseline} | {ratio} "
            f"| {row.target} | {row.met} |"
        )
    return "\n".join(lines)


def parse_table(text: str) -> dict[tuple[str, str], str]:
    """(key, backend) → the value cell, from a printed table (for the tests)."""
    found: dict[tuple[str, str], str] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 8 and re.fullmatch(r"\d+(\.[a-z0-9]+)*", cells[0]):
            found[(cells[0], cells[2])] = cells[3]
    return found


def machine() -> str:
    """A one-paragraph description of the machine the figures come from."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        memory = f"{memory_kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        memory = "unknown RAM"
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def results_section(rows: list[Row], context: list[str]) -> str:
    """The generated part of RESULTS.md: date, machine, run context and the table."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [BEGIN_MARK, "", f"Run of {stamp} on {machine()}.", ""]
    lines += [f"- {line}" for line in context]
    lines += ["", table(rows), "", END_MARK]
    return "\n".join(lines)


def write_results(path: Path, section: str) -> None:
    """Replace the generated section of `path`, keeping what was written around it."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN_MARK in text and END_MARK in text:
        before = text[: text.index(BEGIN_MARK)]
        after = text[text.index(END_MARK) + len(END_MARK) :]
        text = before + section + after
    else:
        text = (text or "# Benchmark results\n\n") + section + "\n"
    path.write_text(text, encoding="utf-8")
