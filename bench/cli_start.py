"""Row 7: how long the command line takes to answer, `flask --app wsgi --help` (issue: < 1.5 s).

Every command loads the app first, so this is the least any command costs. Timed as a person
runs it, a new process each time, median of 3 after one run that warms the file cache; the
baseline is the interpreter starting and doing nothing.
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
    bare = _median_seconds([sys.executable, "-c", "pass"], env)
    return [
        Row(
            "7.cli",
            "command line start-up (`flask --app wsgi --help`)",
            backend,
            seconds,
            "s",
            f"the interpreter alone {bare:.2f} s",
            target=f"< {TARGET_SECONDS:g} s",
            higher_is_better=False,
            threshold=TARGET_SECONDS,
        )
    ]
