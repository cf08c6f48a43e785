"""``hub token``, ``hub partners …`` and ``hub keys …``: the CLI as a client of the token issuer.

``hub partners sync-kafka`` then makes the broker's partner users and ACLs match the registry it
read (hub_cli.kafka_access).

The CLI holds no signing key: it is the issuer's ``hub-cli`` client (HUB_CLI_CLIENT_ID and
HUB_CLI_CLIENT_SECRET; the development ones by default), gets its own operator token with the
client-credentials grant for the registry and key commands, and asks for tokens on behalf of
someone for ``hub token``. The issuer is at HUB_ISSUER_URL (default HUB_AUTH_ISSUER).
"""

from __future__ import annotations

import asyncio
import os
from typing import Annotated, Any

import httpx
import typer
from kafka.errors import KafkaError
from rich.console import Console
from rich.table import Table

from hub_common.auth import ROLES
from hub_common.issuer import IssuerClient, IssuerRefused, IssuerUnavailable
from hub_common.kafka import KafkaConnection
from hub_common.settings import HubSettings

partners_app = typer.Typer(
    help="The partner registry: who may integrate, with which hubs and events.", no_args_is_help=True
)
keys_app = typer.Typer(help="The issuer's signing keys and their rotation.", no_args_is_help=True)
console = Console()

Hubs = Annotated[list[str] | None, typer.Option("--hub", help="a hub (repeat)")]
Consumes = Annotated[list[str] | None, typer.Option("--consumes", help="an event type it may read (repeat)")]
Publishes = Annotated[list[str] | None, typer.Option("--publishes", help="an inbound type it may publish (repeat)")]


def _issuer_url() -> str:
    settings = HubSettings()
    return (settings.issuer_url or settings.auth_issuer).rstrip("/")


def _client() -> IssuerClient:
    return IssuerClient(
        _issuer_url(),
        os.environ.get("HUB_CLI_CLIENT_ID", "hub-cli"),
        os.environ.get("HUB_CLI_CLIENT_SECRET", "dev-cli-secret"),
    )


def _run(coroutine: Any) -> Any:
    try:
        return asyncio.run(coroutine)
    except IssuerUnavailable as exc:
        raise typer.BadParameter(f"{exc.detail} at {_issuer_url()} (is the identity service running?)") from None
    except IssuerRefused as exc:
        raise typer.BadParameter(f"the issuer refused: {exc}") from None


async def _admin(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    issuer = _client()
    try:
        token = await issuer.own_token()
        async with httpx.AsyncClient(base_url=_issuer_url(), timeout=10) as http:
            response = await http.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
    finally:
        await issuer.close()
    if response.status_code >= 400:
        problem = response.json() if "json" in response.headers.get("content-type", "") else {}
        raise typer.BadParameter(f"{response.status_code}: {problem.get('detail', response.text)}")
    return response.json()


def token(
    role: Annotated[str, typer.Option(help=f"one of: {', '.join(ROLES)}")],
    sub: Annotated[str, typer.Option(help="who the token is for")] = "operator",
    hub: Hubs = None,
    hours: Annotated[float, typer.Option(help="how long it is valid (the issuer may cut it)")] = 8.0,
) -> None:
    """Print a token from the issuer for calling the APIs (ES256, verified by every service)."""
    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}")

    async def ask() -> str:
        issuer = _client()
        try:
            return await issuer.on_behalf_of(sub, role, hub or [], ttl_s=int(hours * 3600), cache=False)
        finally:
            await issuer.close()

    typer.echo(_run(ask()))


def _partner_table(partners: list[dict[str, Any]]) -> None:
    table = Table("partner", "organisation", "status", "hubs", "reads", "publishes")
    for p in partners:
        table.add_row(
            p["id"],
            p["organisation"],
            p["status"],
            " ".join(p["hubs"]),
            str(len(p["consumes"])),
            " ".join(p["publishes"]),
        )
    console.print(table)


