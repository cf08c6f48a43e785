"""Optimistic concurrency: ``ETag`` on reads, ``If-Match`` on writes (412 when stale)."""

from __future__ import annotations

import re

from hub_common.errors import PreconditionFailed

_ETAG = re.compile(r'^(?:W/)?"v(\d+)"$')


def etag_for(version: int) -> str:
    return f'"v{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version a writer saw, from If-Match; None when the header is absent or ``*``."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ETAG.match(if_match.strip())
    if not match:
        raise PreconditionFailed(f"If-Match {if_match!r} is not an ETag this service issued")
    return int(match.group(1))


def check_version(expected: int | None, actual: int) -> None:
    if expected is not None and expected != actual:
        raise PreconditionFailed(
            "the resource changed since you read it; read it again and reapply your change",
            current_etag=etag_for(actual),
        )
