"""Planned emails and texts handed straight to this worker's own delivery.

A message ready to go as it is planned (its recipient known, nothing holding it back) is written
already claimed by the planning worker, with a short sending lease, and handed to the same
process's delivery once the consumer's transaction commits. Without this each such message was
inserted, then found by every worker's due read (a change stream wakes them all), claimed by an
update and read back: three more round trips a message, on the store that limits how fast a burst
drains. The lease keeps it safe: if this worker dies before it sends, the message is due again
when the lease runs out and another worker takes it, as with any claim.

A handed message waits in memory only as long as this worker's delivery round takes; one that has
waited a third of its lease is claimed again (renewed if still ours) before it is sent, so a lease
that ran out while it waited never sends it twice.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hub_notifications.domain.messages import Message


@dataclass
class Handed:
    claim: str
    messages: list[Message]
    at: float = field(default_factory=time.monotonic)  # when it was handed (monotonic seconds)


class Handoff:
    def __init__(self, lease: timedelta, capacity: int = 100) -> None:
        self.lease = lease
        # At most this many wait in memory: past it, what is planned is written due for any worker, so
        # a worker that plans faster than it sends shares the rest, and one that dies holds few.
        self.capacity = capacity
        self._handed: deque[Handed] = deque()
        # Wakes the delivery loop (set by the composition root to the loop's wake-up).
        self.nudge: Callable[[], None] = lambda: None

    def has_room(self) -> bool:
        return len(self) < self.capacity

    def claim(self, messages: list[Message], now: datetime) -> tuple[str, list[Message]]:
        """The messages as written claimed by this worker: 'sending', one attempt, the lease's end as
        their next attempt (when another worker may take them if this one is gone)."""
        token = uuid.uuid4().hex
        claimed = [
            m.model_copy(update={"status": "sending", "attempts": m.attempts + 1, "next_attempt_at": now + self.lease})
            for m in messages
        ]
        return token, claimed

    def hand(self, claim: str, messages: list[Message]) -> None:
        """Called once their transaction has committed."""
        if messages:
            self._handed.append(Handed(claim, messages))
            self.nudge()

    def take(self) -> list[Handed]:
        taken = list(self._handed)
        self._handed.clear()
        return taken

    def stale(self, handed: Handed) -> bool:
        """Waited long enough that its lease should have been renewed: claim it again before sending."""
        return time.monotonic() - handed.at > self.lease.total_seconds() / 3

    def __len__(self) -> int:
        return sum(len(h.messages) for h in self._handed)
