"""What the assets service does with each event type it consumes."""

from __future__ import annotations

from hub_assets.service import AssetsService
from hub_common.consumer import Handler, PermanentError
from hub_common.contracts.assets import DirectoryEntrySubmitted
from hub_common.contracts.issues import IssueReported
from hub_common.contracts.volunteers import (
    VolunteerApproved,
    VolunteerErased,
    VolunteerRegistered,
    VolunteerStatusChanged,
)
from hub_common.envelope import Envelope
from hub_common.errors import ProblemError
from hub_common.service import ServiceContext
from hub_common.uow import Transaction

PARTNER_SOURCE_PREFIX = "/partners/"


def handlers(ctx: ServiceContext) -> dict[str, Handler]:
    service = AssetsService(ctx.db, ctx.uow)

    async def on_issue_reported(event: Envelope, tx: Transaction) -> None:
        """An issue reported against one of our assets opens maintenance on it (once per issue)."""
        data: IssueReported = event.data  # type: ignore[assignment]
        await service.open_maintenance_from_issue(data, tx)

    async def on_directory_entry(event: Envelope, tx: Transaction) -> None:
        """A partner keeps its own directory entry current; anything else is dead-lettered."""
        data: DirectoryEntrySubmitted = event.data  # type: ignore[assignment]
        if event.source != f"{PARTNER_SOURCE_PREFIX}{data.partner_id}":
            raise PermanentError(f"ce_source {event.source!r} may not submit entries for partner {data.partner_id!r}")
        try:
            await service.apply_partner_entry(data, event.time, tx)
        except ProblemError as exc:
            raise PermanentError(exc.detail) from exc

    async def on_volunteer(event: Envelope, tx: Transaction) -> None:
        """Keep who may borrow as a volunteer: id, hub and status (latest event time wins)."""
        data = event.data
        if isinstance(data, VolunteerRegistered):
            status = data.status
        elif isinstance(data, VolunteerApproved):
            status = "approved"
        elif isinstance(data, VolunteerStatusChanged):
            status = data.to_status
        else:
            status = "erased"
        await service.volunteers.record(data.volunteer_id, data.hub_id, status, event.time, tx.session)

    volunteer_types = (VolunteerRegistered, VolunteerApproved, VolunteerStatusChanged, VolunteerErased)
    return {
        **{t.event_type: on_volunteer for t in volunteer_types},
        IssueReported.event_type: on_issue_reported,
        DirectoryEntrySubmitted.event_type: on_directory_entry,
    }
