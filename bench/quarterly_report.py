"""Row 4: quarterly report latency, for one plan and for one network (all 10 of its plans).

Measured in a process of its own (`python -m bench.quarterly_report URL SCALE`), like a
request: a new session, the report loaded from the log (`tracker.reports.load.plan_report`)
and rendered (`tracker.reports.render.render`), end to end; the median of a few runs after
a warm-up. The plan is the last year's plan of the first network; "now" is the benchmark's
today (`dataset.today`, in the last year's 4th quarter), "as of" is the 2nd quarter as it
stood on 30 June. The network report covers every plan of the network (10 at full scale),
not only the period's year as `reports_for(network_slug=…)` does: each plan's report is
loaded with `plan_report` and all are rendered together, as the issue's row asks.

Baseline: reading the same events with the bare driver and decoding their JSON (what any
report from the log has to do at least).
"""

from __future__ import annotations

import hashlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session, col, select

from bench import dataset
from bench.probe import run_module
from bench.report import Row
from events.schema import events_table
from tracker.database import Database
from tracker.domain.period import Period
from tracker.models import Activity, Network, Plan
from tracker.reports.load import plan_report
from tracker.reports.period import report_moment
from tracker.reports.render import render
from tracker.reports.service import reports_for

NETWORK_SLUG = "npz-01"
PLAN_TARGET_MS, PDF_TARGET_MS, NETWORK_TARGET_MS = 200.0, 2000.0, 2000.0


@dataclass(frozen=True)
class Case:
    key: str
    measure: str
    network: bool  # all plans of the network, else the last year's plan
    fmt: str
    as_of: bool  # the 2nd quarter as of 30 June, else the 4th quarter now
    repeat: int
    target_ms: float | None = None
    cold: bool = False  # a PDF laid out anew on every run (its cache emptied first)


CASES = (
    Case("4.plan.html", "plan report, HTML", False, "html", False, 7, PLAN_TARGET_MS),
    Case("4.plan.asof", "plan report as of 30 June, HTML", False, "html", True, 7, PLAN_TARGET_MS),
    Case("4.plan.pdf", "plan report, PDF, first time", False, "pdf", False, 3, PDF_TARGET_MS, True),
    Case("4.plan.pdf.again", "plan report, PDF, asked again (kept)", False, "pdf", False, 5),
    Case("4.plan.xlsx", "plan report, XLSX", False, "xlsx", False, 5),
    Case("4.network.html", "network report (all plans), HTML", True, "html", False, 3),
    Case(
        "4.network.asof",
        "network report (all plans) as of 30 June, HTML",
        True,
        "html",
        True,
        3,
        NETWORK_TARGET_MS,
    ),
)


def when(case: Case, scale: dataset.Scale) -> tuple[Period, date | None, datetime]:
    today = dataset.today(scale)
    if case.as_of:
        return Period(today.year, 2), date(today.year, 6, 30), today
    return Period(today.year, 4), None, today


def report_bytes(session: Session, case: Case, scale: dataset.Scale) -> bytes:
    """One report, loaded and rendered as a request would (needs an app context)."""
    period, as_of, now = when(case, scale)
    if not case.network:
        slug = f"{NETWORK_SLUG}-{dataset.today(scale).year}"
        reports = reports_for(session, period=period, now=now, plan_slug=slug, as_of=as_of)
    else:
        moment = report_moment(period, as_of, now)
        plans = session.exec(
            select(Plan)
            .join(Network, col(Network.id) == Plan.network_id)
            .where(Network.slug == NETWORK_SLUG)
            .order_by(col(Plan.year))
        ).all()
        reports = [plan_report(session, plan, period, moment) for plan in plans]
    return render(reports, case.fmt)


