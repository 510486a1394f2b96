"""Measurements that run in a process of their own, so their peak memory is theirs alone.

`python -m bench.probe rebuild URL` replays the whole log into the read models (the same
call as `flask rebuild-projections`); `python -m bench.probe scan URL` is the raw
scan-and-decode baseline. Each prints one JSON object: events, seconds, peak_rss_mb.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

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


def rebuild(url: str) -> tuple[int, float]:
    from events import projections
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
