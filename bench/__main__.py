"""`python -m bench`: generate the national log, measure, print one table (see `--help`).

Per backend (a SQLite file, and PostgreSQL when its server answers) the run creates a
throwaway database, bulk-writes the generated log, then measures:

1. status changes in-process vs the peer (the eventsourcing library, `bench/peer.py`) on
   the same log's streams (~25 events) and on short ones (5 changes), and vs the same
   work written raw on the driver (`baselines.raw_same_work`);
2. status updates over HTTP (gunicorn, 2 workers, keep-alive clients) vs a trivial endpoint;
3. a full rebuild of the read models vs the peer reconstructing every aggregate from its
   stream, vs a raw scan-and-decode of the log, and its time extrapolated to 1M events;
4. quarterly report latency: one plan (HTML, PDF, XLSX) and one network, now and as of a
   past date (`bench/quarterly_report.py`);
5. a full quarterly reminder run for every workgroup into a local SMTP sink
   (`bench/reminder_run.py`);
6. peak memory of the web worker and of the rebuild.

The whole run is bounded (`--time-limit`); servers and databases it created are removed
at the end, also when something fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import sqlalchemy as sa

from bench import (
    baselines,
    cli_start,
    commands,
    dataset,
    http_load,
    peer,
    quarterly_report,
    reminder_run,
    report,
)
from bench.probe import run_module
from bench.report import Row
from events.timeouts import Timeouts
from tracker.database import Database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MEMORY_LIMIT_MB = 300.0
PEER_CHANGES_TARGET = 2.0  # status changes: ≥ 2× the peer at the national streams' length
PEER_REPLAY_TARGET = 4.0  # full rebuild: ≥ 4× the peer's replay
MILLION_SECONDS_TARGET = 15.0  # full rebuild of 1M events, extrapolated from this run
ROUNDS = 3  # row 1's loads, each in this many slices taken in turn


@dataclass(frozen=True)
class Options:
    scale: float
    seconds: float
    clients: int
    threads: int
    backends: tuple[str, ...]
    postgres_url: str
    workdir: Path
    keep: bool


def parse(argv: list[str] | None) -> tuple[Options, argparse.Namespace]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 65×10×60 (~1M events)")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each load")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="an admin connection")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--results", type=Path, help="write the table into this Markdown file")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--time-limit", type=float, default=1800, help="stop after (seconds)")
    parser.add_argument("--keep", action="store_true", help="keep the generated databases")
    args = parser.parse_args(argv)
    options = Options(
        scale=args.scale,
        seconds=args.seconds,
        clients=args.clients,
        threads=args.threads,
        backends=tuple(b.strip() for b in args.backends.split(",") if b.strip()),
        postgres_url=args.postgres_url,
        workdir=args.workdir,
        keep=args.keep,
    )
    return options, args


class OutOfTime(Exception):
    """The run took longer than --time-limit, or was told to stop (SIGTERM)."""


def _out_of_time(signum: int, _frame: FrameType | None) -> None:
    if signum == signal.SIGTERM:
        raise OutOfTime("stopped by SIGTERM")
    raise OutOfTime("the benchmark ran past its --time-limit")


def main(argv: list[str] | None = None) -> int:
    options, args = parse(argv)
    signal.signal(signal.SIGALRM, _out_of_time)
    signal.setitimer(signal.ITIMER_REAL, args.time_limit)
    signal.signal(signal.SIGTERM, _out_of_time)
    try:
        rows, context = run(options)
    except OutOfTime as stopped:
        log(f"{stopped}; servers and databases of this run were removed")
        return 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    print()
    print(report.table(rows))
    if args.results:
        report.write_results(args.results, report.results_section(rows, context))
    if args.json:
        args.json.write_text(json.dumps([row.as_dict() for row in rows], indent=2))
    return 0


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(options: Options) -> tuple[list[Row], list[str]]:
    scale = dataset.Scale.of(options.scale)
    started = time.perf_counter()
    data = dataset.generate(scale)
    generated = time.perf_counter() - started
    log(f"{scale.describe()}: {data.event_count:,} events generated in {generated:.1f} s")
    context = [
        f"{scale.describe()}: {scale.activities:,} activities, {data.event_count:,} events",
        f"load average when the run started: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
        "(other work on the machine lowers the absolute figures; ratios are of the same run)",
        f"each load runs {options.seconds:g} s; HTTP with {options.clients} concurrent clients, "
        f"gunicorn 2 workers × {options.threads} threads (gthread), keep-alive",
    ]
    rows: list[Row] = []
    for backend in options.backends:
        with throwaway_database(backend, options) as url:
            if url is None:
                context.append(f"{backend}: no server reachable, not measured")
                continue
            rows += measure_backend(backend, url, data, options, context)
    rows.sort(key=lambda row: (row.key.split(".")[0], row.backend))  # stable: in measured order
    return rows, context


@contextmanager
def throwaway_database(backend: str, options: Options) -> Iterator[str | None]:
    """A new, empty database for this run, removed afterwards (unless --keep)."""
    name = f"bench_{time.strftime('%Y%m%d_%H%M%S')}_{uuid.uuid4().hex[:6]}"
    if backend == "sqlite":
        folder = options.workdir / name
        folder.mkdir(parents=True)
        try:
            yield f"sqlite:///{folder / 'tracker.db'}"
        finally:
            if not options.keep:
                shutil.rmtree(folder, ignore_errors=True)
        return
    if backend != "postgresql":
        raise SystemExit(f"unknown backend {backend!r}")
    admin = sa.create_engine(
        options.postgres_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as problem:
        log(f"PostgreSQL not reachable at {options.postgres_url}: {problem.orig}")
        admin.dispose()
        yield None
        return
    try:
        yield (
            sa.make_url(options.postgres_url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        if not options.keep:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def measure_backend(
    backend: str, url: str, data: dataset.Dataset, options: Options, context: list[str]
) -> list[Row]:
    # No statement timeout for the bulk write: the app's 10 s bound a request's statements,
    # and a COPY of the national log takes longer than that.
    db = Database(url, timeouts=Timeouts(statement=0))
    db.create_schema()
    started = time.perf_counter()
    dataset.write(db.write_engine, data)
    db.dispose()
    written = time.perf_counter() - started
    log(f"{backend}: written in {written:.1f} s")
    with db.engine.connect() as connection:
        version = (
            connection.exec_driver_sql("SHOW server_version").scalar_one()
            if backend == "postgresql"
            else connection.exec_driver_sql("SELECT sqlite_version()").scalar_one()
        )
    db.dispose()
    context.append(f"{backend} {version}: bulk write of the generated log took {written:.1f} s")
    with loaded_peer(backend, url, data) as app:
        rows = rebuild_rows(backend, url, app, [row["activity_id"] for row in data.states])
        rows += command_rows(backend, url, options, app)
    rows += http_rows(backend, url, data, options)
    rows += quarterly_report.rows(backend, url, data.scale)
    log(f"{backend}: quarterly reports measured")
    rows += reminder_run.rows(backend, url, data.scale)
    log(f"{backend}: reminder run measured")
    rows += cli_start.rows(backend, url)
    return rows


def probe(what: str, url: str) -> dict[str, Any]:
    """Run `bench.probe` in a fresh process and return its JSON answer."""
    return run_module("bench.probe", what, url)


@contextmanager
def loaded_peer(backend: str, url: str, data: dataset.Dataset) -> Iterator[Any | None]:
    """The peer's application with the generated log in its store; None without the library."""
    if not peer.AVAILABLE:
        log(f"{backend}: {peer.MISSING}")
        yield None
        return
    with peer.peer_application(url) as app:
        started = time.perf_counter()
        peer.load(app, data)
        log(f"{backend}: peer loaded in {time.perf_counter() - started:.1f} s")
        yield app


