"""A channel's health (a circuit breaker): when its server cannot be reached, messages wait for it
instead of each spending its retries; a probe finds when it answers again, and they go at once.

    up ──(UNREACHABLE_LIMIT sends in a row could not reach the server)──▶ down
    down ──(a probe, or any send, reaches the server)──▶ up, and what waited is released in order

The servers kept so are each channel's (the mail server, the SMS provider) and the token issuer,
which an email with a sign-in link needs before it can go.

Only a server that cannot be reached opens the breaker (connection refused, timeout, dropped
connection); a server that answers "no" for one message (a 4xx or 5xx) is that message's failure.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from hub_notifications.domain.messages import Outcome

State = Literal["up", "down"]

UNREACHABLE_LIMIT = 3  # sends in a row that could not reach the server before the channel is down
# Probes of a down server: soon, then less often, at most every 1.5 s, so delivery resumes within a
# couple of seconds of the server's return (a probe is one connection; a report made just after the
# return is otherwise held with the backlog, and released behind all of it).
PROBE_FIRST = timedelta(seconds=0.5)
PROBE_MAX = timedelta(seconds=1.5)
# What waits for a down channel is due again after this even if no worker sees the server come back
# (the worker that held it stopped): a fallback, not the way it is normally released.
HOLD = timedelta(minutes=5)


def waiting_for_channel(channel: str) -> str:
    """The reason a held message carries: it marks the messages a channel's return releases."""
    return f"waiting for the {channel} server to answer again"


def hold(channel: str, now: datetime, *, tried: bool = False) -> Outcome:
    """What a message for a down channel becomes: waiting for the server, not a spent retry (unless a
    send was ``tried`` and found no server)."""
    return Outcome("temporary_failure", waiting_for_channel(channel), now + HOLD, attempted=tried)


class ChannelHealth(BaseModel):
    """What a worker knows of one channel's server; stored so the API and the CLI can show it."""

    model_config = ConfigDict(frozen=True)

    id: str  # the channel: "email", "sms"
    state: State = "up"
    since: datetime  # when it went up or down
    unreachable: int = 0  # sends in a row that could not reach the server
    last_error: str | None = None
    next_probe_at: datetime | None = None
    probes: int = 0  # probes since it went down
    checked_at: datetime

    @property
    def down(self) -> bool:
        return self.state == "down"

    def could_not_reach(self, error: str, now: datetime) -> ChannelHealth:
        """A send found no server: count it, and go down at the limit (sends that were already under
        way when it went down change nothing more)."""
        if self.down:
            return self
        unreachable = self.unreachable + 1
        if unreachable < UNREACHABLE_LIMIT:
            return self._with(unreachable=unreachable, last_error=error, checked_at=now)
        return self._with(
            state="down",
            since=now,
            unreachable=unreachable,
            last_error=error,
            probes=0,
            next_probe_at=now + PROBE_FIRST,
            checked_at=now,
        )

    def probe_failed(self, error: str, now: datetime) -> ChannelHealth:
        """A probe of the down server found nothing: probe again later, less often."""
        probes = self.probes + 1
        # The exponent stops growing long after the cap is reached: 2**probes itself outgrows what a
        # timedelta holds (probing every few seconds, a few minutes' outage crashed the worker here).
        delay = min(PROBE_FIRST * 2 ** min(probes, 16), PROBE_MAX)
        return self._with(last_error=error, probes=probes, next_probe_at=now + delay, checked_at=now)

    def reached(self, now: datetime) -> ChannelHealth:
        """The server answered (a send or a probe): the channel is up."""
        if not self.down:
            return self if self.unreachable == 0 else self._with(unreachable=0, checked_at=now)
        return self._with(state="up", since=now, unreachable=0, next_probe_at=None, probes=0, checked_at=now)

    def probe_due(self, now: datetime) -> bool:
        return self.down and self.next_probe_at is not None and self.next_probe_at <= now

    def _with(self, **changes: object) -> ChannelHealth:
        return self.model_copy(update=changes)

    @staticmethod
    def fresh(channel: str, now: datetime) -> ChannelHealth:
        return ChannelHealth(id=channel, since=now, checked_at=now)
