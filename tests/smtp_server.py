"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, a free port, scripted replies.

`replies` is a queue of answers to DATA (e.g. "451 …" three times); when it is empty, mail is
accepted. Every accepted message is parsed and kept; every DATA command is counted, so a test
can tell a retried delivery from a duplicate one. The server runs in a thread of the test
process and is stopped by the context manager, also when the test fails.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

ACCEPTED = "250 2.0.0 OK: queued"


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()  # a folded header starts with a space

    def body(self, subtype: str) -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        assert part is not None, f"no text/{subtype} part"
        return str(part.get_content())  # type: ignore[attr-defined]


@dataclass
class Handler:
    replies: deque[str] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.attempts += 1
            reply = self.replies.popleft() if self.replies else ACCEPTED
            if reply.startswith("250"):
                parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
                assert isinstance(parsed, EmailMessage)
                self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), parsed))
        return reply


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: Handler

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def attempts(self) -> int:
        return self.handler.attempts

    def reply(self, *replies: str) -> None:
        """Queue answers to the next DATA commands (then accept again)."""
        self.handler.replies.extend(replies)

    def config(self) -> dict[str, object]:
        """App config that sends mail here."""
        return {
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": self.host,
            "SMTP_PORT": self.port,
            "SMTP_SECURITY": "none",
            "SMTP_TIMEOUT": 10,
            "MAIL_FROM": "Jaarplan-tracker <jaarplan@test.example.org>",
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()
