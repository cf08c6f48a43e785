"""What the volunteers service does with each event type it consumes.

- ``hub.assets.events``: rooms and spaces become venues for shifts, equipment becomes what a
  shift can say it needs (read models).
- ``hub.issues.events``: an issue reported in a category the hub maps to a role (the role's
  ``issue_categories``) suggests a shift of that role, for staff to review and publish.
- ``hub.volunteers.inbound``: partner volunteer centres' registrations and hours, validated like
  the API and idempotent by (source, partner_ref); a submission that breaks a rule can never
  succeed, so it goes to the dead-letter topic with the reason. Only from a partner
  granted the type and hub (``hub_common.partner_grants``).
- ``hub.identity.partner.*``: the read model of partners' grants that check is made against.
"""

from __future__ import annotations

from pydantic import ValidationError

from hub_common.auth import Principal
from hub_common.consumer import Handler, PermanentError
from hub_common.contracts.assets import AssetRetired, AssetSnapshot
from hub_common.contracts.issues import IssueReported
from hub_common.contracts.volunteers import HoursSubmitted, RegistrationSubmitted
from hub_common.envelope import Envelope
from hub_common.errors import ProblemError
from hub_common.partner_grants import PartnerGrantRepository, grant_handlers, guarded_inbound
from hub_common.privacy import privacy_handlers
from hub_common.uow import Transaction
from hub_volunteers.service import UseCases


def handlers(use_cases: UseCases, grants: PartnerGrantRepository) -> dict[str, Handler]:
    partners, shifts, venues = use_cases.partners, use_cases.shifts, use_cases.venues

    async def on_registration(event: Envelope, tx: Transaction, _partner: Principal | None) -> None:
        data: RegistrationSubmitted = event.data  # type: ignore[assignment]
        try:
            await partners.ingest_registration(event.source, data, tx)
        except (ProblemError, ValidationError) as exc:
            raise PermanentError(f"registration {data.partner_ref} refused: {_reason(exc)}") from exc

    async def on_hours(event: Envelope, tx: Transaction, _partner: Principal | None) -> None:
        data: HoursSubmitted = event.data  # type: ignore[assignment]
        try:
            await partners.ingest_hours(event.source, data, tx)
        except (ProblemError, ValidationError) as exc:
            raise PermanentError(f"hours {data.partner_ref} refused: {_reason(exc)}") from exc

    async def on_issue_reported(event: Envelope, tx: Transaction) -> None:
        data: IssueReported = event.data  # type: ignore[assignment]
        await shifts.suggest_for_issue(data, tx)

    async def on_asset(event: Envelope, tx: Transaction) -> None:
        data: AssetSnapshot = event.data  # type: ignore[assignment]
        await venues.record_asset(data, event.time, tx)

    async def on_asset_retired(event: Envelope, tx: Transaction) -> None:
        data: AssetRetired = event.data  # type: ignore[assignment]
        await venues.retire_asset(data, event.time, tx)

    return {
        **guarded_inbound(
            "volunteers",
            grants,
            {RegistrationSubmitted.event_type: on_registration, HoursSubmitted.event_type: on_hours},
        ),
        **grant_handlers(grants),
        "hub.issues.issue.reported.v1": on_issue_reported,
        "hub.assets.asset.registered.v1": on_asset,
        "hub.assets.asset.updated.v1": on_asset,
        "hub.assets.asset.retired.v1": on_asset_retired,
        **privacy_handlers("volunteers", use_cases.personal_data),
    }


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
    return str(exc)