@partners_app.command("add")
def partners_add(
    partner_id: Annotated[str, typer.Argument(help="a slug, e.g. northfield-housing")],
    organisation: Annotated[str, typer.Option(help="the organisation's name")],
    hub: Hubs = None,
    consumes: Consumes = None,
    publishes: Publishes = None,
    contact: Annotated[list[str] | None, typer.Option(help="'Name <email>' of someone there to reach (repeat)")] = None,
) -> None:
    """Register a partner; prints its client id and secret (shown this once)."""
    contacts = []
    for entry in contact or []:
        name, _, email = entry.partition("<")
        if not email.endswith(">"):
            raise typer.BadParameter(f"give a contact as 'Name <email>', not {entry!r}")
        contacts.append({"name": name.strip(), "email": email[:-1].strip()})
    body = {
        "id": partner_id,
        "organisation": organisation,
        "contacts": contacts,
        "hubs": hub or [],
        "consumes": consumes or [],
        "publishes": publishes or [],
    }
    added = _run(_admin("POST", "/v1/partners", body))
    _partner_table([added])
    typer.echo(f"client_id:     {added['id']}")
    typer.echo(f"client_secret: {added['client_secret']}")
    typer.echo(f"token URL:     {_issuer_url()}/oauth/token  (grant_type=client_credentials)")
    typer.echo("The secret is shown this once: hand it to the partner through their secret manager.")


@partners_app.command("grant")
def partners_grant(partner_id: str, hub: Hubs = None, consumes: Consumes = None, publishes: Publishes = None) -> None:
    """Grant a partner more hubs or event types."""
    change = {"add": {"hubs": hub or [], "consumes": consumes or [], "publishes": publishes or []}}
    _partner_table([_run(_admin("POST", f"/v1/partners/{partner_id}/grants", change))])


@partners_app.command("revoke")
def partners_revoke(
    partner_id: str,
    hub: Hubs = None,
    consumes: Consumes = None,
    publishes: Publishes = None,
    all_access: Annotated[bool, typer.Option("--all", help="revoke the partner itself: no tokens, no grants")] = False,
) -> None:
    """Withdraw hubs or event types from a partner, or (--all) revoke it altogether."""
    if all_access:
        _partner_table([_run(_admin("POST", f"/v1/partners/{partner_id}/revoke"))])
        return
    if not (hub or consumes or publishes):
        raise typer.BadParameter("say what to withdraw (--hub, --consumes, --publishes), or --all")
    change = {"remove": {"hubs": hub or [], "consumes": consumes or [], "publishes": publishes or []}}
    _partner_table([_run(_admin("POST", f"/v1/partners/{partner_id}/grants", change))])


@partners_app.command("rotate")
def partners_rotate(partner_id: str) -> None:
    """A new client secret for a partner (shown once); the old one stops getting tokens at once."""
    rotated = _run(_admin("POST", f"/v1/partners/{partner_id}/secret"))
    typer.echo(f"client_id:     {rotated['id']}")
    typer.echo(f"client_secret: {rotated['client_secret']}")


def _registry() -> list[dict[str, Any]]:
    """The whole registry, page by page."""
    partners, cursor = [], None
    while True:
        page = _run(_admin("GET", "/v1/partners?limit=200" + (f"&cursor={cursor}" if cursor else "")))
        partners += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return partners


@partners_app.command("list")
def partners_list() -> None:
    """Every registered partner and what it is granted."""
    _partner_table(_registry())


