"""Errors that use cases raise and the API turns into RFC 9457 problem details.

Plain exceptions with an HTTP status: domain and service code raise them without importing
FastAPI; ``hub_common.app`` renders them as ``application/problem+json``.
"""

from __future__ import annotations

from typing import Any


class ProblemError(Exception):
    status: int = 400
    title: str = "Bad request"
    type_slug: str = "bad-request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra


class NotFound(ProblemError):
    status, title, type_slug = 404, "Not found", "not-found"


class Conflict(ProblemError):
    """The request is valid but breaks a rule given the current state (e.g. an invalid transition)."""

    status, title, type_slug = 409, "Conflict", "conflict"


class RuleViolation(ProblemError):
    """The request breaks a business rule whatever the state (e.g. a role without a description)."""

    status, title, type_slug = 422, "Rule violated", "rule-violated"


class PreconditionFailed(ProblemError):
    status, title, type_slug = 412, "Precondition failed", "precondition-failed"


class Unauthorized(ProblemError):
    status, title, type_slug = 401, "Not signed in", "unauthorized"


class Forbidden(ProblemError):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class Gone(ProblemError):
    """It existed and was deliberately removed (e.g. an export past its time): asking again will not help."""

    status, title, type_slug = 410, "Gone", "gone"


class TooManyRequests(ProblemError):
    """Asked too often; ``retry_after_s`` says when asking again can succeed (sent as Retry-After)."""

    status, title, type_slug = 429, "Too many requests", "too-many-requests"

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail, retry_after_s=retry_after_s)
        self.retry_after_s = retry_after_s


class ServiceUnavailable(ProblemError):
    status, title, type_slug = 503, "Service unavailable", "unavailable"
