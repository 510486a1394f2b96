"""Odd input through a real gunicorn (2 workers) on 127.0.0.1, raw bytes on a socket, as the
probe of issue 15 sent them: no answer is a 5xx, and nothing is written. Production settings
(CSRF on), SQLite and PostgreSQL. Bounded: every socket has a timeout, the server is killed at
the end whatever happens.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.odd_input import table_counts
from tests.support import PASSWORD, World, build_world, token_for

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 64 * 1024  # MAX_CONTENT_LENGTH of the served app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the whole answer (the server closes: Connection: close)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(raw)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), value.strip())
    return int(lines[0].split()[1]), headers, body


def http(
    port: int,
    method: str,
    target: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return exchange(port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


@pytest.fixture
def served(backend_app: Flask, tmp_path: Path) -> Iterator[tuple[int, Flask, World]]:
    world = build_world(backend_app)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": backend_app.config["DATABASE_URL"],
        "SECRET_KEY": "odd-input-secret-key",
        "TRACKER_INSTANCE_PATH": str(tmp_path),
        "LOG_LEVEL": "CRITICAL",
        "MAX_CONTENT_LENGTH": str(LIMIT),
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "8",
    }
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "--graceful-timeout", "1", "wsgi:create_app()"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if http(port, "GET", "/inloggen")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
            time.sleep(0.1)
        yield port, backend_app, world
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def sign_in(port: int, email: str) -> str:
    """Sign in through the login form (CSRF on); the session cookie."""
    status, headers, body = http(port, "GET", "/inloggen")
    cookie = headers["set-cookie"].split(";")[0]
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
    assert match is not None
    form = f"csrf_token={match.group(1).decode()}&email={email}&password={PASSWORD}".encode()
    status, headers, _ = http(
        port,
        "POST",
        "/inloggen",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    assert status == 302, status
    return headers["set-cookie"].split(";")[0]


def test_odd_input_through_gunicorn_answers_4xx_and_writes_nothing(
    served: tuple[int, Flask, World],
) -> None:
    port, app, world = served
    token = token_for(app, world, "coordinator")["Authorization"]
    cookie = sign_in(port, world.emails["coordinator"])
    before = table_counts(app)
    api = {"Authorization": token}
    as_json = {**api, "Content-Type": "application/json"}
    page = {"Cookie": cookie}
    status_path = f"/api/v1/activities/{world.activity_id}/status"
    cases: list[tuple[str, tuple[str, str, bytes, dict[str, str]], set[int]]] = [
        ("NUL in an API path", ("GET", "/api/v1/activities/a%00b", b"", api), {404}),
        ("NUL in a page path", ("GET", "/plannen/a%00b", b"", page), {404}),
        ("ESC in a query", ("GET", "/api/v1/activities?plan=%1b", b"", api), {400}),
        ("NUL in a page query", ("GET", f"/plannen/{world.plan_slug}?theme=%00", b"", page), {400}),
        ("raw NUL in the request line", ("GET", "/plannen/a\x00b", b"", page), {400, 404}),
        (
            "NUL in a JSON string",
            (
                "POST",
                status_path,
                b'{"status":"lopend","note":"\\u0000","expected_version":1}',
                as_json,
            ),
            {400},
        ),
        (
            "a lone surrogate in a JSON string",
            (
                "POST",
                status_path,
                b'{"status":"lopend","note":"\\udc00","expected_version":1}',
                as_json,
            ),
            {400},
        ),
        (
            "JSON nested 20,000 deep",
            ("POST", status_path, b"[" * 20_000 + b"]" * 20_000, as_json),
            {400},
        ),
        (
            "year 9999 as of",
            (
                "GET",
                f"/plannen/{world.plan_slug}/rapportage?period=2021Q2&as_of=9999-12-31",
                b"",
                page,
            ),
            {400},
        ),
        (
            "CR/LF in the login's next",
            ("GET", "/inloggen?next=/x%0d%0aSet-Cookie:%20a=b", b"", {}),
            {400},
        ),
        (
            "a form over the limit to a page",
            (
                "POST",
                f"/activiteiten/{world.activity_id}/status",
                b"note=" + b"x" * (LIMIT * 2),
                {**page, "Content-Type": "application/x-www-form-urlencoded"},
            ),
            {413},
        ),
        (
            "an upload over the limit to the import page",
            (
                "POST",
                "/plannen/importeren/",
                b'--b\r\nContent-Disposition: form-data; name="file"; filename="p.txt"\r\n\r\n'
                + b"x" * (LIMIT * 2)
                + b"\r\n--b--\r\n",
                {**page, "Content-Type": "multipart/form-data; boundary=b"},
            ),
            {413},
        ),
        (
            "JSON over the limit",
            ("POST", status_path, b'"' + b"x" * (LIMIT * 2) + b'"', as_json),
            {413},
        ),
    ]
    wrong = []
    for name, (method, target, body, headers), expected in cases:
        raw = f"{method} ".encode() + target.encode("latin-1") + b" HTTP/1.1\r\n"
        lines = ["Host: 127.0.0.1", "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
        if method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        status, answer_headers, answer = exchange(
            port, raw + "\r\n".join(lines).encode() + b"\r\n\r\n" + body
        )
        if status not in expected:
            wrong.append(f"{name}: {status} {answer[:200]!r}")
        elif target.startswith("/api/") and status in (400, 413):
            assert json.loads(answer)["error"] in (
                "invalid_characters",
                "invalid_json",
                "too_large",
            )
        assert "a=b" not in answer_headers.get("set-cookie", "")
    assert wrong == [], "\n".join(wrong)
    assert table_counts(app) == before
