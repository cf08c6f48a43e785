"""Use cases of the volunteers service: load -> domain -> save state and events in one unit of work."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError

from hub_common.auth import Principal
from hub_common.concurrency import check_version
from hub_common.contracts import EventData
from hub_common.contracts.contacts import (
    VolunteerContactErased,
    VolunteerContactUpserted,
    VolunteerSignInLinkRequested,
)
from hub_common.contracts.issues import IssueReported
from hub_common.contracts.volunteers import (
    AccreditationAdded,
    AccreditationExpiring,
    AwardGiven,
    CheckedIn,
    CheckedOut,
    CheckRenewalDue,
    HoursApproved,
    HoursLogged,
    HoursRejected,
    HoursSubmitted,
    MilestoneReached,
    RegistrationSubmitted,
    RolePublished,
    ShiftCancelled,
    ShiftPublished,
    ShiftUpdated,
    SignupCancelled,
    SignupConfirmed,
    SignupPromoted,
    SignupWaitlisted,
    VolunteerApproved,
    VolunteerErased,
    VolunteerRegistered,
    VolunteerSkillAdded,
    VolunteerStatusChanged,
)
from hub_common.errors import Conflict, Forbidden, NotFound, RuleViolation
from hub_common.service import ServiceContext
from hub_common.uow import IdempotentRequest, Replayed, Transaction
from hub_volunteers import commands as cmd
from hub_volunteers.adapters.repository import (
    AWARDS,
    CASE_INSENSITIVE,
    HOURS,
    ROLES,
    SHIFTS,
    SIGNUPS,
    SKILLS,
    VOLUNTEERS,
    Repository,
    from_doc,
    to_doc,
)
from hub_volunteers.domain.hours import HoursEntry, check_logged_hours, milestones_reached, normalise_milestones
from hub_volunteers.domain.matching import Match, score
from hub_volunteers.domain.roles import Role
from hub_volunteers.domain.shifts import (
    Shift,
    Signup,
    check_place,
    check_shift_times,
    require_eligible,
    suggested_slot,
)
from hub_volunteers.domain.skills import Award, Skill, milestone_award, search_terms, slugify
from hub_volunteers.domain.venues import EQUIPMENT_KIND, VENUE_KINDS
from hub_volunteers.domain.volunteers import (
    Accreditation,
    BackgroundCheck,
    EmergencyContact,
    Guardian,
    Volunteer,
    check_registration_age,
    check_slots,
)
from hub_volunteers.settings import VolunteersSettings

M = TypeVar("M", bound=BaseModel)
STAFF_ROLES = ("staff", "operator")
CHECK_IN_SKEW = timedelta(minutes=5)
MATCH_CANDIDATES = 500  # how many volunteers or shifts one matching request considers
# An address asking again sooner gets no second email (each link stays valid for an hour).
SIGN_IN_LINK_INTERVAL = timedelta(minutes=2)


def now() -> datetime:
    """The current time at MongoDB's millisecond precision, so saved and returned times agree."""
    t = datetime.now(UTC)
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def is_staff_for(principal: Principal, hub_id: str) -> bool:
    return principal.role in STAFF_ROLES and principal.can_act_for_hub(hub_id)


def require_staff(principal: Principal, hub_id: str) -> None:
    principal.require_role(*STAFF_ROLES)
    principal.require_hub(hub_id)


def require_self_or_staff(principal: Principal, volunteer: Volunteer) -> None:
    if volunteer.sub is not None and principal.sub == volunteer.sub and principal.role == "resident":
        return
    if is_staff_for(principal, volunteer.hub_id):
        return
    raise Forbidden("only the volunteer themselves or staff of their hub can do this")


