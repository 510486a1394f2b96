"""SIGKILL in the middle of a burst of status updates loses no acknowledged update.

A real gunicorn (2 workers, the app preloaded so a killed worker is replaced at once) serves
the API on 127.0.0.1. Threads send status updates as fast as they are answered; in each of
20 rounds a worker is killed with SIGKILL while updates are in flight, and in the last round
the whole server. Afterwards every update that was answered 200 is in the log at the version
the answer gave, and `flask --app wsgi check-store` reports the store clean (versions
continuous per stream, read models equal a replay). Bounded: every wait has a deadline.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa

from events.database import make_engine
from tests.support import FIXTURES, load_plan
from tracker import accounts
from tracker.clock import SystemClock
from tracker.database import Database
from tracker.ids import activity_id_for
from tracker.passwords import Passwords
from tracker.planfile import read_plan_yaml

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 20
ACKS_PER_ROUND = 4  # kill once this many more updates were acknowledged in the round
DEADLINE = 90.0  # seconds for the whole test, whatever happens


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Burst:
    """What the clients saw: acknowledged updates and requests that got no answer."""

    acked: list[tuple[str, int, str]] = field(default_factory=list)
    unanswered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)


def request(port: int, method: str, path: str, token: str, body: object = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        payload = json.dumps(body) if body is not None else None
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def updater(port: int, token: str, activity_id: str, burst: Burst) -> None:
    """Alternate lopend/vertraagd on one activity, re-reading its version after a failure."""
    version: int | None = None
    while not burst.stop.is_set():
        try:
            if version is None:
                status, body = request(port, "GET", f"/api/v1/activities/{activity_id}", token)
                if status != 200:
                    time.sleep(0.02)
                    continue
                version, current = int(body["version"]), str(body["status"])
            wanted = "vertraagd" if current == "lopend" else "lopend"
            status, body = request(
                port,
                "POST",
                f"/api/v1/activities/{activity_id}/status",
                token,
                {"status": wanted, "note": "burst", "expected_version": version},
            )
        except (OSError, http.client.HTTPException, ValueError):
            with burst.lock:
                burst.unanswered += 1
            version = None  # it may or may not have been written: read it again
            time.sleep(0.02)
            continue
        if status == 200:
            version, current = int(body["version"]), str(body["status"])
            with burst.lock:
                burst.acked.append((activity_id, version, current))
        else:
            version = None  # 409 or a 5xx while a worker restarts: read again


def workers_of(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


def wait_until(predicate: object, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def prepare(url: str) -> tuple[str, list[str]]:
    """Two networks' plans (6 activities) and an API token of an admin."""
    db = Database(url)
    db.create_schema()
    clock = SystemClock()
    document = read_plan_yaml((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
    other = replace(document, network_slug="andernet", network_name="Ander", plan_slug="ander-21")
    ids = []
    for plan in (document, other):
        load_plan(db, plan, clock)
        ids += [activity_id_for(plan.plan_slug, a.title) for a in plan.activities]
    with db.session() as session:
        admin = accounts.create_user(
            session,
            Passwords(1, 8, 1),
            email="beheer@example.org",
            name="Beheer",
            password="een-lang-wachtwoord",
            is_admin=True,
        )
        assert admin.id is not None
        token = accounts.create_token(session, admin.id, clock.now())
        session.commit()
    db.dispose()
    return token, ids


def test_sigkill_during_bursts_loses_no_acknowledged_update(
    database_url: str, tmp_path: Path
) -> None:
    server_url = database_url
    started = time.monotonic()
    deadline = started + DEADLINE
    token, activity_ids = prepare(server_url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": server_url,
        "SECRET_KEY": "crash-test-secret-key",
        "TRACKER_INSTANCE_PATH": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--preload",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "1",
        "wsgi:create_app()",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stderr=subprocess.DEVNULL
    )
    burst = Burst()
    threads = [
        threading.Thread(target=updater, args=(port, token, a, burst), daemon=True)
        for a in activity_ids
    ]
    try:
        assert wait_until(lambda: len(workers_of(server.pid)) == 2, deadline), "no server"
        for thread in threads:
            thread.start()
        kills = 0
        for round_ in range(ROUNDS):
            target = len(burst.acked) + ACKS_PER_ROUND
            assert wait_until(lambda t=target: len(burst.acked) >= t, deadline), (
                f"round {round_}: updates stopped being acknowledged"
            )
            victims = workers_of(server.pid)
            if round_ == ROUNDS - 1:
                os.killpg(server.pid, signal.SIGKILL)  # the whole server, master included
                server.wait(timeout=10)
            else:
                os.kill(victims[round_ % len(victims)], signal.SIGKILL)
                assert wait_until(
                    lambda v=victims: len(set(workers_of(server.pid)) - set(v)) >= 1, deadline
                ), "the killed worker was not replaced"
            kills += 1
        burst.stop.set()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        burst.stop.set()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)

    assert kills == ROUNDS
    assert burst.unanswered > 0, "no request was in flight when a process was killed"
    engine = make_engine(server_url)
    with engine.connect() as connection:
        stored = {
            (row.stream_id, row.version): json.loads(row.data).get("to_status")
            for row in connection.execute(
                sa.text("SELECT stream_id, version, data FROM events WHERE type = :t"),
                {"t": "ActivityStatusChanged"},
            )
        }
    engine.dispose()
    lost = [ack for ack in burst.acked if stored.get((ack[0], ack[1])) != ack[2]]
    assert lost == [], f"{len(lost)} acknowledged updates are not in the log"
    check = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "check-store"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Store clean" in check.stdout
    print(
        f"{len(burst.acked)} acknowledged, {burst.unanswered} unanswered, {kills} kills, "
        f"{time.monotonic() - started:.1f} s"
    )
