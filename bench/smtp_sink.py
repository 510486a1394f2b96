"""The SMTP sink of the reminder run: aiosmtpd on 127.0.0.1 that accepts every mail and
discards it, in a process of its own (so it does not share the sender's interpreter).

`python -m bench.smtp_sink` prints its port, serves until its standard input closes (the
benchmark closes it, or dies), then prints how many messages it accepted and exits.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
LIFETIME_S = 3600  # a sink left behind by accident ends by itself


@dataclass
class Discard:
    """Accepts every message, keeps only the count."""

    accepted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.accepted += 1
        return "250 2.0.0 OK: discarded"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def main() -> int:
    signal.alarm(LIFETIME_S)
    handler = Discard()
    port = free_port()
    controller = Controller(handler, hostname=HOST, port=port, ready_timeout=10)
    controller.start()
    try:
        print(port, flush=True)
        sys.stdin.read()  # until the benchmark closes it (or exits)
    finally:
        controller.stop()
    print(handler.accepted, flush=True)
    return 0


@dataclass
class Sink:
    process: subprocess.Popen[str]
    port: int
    accepted: int | None = None

    def stop(self) -> int:
        """Stop the sink; returns how many messages it accepted."""
        out, _ = self.process.communicate(timeout=15)  # closes its stdin: the sink stops
        self.accepted = int(out.strip().splitlines()[-1])
        return self.accepted


@contextmanager
def smtp_sink() -> Iterator[Sink]:
    """Start the sink; it is stopped (killed if need be) when the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.smtp_sink"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.strip().isdigit():
            raise RuntimeError("the SMTP sink did not start")
        yield Sink(process, int(line))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
