"""``hub``: the operator's command line.

    hub token --role staff --hub hub-northfield --sub alice     a JWT for testing the APIs
    hub topics list | create                                     the contract's topics
    hub dlt list SERVICE | replay SERVICE                        dead letters, and sending them back
    hub outbox                                                   unpublished events per service
    hub lag                                                      consumer lag per service group
    hub channels                                                 delivery channels: up, or down and held
    hub retention                                                each retention rule's latest run
    hub privacy ropa [--format csv]                              the record of processing (Article 30)
    hub privacy audit [--person ID] [--reader SUB]               who read a person's details, when, why
    hub seed                                                     load the demo data of every service

Connection settings come from the same ``HUB_*`` variables as the services.
"""

from __future__ import annotations

import asyncio
import importlib
import os
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hub_cli import identity, operations
from hub_common import ropa
from hub_common.contracts import all_topics
from hub_common.contracts.topics import SERVICES
from hub_common.kafka import KafkaConnection
from hub_common.settings import HubSettings

app = typer.Typer(help="Operate the Community Hub platform.", no_args_is_help=True, rich_markup_mode="rich")
topics_app = typer.Typer(help="Kafka topics of the contract.", no_args_is_help=True)
dlt_app = typer.Typer(help="Dead-letter topics: see what failed, send it back once fixed.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
app.add_typer(dlt_app, name="dlt")
privacy_app = typer.Typer(help="Personal data: the record of processing and the access audit.", no_args_is_help=True)
app.add_typer(privacy_app, name="privacy")
app.add_typer(identity.partners_app, name="partners")
app.add_typer(identity.keys_app, name="keys")
app.command()(identity.token)
console = Console()

KafkaOption = Annotated[
    str | None, typer.Option("--kafka", help="bootstrap servers (default HUB_KAFKA_BOOTSTRAP_SERVERS)")
]
MongoOption = Annotated[str | None, typer.Option("--mongo", help="MongoDB URI (default HUB_MONGO_URI)")]
ServiceArgument = Annotated[str, typer.Argument(help=f"one of: {', '.join(SERVICES)}")]


def _settings() -> HubSettings:
    return HubSettings()


def _kafka(value: str | None) -> KafkaConnection:
    """--kafka names an unauthenticated broker; otherwise the HUB_KAFKA_* settings (with SASL) apply."""
    return KafkaConnection(value) if value else _settings().kafka


def _mongo(value: str | None, service: str | None = None) -> str:
    """--mongo, else the service's own server (HUB_MONGO_URI_<SERVICE>, which `make run` writes to
    .hub/run/stores.env when each service has its own), else HUB_MONGO_URI."""
    if value:
        return value
    own = os.environ.get(f"HUB_MONGO_URI_{service.upper()}") if service else None
    return own or _settings().mongo_uri


def _service(name: str) -> str:
    if name not in SERVICES:
        raise typer.BadParameter(f"unknown service {name!r}; one of {', '.join(SERVICES)}")
    return name


@topics_app.command("list")
def topics_list(kafka: KafkaOption = None) -> None:
    """Every topic on the broker with its partition count; the contract's missing ones are flagged."""
    found = asyncio.run(operations.describe_topics(_kafka(kafka)))
    table = Table("topic", "partitions", "in the contract")
    for name in sorted(set(found) | set(all_topics())):
        partitions = found.get(name)
        table.add_row(
            name, str(partitions) if partitions is not None else "[red]missing[/red]", _yes(name in all_topics())
        )
    console.print(table)


@topics_app.command("create")
def topics_create(
    kafka: KafkaOption = None,
    partitions: Annotated[int, typer.Option(min=1, help="partitions per topic")] = 3,
    replication: Annotated[int, typer.Option(min=1, help="replication factor")] = 1,
) -> None:
    """Create the contract's topics that are missing (existing ones are left alone)."""
    created = asyncio.run(operations.create_topics(_kafka(kafka), partitions, replication))
    console.print(f"created {len(created)} topic(s)" + (f": {', '.join(created)}" if created else ""))


@dlt_app.command("list")
def dlt_list(service: ServiceArgument, kafka: KafkaOption = None, limit: int = 50) -> None:
    """The messages in a service's dead-letter topic, with where they came from and why they failed."""
    letters = asyncio.run(operations.read_dead_letters(_kafka(kafka), _service(service), limit))
    table = Table()
    for column in ("ref", "origin", "type", "error", "failed at"):
        table.add_column(column, overflow="fold")
    for letter in letters:
        table.add_row(
            letter.ref,
            f"{letter.origin_topic}[{letter.origin_partition}]@{letter.origin_offset}",
            letter.event_type or "?",
            letter.error,
            letter.failed_at,
        )
    console.print(table if letters else f"no dead letters in hub.{service}.dlt")


@dlt_app.command("replay")
def dlt_replay(
    service: ServiceArgument,
    kafka: KafkaOption = None,
    ref: Annotated[list[str] | None, typer.Option("--ref", help="only these (partition:offset, repeat)")] = None,
    dry_run: Annotated[bool, typer.Option(help="show what would be sent, send nothing")] = False,
) -> None:
    """Send dead letters back to the topic they came from (the service drops any it already processed)."""
    letters = asyncio.run(operations.read_dead_letters(_kafka(kafka), _service(service), limit=None))
    chosen = [letter for letter in letters if not ref or letter.ref in ref]
    if dry_run or not chosen:
        console.print(f"{len(chosen)} dead letter(s) would be replayed" if dry_run else "nothing to replay")
        return
    columns = (TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("replay", total=len(chosen))
        asyncio.run(operations.replay(_kafka(kafka), chosen, on_sent=lambda: progress.advance(task)))
    console.print(f"replayed {len(chosen)} message(s) to their original topics")


@app.command()
def outbox(mongo: MongoOption = None) -> None:
    """Events waiting in each service's outbox (a growing backlog means the relay cannot publish)."""
    backlog = asyncio.run(operations.outbox_backlog({s: _mongo(mongo, s) for s in SERVICES}, SERVICES))
    table = Table("service", "pending", "oldest pending")
    now = datetime.now(UTC)
    for service, (pending, oldest) in backlog.items():
        table.add_row(service, str(pending), f"{(now - oldest).total_seconds():.0f}s ago" if oldest else "-")
    console.print(table)


@app.command()
def lag(kafka: KafkaOption = None) -> None:
    """Consumer lag per service group and topic (messages not yet processed)."""
    rows = asyncio.run(operations.consumer_lag(_kafka(kafka), [f"hub-{s}" for s in SERVICES]))
    table = Table("group", "topic", "lag")
    for group, topic, behind in rows:
        table.add_row(group, topic, str(behind))
    console.print(table if rows else "no committed offsets yet")


@app.command()
def channels(mongo: MongoOption = None) -> None:
    """Notifications' delivery channels: is each server answering, and how many messages wait for it."""
    rows = asyncio.run(operations.channel_health(_mongo(mongo, "notifications")))
    table = Table("channel", "state", "since", "held", "last error", "next probe")
    for health, held in rows:
        state = "[red]down[/red]" if health.down else "up"
        probe = f"{health.next_probe_at:%H:%M:%S}" if health.next_probe_at else "-"
        table.add_row(health.id, state, f"{health.since:%Y-%m-%d %H:%M:%S}", str(held), health.last_error or "-", probe)
    console.print(table)


@app.command()
def retention(mongo: MongoOption = None) -> None:
    """Each service's retention schedule as last applied: what kind of data, kept how long, removed up
    to when, how many items, and when the worker ran it."""
    rows = asyncio.run(operations.retention_runs({s: _mongo(mongo, s) for s in SERVICES}, SERVICES))
    table = Table("service", "kind", "kept", "up to", "removed", "ran at")
    for column in (table.columns[0], table.columns[-1]):
        column.no_wrap = True
    for row in rows:
        table.add_row(
            row["service"],
            row["kind"],
            f"{row['keep_for_days']:g} d",
            f"{row['cutoff']:%Y-%m-%d}",
            str(row["removed"]),
            f"{row['ran_at']:%Y-%m-%d %H:%M}",
        )
    console.print(table if rows else "no retention rule has run yet")


@privacy_app.command("ropa")
def privacy_ropa(
    fmt: Annotated[str, typer.Option("--format", help="markdown or csv")] = "markdown",
) -> None:
    """The record of processing, from each service's declarations next to its models."""
    if fmt not in ("markdown", "csv"):
        raise typer.BadParameter("--format is markdown or csv")
    declarations = [_definition(service).processing for service in SERVICES]
    render = ropa.as_csv if fmt == "csv" else ropa.as_markdown
    typer.echo(render([d for d in declarations if d is not None]), nl=False)


@privacy_app.command("audit")
def privacy_audit(
    person: Annotated[str | None, typer.Option("--person", help="reads of this person id's details")] = None,
    reader: Annotated[str | None, typer.Option("--reader", help="reads by this account")] = None,
    limit: int = 100,
    mongo: MongoOption = None,
) -> None:
    """Who read people's details, newest first, across every service: when, which records, why."""
    uris = {s: _mongo(mongo, s) for s in SERVICES}
    rows = asyncio.run(operations.access_audit(uris, SERVICES, person_id=person, reader=reader, limit=limit))
    table = Table("at", "service", "reader", "kind", "records", "why")
    table.columns[0].no_wrap = True
    for row in rows:
        records = ", ".join(row["record_ids"][:3]) + (
            f" (+{len(row['record_ids']) - 3})" if len(row["record_ids"]) > 3 else ""
        )
        table.add_row(
            f"{row['at']:%Y-%m-%d %H:%M}",
            row["service"],
            f"{row['reader']} ({row['reader_role']})",
            row["kind"],
            records,
            row["why"],
        )
    console.print(table if rows else "no read of anyone's details is on record")


def _definition(service: str):
    return importlib.import_module(f"hub_{service}.__main__").DEFINITION


@app.command()
def seed() -> None:
    """Load every service's demo data into its database (idempotent)."""
    for service in SERVICES:
        definition = _definition(service)
        if definition.seed_demo_data is None:
            console.print(f"{service}: no demo data")
            continue
        asyncio.run(operations.seed(definition, _mongo(None, service)))
        console.print(f"{service}: demo data loaded")


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


if __name__ == "__main__":
    app()
