"""What the issues service does with each event type it consumes.

- ``hub.assets.asset.*``: the ``assets`` read model, used to validate ``asset_id`` on reports.
  Snapshots carry the full public state, so each event replaces what we hold unless we already
  hold a newer one (a replay or a late copy must not roll it back).
- ``hub.issues.report.submitted.v1`` on ``hub.issues.inbound``: a partner's report, validated like
  any other and ingested once per ``ce_source`` + ``partner_ref``, from a partner granted the type
  and the hub the report falls in (``hub_common.partner_grants``); one that can never be valid is
  dead-lettered with the reason.
- ``hub.issues.agency_update.submitted.v1`` on ``hub.issues.inbound``: the agency an issue is
  referred to reports back (progress, started, fixed, not fixed), as it may over the API.
- ``hub.participation.forum_action.completed.v1``, ``hub.participation.pb_project.delivered.v1`` and
  ``hub.participation.action.progress_published.v1`` (the one that finishes an idea's action): a
  forum action done, a project residents voted for delivered, an idea taken forward and finished;
  the outcome read models (``adapters/outcomes.py``) show them in "You Said, We Did" beside the
  fixed problems.
- ``hub.identity.partner.*``: the read model of partners' grants that check is made against.
"""

from __future__ import annotations

from hub_common.auth import Principal
from hub_common.consumer import Handler, PermanentError
from hub_common.contracts.assets import AssetRetired, AssetSnapshot
from hub_common.contracts.issues import AgencyUpdateSubmitted, PartnerReportSubmitted
from hub_common.contracts.participation import ActionProgressPublished, ForumActionCompleted, PbProjectDelivered
from hub_common.envelope import Envelope
from hub_common.errors import ProblemError
from hub_common.partner_grants import PartnerGrantRepository, grant_handlers, guarded_inbound
from hub_common.privacy import privacy_handlers
from hub_common.uow import Transaction
from hub_issues.service import UseCases
from hub_issues.service.reporting import ReportRequest


def handlers(use_cases: UseCases, grants: PartnerGrantRepository) -> dict[str, Handler]:
    assets, reporting = use_cases.assets, use_cases.reporting

    async def on_asset_snapshot(event: Envelope, tx: Transaction) -> None:
        data: AssetSnapshot = event.data  # type: ignore[assignment]
        await assets.record_snapshot(tx, data, as_of=event.time, event_id=event.id)

    async def on_asset_retired(event: Envelope, tx: Transaction) -> None:
        data: AssetRetired = event.data  # type: ignore[assignment]
        await assets.record_retirement(tx, data, as_of=event.time, event_id=event.id)

    async def on_forum_action_completed(event: Envelope, tx: Transaction) -> None:
        data: ForumActionCompleted = event.data  # type: ignore[assignment]
        await use_cases.outcomes.record_forum_action(tx, data)

    async def on_project_delivered(event: Envelope, tx: Transaction) -> None:
        data: PbProjectDelivered = event.data  # type: ignore[assignment]
        await use_cases.outcomes.record_funded_project(tx, data)

    async def on_idea_progress(event: Envelope, tx: Transaction) -> None:
        data: ActionProgressPublished = event.data  # type: ignore[assignment]
        await use_cases.outcomes.record_idea_progress(tx, data)

    async def on_agency_update(event: Envelope, tx: Transaction, partner: Principal | None) -> None:
        data: AgencyUpdateSubmitted = event.data  # type: ignore[assignment]
        if partner is None:
            raise PermanentError("only the partner agency an issue is referred to reports back on it")
        try:
            await use_cases.workflow.agency_report(tx, partner, data)
        except ProblemError as exc:
            raise PermanentError(f"report back on {data.issue_id} refused: {exc.detail}") from exc

    async def on_partner_report(event: Envelope, tx: Transaction, partner: Principal | None) -> None:
        data: PartnerReportSubmitted = event.data  # type: ignore[assignment]
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
            await reporting.ingest_partner_report(tx, request, source=event.source, partner=partner)
        except ProblemError as exc:
            reasons = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors or [])
            raise PermanentError(f"{exc.detail}{' (' + reasons + ')' if reasons else ''}") from exc

    return {
        "hub.assets.asset.registered.v1": on_asset_snapshot,
        "hub.assets.asset.updated.v1": on_asset_snapshot,
        "hub.assets.asset.retired.v1": on_asset_retired,
        ForumActionCompleted.event_type: on_forum_action_completed,
        PbProjectDelivered.event_type: on_project_delivered,
        ActionProgressPublished.event_type: on_idea_progress,
        **guarded_inbound(
            "issues",
            grants,
            {"hub.issues.report.submitted.v1": on_partner_report, AgencyUpdateSubmitted.event_type: on_agency_update},
        ),
        **grant_handlers(grants),
        **privacy_handlers("issues", use_cases.personal_data),
    }
