"""A real SMTP server for the tests (aiosmtpd), started on a free local port, that can
accept, refuse for a while with 4xx, refuse for good with 5xx, or be stopped (connection
refused)."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field
from typing import Any

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """What the server received, and how it answers the next RCPT TO."""

    received: list[email.message.Message] = field(default_factory=list)
    answer: str = "250 OK"  # e.g. "451 4.3.0 Try again later", "550 5.1.1 No such user"
    refusals_left: int = 0  # answer with `answer` this many times, then accept
    unknown: set[str] = field(default_factory=set)  # addresses refused for good (550)

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.received]

    def to(self) -> list[str]:
        return [m["To"] for m in self.received]


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.box.unknown:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if not self.box.answer.startswith("250"):
            if self.box.refusals_left > 0:
                self.box.refusals_left -= 1
                return self.box.answer
            if self.box.refusals_left < 0:  # for good
                return self.box.answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.box.received.append(
            email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """Every e-mail of the test goes through the real SMTP backend to this server."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = free_port()
    # server_hostname: without it aiosmtpd resolves its own name (getfqdn) on every connection.
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=port, server_hostname="localhost")
    controller.start()
    settings.EMAIL_BACKEND = "essaim.core.mail.OutboxStampBackend"
    settings.ESSAIM_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    box.controller = controller  # type: ignore[attr-defined]
    yield box
    controller.stop()
