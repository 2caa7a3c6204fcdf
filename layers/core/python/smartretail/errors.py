"""Domain errors that handlers translate into 4xx answers a person can act on."""


class DomainError(Exception):
    """Base class: `status` is the HTTP status a handler should answer with."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def to_body(self) -> dict:
        body = {"error": self.message}
        if self.field:
            body["field"] = self.field
        return body


class InvalidRequest(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Unauthorized(DomainError):
    status = 401


class Conflict(DomainError):
    status = 409
