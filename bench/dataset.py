"""A national-scale log, generated and bulk-written: networks × years × activities × events.

The full scale is what ten years of every Dutch network would leave behind: 65 networks,
10 yearly plans each, 60 activities a plan, about 25 events an activity (~1M events).
Events are made with the real domain classes and encoding (`tracker.domain.events`), and
their streams obey the status lifecycle, so they decode and replay. The read models are
computed here independently of `tracker.projections` (so a rebuild that equals them is a
real check) and written in bulk with the events: executemany on SQLite, COPY on PostgreSQL.
Going through the command handler would take hours at this scale.

What reports and reminders read is there too: three workgroups per network, each with a
fictitious shared address (`werkgroep-N@example.org`), every activity linked to one of them,
and each activity's "wanneer" read into its period (`period_start`/`period_end`) as the
importer does, so part of every plan is active or due in each quarter. The activities of
the last year are all still open; the benchmark's "now" (`today`) is just after the log ends.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from events.schema import events_table
from events.store import encode_data
from tracker import accounts, models
from tracker.domain import events as domain_events
from tracker.domain.activity import Activity
from tracker.domain.events import Recorded
from tracker.domain.status import ALLOWED_TRANSITIONS, Status
from tracker.domain.timing import parse_timing
from tracker.ids import activity_id_for
from tracker.projections import count_table, row_values, state_table

FULL_NETWORKS, FULL_YEARS, FULL_ACTIVITIES = 65, 10, 60
FIRST_YEAR = 2016
THEMES = ("Coördinatie", "Faciliteren", "Deskundigheidsbevordering", "Communicatie")
WORKGROUPS = ("Werkgroep beleid", "Werkgroep PR & Communicatie", "Werkgroep deskundigheid")
WANNEER = ("1e kwartaal", "2e kwartaal", "Q3", "4e kwartaal", "Continu", "2 x per jaar", "")
NOTES = (
    "Overleg met de werkgroep gevoerd; vervolgafspraak gepland.",
    "Eerste bijeenkomst gehouden met 24 deelnemers uit de regio.",
    "Concept besproken in het bestuur, reacties verwerkt.",
    "Wacht op financiering vanuit de gemeente.",
    "Nieuwsbrief verstuurd aan alle aangesloten organisaties.",
    "Scholing ingepland voor het najaar, uitnodigingen verstuurd.",
)
TOKEN_PREFIX = "bench-token-network-"
SERIAL_COLUMNS = (
    ("network", "id"),
    ("workgroup", "id"),
    ("user", "id"),
    ("apitoken", "id"),
    ("plan", "id"),
    ("theme", "id"),
    ("events", "position"),
)


@dataclass(frozen=True)
class Scale:
    """How much to generate; `factor` 1.0 is the national ten-year log."""

    factor: float
    networks: int
    years: int
    activities_per_plan: int
    mean_events: int = 25

    @classmethod
    def of(cls, factor: float) -> Scale:
        """Shrink networks first, then years, keeping whole plans of 60 activities."""
        networks = max(1, round(FULL_NETWORKS * factor))
        years = FULL_YEARS if FULL_NETWORKS * factor >= 1 else max(1, round(650 * factor))
        activities = FULL_ACTIVITIES if factor * 650 >= 1 else max(2, round(39_000 * factor))
        return cls(factor, networks, min(years, FULL_YEARS), activities)

    @property
    def activities(self) -> int:
        return self.networks * self.years * self.activities_per_plan

    def describe(self) -> str:
        return (
            f"scale {self.factor:g}: {self.networks} networks × {self.years} years × "
            f"{self.activities_per_plan} activities, ~{self.mean_events} events each"
        )


@dataclass
class Dataset:
    """Rows for every table, ready for a bulk insert (events as tuples, the rest as dicts)."""

    scale: Scale
    reference: dict[sa.Table, list[dict[str, Any]]] = field(default_factory=dict)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[tuple[int, str]] = field(default_factory=Counter)
    tokens: dict[int, str] = field(default_factory=dict)  # network id → coordinator's token

    @property
    def event_count(self) -> int:
        return len(self.events)


def workgroup_address(workgroup_id: int) -> str:
    """The (fictitious) shared address of a generated workgroup: where its reminders go."""
    return f"werkgroep-{workgroup_id}@example.org"


def today(scale: Scale) -> datetime:
    """The benchmark's "now" for reports and reminders: the day after the generated log ends
    (its last events fall before 20 December of the last year), in that year's 4th quarter."""
    return datetime(FIRST_YEAR + scale.years - 1, 12, 21, 12, tzinfo=UTC)


