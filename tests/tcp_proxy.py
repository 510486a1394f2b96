"""A TCP proxy in a process of its own, for database faults: freeze it, cut it, resume it.

`python tests/tcp_proxy.py TARGET_PORT [LISTEN_PORT]` forwards 127.0.0.1:LISTEN_PORT (a free
one when 0 or absent; printed on the first line) to 127.0.0.1:TARGET_PORT. `ProxyProcess`
runs it for a test:

- `freeze()` stops the process (SIGSTOP): nothing is forwarded any more, but the kernel
  still accepts connections and acknowledges every packet, as for a frozen server or proxy;
- `thaw()` lets it go on (SIGCONT), with what was sent in the meantime;
- `cut()` kills it (SIGKILL): every connection is closed, new ones are refused;
  `start()` then serves the same port again.

`close()` ends it whatever its state; the context manager does so also when a test fails.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType


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


def serve(target_port: int, listen_port: int) -> None:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", listen_port))
    listener.listen(64)
    print(listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        try:
            server = socket.create_connection(("127.0.0.1", target_port), timeout=5)
        except OSError:
            client.close()
            continue
        server.settimeout(None)
        for a, b in ((client, server), (server, client)):
            threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


class ProxyProcess:
    """The proxy above, run as a child process of the test."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__)), str(self.target_port), str(self.port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        self._process = process
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 10)
        if not ready:
            self.close()
            raise RuntimeError("the proxy did not start within 10 s")
        self.port = int(process.stdout.readline())

    def freeze(self) -> None:
        assert self._process is not None
        os.kill(self._process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self._process is not None
        os.kill(self._process.pid, signal.SIGCONT)

    def cut(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.kill()  # also when stopped
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()

    def close(self) -> None:
        self.cut()

    def __enter__(self) -> ProxyProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)