class KeyedLocks:
    """One asyncio lock per key (e.g. per shift), dropped when nobody holds or waits for it.

    Only an optimisation for hot shifts: sign-ups to one shift queue inside this replica
    instead of all racing and retrying on write conflicts. Correctness never depends on it: the
    transaction's conditional update is what keeps confirmed places within capacity across replicas.
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class VolunteersService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.shift_locks = KeyedLocks()
        self.repo = Repository(ctx.db)
        settings: VolunteersSettings = ctx.settings  # type: ignore[assignment]
        self.milestones = normalise_milestones(getattr(settings, "milestone_hours", [10, 50, 100, 250, 500]))
        required = getattr(settings, "approval_required_check", "basic")
        self.approval_check = None if required == "none" else required
        self.warning_days = int(getattr(settings, "accreditation_warning_days", 30))
        self.tz = ZoneInfo(getattr(settings, "local_timezone", "Europe/London"))

    async def _run(
        self,
        model: type[M],
        work: Callable[[Transaction], Awaitable[M]],
        idempotency: IdempotentRequest | None = None,
    ) -> M:
        result = await self.ctx.uow.run(work, idempotency=idempotency, serialize=lambda m: m.model_dump(mode="json"))
        return model.model_validate(result.result) if isinstance(result, Replayed) else result

    # -- registration and profile ----------------------------------------------------------------

    async def register(
        self, principal: Principal, body: cmd.RegisterVolunteer, idempotency: IdempotentRequest | None = None
    ) -> Volunteer:
        if principal.role == "resident":
            channel, sub = "self", principal.sub
        elif principal.role in ("staff", "operator", "partner"):
            principal.require_hub(body.hub_id)
            channel, sub = ("partner" if principal.role == "partner" else "staff"), None
        else:  # pragma: no cover - every role is covered above
            raise Forbidden("this role cannot register volunteers")
        return await self._register(body, channel=channel, sub=sub, idempotency=idempotency)

    async def _register(
        self,
        body: cmd.RegisterVolunteer,
        *,
        channel: str,
        sub: str | None,
        partner_ref: str | None = None,
        idempotency: IdempotentRequest | None = None,
        tx: Transaction | None = None,
    ) -> Volunteer:
        at = now()
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
            registered_via=channel,  # type: ignore[arg-type]
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

        async def work(tx: Transaction) -> Volunteer:
            missing = await self.repo.missing_skills([s.skill_id for s in volunteer.skills], tx.session)
            if missing:
                raise RuleViolation(
                    f"unknown skills: {', '.join(missing)}; pick from GET /v1/skills",
                    errors=[
                        {"field": "body.skills", "message": f"unknown skill {m}", "type": "value_error"}
                        for m in missing
                    ],
                )
            await self._refuse_duplicates(volunteer, tx)
            await self.repo.insert(VOLUNTEERS, volunteer, tx.session)
            tx.publish(
                VolunteerRegistered(
                    volunteer_id=volunteer.id,
                    hub_id=volunteer.hub_id,
                    skill_ids=[s.skill_id for s in volunteer.skills],
                    interests=volunteer.interests,
                    channel=channel,  # type: ignore[arg-type]
                    registered_at=at,
                ),
                subject=volunteer.id,
                hub_id=volunteer.hub_id,
            )
            if volunteer.email or volunteer.phone:  # partner registrations: the partner keeps them
                self._publish_contact(tx, volunteer)
            return volunteer

        if tx is not None:
            return await work(tx)
        try:
            return await self._run(Volunteer, work, idempotency)
        except DuplicateKeyError as exc:  # a concurrent registration won the race
            raise _duplicate(exc) from None

    async def _refuse_duplicates(self, volunteer: Volunteer, tx: Transaction, *, ignore_id: str | None = None) -> None:
        coll = tx.collection(VOLUNTEERS)
        not_me = {"_id": {"$ne": ignore_id}} if ignore_id else {}
        if volunteer.email:
            clash = await coll.find_one(
                {"email": volunteer.email, **not_me}, {"_id": 1}, collation=CASE_INSENSITIVE, session=tx.session
            )
            if clash:
                raise Conflict(
                    "a volunteer with this email is already registered; sign in to update it instead",
                    field="email",
                )
        if volunteer.sub and ignore_id is None:
            mine = await coll.find_one({"sub": volunteer.sub}, {"_id": 1}, session=tx.session)
            if mine:
                raise Conflict("your account is already registered as a volunteer", volunteer_id=mine["_id"])

    def _publish_contact(self, tx: Transaction, volunteer: Volunteer) -> None:
        tx.publish(
            VolunteerContactUpserted(
                person_id=volunteer.id,
                display_name=volunteer.name,
                email=volunteer.email,
                phone=volunteer.phone,
                language=volunteer.language,
                hub_ids=[volunteer.hub_id],
                consented_channels=volunteer.consented_channels(),
            ),
            subject=volunteer.id,
            hub_id=volunteer.hub_id,
        )

    async def request_sign_in_link(self, email: str) -> None:
        """Have a sign-in link emailed to the volunteer with this address, if one can sign in.

        The caller learns nothing either way (who volunteers here is not public), and an address
        gets at most one email per ``SIGN_IN_LINK_INTERVAL``, so the form cannot flood an inbox.
        """
        asked_at = now()

        async def work(tx: Transaction) -> None:
            volunteers = tx.collection(VOLUNTEERS)
            doc = await volunteers.find_one(
                {"email": email},
                {"sub": 1, "hub_id": 1, "status": 1, "erased_at": 1, "sign_in_link_at": 1},
                collation=CASE_INSENSITIVE,
                session=tx.session,
            )
            if doc is None or not doc.get("sub") or doc.get("erased_at") or doc.get("status") == "archived":
                return  # no account to sign in to: staff or a partner registered them, or they left
            last = doc.get("sign_in_link_at")
            if last is not None and asked_at - last < SIGN_IN_LINK_INTERVAL:
                return
            # Compare-and-set on the previous time, so two requests at once send one email.
            claimed = await volunteers.update_one(
                {"_id": doc["_id"], "sign_in_link_at": last},
                {"$set": {"sign_in_link_at": asked_at}},
                session=tx.session,
            )
            if claimed.modified_count == 1:
                tx.publish(
                    VolunteerSignInLinkRequested(person_id=doc["_id"], account_sub=doc["sub"], hub_id=doc["hub_id"]),
                    subject=doc["_id"],
                    hub_id=doc["hub_id"],
                )

        await self.ctx.uow.run(work)

    async def me(self, principal: Principal) -> Volunteer:
        volunteer = await self.repo.volunteer_by_sub(principal.sub)
        if volunteer is None:
            raise NotFound("your account is not registered as a volunteer yet: POST /v1/volunteers")
        return volunteer

    async def get_volunteer(self, principal: Principal, volunteer_id: str) -> Volunteer:
        volunteer = await self.repo.volunteer(volunteer_id)
        require_self_or_staff(principal, volunteer)
        return volunteer

    async def update_profile(
        self, principal: Principal, volunteer_id: str, body: cmd.UpdateProfile, expected: int | None
    ) -> Volunteer:
        async def work(tx: Transaction) -> Volunteer:
            v = await self.repo.volunteer(volunteer_id, tx.session)
            require_self_or_staff(principal, v)
            check_version(expected, v.version)
            if v.erased_at is not None:
                raise Conflict("this volunteer's record was erased")
            at = now()
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
                if field == "email":
                    value = str(body.email) if body.email else None
                elif field == "emergency_contact":
                    value = EmergencyContact(**value) if value else None
                elif field == "availability":
                    value = body.availability or []
                elif field == "interests":
                    value = sorted({i.lower() for i in value or []})
                setattr(v, field, value)
            if v.email is None and v.phone is None:
                raise RuleViolation("keep an email or a phone number so the hub can reach you")
            if body.channels is not None:
                for name in ("email", "sms", "inapp"):
                    v.record_consent(f"channel:{name}", getattr(body.channels, name), at, body.wording_version or "")
            if "email" in changes:
                await self._refuse_duplicates(v, tx, ignore_id=v.id)
            v.updated_at = at
            v.version += 1
            await self.repo.save(VOLUNTEERS, v, tx.session)
            if (v.name, v.email, v.phone, v.language, tuple(v.consented_channels())) != before:
                self._publish_contact(tx, v)
            return v

        try:
            return await self._run(Volunteer, work)
        except DuplicateKeyError as exc:
            raise _duplicate(exc) from None

    # -- lifecycle, checks, skills ----------------------------------------------------------------

    async def transition(
        self, principal: Principal, volunteer_id: str, body: cmd.Transition, expected: int | None
    ) -> Volunteer:
        async def work(tx: Transaction) -> Volunteer:
            v = await self.repo.volunteer(volunteer_id, tx.session)
            if not v.may_change_own_status(principal.sub if principal.role == "resident" else None, body.to):
                require_staff(principal, v.hub_id)
            check_version(expected, v.version)
            at = now()
            previous = v.transition(body.to, today=at.date(), required_check=self.approval_check)
            v.updated_at, v.version = at, v.version + 1
            await self.repo.save(VOLUNTEERS, v, tx.session)
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

        return await self._run(Volunteer, work)

    async def record_check(self, principal: Principal, volunteer_id: str, body: cmd.RecordCheck) -> Volunteer:
        async def work(tx: Transaction) -> Volunteer:
            v = await self.repo.volunteer(volunteer_id, tx.session)
            require_staff(principal, v.hub_id)
            at = now()
            v.checks.append(
                BackgroundCheck(id=new_id("chk"), recorded_at=at, recorded_by=principal.sub, **body.model_dump())
            )
            v.updated_at, v.version = at, v.version + 1
            await self.repo.save(VOLUNTEERS, v, tx.session)
            return v

        return await self._run(Volunteer, work)

    async def add_skill(self, principal: Principal, volunteer_id: str, body: cmd.SkillClaim) -> Volunteer:
        async def work(tx: Transaction) -> Volunteer:
            v = await self.repo.volunteer(volunteer_id, tx.session)
            require_self_or_staff(principal, v)
            if await self.repo.missing_skills([body.skill_id], tx.session):
                raise RuleViolation(f"unknown skill {body.skill_id!r}; pick from GET /v1/skills")
            v.set_skill(body.skill_id, body.level)
            v.updated_at, v.version = now(), v.version + 1
            await self.repo.save(VOLUNTEERS, v, tx.session)
            tx.publish(
                VolunteerSkillAdded(volunteer_id=v.id, hub_id=v.hub_id, skill_id=body.skill_id, level=body.level),
                subject=v.id,
                hub_id=v.hub_id,
            )
            return v

        return await self._run(Volunteer, work)

    async def add_accreditation(self, principal: Principal, volunteer_id: str, body: cmd.AddAccreditation) -> Volunteer:
        async def work(tx: Transaction) -> Volunteer:
            v = await self.repo.volunteer(volunteer_id, tx.session)
            require_staff(principal, v.hub_id)
            if body.skill_id and await self.repo.missing_skills([body.skill_id], tx.session):
                raise RuleViolation(f"unknown skill {body.skill_id!r}; pick from GET /v1/skills")
            acc = Accreditation(id=new_id("acc"), **body.model_dump())
            v.accreditations.append(acc)
            v.updated_at, v.version = now(), v.version + 1
            await self.repo.save(VOLUNTEERS, v, tx.session)
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

        return await self._run(Volunteer, work)

    async def create_skill(
        self, principal: Principal, body: cmd.CreateSkill, idempotency: IdempotentRequest | None = None
    ) -> Skill:
        principal.require_role(*STAFF_ROLES)
        skill = Skill(
            id=slugify(body.name),
            name=body.name,
            category=body.category.lower(),
            description=body.description,
            created_at=now(),
        )
        if not skill.id:
            raise RuleViolation("a skill name needs letters or digits")

        async def work(tx: Transaction) -> Skill:
            await self.repo.insert(SKILLS, skill, tx.session)
            return skill

        try:
            return await self._run(Skill, work, idempotency)
        except DuplicateKeyError:
            raise Conflict(f"the skill {body.name!r} is already in the taxonomy", skill_id=skill.id) from None

    # -- roles ------------------------------------------------------------------------------------

    async def create_role(
        self, principal: Principal, body: cmd.CreateRole, idempotency: IdempotentRequest | None = None
    ) -> Role:
        require_staff(principal, body.hub_id)
        at = now()
        fields = body.model_dump(exclude_none=True)
        role = Role(id=new_id("role"), created_at=at, updated_at=at, **fields)

        async def work(tx: Transaction) -> Role:
            await self._check_role_skills(role, tx)
            await self.repo.insert(ROLES, role, tx.session, search_terms=search_terms(role.title, role.purpose))
            return role

        return await self._run(Role, work, idempotency)

    async def _check_role_skills(self, role: Role, tx: Transaction) -> None:
        missing = await self.repo.missing_skills([s.skill_id for s in role.skills_needed or []], tx.session)
        if missing:
            raise RuleViolation(f"unknown skills: {', '.join(missing)}; pick from GET /v1/skills")

    async def update_role(self, principal: Principal, role_id: str, body: cmd.UpdateRole, expected: int | None) -> Role:
        async def work(tx: Transaction) -> Role:
            role = await self.repo.role(role_id, tx.session)
            require_staff(principal, role.hub_id)
            check_version(expected, role.version)
            updated = Role.model_validate({**role.model_dump(), **body.model_dump(exclude_unset=True)})
            if updated.status == "published" and updated.missing_description():
                raise RuleViolation(
                    "a published role keeps its full description: " + ", ".join(updated.missing_description())
                )
            await self._check_role_skills(updated, tx)
            updated.updated_at, updated.version = now(), role.version + 1
            await self.repo.save(ROLES, updated, tx.session, search_terms=search_terms(updated.title, updated.purpose))
            return updated

        return await self._run(Role, work)

    async def publish_role(self, principal: Principal, role_id: str, expected: int | None) -> Role:
        async def work(tx: Transaction) -> Role:
            role = await self.repo.role(role_id, tx.session)
            require_staff(principal, role.hub_id)
            check_version(expected, role.version)
            role.publish()
            role.updated_at, role.version = now(), role.version + 1
            await self.repo.save(ROLES, role, tx.session, search_terms=search_terms(role.title, role.purpose))
            tx.publish(role_published(role), subject=role.id, hub_id=role.hub_id)
            return role

        return await self._run(Role, work)

    # -- shifts -----------------------------------------------------------------------------------

    async def create_shift(
        self, principal: Principal, body: cmd.CreateShift, idempotency: IdempotentRequest | None = None
    ) -> Shift:
        at = now()
        check_shift_times(body.starts_at, body.ends_at, at)
        check_place(body.venue_id, body.address)

        async def work(tx: Transaction) -> Shift:
            role = await self.repo.role(body.role_id, tx.session)
            require_staff(principal, role.hub_id)
            if role.status != "published":
                raise Conflict("publish the role (with its full description) before adding shifts")
            await self._check_venue(body.venue_id, role.hub_id, tx)
            await self._check_equipment(body.equipment_ids, role.hub_id, tx)
            shift = Shift(
                id=new_id("shift"),
                hub_id=role.hub_id,
                role_id=role.id,
                starts_at=body.starts_at.astimezone(UTC),
                ends_at=body.ends_at.astimezone(UTC),
                venue_id=body.venue_id,
                address=body.address,
                capacity=body.capacity,
                equipment_ids=body.equipment_ids,
                notes=body.notes,
                created_at=at,
                updated_at=at,
            )
            await self.repo.insert(SHIFTS, shift, tx.session)
            tx.publish(ShiftPublished(**shift_snapshot(shift)), subject=shift.id, hub_id=shift.hub_id)
            return shift

        return await self._run(Shift, work, idempotency)

    async def _check_venue(self, venue_id: str | None, hub_id: str, tx: Transaction) -> None:
        if venue_id is None:
            return
        venue = await self.repo.venue(venue_id, tx.session)
        if venue is None or not venue.usable_for(hub_id, VENUE_KINDS):
            raise RuleViolation(
                f"{venue_id!r} is not an active room or space of hub {hub_id} on the asset map",
                errors=[{"field": "body.venue_id", "message": "unknown venue", "type": "value_error"}],
            )

    async def _check_equipment(self, equipment_ids: list[str], hub_id: str, tx: Transaction) -> None:
        known = {
            e.id
            for e in await self.repo.equipment(equipment_ids, tx.session)
            if e.usable_for(hub_id, (EQUIPMENT_KIND,))
        }
        unknown = [e for e in equipment_ids if e not in known]
        if unknown:
            raise RuleViolation(
                f"not active equipment of hub {hub_id} on the asset map: {', '.join(unknown)}",
                errors=[
                    {"field": "body.equipment_ids", "message": f"unknown equipment {e}", "type": "value_error"}
                    for e in unknown
                ],
            )

    async def update_shift(
        self, principal: Principal, shift_id: str, body: cmd.UpdateShift, expected: int | None
    ) -> Shift:
        async def work(tx: Transaction) -> Shift:
            shift = await self.repo.shift(shift_id, tx.session)
            require_staff(principal, shift.hub_id)
            check_version(expected, shift.version)
            if shift.status == "cancelled":
                raise Conflict("the shift was cancelled")
            changes = body.model_dump(exclude_unset=True)
            if changes.get("venue_id"):
                changes["address"] = None
            elif changes.get("address"):
                changes["venue_id"] = None
            updated = Shift.model_validate({**shift.model_dump(), **changes})
            check_shift_times(updated.starts_at, updated.ends_at)
            check_place(updated.venue_id, updated.address)
            if updated.venue_id != shift.venue_id:
                await self._check_venue(updated.venue_id, shift.hub_id, tx)
            if set(updated.equipment_ids) - set(shift.equipment_ids):
                await self._check_equipment(updated.equipment_ids, shift.hub_id, tx)
            if updated.capacity < shift.confirmed:
                raise Conflict(
                    f"{shift.confirmed} volunteers are confirmed; cancel sign-ups before cutting capacity to "
                    f"{updated.capacity}"
                )
            updated.updated_at, updated.version = now(), shift.version + 1
            promote = updated.promotions_after()
            await self._save_shift_guarded(shift, updated, tx)
            if updated.status == "published":
                tx.publish(ShiftUpdated(**shift_snapshot(updated)), subject=updated.id, hub_id=updated.hub_id)
            if promote:
                await self._promote(updated, promote, tx)
            if (updated.starts_at, updated.ends_at) != (shift.starts_at, shift.ends_at):
                await tx.collection(SIGNUPS).update_many(
                    {"shift_id": shift.id},
                    {"$set": {"starts_at": updated.starts_at, "ends_at": updated.ends_at}},
                    session=tx.session,
                )
            return await self.repo.shift(shift_id, tx.session)

        return await self._run(Shift, work)

    async def _save_shift_guarded(self, seen: Shift, updated: Shift, tx: Transaction) -> None:
        """Save the shift only if its counters are what we decided on (a concurrent writer aborts us)."""
        doc = to_doc(updated)
        result = await tx.collection(SHIFTS).replace_one(
            {"_id": seen.id, "confirmed": seen.confirmed, "waitlisted": seen.waitlisted}, doc, session=tx.session
        )
        if result.matched_count != 1:
            raise Conflict("the shift changed at the same moment; try again")

    async def publish_shift(self, principal: Principal, shift_id: str, expected: int | None) -> Shift:
        """Staff publish a suggested shift (e.g. one suggested by an issue report) for sign-up."""

        async def work(tx: Transaction) -> Shift:
            shift = await self.repo.shift(shift_id, tx.session)
            require_staff(principal, shift.hub_id)
            check_version(expected, shift.version)
            if shift.status != "suggested":
                raise Conflict(f"only a suggested shift can be published (this one is {shift.status})")
            check_shift_times(shift.starts_at, shift.ends_at, now())
            role = await self.repo.role(shift.role_id, tx.session)
            if role.status != "published":
                raise Conflict("publish the role before its shifts")
            updated = shift.model_copy(
                update={"status": "published", "updated_at": now(), "version": shift.version + 1}
            )
            await self._save_shift_guarded(shift, updated, tx)
            tx.publish(ShiftPublished(**shift_snapshot(updated)), subject=updated.id, hub_id=updated.hub_id)
            return updated

        return await self._run(Shift, work)

    async def suggest_shift_for_issue(self, issue: IssueReported, tx: Transaction) -> Shift | None:
        """A reported issue in a category a hub maps to a role suggests a shift for staff to publish."""
        doc = await tx.collection(ROLES).find_one(
            {"hub_id": issue.hub_id, "issue_categories": issue.service_code, "status": "published"},
            sort=[("title", 1)],
            session=tx.session,
        )
        if doc is None:
            return None
        role = from_doc(Role, doc)
        starts_at, ends_at = suggested_slot(issue.requested_at, self.tz)
        place = issue.address or f"Near {issue.location.lat:.5f}, {issue.location.lon:.5f}"
        at = now()
        shift = Shift(
            # Deterministic, so a redelivered report suggests nothing new.
            id="shift_sug_" + hashlib.sha256(f"{issue.issue_id}|{role.id}".encode()).hexdigest()[:16],
            hub_id=issue.hub_id,
            role_id=role.id,
            status="suggested",
            starts_at=starts_at,
            ends_at=ends_at,
            address=place,
            capacity=4,
            notes=f"Suggested by reported issue {issue.issue_id} ({issue.service_name}): {issue.description[:300]}",
            source_issue_id=issue.issue_id,
            created_at=at,
            updated_at=at,
        )
        result = await tx.collection(SHIFTS).update_one(
            {"_id": shift.id}, {"$setOnInsert": to_doc(shift)}, upsert=True, session=tx.session
        )
        return shift if result.upserted_id is not None else None

    async def cancel_shift(self, principal: Principal, shift_id: str, body: cmd.CancelShift) -> Shift:
        async def work(tx: Transaction) -> Shift:
            shift = await self.repo.shift(shift_id, tx.session)
            require_staff(principal, shift.hub_id)
            if shift.status == "cancelled":
                raise Conflict("the shift is already cancelled")
            active = {"shift_id": shift.id, "status": {"$in": ["confirmed", "waitlisted"]}}
            volunteer_ids = [d["volunteer_id"] async for d in tx.collection(SIGNUPS).find(active, session=tx.session)]
            at = now()
            await tx.collection(SIGNUPS).update_many(
                active, {"$set": {"status": "cancelled", "updated_at": at}}, session=tx.session
            )
            updated = shift.model_copy(
                update={
                    "status": "cancelled",
                    "confirmed": 0,
                    "waitlisted": 0,
                    "updated_at": at,
                    "version": shift.version + 1,
                }
            )
            await self._save_shift_guarded(shift, updated, tx)
            tx.publish(
                ShiftCancelled(shift_id=shift.id, hub_id=shift.hub_id, volunteer_ids=volunteer_ids, reason=body.reason),
                subject=shift.id,
                hub_id=shift.hub_id,
            )
            return updated

        return await self._run(Shift, work)

    # -- sign-ups ---------------------------------------------------------------------------------

    async def _acting_volunteer(
        self, principal: Principal, volunteer_id: str | None, hub_id: str, tx: Transaction
    ) -> Volunteer:
        if volunteer_id is not None and principal.role in STAFF_ROLES:
            principal.require_hub(hub_id)
            return await self.repo.volunteer(volunteer_id, tx.session)
        if principal.role != "resident":
            raise Forbidden("staff name the volunteer (volunteer_id); volunteers sign themselves up")
        volunteer = await self.repo.volunteer_by_sub(principal.sub, tx.session)
        if volunteer is None:
            raise NotFound("your account is not registered as a volunteer yet: POST /v1/volunteers")
        if volunteer_id is not None and volunteer_id != volunteer.id:
            raise Forbidden("you can only act for yourself")
        return volunteer

    async def sign_up(
        self, principal: Principal, shift_id: str, body: cmd.SignUp, idempotency: IdempotentRequest | None = None
    ) -> Signup:
        async def work(tx: Transaction) -> Signup:
            at = now()
            shift = await self.repo.claim_shift(shift_id, tx.session)
            volunteer = await self._acting_volunteer(principal, body.volunteer_id, shift.hub_id, tx)
            shift.check_open_for_signup(at)
            role = await self.repo.role(shift.role_id, tx.session)
            require_eligible(volunteer, role, shift)
            signup_id = f"{shift.id}:{volunteer.id}"
            existing = await self.repo.find_signup(signup_id, tx.session)
            if existing is not None and existing.status != "cancelled":
                raise Conflict(f"already signed up to this shift ({existing.status})", signup_id=signup_id)
            clash = await tx.collection(SIGNUPS).find_one(
                {
                    "volunteer_id": volunteer.id,
                    "starts_at": {"$lt": shift.ends_at},
                    "ends_at": {"$gt": shift.starts_at},
                    "status": {"$in": ["confirmed", "waitlisted"]},
                    "shift_id": {"$ne": shift.id},
                },
                {"shift_id": 1},
                session=tx.session,
            )
            if clash is not None:
                raise Conflict("this overlaps another shift the volunteer is signed up to", shift_id=clash["shift_id"])
            place = shift.place_for_next_signup()
            signup = Signup(
                id=signup_id,
                shift_id=shift.id,
                volunteer_id=volunteer.id,
                hub_id=shift.hub_id,
                role_id=shift.role_id,
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
                status=place,
                queued_at=at,
                signed_up_by=principal.sub,
                updated_at=at,
            )
            await self.repo.save(SIGNUPS, signup, tx.session)
            # Conditional on the counters the decision was made from, so never more than capacity
            # are confirmed (the claim above already makes concurrent sign-ups conflict and retry).
            counter = "confirmed" if place == "confirmed" else "waitlisted"
            guard: dict[str, Any] = {"_id": shift.id, "status": "published", "confirmed": shift.confirmed}
            if place == "confirmed":
                guard["confirmed"] = {"$lt": shift.capacity, "$eq": shift.confirmed}
            result = await tx.collection(SHIFTS).update_one(guard, {"$inc": {counter: 1}}, session=tx.session)
            if result.modified_count != 1:
                raise Conflict("the shift changed at the same moment; try again")
            common = _signup_fields(signup)
            if place == "confirmed":
                tx.publish(SignupConfirmed(**common), subject=signup.id, hub_id=shift.hub_id)
            else:
                tx.publish(
                    SignupWaitlisted(**common, position=shift.waitlisted + 1), subject=signup.id, hub_id=shift.hub_id
                )
            return signup

        async with self.shift_locks.hold(shift_id):
            return await self._run(Signup, work, idempotency)

    async def cancel_signup(self, principal: Principal, shift_id: str, volunteer_id: str) -> Signup:
        async def work(tx: Transaction) -> Signup:
            shift = await self.repo.claim_shift(shift_id, tx.session)
            volunteer = await self._acting_volunteer(principal, volunteer_id, shift.hub_id, tx)
            return await self._cancel(shift, volunteer.id, tx)

        async with self.shift_locks.hold(shift_id):
            return await self._run(Signup, work)

    async def _cancel(self, shift: Shift, volunteer_id: str, tx: Transaction) -> Signup:
        signup = await self.repo.signup(f"{shift.id}:{volunteer_id}", tx.session)
        if signup.status == "cancelled":
            raise Conflict("this sign-up is already cancelled")
        if signup.checked_in_at is not None:
            raise Conflict("the volunteer already checked in; check them out instead")
        was = signup.status
        signup.status, signup.updated_at = "cancelled", now()
        await self.repo.save(SIGNUPS, signup, tx.session)
        result = await tx.collection(SHIFTS).update_one(
            {"_id": shift.id, was: {"$gte": 1}}, {"$inc": {was: -1}}, session=tx.session
        )
        if result.modified_count != 1:
            raise Conflict("the shift changed at the same moment; try again")
        tx.publish(SignupCancelled(**_signup_fields(signup), was=was), subject=signup.id, hub_id=shift.hub_id)
        if was == "confirmed" and shift.status == "published":
            current = await self.repo.shift(shift.id, tx.session)
            promote = current.promotions_after()
            if promote:
                await self._promote(current, promote, tx)
        return signup

    async def _promote(self, shift: Shift, count: int, tx: Transaction) -> None:
        """Move the first ``count`` waitlisted volunteers (in queue order) to confirmed."""
        for _ in range(count):
            doc = await tx.collection(SIGNUPS).find_one_and_update(
                {"shift_id": shift.id, "status": "waitlisted"},
                {"$set": {"status": "confirmed", "updated_at": now()}},
                sort=[("queued_at", 1), ("_id", 1)],
                session=tx.session,
            )
            if doc is None:
                return
            result = await tx.collection(SHIFTS).update_one(
                {"_id": shift.id, "confirmed": {"$lt": shift.capacity}, "waitlisted": {"$gte": 1}},
                {"$inc": {"confirmed": 1, "waitlisted": -1}},
                session=tx.session,
            )
            if result.modified_count != 1:
                raise Conflict("the shift changed at the same moment; try again")
            signup = Signup.model_validate({"id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}})
            signup.status = "confirmed"
            tx.publish(SignupPromoted(**_signup_fields(signup)), subject=signup.id, hub_id=shift.hub_id)

    async def check_in(self, principal: Principal, shift_id: str, volunteer_id: str, body: cmd.Attendance) -> Signup:
        async def work(tx: Transaction) -> Signup:
            shift = await self.repo.shift(shift_id, tx.session)
            volunteer = await self._acting_volunteer(principal, volunteer_id, shift.hub_id, tx)
            signup = await self.repo.signup(f"{shift.id}:{volunteer.id}", tx.session)
            at = _attendance_time(principal, body)
            signup.check_in(at, shift)
            signup.updated_at = now()
            await self.repo.save(SIGNUPS, signup, tx.session)
            tx.publish(CheckedIn(**_signup_fields(signup), at=at), subject=signup.id, hub_id=shift.hub_id)
            return signup

        return await self._run(Signup, work)

    async def check_out(self, principal: Principal, shift_id: str, volunteer_id: str, body: cmd.Attendance) -> Signup:
        async def work(tx: Transaction) -> Signup:
            shift = await self.repo.shift(shift_id, tx.session)
            volunteer = await self._acting_volunteer(principal, volunteer_id, shift.hub_id, tx)
            signup = await self.repo.signup(f"{shift.id}:{volunteer.id}", tx.session)
            at = _attendance_time(principal, body)
            minutes = signup.check_out(at)
            entry = None
            if minutes >= 1:
                entry = HoursEntry(
                    id=new_id("hrs"),
                    volunteer_id=volunteer.id,
                    hub_id=shift.hub_id,
                    role_id=shift.role_id,
                    shift_id=shift.id,
                    minutes=min(minutes, 24 * 60),
                    worked_on=signup.checked_in_at.astimezone(UTC).date(),  # type: ignore[union-attr]
                    source="attendance",
                    logged_by=principal.sub,
                    created_at=now(),
                )
                signup.hours_id = entry.id
                await self.repo.insert(HOURS, entry, tx.session)
            signup.updated_at = now()
            await self.repo.save(SIGNUPS, signup, tx.session)
            tx.publish(
                CheckedOut(**_signup_fields(signup), at=at, hours_id=signup.hours_id or "none", minutes=minutes),
                subject=signup.id,
                hub_id=shift.hub_id,
            )
            if entry is not None:
                tx.publish(_hours_logged(entry), subject=volunteer.id, hub_id=shift.hub_id)
            return signup

        return await self._run(Signup, work)

    # -- hours and recognition ----------------------------------------------------------------------

    async def log_hours(
        self,
        principal: Principal,
        volunteer_id: str,
        body: cmd.LogHours,
        idempotency: IdempotentRequest | None = None,
    ) -> HoursEntry:
        async def work(tx: Transaction) -> HoursEntry:
            v = await self.repo.volunteer(volunteer_id, tx.session)
            require_self_or_staff(principal, v)
            return await self._log_hours(
                v, body, source="staff" if principal.role in STAFF_ROLES else "volunteer", by=principal.sub, tx=tx
            )

        return await self._run(HoursEntry, work, idempotency)

    async def _log_hours(
        self,
        v: Volunteer,
        body: cmd.LogHours,
        *,
        source: str,
        by: str,
        tx: Transaction,
        partner_ref: str | None = None,
    ) -> HoursEntry:
        if v.erased_at is not None or v.status == "archived":
            raise Conflict(f"hours cannot be logged for a volunteer who is {v.status}")
        minutes = round(body.hours * 60)
        check_logged_hours(minutes, body.worked_on, now().date())
        role_id = body.role_id
        if body.shift_id:
            shift = await self.repo.shift(body.shift_id, tx.session)
            role_id = role_id or shift.role_id
        if role_id:
            await self.repo.role(role_id, tx.session)
        entry = HoursEntry(
            id=new_id("hrs"),
            volunteer_id=v.id,
            hub_id=v.hub_id,
            role_id=role_id,
            shift_id=body.shift_id,
            minutes=minutes,
            worked_on=body.worked_on,
            note=body.note,
            source=source,  # type: ignore[arg-type]
            logged_by=by,
            partner_ref=partner_ref,
            created_at=now(),
        )
        await self.repo.insert(HOURS, entry, tx.session)
        tx.publish(_hours_logged(entry), subject=v.id, hub_id=v.hub_id)
        return entry

    async def approve_hours(self, principal: Principal, hours_id: str) -> HoursEntry:
        async def work(tx: Transaction) -> HoursEntry:
            entry = await self.repo.hours(hours_id, tx.session)
            require_staff(principal, entry.hub_id)
            volunteer = await self.repo.volunteer(entry.volunteer_id, tx.session)
            at = now()
            entry.approve(principal.sub, at)
            await self.repo.save(HOURS, entry, tx.session)
            await self._credit(entry, volunteer, at, tx)
            return entry

        return await self._run(HoursEntry, work)

    async def _credit(self, entry: HoursEntry, v: Volunteer, at: datetime, tx: Transaction) -> None:
        """Add approved minutes to the volunteer's total and award each newly reached milestone once."""
        v.approved_minutes += entry.minutes
        reached = milestones_reached(v.approved_minutes, self.milestones, v.milestones)
        v.milestones = sorted({*v.milestones, *reached})
        v.updated_at = at
        await self.repo.save(VOLUNTEERS, v, tx.session)
        tx.publish(
            HoursApproved(
                hours_id=entry.id,
                volunteer_id=v.id,
                hub_id=entry.hub_id,
                minutes=entry.minutes,
                total_approved_minutes=v.approved_minutes,
            ),
            subject=v.id,
            hub_id=entry.hub_id,
        )
        for hours in reached:
            # The award id is deterministic: a second award of one milestone would be a duplicate key.
            award = milestone_award(f"{v.id}:milestone:{hours}", v.id, v.hub_id, hours, at)
            await self.repo.insert(AWARDS, award, tx.session, **self._wall_fields(v, public=True))
            tx.publish(
                MilestoneReached(
                    award_id=award.id,
                    volunteer_id=v.id,
                    hub_id=v.hub_id,
                    milestone_hours=hours,
                    total_hours=round(v.approved_minutes / 60, 2),
                    reached_at=at,
                ),
                subject=v.id,
                hub_id=v.hub_id,
            )

    @staticmethod
    def _wall_fields(v: Volunteer, *, public: bool) -> dict[str, Any]:
        shown = public and v.recognition_opt_in and v.erased_at is None
        return {"public": shown, "display_name": v.name.split()[0] if shown else None}

    async def reject_hours(self, principal: Principal, hours_id: str, body: cmd.Decision) -> HoursEntry:
        async def work(tx: Transaction) -> HoursEntry:
            entry = await self.repo.hours(hours_id, tx.session)
            require_staff(principal, entry.hub_id)
            entry.reject(principal.sub, now(), body.reason)
            await self.repo.save(HOURS, entry, tx.session)
            tx.publish(
                HoursRejected(
                    hours_id=entry.id, volunteer_id=entry.volunteer_id, hub_id=entry.hub_id, reason=body.reason
                ),
                subject=entry.volunteer_id,
                hub_id=entry.hub_id,
            )
            return entry

        return await self._run(HoursEntry, work)

    async def give_award(
        self, principal: Principal, volunteer_id: str, body: cmd.GiveAward, idempotency: IdempotentRequest | None = None
    ) -> Award:
        async def work(tx: Transaction) -> Award:
            v = await self.repo.volunteer(volunteer_id, tx.session)
            require_staff(principal, v.hub_id)
            if v.erased_at is not None:
                raise Conflict("this volunteer's record was erased")
            at = now()
            award = Award(
                id=new_id("awd"),
                volunteer_id=v.id,
                hub_id=v.hub_id,
                kind="staff",
                title=body.title,
                citation=body.citation,
                period=body.period,
                given_by=principal.sub,
                given_at=at,
            )
            await self.repo.insert(AWARDS, award, tx.session, **self._wall_fields(v, public=body.public))
            tx.publish(
                AwardGiven(
                    award_id=award.id,
                    volunteer_id=v.id,
                    hub_id=v.hub_id,
                    title=award.title,
                    citation=body.citation,
                    period=body.period,
                    given_at=at,
                ),
                subject=v.id,
                hub_id=v.hub_id,
            )
            return award

        return await self._run(Award, work, idempotency)

    async def totals(self, volunteer: Volunteer) -> dict[str, Any]:
        by_status: dict[str, int] = {}
        by_role: dict[str, int] = {}
        pipeline = [
            {"$match": {"volunteer_id": volunteer.id}},
            {"$group": {"_id": {"status": "$status", "role_id": "$role_id"}, "minutes": {"$sum": "$minutes"}}},
        ]
        async for row in await self.ctx.db[HOURS].aggregate(pipeline):
            status, role = row["_id"]["status"], row["_id"].get("role_id")
            by_status[status] = by_status.get(status, 0) + row["minutes"]
            if status == "approved":
                by_role[role or "unspecified"] = by_role.get(role or "unspecified", 0) + row["minutes"]
        return {
            "volunteer_id": volunteer.id,
            "approved_hours": round(volunteer.approved_minutes / 60, 2),
            "pending_hours": round(by_status.get("pending", 0) / 60, 2),
            "by_role": [{"role_id": r, "hours": round(m / 60, 2)} for r, m in sorted(by_role.items())],
            "milestones": volunteer.milestones,
            "next_milestone": next((m for m in self.milestones if m not in volunteer.milestones), None),
        }

    async def hub_totals(
        self, principal: Principal, hub_id: str, start: date | None, end: date | None, group_by: str
    ) -> list[dict[str, Any]]:
        require_staff(principal, hub_id)
        match: dict[str, Any] = {"hub_id": hub_id, "status": "approved"}
        if start or end:
            match["worked_on"] = {
                **({"$gte": start.isoformat()} if start else {}),
                **({"$lt": end.isoformat()} if end else {}),
            }
        key = {"role": "$role_id", "volunteer": "$volunteer_id", "month": {"$substrBytes": ["$worked_on", 0, 7]}}[
            group_by
        ]
        pipeline = [
            {"$match": match},
            {"$group": {"_id": key, "minutes": {"$sum": "$minutes"}, "entries": {"$sum": 1}}},
            {"$sort": {"_id": 1}},
        ]
        return [
            {"key": row["_id"], "hours": round(row["minutes"] / 60, 2), "entries": row["entries"]}
            async for row in await self.ctx.db[HOURS].aggregate(pipeline)
        ]

    # -- matching ---------------------------------------------------------------------------------

    async def _recent_shift_counts(self, volunteer_ids: list[str]) -> dict[str, int]:
        since = now() - timedelta(days=30)
        pipeline = [
            {"$match": {"volunteer_id": {"$in": volunteer_ids}, "starts_at": {"$gte": since, "$lte": now()}}},
            {"$match": {"status": "confirmed"}},
            {"$group": {"_id": "$volunteer_id", "n": {"$sum": 1}}},
        ]
        return {row["_id"]: row["n"] async for row in await self.ctx.db[SIGNUPS].aggregate(pipeline)}

    async def match_volunteers(self, principal: Principal, shift_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """Eligible volunteers of the shift's hub not yet signed up, best match first, with reasons."""
        shift = await self.repo.shift(shift_id)
        require_staff(principal, shift.hub_id)
        role = await self.repo.role(shift.role_id)
        taken = {
            d["volunteer_id"]
            async for d in self.ctx.db[SIGNUPS].find(
                {"shift_id": shift.id, "status": {"$in": ["confirmed", "waitlisted"]}}, {"volunteer_id": 1}
            )
        }
        docs = await (
            self.ctx.db[VOLUNTEERS]
            .find({"hub_id": shift.hub_id, "status": {"$in": ["approved", "active"]}})
            .sort([("status", 1), ("created_at", 1)])
            .limit(MATCH_CANDIDATES)
            .to_list()
        )
        candidates = [from_doc(Volunteer, d) for d in docs if d["_id"] not in taken]
        recent = await self._recent_shift_counts([v.id for v in candidates])
        ranked = []
        for v in candidates:
            match = score(v, role, shift, recent.get(v.id, 0), self.tz)
            if match is not None:
                ranked.append({"volunteer_id": v.id, "name": v.name, **_match_view(match)})
        ranked.sort(key=lambda m: (-m["score"], m["volunteer_id"]))
        return ranked[:limit]

    async def recommend_shifts(self, principal: Principal, volunteer_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """Open shifts in the coming 60 days this volunteer is eligible for, best match first, with reasons."""
        v = await self.repo.volunteer(volunteer_id)
        require_self_or_staff(principal, v)
        at = now()
        docs = await (
            self.ctx.db[SHIFTS]
            .find({"status": "published", "starts_at": {"$gt": at, "$lte": at + timedelta(days=60)}})
            .sort("starts_at", 1)
            .limit(MATCH_CANDIDATES)
            .to_list()
        )
        shifts = [from_doc(Shift, d) for d in docs]
        mine = {
            d["shift_id"]
            async for d in self.ctx.db[SIGNUPS].find(
                {"volunteer_id": v.id, "status": {"$in": ["confirmed", "waitlisted"]}, "starts_at": {"$gt": at}},
                {"shift_id": 1},
            )
        }
        roles = {
            d["_id"]: from_doc(Role, d)
            async for d in self.ctx.db[ROLES].find({"_id": {"$in": list({s.role_id for s in shifts})}})
        }
        recent = (await self._recent_shift_counts([v.id])).get(v.id, 0)
        ranked = []
        for shift in shifts:
            role = roles.get(shift.role_id)
            if role is None or shift.id in mine:
                continue
            match = score(v, role, shift, recent, self.tz)
            if match is not None:
                ranked.append(
                    {
                        "shift_id": shift.id,
                        "role_id": role.id,
                        "role_title": role.title,
                        "hub_id": shift.hub_id,
                        "starts_at": shift.starts_at,
                        "ends_at": shift.ends_at,
                        "open_places": shift.open_places,
                        **_match_view(match),
                    }
                )
        ranked.sort(key=lambda m: (-m["score"], m["starts_at"]))
        return ranked[:limit]

    # -- partner volunteer centres (hub.volunteers.inbound) ----------------------------------------

    async def ingest_partner_registration(
        self, source: str, data: RegistrationSubmitted, tx: Transaction
    ) -> Volunteer | None:
        """Register a partner's volunteer, validated like the API; None when this reference was seen."""
        partner_ref = f"{source}|{data.partner_ref}"
        if await tx.collection(VOLUNTEERS).find_one({"partner_ref": partner_ref}, {"_id": 1}, session=tx.session):
            return None
        payload = data.model_dump(mode="json", exclude={"partner_ref"})
        consent = payload.pop("consent")
        payload["consent"] = {
            "data_processing": consent["data_processing"],
            "channels": {"email": False, "sms": False, "inapp": False},
            "wording_version": consent["wording_version"],
        }
        body = cmd.PartnerRegistration.model_validate(payload)  # pydantic ValidationError: never valid
        return await self._register(body, channel="partner", sub=None, partner_ref=partner_ref, tx=tx)

    async def ingest_partner_hours(self, source: str, data: HoursSubmitted, tx: Transaction) -> HoursEntry | None:
        partner_ref = f"{source}|{data.partner_ref}"
        if await tx.collection(HOURS).find_one({"partner_ref": partner_ref}, {"_id": 1}, session=tx.session):
            return None
        if data.volunteer_id:
            v = await self.repo.volunteer(data.volunteer_id, tx.session)
        elif data.volunteer_partner_ref:
            doc = await tx.collection(VOLUNTEERS).find_one(
                {"partner_ref": f"{source}|{data.volunteer_partner_ref}"}, session=tx.session
            )
            if doc is None:
                raise NotFound(f"no volunteer registered by {source} as {data.volunteer_partner_ref!r}")
            v = await self.repo.volunteer(doc["_id"], tx.session)
        else:
            raise RuleViolation("name the volunteer: volunteer_id or volunteer_partner_ref")
        if v.hub_id != data.hub_id:
            raise RuleViolation(f"the volunteer does not belong to hub {data.hub_id}")
        body = cmd.LogHours(hours=data.hours, worked_on=data.worked_on, role_id=data.role_id, note=data.note)
        return await self._log_hours(v, body, source="partner", by=source, tx=tx, partner_ref=partner_ref)

    # -- worker: accreditations expiring ----------------------------------------------------------

    async def warn_expiring_accreditations(self, today: date | None = None, batch: int = 200) -> int:
        """Raise one ``accreditation.expiring`` event per accreditation expiring soon; returns how many."""

        def event(v: Volunteer, acc: Any) -> AccreditationExpiring:
            return AccreditationExpiring(
                volunteer_id=v.id,
                hub_id=v.hub_id,
                accreditation_id=acc.id,
                name=acc.name,
                expires_on=acc.expires_on,  # type: ignore[arg-type]
            )

        return await self._warn_once(
            "accreditations",
            "expires_on",
            "expiry_warned_on",
            lambda v, day: [a for a in v.accreditations if a.expiring_within(day, self.warning_days)],
            event,
            today,
            batch,
        )

    async def warn_checks_due(self, today: date | None = None, batch: int = 200) -> int:
        """Raise one ``check.renewal_due`` event per background check due for renewal soon."""

        def event(v: Volunteer, check: Any) -> CheckRenewalDue:
            return CheckRenewalDue(
                volunteer_id=v.id, hub_id=v.hub_id, check_id=check.id, level=check.level, renewal_due=check.renewal_due
            )

        return await self._warn_once(
            "checks",
            "renewal_due",
            "renewal_warned_on",
            lambda v, day: [c for c in v.checks if c.renewal_within(day, self.warning_days)],
            event,
            today,
            batch,
        )

    async def _warn_once(
        self,
        array: str,
        date_field: str,
        warned_field: str,
        due_items: Callable[[Volunteer, date], list[Any]],
        event: Callable[[Volunteer, Any], EventData],
        today: date | None,
        batch: int,
    ) -> int:
        """Publish one warning per item of ``array`` whose ``date_field`` falls soon, marking it warned
        in the same transaction, so a second run (or a second worker) raises nothing new."""
        today = today or now().date()
        horizon = today + timedelta(days=self.warning_days)
        soon = {date_field: {"$gte": today.isoformat(), "$lte": horizon.isoformat()}, warned_field: None}
        found = self.ctx.db[VOLUNTEERS].find({array: {"$elemMatch": soon}}, {"_id": 1}).limit(batch)
        ids = [d["_id"] async for d in found]
        raised = 0
        for volunteer_id in ids:

            async def work(tx: Transaction, volunteer_id: str = volunteer_id) -> int:
                v = await self.repo.volunteer(volunteer_id, tx.session)
                due = due_items(v, today)
                for item in due:
                    setattr(item, warned_field, today)
                    tx.publish(event(v, item), subject=v.id, hub_id=v.hub_id)
                if due:
                    await self.repo.save(VOLUNTEERS, v, tx.session)
                return len(due)

            raised += await self.ctx.uow.run(work)  # type: ignore[operator]
        return raised

    async def raise_expiry_warnings(self) -> int:
        """The worker's periodic task: accreditations expiring and checks due for renewal."""
        return await self.warn_expiring_accreditations() + await self.warn_checks_due()

    # -- data rights --------------------------------------------------------------------------------

    async def export(self, principal: Principal, volunteer_id: str) -> dict[str, Any]:
        v = await self.repo.volunteer(volunteer_id)
        require_self_or_staff(principal, v)

        async def all_of(collection: str) -> list[dict[str, Any]]:
            docs = await self.ctx.db[collection].find({"volunteer_id": v.id}).to_list()
            return [{("id" if k == "_id" else k): val for k, val in d.items()} for d in docs]

        shown = v if principal.sub == v.sub else v.model_copy(update={"calendar_token": None})
        return {
            "volunteer": shown.model_dump(mode="json"),
            "signups": await all_of(SIGNUPS),
            "hours": await all_of(HOURS),
            "awards": await all_of(AWARDS),
            "exported_at": now().isoformat(),
        }

    async def erase(self, principal: Principal, volunteer_id: str) -> Volunteer:
        async def work(tx: Transaction) -> Volunteer:
            v = await self.repo.volunteer(volunteer_id, tx.session)
            require_self_or_staff(principal, v)
            at = now()
            # Give up future places first, so waitlisted volunteers move up.
            future = tx.collection(SIGNUPS).find(
                {"volunteer_id": v.id, "status": {"$in": ["confirmed", "waitlisted"]}, "starts_at": {"$gt": at}},
                session=tx.session,
            )
            for doc in await future.to_list():
                shift = await self.repo.shift(doc["shift_id"], tx.session)
                if doc.get("checked_in_at") is None:
                    await self._cancel(shift, v.id, tx)
            v.erase(at)
            v.version += 1
            v.updated_at = at
            await self.repo.save(VOLUNTEERS, v, tx.session)
            await tx.collection(AWARDS).update_many(
                {"volunteer_id": v.id}, {"$set": {"public": False, "display_name": None}}, session=tx.session
            )
            await tx.collection(HOURS).update_many({"volunteer_id": v.id}, {"$set": {"note": None}}, session=tx.session)
            tx.publish(VolunteerErased(volunteer_id=v.id, hub_id=v.hub_id, erased_at=at), subject=v.id, hub_id=v.hub_id)
            tx.publish(VolunteerContactErased(person_id=v.id), subject=v.id, hub_id=v.hub_id)
            return v

        return await self._run(Volunteer, work)


def _match_view(match: Match) -> dict[str, Any]:
    return {
        "score": match.score,
        "explanation": match.explanation,
        "factors": [
            {"name": f.name, "points": f.points, "max_points": f.max_points, "detail": f.detail} for f in match.factors
        ],
    }


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


def role_published(role: Role) -> RolePublished:
    return RolePublished(
        role_id=role.id,
        hub_id=role.hub_id,
        title=role.title,
        skill_ids=[s.skill_id for s in role.skills_needed or []],
        check_level=role.check_level,
        open_to_under_18=role.open_to_under_18,
    )


def shift_snapshot(shift: Shift) -> dict[str, Any]:
    """The public fields of a shift, as its published and updated events carry them."""
    return {
        "shift_id": shift.id,
        "hub_id": shift.hub_id,
        "role_id": shift.role_id,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "venue_id": shift.venue_id,
        "address": shift.address,
        "capacity": shift.capacity,
        "equipment_ids": shift.equipment_ids,
    }


def _signup_fields(signup: Signup) -> dict[str, Any]:
    return {
        "signup_id": signup.id,
        "shift_id": signup.shift_id,
        "volunteer_id": signup.volunteer_id,
        "hub_id": signup.hub_id,
        "starts_at": signup.starts_at,
    }


def _hours_logged(entry: HoursEntry) -> HoursLogged:
    return HoursLogged(
        hours_id=entry.id,
        volunteer_id=entry.volunteer_id,
        hub_id=entry.hub_id,
        role_id=entry.role_id,
        shift_id=entry.shift_id,
        minutes=entry.minutes,
        worked_on=entry.worked_on,
        source=entry.source,
    )


def _attendance_time(principal: Principal, body: cmd.Attendance) -> datetime:
    at = now()
    if body.at is None:
        return at
    if principal.role not in STAFF_ROLES:
        raise Forbidden("only staff can record attendance at another time")
    if body.at.tzinfo is None:
        raise RuleViolation("give the time with a time zone")
    if body.at > at + CHECK_IN_SKEW:
        raise RuleViolation("attendance cannot be recorded in the future")
    return body.at.astimezone(UTC)