def coordinator_token(network_id: int) -> str:
    """The API token of the generated coordinator of a network (fixed, so runs can reuse it)."""
    return f"{TOKEN_PREFIX}{network_id}"


def generate(scale: Scale, seed: int = 2021) -> Dataset:
    """Generate the reference data, the event log and the read models it leads to."""
    rng = random.Random(seed)
    data = Dataset(scale)
    ref: dict[sa.Table, list[dict[str, Any]]] = {
        _table(cls): []
        for cls in (
            models.Network,
            models.Workgroup,
            models.User,
            models.NetworkRole,
            models.ApiToken,
            models.Plan,
            models.Theme,
            models.Activity,
            models.ActivityWorkgroup,
        )
    }
    data.reference = ref
    created = datetime(FIRST_YEAR - 1, 12, 1, tzinfo=UTC)
    timings = {
        (text, year): parse_timing(text, year)
        for text in WANNEER
        for year in range(FIRST_YEAR, FIRST_YEAR + scale.years)
    }
    plan_id = theme_id = 0
    by_year: dict[int, list[tuple[str, int, int, int]]] = {}  # year → (activity, plan, actor)
    for network_id in range(1, scale.networks + 1):
        ref[_table(models.Network)].append(
            {"id": network_id, "slug": f"npz-{network_id:02d}", "name": f"Netwerk {network_id}"}
        )
        for n, name in enumerate(WORKGROUPS):
            workgroup_id = (network_id - 1) * len(WORKGROUPS) + n + 1
            ref[_table(models.Workgroup)].append(
                {
                    "id": workgroup_id,
                    "network_id": network_id,
                    "name": name,
                    "email": workgroup_address(workgroup_id),
                }
            )
        ref[_table(models.User)].append(
            {
                "id": network_id,
                "email": f"coordinator-{network_id}@example.org",
                "name": f"Coördinator {network_id}",
                "password_hash": "",
                "is_admin": False,
                "active": True,
                "created_at": created,
            }
        )
        ref[_table(models.NetworkRole)].append(
            {"user_id": network_id, "network_id": network_id, "role": "coordinator"}
        )
        token = coordinator_token(network_id)
        data.tokens[network_id] = token
        ref[_table(models.ApiToken)].append(
            {
                "id": network_id,
                "user_id": network_id,
                "token_hash": accounts.token_hash(token),
                "created_at": created,
            }
        )
        for year in range(FIRST_YEAR, FIRST_YEAR + scale.years):
            plan_id += 1
            slug = f"npz-{network_id:02d}-{year}"
            ref[_table(models.Plan)].append(
                {
                    "id": plan_id,
                    "network_id": network_id,
                    "slug": slug,
                    "year": year,
                    "title": f"Jaarplan {year}",
                    "motto": "",
                    "introduction": "",
                }
            )
            first_theme = theme_id + 1
            for position, name in enumerate(THEMES):
                theme_id += 1
                ref[_table(models.Theme)].append(
                    {"id": theme_id, "plan_id": plan_id, "name": name, "position": position}
                )
            for position in range(scale.activities_per_plan):
                title = f"Activiteit {position + 1} van {year}"
                activity_id = activity_id_for(slug, title)
                wanneer = WANNEER[position % len(WANNEER)]
                timing = timings[(wanneer, year)]
                ref[_table(models.Activity)].append(
                    {
                        "id": activity_id,
                        "plan_id": plan_id,
                        "theme_id": first_theme + position % len(THEMES),
                        "position": position,
                        "title": title,
                        "objectives": "Doelstelling: de palliatieve zorg in de regio versterken.",
                        "actions": "Bijeenkomsten organiseren en resultaten delen.",
                        "wie": WORKGROUPS[position % len(WORKGROUPS)],
                        "wanneer": wanneer,
                        "timing_kind": timing.kind.value,
                        "period_start": timing.start,
                        "period_end": timing.end,
                        "source": f"jaarplan {year}, activiteit {position + 1}",
                    }
                )
                workgroup_id = (network_id - 1) * len(WORKGROUPS) + position % 3 + 1
                ref[_table(models.ActivityWorkgroup)].append(
                    {"activity_id": activity_id, "workgroup_id": workgroup_id}
                )
                by_year.setdefault(year, []).append((activity_id, plan_id, network_id, year))
    last_year = FIRST_YEAR + scale.years - 1
    position = 0
    for year in sorted(by_year):
        year_events: list[tuple[datetime, str, int, str, str, int | None]] = []
        for activity_id, plan, actor, _ in by_year[year]:
            year_events.extend(_stream(rng, data, activity_id, plan, actor, year, last_year))
        year_events.sort(key=lambda event: event[0])
        for at, stream_id, version, type_name, payload, actor_id in year_events:
            position += 1
            data.events.append((position, stream_id, version, type_name, payload, actor_id, at))
    return data


