"""Measurements that run in a process of their own, so their peak memory is theirs alone.

`python -m bench.probe rebuild URL` replays the whole log into the read models (the same
call as `flask rebuild-projections`); `python -m bench.probe scan URL` is the raw
scan-and-decode baseline. Each prints one JSON object: events, seconds, peak_rss_mb.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.baselines import raw_scan


def peak_rss_mb(pid: int | str = "self") -> float:
    """A process's peak resident set size (VmHWM), in MB.

    Not `getrusage`: Linux keeps ru_maxrss across exec, so a probe started by a large
    parent would report the parent's peak.
    """
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


ROOT = Path(__file__).resolve().parent.parent


def run_module(module: str, *args: str, timeout: float = 900) -> dict[str, Any]:
    """Run `python -m module args…` in a fresh process; return the JSON of its last line.

    The process gets an instance folder of its own (removed afterwards), so an app it
    creates writes nothing into the repository. A time-out or a stopped benchmark kills it.
    """
    with tempfile.TemporaryDirectory(prefix="bench-instance-") as instance:
        env = {**os.environ, "TRACKER_INSTANCE_PATH": instance, "LOG_LEVEL": "WARNING"}
        done = subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args[:1])} failed:\n{done.stderr[-5000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def rebuild(url: str) -> tuple[int, float]:
    from tracker import projections
    from tracker.database import Database

    db = Database(url)
    start = time.perf_counter()
    with db.unit_of_work() as uow:
        count = projections.rebuild(uow.connection)
        uow.commit()
    elapsed = time.perf_counter() - start
    db.dispose()
    return count, elapsed


def main(argv: list[str]) -> int:
    what, url = argv
    baseline_mb = peak_rss_mb()
    if what == "rebuild":
        count, elapsed = rebuild(url)
    elif what == "scan":
        count, elapsed = raw_scan(url)
    else:
        raise SystemExit(f"unknown probe {what!r}")
    result = {
        "events": count,
        "seconds": elapsed,
        "peak_rss_mb": peak_rss_mb(),
        "start_rss_mb": baseline_mb,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
