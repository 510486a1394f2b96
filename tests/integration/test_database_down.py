"""When the database cannot be reached the app answers 503 with a readable page (JSON under
/api/), and works again without a restart once the database is back.

PostgreSQL: the app talks to the server through a small TCP proxy on 127.0.0.1 that the test
stops (every connection cut, new ones refused) and starts again. SQLite: the database file
is swapped for a directory (unopenable) and back.
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from config import TestConfig
from tests.support import World, build_world, login
from tracker.clock import FixedClock
from wsgi import create_app


class Proxy:
    """Forwards 127.0.0.1:<port> to a target address until stopped; can start again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.2)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            server = socket.create_connection(self.target, timeout=5)
            with self._lock:
                self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def _config(url: str) -> dict[str, object]:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["DATABASE_URL"] = url
    return config


@pytest.fixture
def proxied_app(postgres_url: str, clock: FixedClock) -> Iterator[tuple[Flask, Proxy]]:
    url = sa.make_url(postgres_url)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    app = create_app(
        _config(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)), clock=clock
    )
    app.extensions["tracker"].db.create_schema()
    yield app, proxy
    proxy.stop()
    app.extensions["tracker"].db.dispose()


def assert_unavailable(app: Flask, signed_in: object) -> None:
    page = signed_in.get("/mijn-activiteiten")  # type: ignore[attr-defined]
    assert page.status_code == 503
    assert "De database is op dit moment niet bereikbaar" in page.get_data(as_text=True)
    assert page.headers["Retry-After"] == "30"
    assert app.test_client().get("/inloggen").status_code in (200, 503)
    api = app.test_client().get("/api/v1/plans", headers={"Authorization": "Bearer x"})
    assert api.status_code == 503 and api.get_json()["error"] == "unavailable"
    health = app.test_client().get("/api/health")
    assert health.status_code == 503 and health.get_json()["error"] == "unavailable"


@pytest.mark.postgres
def test_postgres_down_gives_503_and_the_app_recovers_without_a_restart(
    proxied_app: tuple[Flask, Proxy],
) -> None:
    app, proxy = proxied_app
    world: World = build_world(app)
    client = app.test_client()
    login(client, world.emails["board"])
    assert client.get("/mijn-activiteiten").status_code == 200
    proxy.stop()
    assert_unavailable(app, client)
    proxy.start()
    assert client.get("/mijn-activiteiten").status_code == 200  # same session, same app
    assert app.test_client().get("/api/health").get_json() == {"status": "ok"}
    login(app.test_client(), world.emails["coordinator"])


def test_sqlite_file_unavailable_gives_503_and_recovers(
    sqlite_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    app = create_app(_config(sqlite_url), clock=clock)
    db = app.extensions["tracker"].db
    db.create_schema()
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["board"])
    path = Path(sa.make_url(sqlite_url).database or "")
    moved = tmp_path / "elsewhere.db"
    db.engine.dispose()  # connections already open keep the file; a new one cannot open it
    shutil.move(path, moved)
    path.mkdir()
    assert_unavailable(app, client)
    path.rmdir()
    shutil.move(moved, path)
    assert client.get("/mijn-activiteiten").status_code == 200
    db.dispose()