def _stream(
    rng: random.Random,
    data: Dataset,
    activity_id: str,
    plan_id: int,
    actor: int,
    year: int,
    last_year: int,
) -> Iterator[tuple[datetime, str, int, str, str, int | None]]:
    """One activity's events: planned, then progress notes and status changes in the year."""
    length = rng.randint(data.scale.mean_events - 10, data.scale.mean_events + 10)
    start = datetime(year, 1, 1, 8, tzinfo=UTC) + timedelta(minutes=rng.randrange(20_000))
    span = (datetime(year, 12, 20, tzinfo=UTC) - start).total_seconds()
    moments = sorted(rng.uniform(0, span) for _ in range(length - 1))
    times = [start] + [start + timedelta(seconds=s) for s in moments]
    planned = domain_events.ActivityPlanned(activity_id, plan_id=plan_id, source=f"jaarplan {year}")
    new: list[domain_events.DomainEvent] = [planned]
    status = Status.GEPLAND
    close = year < last_year and rng.random() < 0.85
    for step in range(1, length):
        note = rng.choice(NOTES)
        if close and step == length - 1:
            target = Status.AFGEROND if status is not Status.GEPLAND else Status.GESTOPT
            new.append(
                domain_events.ActivityStatusChanged(activity_id, status.value, target.value, note)
            )
            status = target
        elif rng.random() < 0.2:
            choices = sorted(ALLOWED_TRANSITIONS[status] & {Status.LOPEND, Status.VERTRAAGD})
            target = rng.choice(choices)
            with_note = note if rng.random() < 0.5 else ""
            new.append(
                domain_events.ActivityStatusChanged(
                    activity_id, status.value, target.value, with_note
                )
            )
            status = target
        else:
            new.append(domain_events.ActivityNoteAdded(activity_id, status.value, note))
    history = [
        Recorded(event, version, at, None if version == 1 else actor)
        for version, (at, event) in enumerate(zip(times, new, strict=True), start=1)
    ]
    data.states.append(row_values(Activity.replay(activity_id, history)))  # the one fold
    data.counts[(plan_id, status.value)] += 1
    for version, (at, event) in enumerate(zip(times, new, strict=True), start=1):
        type_name, payload = domain_events.encode(event)
        actor_id = None if version == 1 else actor
        yield at, activity_id, version, type_name, encode_data(payload), actor_id


def _table(cls: Any) -> sa.Table:
    table: sa.Table = cls.__table__
    return table


def write(engine: Engine, data: Dataset) -> None:
    """Bulk-write a generated dataset into an empty database (schema already created)."""
    with engine.begin() as connection:
        for table, rows in data.reference.items():
            _insert_many(connection, table, rows)
        _write_events(connection, data.events)
        _insert_many(connection, state_table, data.states)
        counts = [{"plan_id": p, "status": s, "count": n} for (p, s), n in data.counts.items()]
        _insert_many(connection, count_table, counts)
        if connection.dialect.name == "postgresql":
            # The ids were given explicitly, so the sequences must be told where to go on.
            for table_name, column in SERIAL_COLUMNS:
                _reset_sequence(connection, table_name, column)
        else:
            connection.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def _insert_many(connection: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 10_000):
        connection.execute(sa.insert(table), rows[start : start + 10_000])


def _write_events(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    columns = ("position", "stream_id", "version", "type", "data", "actor", "recorded_at")
    raw = connection.connection.driver_connection
    assert raw is not None
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY events ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    # SQLite stores DateTime as text; use SQLAlchemy's own formatting so reads parse it back.
    to_text = events_table.c.recorded_at.type.dialect_impl(connection.dialect).bind_processor(
        connection.dialect
    )
    assert to_text is not None
    cursor = raw.cursor()
    marks = ", ".join("?" for _ in columns)
    cursor.executemany(
        f"INSERT INTO events ({', '.join(columns)}) VALUES ({marks})",
        ((*row[:6], to_text(row[6])) for row in rows),
    )
    cursor.close()


def _reset_sequence(connection: Connection, table: str, column: str) -> None:
    connection.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
        f'(SELECT coalesce(max("{column}"), 0) + 1 FROM "{table}"), false)'
    )
