"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, a free port, scripted replies.

`replies` is a queue of answers to DATA (e.g. "451 …" three times) and `rcpt_replies` one of
answers to RCPT; when a queue is empty, the command is accepted. Every accepted message is kept
with its raw bytes and parsed; every DATA command is counted, so a test can tell a retried
delivery from a duplicate one. A slow or unreliable server is scripted with `delay` (answer
DATA only after this many seconds) and `hang_up` (close the connection instead of answering);
in both cases the message was already taken, as a real server that has queued it before its
answer is lost. The server runs in a thread of the test process and is stopped by the context
manager, also when the test fails.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import subprocess
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

ACCEPTED = "250 2.0.0 OK: queued"


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage
    raw: bytes = b""

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip()

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
    rcpt_replies: deque[str] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    attempts: int = 0
    rcpt_commands: int = 0
    delay: float = 0.0  # seconds before answering DATA
    hang_up: bool = False  # close the connection instead of answering DATA
    data_arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        with self.lock:
            self.rcpt_commands += 1
            reply = self.rcpt_replies.popleft() if self.rcpt_replies else "250 OK"
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.attempts += 1
            reply = self.replies.popleft() if self.replies else ACCEPTED
            if reply.startswith("250"):
                raw = bytes(envelope.original_content)
                parsed = email.message_from_bytes(raw, policy=email.policy.default)
                assert isinstance(parsed, EmailMessage)
                self.received.append(
                    Received(envelope.mail_from, tuple(envelope.rcpt_tos), parsed, raw)
                )
            delay, hang_up = self.delay, self.hang_up
        self.data_arrived.set()
        if hang_up:
            server.transport.abort()
            return reply  # nobody hears it: the connection is gone
        if delay:
            await asyncio.sleep(delay)  # cancelled when the client goes away
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

    @property
    def message_ids(self) -> list[str]:
        """The Message-ID of every delivery, in order (a repeat shows as a duplicate)."""
        return [mail.message_id for mail in self.received]

    def reply(self, *replies: str) -> None:
        """Queue answers to the next DATA commands (then accept again)."""
        self.handler.replies.extend(replies)

    def reply_to_rcpt(self, *replies: str) -> None:
        """Queue answers to the next RCPT commands (then accept again)."""
        self.handler.rcpt_replies.extend(replies)

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


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    cert, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


@dataclass
class Login:
    """AUTH LOGIN/PLAIN for one user (aiosmtpd offers AUTH only after STARTTLS or on TLS)."""

    user: str
    password: str

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.user.encode(),
            self.password.encode(),
        )
        return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_server(
    security: str = "none", certificate: tuple[Path, Path] | None = None, login: Login | None = None
) -> Iterator[SmtpServer]:
    """Run a server: plain, with STARTTLS (required) or implicit TLS ("ssl")."""
    handler = Handler()
    port = free_port()
    options: dict[str, Any] = {}
    if security != "none":
        assert certificate is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        if security == "ssl":
            options["ssl_context"] = context
        else:
            options.update(tls_context=context, require_starttls=True)
    if login is not None:
        options.update(authenticator=login, auth_required=True)
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10, **options)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()