def raw_read(db: Database, case: Case, scale: dataset.Scale) -> tuple[int, float]:
    """The baseline: the report's events read with the bare driver and their JSON decoded."""
    period, as_of, now = when(case, scale)
    moment = report_moment(period, as_of, now)
    with db.session() as session:
        query = select(Activity.id).join(Plan, col(Plan.id) == Activity.plan_id)
        if case.network:
            query = query.join(Network, col(Network.id) == Plan.network_id).where(
                Network.slug == NETWORK_SLUG
            )
        else:
            query = query.where(Plan.slug == f"{NETWORK_SLUG}-{dataset.today(scale).year}")
        ids = list(session.exec(query).all())
    statement = sa.text(
        "SELECT position, stream_id, version, type, data, recorded_at FROM events "
        "WHERE stream_id IN :ids AND recorded_at <= :moment"
    ).bindparams(
        sa.bindparam("ids", expanding=True),
        sa.bindparam("moment", type_=events_table.c.recorded_at.type),
    )
    start = time.perf_counter()
    with db.engine.connect() as connection:
        rows = connection.execute(statement, {"ids": ids, "moment": moment}).all()
        decoded = [json.loads(row[4]) for row in rows]
    return len(decoded), time.perf_counter() - start


def timed(
    action: Callable[[], object], repeat: int, before: Callable[[], object] = lambda: None
) -> tuple[float, list[float]]:
    """The median and the runs of `action` (`before` runs ahead of each, untimed)."""
    before()
    action()  # warm-up: templates compiled, statements cached, pages in memory
    runs = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), runs


def kept_pdf(app: Flask, db: Database, case: Case, scale: dataset.Scale) -> Path:
    """Where the PDF cache keeps this case's report (`render_pdf` names it by its HTML)."""
    with app.app_context(), db.session() as session:
        html = report_bytes(session, replace(case, fmt="html"), scale)
    return Path(app.instance_path) / "report-pdf" / f"{hashlib.sha256(html).hexdigest()}.pdf"


def measure(url: str, factor: float) -> dict[str, dict[str, object]]:
    """Every case: median and all runs (ms), the baseline, and a digest of the output."""
    from wsgi import create_app

    scale = dataset.Scale.of(factor)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"})
    db: Database = app.extensions["tracker"].db
    results: dict[str, dict[str, object]] = {}
    with app.app_context():
        for case in CASES:
            outputs: list[bytes] = []

            def once(case: Case = case, outputs: list[bytes] = outputs) -> None:
                with db.session() as session:
                    outputs.append(report_bytes(session, case, scale))

            # The first-time case forgets this report's kept PDF before each run (only that
            # file: the cache may be a real instance's).
            kept = kept_pdf(app, db, case, scale) if case.cold else None

            def forget(kept: Path | None = kept) -> None:
                if kept is not None:
                    kept.unlink(missing_ok=True)

            median, runs = timed(once, case.repeat, forget)
            events, raw_seconds = raw_read(db, case, scale)
            results[case.key] = {
                "ms": median * 1000,
                "runs_ms": [round(run * 1000, 1) for run in runs],
                "events": events,
                "raw_ms": raw_seconds * 1000,
                "bytes": len(outputs[-1]),
                # HTML and CSV are byte-identical for the same moment (PDF/XLSX carry ids
                # and zip times of their own); the digest lets runs before and after a
                # change be compared.
                "sha256": hashlib.sha256(outputs[-1]).hexdigest()[:16],
                "stable": case.fmt != "html" or len(set(outputs)) == 1,
            }
    db.dispose()
    return results


def rows(backend: str, url: str, scale: dataset.Scale) -> list[Row]:
    """Measure in a fresh process and turn the answer into table rows."""
    found = run_module("bench.quarterly_report", url, str(scale.factor))
    table = []
    for case in CASES:
        result = found[case.key]
        if not result["stable"]:
            raise RuntimeError(f"{case.key}: the same report gave different bytes")
        target = case.target_ms
        table.append(
            Row(
                case.key,
                case.measure,
                backend,
                float(result["ms"]),
                "ms",
                baseline=(
                    f"raw read of its {int(result['events']):,} events "
                    f"{float(result['raw_ms']):.1f} ms"
                ),
                target=_target_text(target),
                higher_is_better=False,
                threshold=target,
            )
        )
    return table


def _target_text(target_ms: float | None) -> str:
    if target_ms is None:
        return ""
    return f"< {target_ms / 1000:g} s" if target_ms >= 1000 else f"< {target_ms:g} ms"


def main(argv: list[str]) -> int:
    url, factor = argv
    print(json.dumps(measure(url, float(factor))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
