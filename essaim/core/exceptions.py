from __future__ import annotations

from collections.abc import Sequence


class ServiceError(Exception):
    """A refusal a person can read: the message is translated and shown as is.

    ``field`` names the input it concerns, so that a form shows it there; ``errors`` holds
    every refusal at once (see ``ServiceError.many``) so that a person fixes them all in
    one go instead of one per submit.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        field: str | None = None,
        errors: Sequence[tuple[str | None, str]] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.errors: list[tuple[str | None, str]] = list(errors) or [(field, message)]

    @classmethod
    def many(cls, errors: Sequence[tuple[str | None, str]], *, code: str = "invalid") -> ServiceError:
        return cls(" ".join(message for _, message in errors), code=code, errors=errors)
