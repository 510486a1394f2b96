"""Row 7: how long the command line takes to answer, `flask --app wsgi --help` (issue: < 1.5 s).

Every command loads the app first, so this is the least any command costs. Timed as a person
runs it, a new process each time, median of 3 after one run that warms the file cache; the
baseline is the interpreter importing the libraries the app is built on and doing nothing
else: it moves with the machine's speed as the command does, so the ratio says what the
app's own modules add.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.report import Row

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 1.5
LIBRARIES = "flask, flask_babel, flask_login, flask_wtf, sqlalchemy, sqlmodel, psycopg, alembic"


def _median_seconds(command: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(4):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True, timeout=60)
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def rows(backend: str, url: str) -> list[Row]:
    env = {**os.environ, "DATABASE_URL": url}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "--help"]
    seconds = _median_seconds(flask, env)
    libraries = _median_seconds([sys.executable, "-c", f"import {LIBRARIES}"], env)
    return [
        Row(
            "7.cli",
            "command line start-up (`flask --app wsgi --help`)",
            backend,
            seconds,
            "s",
            f"the interpreter importing its libraries {libraries:.2f} s",
            target=f"< {TARGET_SECONDS:g} s",
            higher_is_better=False,
            threshold=TARGET_SECONDS,
        )
    ]
