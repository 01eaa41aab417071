from __future__ import annotations


class ServiceError(Exception):
    """A refusal a person can read: the message is translated and shown as is."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
