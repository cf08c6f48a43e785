"""The one clock of a service: what time it is, as every use case sees it.

A service's composition root hands the same clock to every use case, so a test can run the
whole service at a chosen time (``ServiceContext(..., clock=...)``) instead of patching modules.
Times are cut to MongoDB's millisecond precision, so a time saved and the time returned agree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current UTC time at millisecond precision."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always says ``at`` (for tests and replays)."""
    return lambda: at
