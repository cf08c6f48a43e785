"""How a service is described and wired: the same shape for every service.

A service's ``__main__`` declares a :class:`ServiceDefinition`: what the service *is* (settings
class, routers, topics it consumes and types it publishes, indexes, demo data) and its composition
root, ``bootstrap``. The :class:`ServiceContext` is one running service: Mongo client and database,
unit of work, clock, and the :class:`Components` that ``bootstrap`` built for it, once per
process, which the API (routes' use cases), the consumer (handlers) and the worker (periodic tasks,
loops) all share.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from fastapi import APIRouter

from hub_common import mongo
from hub_common.audit import AUDIT_INDEXES, AccessAudit
from hub_common.auth import KeySource, TokenVerifier, verifier_for
from hub_common.clock import Clock, system_clock
from hub_common.consumer import ConsumerRunner, Handler, inbox_indexes
from hub_common.contracts import all_topics
from hub_common.kafka import create_producer, ensure_topics
from hub_common.live_processes import LIVE_PROCESS_INDEXES, LiveProcesses
from hub_common.logging import get_logger
from hub_common.mongo import IndexSpec
from hub_common.relay import OutboxRelay
from hub_common.retention import RETENTION_INDEXES, RetentionRule, RetentionSchedule
from hub_common.ropa import Declaration
from hub_common.scheduler import PeriodicTask, Scheduler
from hub_common.settings import HubSettings
from hub_common.uow import UnitOfWork, backbone_indexes
from hub_common.wake import sleep_unless

log = get_logger(__name__)

WorkerLoop = Callable[[asyncio.Event], Awaitable[None]]
S = TypeVar("S", bound=HubSettings)


@dataclass
class Components:
    """What a service's composition root builds, once per process, for everything that runs it.

    ``use_cases`` is the object routes reach through :func:`hub_common.http.use_case`; handlers,
    periodic tasks and loops are closures or methods over the same objects."""

    use_cases: Any = None
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    periodic: Sequence[PeriodicTask] = ()  # run by the worker, once per interval across replicas
    # Long-running loops of the worker beside relay and consumer, e.g. message delivery: each runs
    # until the stop event is set, on every worker replica (they must share work safely).
    loops: Sequence[WorkerLoop] = ()
    # Where this service's API finds the issuer's public keys, when not where the settings say: the
    # issuer itself reads its own key store rather than asking itself over HTTP.
    key_source: KeySource | None = None


@dataclass
class ServiceDefinition(Generic[S]):
    name: str
    title: str
    description: str
    settings_class: type[S]
    bootstrap: Callable[[ServiceContext[S]], Components] = lambda _ctx: Components()
    routers: Sequence[APIRouter] = ()  # module-level routers; their use cases come from bootstrap
    consumes: Sequence[str] = ()  # topics this service's consumer group reads
    publishes: Sequence[str] = ()  # CloudEvents types this service publishes
    indexes: Sequence[IndexSpec] = ()
    seed_demo_data: Callable[[ServiceContext[S]], Awaitable[None]] | None = None
    processing: Declaration | None = None  # its record of processing (domain/processing.py)
    version: str = "0.1.0"


class ServiceContext(Generic[S]):
    """One running service. ``components`` are built on first use and then shared by the API and
    the worker of this process: each use-case object exists once per process."""

    def __init__(self, definition: ServiceDefinition[S], settings: S, *, clock: Clock = system_clock) -> None:
        self.definition = definition
        self.settings: S = settings
        self.clock = clock
        self.client = mongo.create_client(settings.mongo_uri, app_name=f"hub-{definition.name}")
        self.db = mongo.database(self.client, settings.mongo_db)
        self.uow = UnitOfWork(self.db, settings.source, timeout_s=settings.transaction_timeout_s)
        self.audit = AccessAudit(self.db, definition.name, clock=clock)  # reads of people's details
        self.live = LiveProcesses(
            self.db,
            service=definition.name,
            beat_s=settings.process_lease_beat_s,
            stale_after_s=settings.process_stale_after_s,
        )

    @cached_property
    def components(self) -> Components:
        return self.definition.bootstrap(self)

    @cached_property
    def verifier(self) -> TokenVerifier:
        """Checks the bearer tokens this service's API is called with (one per process: keys cached)."""
        verifier = verifier_for(self.settings)
        if self.components.key_source is not None:
            verifier.source = self.components.key_source
            verifier.min_refetch_s = 0.0  # a local read, not a request to the issuer: no need to spare it
        return verifier

    @property
    def name(self) -> str:
        return self.definition.name

    async def start(self) -> None:
        """Create indexes, and with HUB_DEMO_DATA write the demo data (an API replica or a worker,
        whichever starts first); safe to run on every start and from many replicas at once."""
        specs = [
            *backbone_indexes(self.settings.idempotency_ttl_s),
            *inbox_indexes(),
            LIVE_PROCESS_INDEXES,
            RETENTION_INDEXES,
            AUDIT_INDEXES,
            *self.definition.indexes,
        ]
        await mongo.ensure_indexes(self.db, specs)
        await self.live.start()
        if self.settings.demo_data and self.definition.seed_demo_data is not None:
            await self.definition.seed_demo_data(self)

    async def close(self) -> None:
        await self.live.close()
        await self.client.close()

    def producer(self) -> AIOKafkaProducer:
        return create_producer(self.settings.kafka, client_id=f"hub-{self.name}")

    def retention_task(self, rules: Sequence[RetentionRule]) -> PeriodicTask:
        """The service's retention schedule, applied by its worker every HUB_RETENTION_INTERVAL_S."""
        schedule = RetentionSchedule(self.db, self.name, rules, clock=self.clock)
        return schedule.task(self.settings.retention_interval_s)

    def relay(self) -> OutboxRelay:
        s = self.settings
        return OutboxRelay(
            self.db,
            service=self.name,
            producer_factory=self.producer,
            batch_size=s.outbox_batch_size,
            poll_interval_s=s.outbox_poll_interval_s,
            lease_s=s.outbox_lease_s,
        )

    def consumer(self, handlers: Mapping[str, Handler] | None = None) -> ConsumerRunner | None:
        handlers = self.components.handlers if handlers is None else handlers
        if not handlers or not self.definition.consumes:
            return None
        s = self.settings
        return ConsumerRunner(
            self.db,
            service=self.name,
            group_id=s.consumer_group,
            kafka=s.kafka,
            topics=self.definition.consumes,
            handlers=dict(handlers),
            producer_factory=self.producer,
            batch_size=s.consumer_batch_size,
            max_attempts=s.consumer_max_attempts,
            backoff_initial_s=s.consumer_backoff_initial_s,
            backoff_max_s=s.consumer_backoff_max_s,
        )

    async def ensure_topics(self, stop: asyncio.Event) -> None:
        """Create the contract's topics, waiting for the broker if it is not up yet."""
        backoff = 0.5
        while not stop.is_set():
            try:
                await ensure_topics(
                    self.settings.kafka,
                    all_topics(),
                    partitions=self.settings.kafka_topic_partitions,
                    replication_factor=self.settings.kafka_replication_factor,
                    configs=self.settings.topic_configs,
                )
                return
            except (KafkaError, OSError) as exc:
                log.warning("kafka not reachable for topic bootstrap; will retry", error=repr(exc))
                await sleep_unless(stop, backoff)
                backoff = min(backoff * 2, 10.0)

    async def run_worker(self, stop: asyncio.Event) -> None:
        """The worker role: the outbox relay and the consumer runner, until ``stop`` is set."""
        # Everything is built before anything runs: a wiring error fails the worker as a whole
        # instead of leaving the tasks already started running without it.
        relay, consumer = self.relay(), self.consumer()
        periodic, loops = self.components.periodic, self.components.loops
        await self.ensure_topics(stop)
        tasks = [asyncio.create_task(relay.run(stop), name=f"{self.name}-relay")]
        if consumer is not None:
            tasks.append(asyncio.create_task(consumer.run(stop), name=f"{self.name}-consumer"))
        if periodic:
            tasks.append(asyncio.create_task(Scheduler(self.db, periodic).run(stop), name=f"{self.name}-scheduler"))
        tasks += [asyncio.create_task(loop(stop), name=f"{self.name}-{loop.__name__}") for loop in loops]
        log.info(
            "worker running",
            consumer=consumer is not None,
            topics=list(self.definition.consumes),
            periodic=[t.name for t in periodic],
            loops=[loop.__name__ for loop in loops],
        )
        try:
            await asyncio.gather(*tasks)
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
