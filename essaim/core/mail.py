"""The e-mail backend: the configured one (`ESSAIM_EMAIL_BACKEND`), plus a Message-ID
that names the outbox message being delivered (core/outbox.py).

A delivery that is retried after the SMTP server accepted it but before the outbox row was
marked sent (a worker killed at that instant) sends the same Message-ID again: mail stores
and clients recognise the second copy as the same message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.utils import DNS_NAME


class OutboxStampBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        self.inner = get_connection(settings.ESSAIM_EMAIL_BACKEND, fail_silently=fail_silently, **kwargs)

    def open(self) -> Any:
        return self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from essaim.core.outbox import current_delivery

        delivery = current_delivery.get()
        if delivery is not None:
            for message in email_messages:
                delivery["sent"] += 1  # the n-th e-mail of this delivery: the same n when retried
                message.extra_headers.setdefault(
                    "Message-ID", f"<outbox-{delivery['id']}-{delivery['sent']}@{DNS_NAME}>"
                )
        return self.inner.send_messages(email_messages)