def _per_second(figure: tuple[int, float] | None) -> float | None:
    return None if figure is None else figure[0] / figure[1]


def _peer_baseline(what: str, app: Any | None) -> str:
    return what if app is not None else peer.MISSING


def rebuild_rows(backend: str, url: str, app: Any | None, stream_ids: list[str]) -> list[Row]:
    # The scan runs here; the rebuild in a process of its own, for its peak memory; the
    # peer's replay right after it.
    scanned, scan_seconds = baselines.raw_scan(url)
    scan = {"events": scanned, "seconds": scan_seconds}
    rebuilt = probe("rebuild", url)
    replayed = peer.replay(app, stream_ids) if app is not None else None
    log(f"{backend}: rebuild {rebuilt}, raw scan {scan}, peer replay {replayed}")
    if rebuilt["events"] != scan["events"]:
        raise RuntimeError(f"rebuild saw {rebuilt['events']} events, the scan {scan['events']}")
    if replayed is not None and replayed[0] != rebuilt["events"]:
        raise RuntimeError(f"the peer replayed {replayed[0]} events, not all")
    rate = rebuilt["events"] / rebuilt["seconds"]
    return [
        Row(
            "3",
            "full rebuild of the read models",
            backend,
            rate,
            "events/s",
            _peer_baseline("peer: every aggregate replayed", app),
            _per_second(replayed),
            f"≥ {PEER_REPLAY_TARGET:g} × peer",
            threshold=PEER_REPLAY_TARGET,
        ),
        Row(
            "3.raw",
            "full rebuild of the read models",
            backend,
            rate,
            "events/s",
            "raw scan-and-decode",
            scan["events"] / scan["seconds"],
        ),
        Row(
            "3.million",
            "full rebuild of 1M events (extrapolated from this run's rate)",
            backend,
            1_000_000 / rate,
            "s",
            target=f"< {MILLION_SECONDS_TARGET:g} s",
            higher_is_better=False,
            threshold=MILLION_SECONDS_TARGET,
        ),
        Row(
            "6.rebuild",
            "peak memory of the rebuild",
            backend,
            rebuilt["peak_rss_mb"],
            "MB",
            f"its process at start {rebuilt['start_rss_mb']:.0f} MB",
            target=f"< {MEMORY_LIMIT_MB:.0f} MB",
            higher_is_better=False,
            threshold=MEMORY_LIMIT_MB,
        ),
    ]


