"""The production set-up of deploy/, booted on 127.0.0.1 and walked through the proxy.

nginx with deploy/nginx/jaarplan.conf (a self-signed certificate), two app servers started by
the ExecStart of deploy/systemd/jaarplan-web@.service, one reminder process started by
jaarplan-reminders.service, the environment of deploy/jaarplan.env, one PostgreSQL database
and an SMTP server (aiosmtpd). Only ports, paths and the mail server are replaced. Every
process is started under `timeout`, so all of them stop by themselves.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import signal
import ssl
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from config import TestConfig
from tests.reminder_support import outbox_rows
from tests.smtp_server import SmtpServer, free_port, smtp_server
from tests.support import PASSWORD, World, build_world, csrf_token, token_for
from tracker.clock import FixedClock
from wsgi import create_app

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = Path("/usr/sbin/nginx")
LIFETIME = 240  # seconds every process lives at most
DEADLINE = 90.0  # seconds for any one wait
TODAY = "2021-04-06"  # a few days after the Q2 2021 quarterly reminder fell due
pytestmark = pytest.mark.postgres


def exec_start(unit: str, replacements: dict[str, list[str]], instance: str = "") -> list[str]:
    """The ExecStart of a systemd unit in deploy/systemd, its programs replaced."""
    text = (DEPLOY / "systemd" / unit).read_text()
    (line,) = re.findall(r"^ExecStart=(.+)$", text, flags=re.MULTILINE)
    command: list[str] = []
    for word in shlex.split(line.replace("%i", instance)):
        command += replacements.get(word, [word])
    return ["timeout", "-k", "5", str(LIFETIME), *command]


def environment(**overrides: str) -> dict[str, str]:
    """deploy/jaarplan.env with the test's overrides, on top of this process's environment."""
    settings = dict(
        line.split("=", 1)
        for line in (DEPLOY / "jaarplan.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    return {**os.environ, **settings, **overrides}


def wait_until(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@dataclass
class Topology:
    https_port: int
    http_port: int
    app_ports: list[int]
    certificate: Path
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop(self, process: subprocess.Popen[bytes]) -> int:
        """SIGTERM to the command, as systemd stops a unit; `timeout` exits with its status."""
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        for pid in children.read_text().split() if process.poll() is None else ():
            os.kill(int(pid), signal.SIGTERM)
        try:
            return process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            return process.wait(timeout=5)

    def https(self, source: str = "127.0.0.2") -> http.client.HTTPSConnection:
        context = ssl.create_default_context(cafile=str(self.certificate))
        return http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, context=context, timeout=30, source_address=(source, 0)
        )


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str


def call(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> Answer:
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read().decode())
    finally:
        connection.close()


def certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def nginx_config(topology: Topology, key: Path) -> Path:
    """deploy/nginx/jaarplan.conf with this test's ports and certificate, in a main config."""
    site = (DEPLOY / "nginx" / "jaarplan.conf").read_text()
    for old, new in {
        "127.0.0.1:8001": f"127.0.0.1:{topology.app_ports[0]}",
        "127.0.0.1:8002": f"127.0.0.1:{topology.app_ports[1]}",
        "listen 80;": f"listen 127.0.0.1:{topology.http_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{topology.https_port} ssl;",
        "/etc/ssl/jaarplan/fullchain.pem": str(topology.certificate),
        "/etc/ssl/jaarplan/privkey.pem": str(key),
    }.items():
        assert old in site, old
        site = site.replace(old, new)
    work = topology.logs / "nginx"
    work.mkdir()
    (work / "site.conf").write_text(site)
    main = work / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\npid {work}/nginx.pid;\nerror_log stderr warn;\nworker_processes 1;\n"
        + "events {}\nhttp {\n  access_log off;\n"
        + "".join(f"  {kind}_temp_path {work}/{kind};\n" for kind in TEMP_PATHS)
        + f"  include {work}/site.conf;\n}}\n"
    )
    return main


TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


@pytest.fixture
def world_on_postgres(
    migrated_postgres_url: str, clock: FixedClock, tmp_path: Path
) -> Iterator[tuple[Flask, World]]:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(DATABASE_URL=migrated_postgres_url, TRACKER_INSTANCE_PATH=str(tmp_path))
    app = create_app(config, clock=clock)
    world = build_world(app)
    yield app, world
    app.extensions["tracker"].db.dispose()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def topology(
    world_on_postgres: tuple[Flask, World], smtp: SmtpServer, tmp_path: Path
) -> Iterator[tuple[Topology, dict[str, str]]]:
    if not NGINX.exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is missing on CI (make system-packages installs it)")
        pytest.skip("nginx is not installed (make system-packages installs it)")
    app, _world = world_on_postgres
    logs = tmp_path / "logs"
    logs.mkdir()
    topology = Topology(
        free_port(), free_port(), [free_port(), free_port()], tmp_path / "cert.pem", logs
    )
    _cert, key = certificate(tmp_path)
    env = environment(
        DATABASE_URL=app.config["DATABASE_URL"],
        SECRET_KEY="the-same-secret-for-both-app-servers",
        TRACKER_INSTANCE_PATH=str(tmp_path),
        APP_URL=f"https://127.0.0.1:{topology.https_port}",
        APP_TODAY=TODAY,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        SMTP_SECURITY="none",
        SMTP_USER="",
        SMTP_PASSWORD="",
        SMTP_TIMEOUT="10",
        MAIL_SEND_INTERVAL="1",
        REMINDER_KINDS="quarterly",
        LOGIN_ATTEMPTS_PER_MINUTE="3",
        PYTHONPATH=str(ROOT),
    )
    gunicorn = {"/opt/jaarplan/.venv/bin/gunicorn": [sys.executable, "-m", "gunicorn"]}
    try:
        for number, port in enumerate(topology.app_ports):
            command = exec_start("jaarplan-web@.service", gunicorn, instance=str(port))
            topology.start(f"app-{number}", command, env)
        nginx = [str(NGINX), "-c", str(nginx_config(topology, key))]
        topology.start("nginx", ["timeout", "-k", "5", str(LIFETIME), *nginx], env)
        for port in topology.app_ports:
            wait_until(lambda p=port: _healthy(http.client.HTTPConnection("127.0.0.1", p)), "app")
        wait_until(lambda: _healthy(topology.https()), "the proxy")
        yield topology, env
    finally:
        for process in topology.processes:
            topology.stop(process)


