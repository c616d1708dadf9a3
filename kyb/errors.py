"""Domain errors raised by services; the API maps each to its status and stable code."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the operation. ``code`` is stable and machine-readable."""

    status_code = 400

    def __init__(self, code: str, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class Conflict(DomainError):
    status_code = 409


class NotFound(DomainError):
    status_code = 404


class ValidationFailed(DomainError):
    """Input broke a rule; ``fields`` maps each field to its messages (the API's ``fields``)."""

    def __init__(
        self,
        fields: dict[str, object],
        *,
        code: str = "validation_error",
        message: str = "One or more fields are invalid.",
    ) -> None:
        super().__init__(code, message)
        self.fields = fields