def command_rows(backend: str, url: str, options: Options, app: Any | None) -> list[Row]:
    """Row 1: the tracker, the same work raw and the peer (long and short streams), each
    load in ROUNDS slices taken in turn, so the machine's other work falls on all alike."""
    db = Database(url)
    peer_targets = [row[0] for row in commands.open_activities(db, limit=5000)]
    totals: dict[str, tuple[int, float]] = {}

    def add(name: str, figure: tuple[int, float]) -> None:
        count, seconds = totals.get(name, (0, 0.0))
        totals[name] = (count + figure[0], seconds + figure[1])

    short = peer.ShortStreams(app) if app is not None else None
    share = options.seconds / ROUNDS
    for _ in range(ROUNDS):
        targets = [(a, status, v) for a, status, v, _ in commands.open_activities(db, 5000)]
        add("raw", baselines.raw_same_work(url, targets, share))
        add("tracker", commands.command_throughput(url, share))
        if app is not None and short is not None:
            add("long", peer.long_streams(app, peer_targets, share))
            add("short", short.run(share))
    db.dispose()
    log(f"{backend}: changes (count, seconds) {totals}")
    rate = _per_second(totals["tracker"])
    measure = "status changes in-process (1 transaction each)"
    return [
        Row(
            "1",
            measure,
            backend,
            rate,
            "/s",
            _peer_baseline("peer, the same streams (~25 events)", app),
            _per_second(totals.get("long")),
            f"≥ {PEER_CHANGES_TARGET:g} × peer",
            threshold=PEER_CHANGES_TARGET,
        ),
        Row(
            "1.short",
            measure,
            backend,
            rate,
            "/s",
            _peer_baseline(f"peer, short streams ({peer.SHORT_CHANGES} changes)", app),
            _per_second(totals.get("short")),
        ),
        Row(
            "1.raw",
            measure,
            backend,
            rate,
            "/s",
            "same work raw (1 INSERT + 1 UPDATE)",
            _per_second(totals["raw"]),
        ),
    ]


def http_rows(backend: str, url: str, data: dataset.Dataset, options: Options) -> list[Row]:
    # Open activities dealt round-robin to the clients; each update is sent with the token
    # of the coordinator of the activity's network (one person per network).
    network_of_plan = {row["id"]: row["network_id"] for row in data.reference[_plan_table()]}
    per_client: list[list[tuple[str, str, int, str]]] = [[] for _ in range(options.clients)]
    for n, (activity_id, status, version, plan_id) in enumerate(
        commands.open_activities(Database(url))
    ):
        token = data.tokens[network_of_plan[plan_id]]
        per_client[n % options.clients].append((activity_id, status, version, token))
    instance = options.workdir / f"instance-{uuid.uuid4().hex[:6]}"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        with http_load.gunicorn(url, instance, threads=options.threads) as server:
            warm = min(2.0, max(0.3, options.seconds / 5))
            pings = [http_load.ping_client() for _ in range(options.clients)]
            http_load.run_load(server.port, pings, warm)
            trivial = http_load.run_load(server.port, pings, options.seconds)
            updaters: list[http_load.Client] = [
                http_load.status_client(mine) for mine in per_client
            ]
            updates = http_load.run_load(server.port, updaters, options.seconds)
            worker_mb = server.worker_peak_rss_mb()
    finally:
        shutil.rmtree(instance, ignore_errors=True)
    log(
        f"{backend}: HTTP {updates.requests} updates ({updates.errors} errors), "
        f"{trivial.requests} pings ({trivial.errors} errors)"
    )
    if updates.errors or trivial.errors:
        raise RuntimeError(f"HTTP errors: {updates.errors} updates, {trivial.errors} pings")
    clients = f"{options.clients} clients"
    return [
        Row(
            "2",
            f"status updates over HTTP, {clients}",
            backend,
            updates.per_second,
            "req/s",
            "trivial endpoint",
            trivial.per_second,
        ),
        Row(
            "2.p50",
            "status update latency p50",
            backend,
            updates.percentile_ms(0.50),
            "ms",
            baseline=f"trivial {trivial.percentile_ms(0.50):.2f} ms",
        ),
        Row(
            "2.p95",
            "status update latency p95",
            backend,
            updates.percentile_ms(0.95),
            "ms",
            baseline=f"trivial {trivial.percentile_ms(0.95):.2f} ms",
            target="< 50 ms",
            higher_is_better=False,
            threshold=50.0,
        ),
        Row(
            "6.web",
            "peak memory of a web worker",
            backend,
            worker_mb,
            "MB",
            target=f"< {MEMORY_LIMIT_MB:.0f} MB",
            higher_is_better=False,
            threshold=MEMORY_LIMIT_MB,
        ),
    ]


def _plan_table() -> sa.Table:
    from tracker.models import Plan

    table: sa.Table = Plan.__table__  # type: ignore[attr-defined]
    return table


if __name__ == "__main__":
    raise SystemExit(main())
