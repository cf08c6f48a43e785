"""What the volunteers service does with each event type it consumes.

- ``hub.assets.events``: rooms and spaces become venues for shifts, equipment becomes what a
  shift can say it needs (read models).
- ``hub.issues.events``: an issue reported in a category the hub maps to a role (the role's
  ``issue_categories``) suggests a shift of that role, for staff to review and publish.
- ``hub.volunteers.inbound``: partner volunteer centres' registrations and hours, validated like
  the API and idempotent by (source, partner_ref); a submission that breaks a rule can never
  succeed, so it goes to the dead-letter topic with the reason.
"""

from __future__ import annotations

from pydantic import ValidationError

from hub_common.consumer import Handler, PermanentError
from hub_common.contracts.assets import AssetRetired, AssetSnapshot
from hub_common.contracts.volunteers import HoursSubmitted, RegistrationSubmitted
from hub_common.envelope import Envelope
from hub_common.errors import ProblemError
from hub_common.service import ServiceContext
from hub_common.uow import Transaction
from hub_volunteers.adapters.repository import EQUIPMENT, VENUES
from hub_volunteers.domain.venues import EQUIPMENT_KIND, VENUE_KINDS
from hub_volunteers.service import VolunteersService


def handlers(ctx: ServiceContext) -> dict[str, Handler]:
    service = VolunteersService(ctx)

    async def on_registration(event: Envelope, tx: Transaction) -> None:
        data: RegistrationSubmitted = event.data  # type: ignore[assignment]
        try:
            await service.ingest_partner_registration(event.source, data, tx)
        except (ProblemError, ValidationError) as exc:
            raise PermanentError(f"registration {data.partner_ref} refused: {_reason(exc)}") from exc

    async def on_hours(event: Envelope, tx: Transaction) -> None:
        data: HoursSubmitted = event.data  # type: ignore[assignment]
        try:
            await service.ingest_partner_hours(event.source, data, tx)
        except (ProblemError, ValidationError) as exc:
            raise PermanentError(f"hours {data.partner_ref} refused: {_reason(exc)}") from exc

    async def on_issue_reported(event: Envelope, tx: Transaction) -> None:
        await service.suggest_shift_for_issue(event.data, tx)  # type: ignore[arg-type]

    async def on_asset(event: Envelope, tx: Transaction) -> None:
        data: AssetSnapshot = event.data  # type: ignore[assignment]
        collection = _collection_for(data.kind)
        # Events of one asset arrive in order (same key); the event time guards against stale replays.
        if collection is None or await _newer_known(tx, collection, data.asset_id, event):
            return
        await tx.collection(collection).update_one(
            {"_id": data.asset_id},
            {
                "$set": {
                    "hub_id": data.hub_id,
                    "kind": data.kind,
                    "name": data.name,
                    "address": data.address,
                    "status": data.status,
                    "accessibility": list(data.accessibility),
                    "as_of": event.time,
                }
            },
            upsert=True,
            session=tx.session,
        )

    async def on_asset_retired(event: Envelope, tx: Transaction) -> None:
        data: AssetRetired = event.data  # type: ignore[assignment]
        collection = _collection_for(data.kind)
        if collection is None or await _newer_known(tx, collection, data.asset_id, event):
            return
        await tx.collection(collection).update_one(
            {"_id": data.asset_id},
            {
                "$set": {"status": "retired", "hub_id": data.hub_id, "kind": data.kind, "as_of": event.time},
                "$setOnInsert": {"name": data.asset_id},
            },
            upsert=True,
            session=tx.session,
        )

    return {
        RegistrationSubmitted.event_type: on_registration,
        HoursSubmitted.event_type: on_hours,
        "hub.issues.issue.reported.v1": on_issue_reported,
        "hub.assets.asset.registered.v1": on_asset,
        "hub.assets.asset.updated.v1": on_asset,
        "hub.assets.asset.retired.v1": on_asset_retired,
    }


def _collection_for(kind: str) -> str | None:
    if kind in VENUE_KINDS:
        return VENUES
    return EQUIPMENT if kind == EQUIPMENT_KIND else None


async def _newer_known(tx: Transaction, collection: str, asset_id: str, event: Envelope) -> bool:
    current = await tx.collection(collection).find_one({"_id": asset_id}, {"as_of": 1}, session=tx.session)
    return current is not None and current.get("as_of") is not None and current["as_of"] > event.time


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
    return str(exc)
