"""Partner volunteer centres (``hub.volunteers.inbound``): registrations and hours, validated with
the same rules as the API and idempotent by ``(source, partner_ref)``."""

from __future__ import annotations

from hub_common.contracts.volunteers import HoursSubmitted, RegistrationSubmitted
from hub_common.errors import NotFound, RuleViolation
from hub_common.uow import Transaction
from hub_volunteers.adapters.hours import HoursRepository
from hub_volunteers.adapters.volunteers import VolunteerRepository
from hub_volunteers.domain.hours import HoursEntry
from hub_volunteers.domain.volunteers import Volunteer
from hub_volunteers.service import commands as cmd
from hub_volunteers.service.hours import HoursService
from hub_volunteers.service.volunteers import VolunteerService


class PartnerService:
    def __init__(
        self,
        registration: VolunteerService,
        logging: HoursService,
        volunteers: VolunteerRepository,
        hours: HoursRepository,
    ) -> None:
        self.registration = registration
        self.logging = logging
        self.volunteers = volunteers
        self.hours = hours

    async def ingest_registration(self, source: str, data: RegistrationSubmitted, tx: Transaction) -> Volunteer | None:
        """Register a partner's volunteer, validated like the API; None when this reference was seen."""
        partner_ref = f"{source}|{data.partner_ref}"
        if await self.volunteers.partner_ref_known(partner_ref, tx.session):
            return None
        payload = data.model_dump(mode="json", exclude={"partner_ref"})
        consent = payload.pop("consent")
        payload["consent"] = {
            "data_processing": consent["data_processing"],
            "channels": {"email": False, "sms": False, "inapp": False},
            "wording_version": consent["wording_version"],
        }
        body = cmd.PartnerRegistration.model_validate(payload)  # pydantic ValidationError: never valid
        return await self.registration.register_for_partner(body, partner_ref, tx)

    async def ingest_hours(self, source: str, data: HoursSubmitted, tx: Transaction) -> HoursEntry | None:
        """Log a partner's hours for one of the hub's volunteers; None when this reference was seen."""
        partner_ref = f"{source}|{data.partner_ref}"
        if await self.hours.partner_ref_known(partner_ref, tx.session):
            return None
        if data.volunteer_id:
            v = await self.volunteers.get(data.volunteer_id, tx.session)
        elif data.volunteer_partner_ref:
            found = await self.volunteers.by_partner_ref(f"{source}|{data.volunteer_partner_ref}", tx.session)
            if found is None:
                raise NotFound(f"no volunteer registered by {source} as {data.volunteer_partner_ref!r}")
            v = found
        else:
            raise RuleViolation("name the volunteer: volunteer_id or volunteer_partner_ref")
        if v.hub_id != data.hub_id:
            raise RuleViolation(f"the volunteer does not belong to hub {data.hub_id}")
        body = cmd.LogHours(hours=data.hours, worked_on=data.worked_on, role_id=data.role_id, note=data.note)
        return await self.logging.log_in(v, body, source="partner", by=source, tx=tx, partner_ref=partner_ref)