def _healthy(connection: http.client.HTTPConnection) -> bool:
    try:
        return call(connection, "GET", "/api/health").status == 200
    except OSError:
        return False


def sign_in(topology: Topology, source: str, email: str, password: str) -> Answer:
    """The login form through the proxy, from the client address `source`, with a forged
    X-Forwarded-For (which the proxy must overwrite)."""
    page = call(topology.https(source), "GET", "/inloggen")
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    form = {"email": email, "password": password, "csrf_token": csrf_token(page.body) or ""}
    origin = f"https://127.0.0.1:{topology.https_port}"
    headers = {
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": origin + "/inloggen",
        "X-Forwarded-For": "10.9.9.9",
    }
    return call(topology.https(source), "POST", "/inloggen", headers, urllib.parse.urlencode(form))


def test_a_journey_through_the_proxy_of_the_production_set_up(
    world_on_postgres: tuple[Flask, World],
    topology: tuple[Topology, dict[str, str]],
    smtp: SmtpServer,
) -> None:
    app, world = world_on_postgres
    running, env = topology

    # Plain HTTP is sent to HTTPS.
    plain = call(http.client.HTTPConnection("127.0.0.1", running.http_port), "GET", "/inloggen")
    assert plain.status == 301
    assert plain.headers["Location"] == "https://127.0.0.1/inloggen"

    # The login limit counts the client's own address (127.0.0.2), not the forged header and
    # not the proxy's: that address gets 429, another client signs in at once.
    email = world.emails["owner_member"]
    statuses = [sign_in(running, "127.0.0.2", email, "fout").status for _ in range(7)]
    assert 429 in statuses and statuses[0] == 200, statuses
    signed_in = sign_in(running, "127.0.0.3", email, PASSWORD)
    assert signed_in.status == 302, signed_in.body[:300]
    session_cookie = signed_in.headers["Set-Cookie"]
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie
    with app.extensions["tracker"].db.engine.connect() as connection:
        counted = set(connection.execute(sa.text("SELECT address FROM login_counter")).scalars())
    assert counted == {"127.0.0.2", "127.0.0.3"}

    # Signed in through the proxy, with the Secure cookie, over TLS.
    cookie = {"Cookie": session_cookie.split(";", 1)[0]}
    mine = call(running.https("127.0.0.3"), "GET", "/mijn-activiteiten", cookie)
    assert mine.status == 200 and "Strict-Transport-Security" in mine.headers

    # A status change through one app server is seen through the other and through the proxy.
    token = token_for(app, world, "owner_member")
    first, second = (http.client.HTTPConnection("127.0.0.1", p) for p in running.app_ports)
    path = f"/api/v1/activities/{world.activity_id}"
    before = json.loads(call(first, "GET", path, token).body)
    changed = call(
        http.client.HTTPConnection("127.0.0.1", running.app_ports[0]),
        "POST",
        path + "/status",
        {**token, "Content-Type": "application/json"},
        json.dumps(
            {"status": "lopend", "note": "via de ene", "expected_version": before["version"]}
        ),
    )
    assert changed.status == 200, changed.body
    seen = json.loads(call(second, "GET", path, token).body)
    assert (seen["status"], seen["version"]) == ("lopend", before["version"] + 1)
    through_proxy = call(running.https(), "GET", path, token)
    assert json.loads(through_proxy.body)["status"] == "lopend"

    # One JSON log line per request with the proxy's request id; no address or name logged.
    request_id = through_proxy.headers["X-Request-ID"]
    lines = [
        json.loads(line)
        for number in (0, 1)
        for line in running.log(f"app-{number}").splitlines()
        if line.startswith("{")
    ]
    (logged,) = [line for line in lines if line.get("request_id") == request_id]
    assert logged["route"] == "/api/v1/activities/<activity_id>" and logged["status"] == 200
    assert logged["user_id"] == world.user_ids["owner_member"]
    everything = running.log("app-0") + running.log("app-1")
    assert email not in everything and "Persoon" not in everything

    # The reminder process sends each workgroup's quarterly mail once; a restart sends nothing.
    flask = {"/opt/jaarplan/.venv/bin/flask": [sys.executable, "-m", "flask"]}
    command = exec_start("jaarplan-reminders.service", flask)
    reminders = running.start("reminders", command, env)
    wait_until(
        lambda: bool(outbox_rows(app)) and all(r.status == "sent" for r in outbox_rows(app)),
        "the quarterly reminders",
    )
    sent = len(outbox_rows(app))
    assert sent == len(smtp.received) == len(set(smtp.message_ids)) >= 2
    assert running.stop(reminders) == 0
    again = running.start("reminders", command, env)
    caught_up = re.compile(r"catch up after start.*executed successfully")
    wait_until(lambda: len(caught_up.findall(running.log("reminders"))) == 2, "a restart")
    time.sleep(3)  # three delivery rounds of the restarted process
    assert len(smtp.received) == sent and len(outbox_rows(app)) == sent
    assert running.stop(again) == 0
    assert "Traceback" not in running.log("reminders")
