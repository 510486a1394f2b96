"""Status updates over HTTP: a real gunicorn server and a small threaded keep-alive client.

The server is what production runs: gunicorn with 2 workers, here the threaded worker
(`gthread`), because gunicorn's default sync worker closes every connection and the issue
asks for keep-alive. The client is plain `http.client`, one persistent connection per
thread; each thread owns its own activities, so no update conflicts with another.
Everything listens on 127.0.0.1 only, and the server is always stopped, also on errors.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    def worker_pids(self) -> list[int]:
        """The pids of the gunicorn workers (children of the master process)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def worker_peak_rss_mb(self) -> float:
        """The largest peak resident set size (VmHWM) among the workers."""
        from bench.probe import peak_rss_mb

        peaks = [0.0]
        for pid in self.worker_pids():
            try:
                peaks.append(peak_rss_mb(pid))
            except OSError:
                continue
        return max(peaks)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def gunicorn(
    database_url: str, instance: Path, *, workers: int = 2, threads: int = 4
) -> Iterator[Server]:
    """Start `bench.webapp` under gunicorn on a free local port; stop it when done."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "TRACKER_INSTANCE_PATH": str(instance),
        "LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
        "bench.webapp:create_bench_app()",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    server = Server(process, port)
    try:
        _wait_until_up(server, timeout=30)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask the server's process group to stop; kill it if it has not after 10 seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def _wait_until_up(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, server.port, timeout=2)
            connection.request("GET", "/bench/ping")
            if connection.getresponse().status == 200:
                connection.close()
                # Both workers answer once each has imported the app; give the second a moment.
                while len(server.worker_pids()) < 2 and time.monotonic() < deadline:
                    time.sleep(0.1)
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s")


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, fraction: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
        return ordered[index] * 1000


# One request: (method, path, body, headers) → a callback given (status, body).
Request = tuple[str, str, bytes | None, dict[str, str]]
Client = Callable[[], tuple[Request, Callable[[int, bytes], bool]]]


def run_load(port: int, clients: list[Client], seconds: float) -> LoadResult:
    """Run one thread per client, each on its own keep-alive connection, for `seconds`."""
    result = LoadResult()
    lock = threading.Lock()
    start_line = threading.Barrier(len(clients) + 1)
    deadline = 0.0

    def worker(next_request: Client) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        latencies: list[float] = []
        errors = 0
        start_line.wait()
        while time.perf_counter() < deadline:
            (method, path, body, headers), check = next_request()
            began = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            latencies.append(time.perf_counter() - began)
            if not check(response.status, payload):
                errors += 1
        connection.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = began + seconds
    start_line.wait()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    result.elapsed = time.perf_counter() - began
    result.requests = len(result.latencies)
    return result


def ping_client() -> Client:
    """A client for the trivial endpoint."""
    request: Request = ("GET", "/bench/ping", None, {})

    def next_request() -> tuple[Request, Callable[[int, bytes], bool]]:
        return request, lambda status, _body: status == 200

    return next_request


def status_client(activities: list[tuple[str, str, int, str]]) -> Client:
    """A client that moves its own activities gepland → lopend ⇄ vertraagd in turn.

    `activities`: (activity id, status, version, bearer token of someone who may update it).
    """
    from bench.commands import NEXT_STATUS

    state = {activity_id: (status, version) for activity_id, status, version, _ in activities}
    order = [(activity_id, token) for activity_id, _, _, token in activities]
    turn = 0

    def next_request() -> tuple[Request, Callable[[int, bytes], bool]]:
        nonlocal turn
        activity_id, token = order[turn % len(order)]
        turn += 1
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        status, version = state[activity_id]
        body = json.dumps(
            {"status": NEXT_STATUS[status], "note": "via de API", "expected_version": version}
        ).encode()

        def check(code: int, payload: bytes) -> bool:
            if code != 200:
                return False
            answer = json.loads(payload)
            state[activity_id] = (answer["status"], answer["version"])
            return True

        return ("POST", f"/api/v1/activities/{activity_id}/status", body, headers), check

    return next_request
