"""Domain errors that services raise and views turn into messages or status codes."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request. ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing does not exist, or the actor may not see it."""


class Forbidden(DomainError):
    """The actor may not do this."""


class ValidationError(DomainError):
    """Input that the rules refuse; several field errors at once."""

    def __init__(self, errors: dict[str, str]):
        first = next(iter(errors.values()), "Invalid input.")
        super().__init__(first, next(iter(errors), None))
        self.errors = errors


class Conflict(DomainError):
    """The request lost a race or clashes with existing data (slug taken, slot taken)."""