@partners_app.command("sync-kafka")
def partners_sync_kafka(
    kafka: Annotated[
        str | None,
        typer.Option("--kafka", help="an unauthenticated broker; by default HUB_KAFKA_* (SASL as the super user)"),
    ] = None,
    rotate: Annotated[
        list[str] | None, typer.Option("--rotate", help="a partner to give a new Kafka password (repeat)")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="say what would change; change nothing")] = False,
) -> None:
    """Make the broker's partner SCRAM users and ACLs match the registry; prints new passwords once."""
    from hub_cli import kafka_access  # the Kafka admin client is loaded for this command alone

    registry = _registry()
    connection = KafkaConnection(kafka) if kafka else HubSettings().kafka
    try:
        broker = kafka_access.PartnerAccessBroker(connection)
    except KafkaError as exc:
        raise typer.BadParameter(f"cannot reach Kafka at {connection.bootstrap_servers}: {exc}") from None
    changes: list[kafka_access.PartnerChange] = []
    done: list[kafka_access.PartnerChange] = []
    failure = None
    try:
        changes = kafka_access.plan(registry, broker.state(), rotate or [])
        for change in changes if not dry_run else []:
            if change.changes_anything:
                broker.apply(change)
                done.append(change)
    except kafka_access.SyncRefused as exc:
        failure = str(exc)
    except KafkaError as exc:
        failure = f"Kafka at {connection.bootstrap_servers} failed: {exc!r}"
    finally:
        broker.close()
    if failure is None:
        _print_sync(changes, dry_run=dry_run)
        return
    # What was made before the failure is said, passwords the broker now holds above all: a later run
    # sees those users exist and would not show them again.
    made = [c for c in changes if c in done or c.password_stored]
    if made:
        _print_sync(made, dry_run=False)
    raise typer.BadParameter(failure + (" (the changes above were made; run it again once fixed)" if made else ""))


def _print_sync(changes: list[Any], *, dry_run: bool) -> None:
    changed = [c for c in changes if c.changes_anything]
    if not changed:
        typer.echo(f"No change: the broker's partner users and ACLs match the registry ({len(changes)} partner(s)).")
        return

    def did(done: str, would: str) -> str:
        return would if dry_run else done

    for change in changed:
        typer.echo(f"{change.user} ({change.reason}):")
        if change.create_user:
            typer.echo(f"  {did('created', 'would create')} the SCRAM-SHA-512 user")
        if change.rotate_password:
            typer.echo(f"  {did('gave', 'would give')} it a new password")
        for permission in change.add:
            typer.echo(f"  + {permission}")
        for permission in change.remove:
            typer.echo(f"  - {permission}")
        if change.delete_user:
            typer.echo(f"  {did('deleted', 'would delete')} the SCRAM user")
    dry = " (dry run: nothing was changed)" if dry_run else ""
    typer.echo(f"{len(changed)} partner(s) changed, {len(changes) - len(changed)} already matched{dry}")
    if dry_run:
        return
    for change in changed:
        if change.password and change.password_stored:
            # stdout only, this once: the broker keeps SCRAM's derived keys, and no log line has it.
            typer.echo(f"Kafka credentials for {change.partner_id}: username {change.user}  password {change.password}")
    if any(c.password_stored for c in changed):
        typer.echo(
            "Passwords are shown this once: hand each to its partner through their secret manager. "
            "Partners connect to the broker's partner listener with SASL SCRAM-SHA-512."
        )


def _keys_table(keys: list[dict[str, Any]]) -> None:
    table = Table("kid", "state", "signs from", "leaves the JWKS")
    for k in keys:
        table.add_row(k["kid"], k["state"], k["activates_at"], k["removes_at"] or "")
    console.print(table)


@keys_app.command("list")
def keys_list() -> None:
    """The published signing keys and which one signs."""
    _keys_table(_run(_admin("GET", "/v1/keys")))


@keys_app.command("rotate")
def keys_rotate(
    immediately: Annotated[bool, typer.Option(help="a compromised key: withdraw it now (its tokens stop)")] = False,
) -> None:
    """Publish a new signing key; it signs after the publish-ahead period, the old one retires."""
    _keys_table(_run(_admin("POST", "/v1/keys/rotate" + ("?immediately=true" if immediately else ""))))
