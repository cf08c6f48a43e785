"""Volunteers: registration (by themselves, staff, partners), profile, lifecycle, background checks,
skill claims, accreditations, the staff pipeline and sign-in links."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, Literal

from pymongo.errors import DuplicateKeyError

from hub_common.audit import AccessAudit
from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.contacts import VolunteerSignInLinkRequested
from hub_common.contracts.volunteers import (
    AccreditationAdded,
    VolunteerApproved,
    VolunteerRegistered,
    VolunteerSkillAdded,
    VolunteerStatusChanged,
)
from hub_common.errors import Conflict, Forbidden, NotFound, RuleViolation
from hub_common.http import PageQuery
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_volunteers.adapters.skills import SkillRepository
from hub_volunteers.adapters.volunteers import VolunteerRepository
from hub_volunteers.domain.volunteers import (
    Accreditation,
    BackgroundCheck,
    EmergencyContact,
    Guardian,
    Status,
    Volunteer,
    check_registration_age,
    check_slots,
)
from hub_volunteers.service import commands as cmd
from hub_volunteers.service.common import NOT_REGISTERED, new_id, require_self_or_staff, save_volunteer
from hub_volunteers.service.events import contact_upserted

# An address asking again sooner gets no second email (each link stays valid for an hour).
SIGN_IN_LINK_INTERVAL = timedelta(minutes=2)
Channel = Literal["self", "staff", "partner"]


class VolunteerService:
    def __init__(
        self,
        uow: UnitOfWork,
        volunteers: VolunteerRepository,
        skills: SkillRepository,
        *,
        clock: Clock,
        approval_check: str | None,
        audit: AccessAudit,
    ) -> None:
        self.uow = uow
        self.volunteers = volunteers
        self.skills = skills
        self.clock = clock
        self.approval_check = approval_check  # the check approval needs (None: approve without one)
        self.audit = audit  # staff reads of volunteers' details

    # -- registration ------------------------------------------------------------------------------

    async def register(
        self, caller: Principal, body: cmd.RegisterVolunteer, idempotency: IdempotentRequest | None = None
    ) -> Volunteer:
        if caller.role == "resident":
            channel: Channel = "self"
            sub: str | None = caller.sub
        elif caller.is_staff or caller.role == "partner":
            caller.require_hub(body.hub_id)
            channel, sub = ("partner" if caller.role == "partner" else "staff"), None
        else:  # pragma: no cover - every role is covered above
            raise Forbidden("this role cannot register volunteers")
        volunteer = self._new_volunteer(body, channel=channel, sub=sub, partner_ref=None)

        async def work(tx: Transaction) -> Volunteer:
            return await self._add(volunteer, channel, tx)

        try:
            return await self.uow.run(work, idempotency=idempotency, result_type=Volunteer)
        except DuplicateKeyError as exc:  # a concurrent registration won the race
            raise _duplicate(exc) from None

    async def register_for_partner(self, body: cmd.RegisterVolunteer, partner_ref: str, tx: Transaction) -> Volunteer:
        """A partner centre's registration, in the consumer's transaction."""
        volunteer = self._new_volunteer(body, channel="partner", sub=None, partner_ref=partner_ref)
        return await self._add(volunteer, "partner", tx)

    def _new_volunteer(
        self, body: cmd.RegisterVolunteer, *, channel: Channel, sub: str | None, partner_ref: str | None
    ) -> Volunteer:
        at = self.clock()
        if not body.consent.data_processing:
            raise RuleViolation(
                "we can only register you with your consent to process your data for volunteering",
                errors=[{"field": "body.consent.data_processing", "message": "must be true", "type": "value_error"}],
            )
        check_registration_age(body.date_of_birth, at.date(), has_guardian=body.guardian is not None)
        if body.guardian is not None and not body.guardian.consent:
            raise RuleViolation(
                "the parent or guardian must consent",
                errors=[{"field": "body.guardian.consent", "message": "must be true", "type": "value_error"}],
            )
        check_slots(body.availability)
        wording = body.consent.wording_version
        volunteer = Volunteer(
            id=new_id("vol"),
            sub=sub,
            hub_id=body.hub_id,
            name=body.name,
            email=str(body.email) if body.email else None,
            phone=body.phone,
            date_of_birth=body.date_of_birth,
            language=body.language,
            interests=sorted({i.lower() for i in body.interests}),
            availability=body.availability,
            emergency_contact=EmergencyContact(**body.emergency_contact.model_dump())
            if body.emergency_contact
            else None,
            recognition_opt_in=body.recognition_opt_in,
            registered_via=channel,
            calendar_token=secrets.token_urlsafe(24),
            partner_ref=partner_ref,
            created_at=at,
            updated_at=at,
        )
        if body.guardian is not None and volunteer.is_minor_on(at.date()):
            g = body.guardian
            volunteer.guardian = Guardian(
                name=g.name,
                phone=g.phone,
                email=str(g.email) if g.email else None,
                relationship=g.relationship,
                consented_at=at,
                wording_version=wording,
            )
            volunteer.record_consent("guardian", True, at, wording)
        volunteer.record_consent("data_processing", True, at, wording)
        for name in ("email", "sms", "inapp"):
            volunteer.record_consent(f"channel:{name}", getattr(body.consent.channels, name), at, wording)
        for claim in body.skills:
            volunteer.set_skill(claim.skill_id, claim.level)
        return volunteer

    async def _add(self, volunteer: Volunteer, channel: Channel, tx: Transaction) -> Volunteer:
        missing = await self.skills.missing([s.skill_id for s in volunteer.skills], tx.session)
        if missing:
            raise RuleViolation(
                f"unknown skills: {', '.join(missing)}; pick from GET /v1/skills",
                errors=[
                    {"field": "body.skills", "message": f"unknown skill {m}", "type": "value_error"} for m in missing
                ],
            )
        await self._refuse_duplicates(volunteer, tx)
        await self.volunteers.add(volunteer, tx.session)
        tx.publish(
            VolunteerRegistered(
                volunteer_id=volunteer.id,
                hub_id=volunteer.hub_id,
                skill_ids=[s.skill_id for s in volunteer.skills],
                interests=volunteer.interests,
                channel=channel,
                registered_at=volunteer.created_at,
            ),
            subject=volunteer.id,
            hub_id=volunteer.hub_id,
        )
        if volunteer.email or volunteer.phone:  # partner registrations: the partner keeps them
            tx.publish(contact_upserted(volunteer), subject=volunteer.id, hub_id=volunteer.hub_id)
        return volunteer

    async def _refuse_duplicates(self, volunteer: Volunteer, tx: Transaction, *, ignore_id: str | None = None) -> None:
        if volunteer.email and await self.volunteers.email_taken(
            volunteer.email, ignore_id=ignore_id, session=tx.session
        ):
            raise Conflict(
                "a volunteer with this email is already registered; sign in to update it instead", field="email"
            )
        if volunteer.sub and ignore_id is None:
            mine = await self.volunteers.id_of_sub(volunteer.sub, tx.session)
            if mine:
                raise Conflict("your account is already registered as a volunteer", volunteer_id=mine)

    async def request_sign_in_link(self, email: str) -> None:
        """Have a sign-in link emailed to the volunteer with this address, if one can sign in.

        The caller learns nothing either way (who volunteers here is not public), and an address
        gets at most one email per ``SIGN_IN_LINK_INTERVAL``, so the form cannot flood an inbox.
        """
        asked_at = self.clock()

        async def work(tx: Transaction) -> None:
            account = await self.volunteers.sign_in_account(email, tx.session)
            if account is None or not account.sub or account.erased or account.status == "archived":
                return  # no account to sign in to: staff or a partner registered them, or they left
            last = account.last_link_at
            if last is not None and asked_at - last < SIGN_IN_LINK_INTERVAL:
                return
            if await self.volunteers.claim_sign_in_link(account.id, last, asked_at, tx.session):
                tx.publish(
                    VolunteerSignInLinkRequested(person_id=account.id, account_sub=account.sub, hub_id=account.hub_id),
                    subject=account.id,
                    hub_id=account.hub_id,
                )

        await self.uow.run(work)

    # -- profile -------------------------------------------------------------------------------------

    async def me(self, caller: Principal) -> Volunteer:
        volunteer = await self.volunteers.by_sub(caller.sub)
        if volunteer is None:
            raise NotFound(NOT_REGISTERED)
        return volunteer

    async def get(self, caller: Principal, volunteer_id: str) -> Volunteer:
        volunteer = await self.volunteers.get(volunteer_id)
        require_self_or_staff(caller, volunteer)
        if caller.sub != volunteer.sub:
            await self.audit.read(
                caller, kind="volunteer record", record_ids=[volunteer.id], person_ids=[volunteer.id], why="read"
            )
        return volunteer

    async def pipeline(
        self, caller: Principal, hub_id: str, status: Status, paging: PageQuery
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Staff: a hub's volunteers of one status, oldest first, as pipeline rows."""
        caller.require_staff_for(hub_id)
        volunteers, cursor = await self.volunteers.pipeline(hub_id, status, paging)
        ids = [v.id for v in volunteers]
        await self.audit.read(caller, kind="volunteer pipeline", record_ids=ids, person_ids=ids, why=f"{status} list")
        today = self.clock().date()
        rows = [
            {
                "id": v.id,
                "hub_id": v.hub_id,
                "status": v.status,
                "name": v.name,
                "skills": [s.skill_id for s in v.skills],
                "best_check": v.best_check_on(today),
                "approved_hours": round(v.approved_minutes / 60, 2),
                "created_at": v.created_at,
            }
            for v in volunteers
        ]
        return rows, cursor

    async def update_profile(
        self, caller: Principal, volunteer_id: str, body: cmd.UpdateProfile, expected: int | None
    ) -> Volunteer:
        async def work(tx: Transaction) -> Volunteer:
            v = await self.volunteers.get(volunteer_id, tx.session)
            require_self_or_staff(caller, v)
            check_version(expected, v.version)
            if v.erased_at is not None:
                raise Conflict("this volunteer's record was erased")
            at = self.clock()
            before = (v.name, v.email, v.phone, v.language, tuple(v.consented_channels()))
            changes = body.model_dump(exclude_unset=True, exclude={"channels", "wording_version"})
            if "availability" in changes:
                check_slots(body.availability or [])
            for field, value in changes.items():
                if value is None and field in ("name", "language", "recognition_opt_in"):
                    raise RuleViolation(
                        f"{field} cannot be removed",
                        errors=[{"field": f"body.{field}", "message": "must not be null", "type": "value_error"}],
                    )
                setattr(v, field, _profile_value(field, value, body))
            if v.email is None and v.phone is None:
                raise RuleViolation("keep an email or a phone number so the hub can reach you")
            if body.channels is not None:
                for name in ("email", "sms", "inapp"):
                    v.record_consent(f"channel:{name}", getattr(body.channels, name), at, body.wording_version or "")
            if "email" in changes:
                await self._refuse_duplicates(v, tx, ignore_id=v.id)
            await self._save(v, at, tx)
            if (v.name, v.email, v.phone, v.language, tuple(v.consented_channels())) != before:
                tx.publish(contact_upserted(v), subject=v.id, hub_id=v.hub_id)
            return v

        try:
            return await self.uow.run(work)
        except DuplicateKeyError as exc:
            raise _duplicate(exc) from None

    async def _save(self, v: Volunteer, at: datetime, tx: Transaction) -> None:
        """Store a change of the volunteer's record: a new version, updated now."""
        seen = v.version
        v.updated_at, v.version = at, seen + 1
        await save_volunteer(self.volunteers, v, seen, tx.session)

    # -- lifecycle, checks, skills ---------------------------------------------------------------------

    async def transition(
        self, caller: Principal, volunteer_id: str, body: cmd.Transition, expected: int | None
    ) -> Volunteer:
        async def work(tx: Transaction) -> Volunteer:
            v = await self.volunteers.get(volunteer_id, tx.session)
            if not v.may_change_own_status(caller.sub if caller.role == "resident" else None, body.to):
                caller.require_staff_for(v.hub_id)
            check_version(expected, v.version)
            at = self.clock()
            previous = v.transition(body.to, at=at, required_check=self.approval_check)
            await self._save(v, at, tx)
            tx.publish(
                VolunteerStatusChanged(
                    volunteer_id=v.id,
                    hub_id=v.hub_id,
                    from_status=previous,
                    to_status=v.status,
                    reason=body.reason,
                    changed_at=at,
                ),
                subject=v.id,
                hub_id=v.hub_id,
            )
            if v.status == "approved":
                tx.publish(
                    VolunteerApproved(volunteer_id=v.id, hub_id=v.hub_id, approved_at=at), subject=v.id, hub_id=v.hub_id
                )
            return v

        return await self.uow.run(work)

    async def record_check(self, caller: Principal, volunteer_id: str, body: cmd.RecordCheck) -> Volunteer:
        async def work(tx: Transaction) -> Volunteer:
            v = await self.volunteers.get(volunteer_id, tx.session)
            caller.require_staff_for(v.hub_id)
            at = self.clock()
            v.checks.append(
                BackgroundCheck(id=new_id("chk"), recorded_at=at, recorded_by=caller.sub, **body.model_dump())
            )
            await self._save(v, at, tx)
            return v

        return await self.uow.run(work)

    async def add_skill(self, caller: Principal, volunteer_id: str, body: cmd.SkillClaim) -> Volunteer:
        async def work(tx: Transaction) -> Volunteer:
            v = await self.volunteers.get(volunteer_id, tx.session)
            require_self_or_staff(caller, v)
            if await self.skills.missing([body.skill_id], tx.session):
                raise RuleViolation(f"unknown skill {body.skill_id!r}; pick from GET /v1/skills")
            v.set_skill(body.skill_id, body.level)
            await self._save(v, self.clock(), tx)
            tx.publish(
                VolunteerSkillAdded(volunteer_id=v.id, hub_id=v.hub_id, skill_id=body.skill_id, level=body.level),
                subject=v.id,
                hub_id=v.hub_id,
            )
            return v

        return await self.uow.run(work)

    async def add_accreditation(self, caller: Principal, volunteer_id: str, body: cmd.AddAccreditation) -> Volunteer:
        async def work(tx: Transaction) -> Volunteer:
            v = await self.volunteers.get(volunteer_id, tx.session)
            caller.require_staff_for(v.hub_id)
            if body.skill_id and await self.skills.missing([body.skill_id], tx.session):
                raise RuleViolation(f"unknown skill {body.skill_id!r}; pick from GET /v1/skills")
            acc = Accreditation(id=new_id("acc"), **body.model_dump())
            v.accreditations.append(acc)
            await self._save(v, self.clock(), tx)
            tx.publish(
                AccreditationAdded(
                    volunteer_id=v.id,
                    hub_id=v.hub_id,
                    accreditation_id=acc.id,
                    name=acc.name,
                    skill_id=acc.skill_id,
                    issuer=acc.issuer,
                    issued_on=acc.issued_on,
                    expires_on=acc.expires_on,
                ),
                subject=v.id,
                hub_id=v.hub_id,
            )
            return v

        return await self.uow.run(work)


def _profile_value(field: str, value: Any, body: cmd.UpdateProfile) -> Any:
    """A profile change as the record stores it."""
    if field == "email":
        return str(body.email) if body.email else None
    if field == "emergency_contact":
        return EmergencyContact(**value) if value else None
    if field == "availability":
        return body.availability or []
    if field == "interests":
        return sorted({i.lower() for i in value or []})
    return value


def _duplicate(exc: DuplicateKeyError) -> Conflict:
    text = str(exc)
    if "email" in text:
        return Conflict(
            "a volunteer with this email is already registered; sign in to update it instead", field="email"
        )
    if "sub" in text:
        return Conflict("your account is already registered as a volunteer")
    if "partner_ref" in text:
        return Conflict("this partner reference was already registered")
    return Conflict("this record already exists")
