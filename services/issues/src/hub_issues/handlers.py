"""What the issues service does with each event type it consumes.

- ``hub.assets.asset.*``: the ``assets`` read model, used to validate ``asset_id`` on reports.
  Snapshots carry the full public state, so each event replaces what we hold unless we already
  hold a newer one (a replay or a late copy must not roll it back).
- ``hub.issues.report.submitted.v1`` on ``hub.issues.inbound``: a partner's report, validated like
  any other and ingested once per ``ce_source`` + ``partner_ref``; one that can never be valid is
  dead-lettered with the reason.
"""

from __future__ import annotations

from typing import Any

from hub_common.consumer import Handler, PermanentError
from hub_common.contracts.assets import AssetRetired, AssetSnapshot
from hub_common.contracts.issues import PartnerReportSubmitted
from hub_common.envelope import Envelope
from hub_common.errors import ProblemError
from hub_common.service import ServiceContext
from hub_common.uow import Transaction
from hub_issues.adapters.store import ASSETS, ISSUES
from hub_issues.service import IssuesService, ReportRequest


async def _apply_if_newer(tx: Transaction, asset_id: str, event: Envelope, fields: dict[str, Any]) -> bool:
    assets = tx.collection(ASSETS)
    current = await assets.find_one({"_id": asset_id}, {"as_of": 1}, session=tx.session)
    if current is not None and current.get("as_of") and current["as_of"] > event.time:
        return False
    await assets.update_one(
        {"_id": asset_id},
        {"$set": {**fields, "as_of": event.time, "event_id": event.id}},
        upsert=True,
        session=tx.session,
    )
    return True


async def on_asset_snapshot(event: Envelope, tx: Transaction) -> None:
    data: AssetSnapshot = event.data  # type: ignore[assignment]
    fields = {
        "hub_id": data.hub_id,
        "kind": data.kind,
        "name": data.name,
        "status": data.status,
        "location": {"lat": data.location.lat, "lon": data.location.lon} if data.location else None,
    }
    await _apply_if_newer(tx, data.asset_id, event, fields)


async def on_asset_retired(event: Envelope, tx: Transaction) -> None:
    data: AssetRetired = event.data  # type: ignore[assignment]
    fields = {"hub_id": data.hub_id, "kind": data.kind, "status": "retired", "retired_at": data.retired_at}
    await _apply_if_newer(tx, data.asset_id, event, fields)


def partner_report_handler(service: IssuesService) -> Handler:
    async def on_partner_report(event: Envelope, tx: Transaction) -> None:
        data: PartnerReportSubmitted = event.data  # type: ignore[assignment]
        key = f"{event.source}|{data.partner_ref}"
        if await tx.collection(ISSUES).find_one({"partner_key": key}, {"_id": 1}, session=tx.session):
            return  # already ingested (the partner sent it again, maybe with a new ce_id)
        request = ReportRequest(
            service_code=data.service_code,
            description=data.description,
            lat=data.location.lat if data.location else None,
            lon=data.location.lon if data.location else None,
            address=data.address,
            address_id=data.address_id,
            zipcode=data.zipcode,
            media_url=data.media_url,
            answers=dict(data.attributes),
            asset_id=data.asset_id,
            jurisdiction_id=data.jurisdiction_id,
            channel="inbound",
            partner_ref=data.partner_ref,
            reporter_ref=data.reporter_ref,
        )
        try:
            prepared = await service.prepare_report(None, request, trusted_source=event.source)
        except ProblemError as exc:
            reasons = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors or [])
            raise PermanentError(f"{exc.detail}{' (' + reasons + ')' if reasons else ''}") from exc
        await service.save_report(tx, prepared)

    return on_partner_report


def handlers(ctx: ServiceContext) -> dict[str, Handler]:
    return {
        "hub.assets.asset.registered.v1": on_asset_snapshot,
        "hub.assets.asset.updated.v1": on_asset_snapshot,
        "hub.assets.asset.retired.v1": on_asset_retired,
        "hub.issues.report.submitted.v1": partner_report_handler(IssuesService(ctx)),
    }
