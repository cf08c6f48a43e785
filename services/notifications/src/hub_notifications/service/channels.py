"""Channel health (the delivery worker's circuit breaker): while a channel's server cannot be
reached, messages wait for it without spending their attempts; the worker probes the server, and
when it answers, everything that waited is due at once, oldest first.

Each worker keeps its own view (it decides on what its own sends see) and stores it on every
change, so that the API, the CLI and the other workers' operators see the state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from hub_common.clock import Clock
from hub_common.logging import get_logger
from hub_common.metrics import CHANNEL_UP
from hub_notifications.adapters.channel_health import ChannelHealthRepository
from hub_notifications.adapters.messages import MessageRepository
from hub_notifications.domain.channels import ChannelHealth
from hub_notifications.domain.messages import DeliveryError

log = get_logger(__name__)


class Probe(Protocol):
    async def probe(self) -> None:
        """Return if the channel's server can be reached; raise DeliveryError if not."""


class ChannelHealthService:
    def __init__(
        self,
        repository: ChannelHealthRepository,
        messages: MessageRepository,
        probes: Mapping[str, Probe],
        *,
        clock: Clock,
    ) -> None:
        self.repository = repository
        self.messages = messages
        self.probes = probes
        self.clock = clock
        self._health = {channel: ChannelHealth.fresh(channel, clock()) for channel in probes}
        for channel in probes:
            CHANNEL_UP.labels("notifications", channel).set(1)

    def is_down(self, channel: str) -> bool:
        health = self._health.get(channel)
        return health is not None and health.down

    async def could_not_reach(self, channel: str, error: str) -> None:
        health = self._health.get(channel)
        if health is None:
            return
        after = health.could_not_reach(error, self.clock())
        self._health[channel] = after
        if after.down and not health.down:
            log.warning("channel down: holding its messages until the server answers", channel=channel, error=error)
            CHANNEL_UP.labels("notifications", channel).set(0)
            await self.repository.save(after)

    async def reached(self, channel: str) -> None:
        health = self._health.get(channel)
        if health is None or (not health.down and health.unreachable == 0):
            return  # the common case: nothing to change, no round trip
        self._health[channel] = health.reached(self.clock())
        if health.down:
            await self._came_back(channel, health)

    async def probe_due(self) -> None:
        """Probe each down channel whose probe is due (called before every delivery round)."""
        now = self.clock()
        for channel, health in list(self._health.items()):
            if not health.probe_due(now):
                continue
            try:
                await self.probes[channel].probe()
            except DeliveryError as exc:
                self._health[channel] = health.probe_failed(exc.reason, self.clock())
                await self.repository.save(self._health[channel])
                continue
            self._health[channel] = health.reached(self.clock())
            await self._came_back(channel, health)

    async def _came_back(self, channel: str, was: ChannelHealth) -> None:
        CHANNEL_UP.labels("notifications", channel).set(1)
        await self.repository.save(self._health[channel])
        released = await self.messages.release_held(channel)
        down_s = (self.clock() - was.since).total_seconds()
        log.info("channel up again: its held messages are due", channel=channel, released=released, down_s=down_s)

    async def states(self) -> list[tuple[ChannelHealth, int]]:
        """Every channel's last stored state (one never stored has always been up), and how many
        messages wait for its server."""
        stored = {health.id: health for health in await self.repository.all()}
        return [
            (
                stored.get(channel, ChannelHealth.fresh(channel, self.clock())),
                await self.messages.count_held(channel),
            )
            for channel in self.probes
        ]
