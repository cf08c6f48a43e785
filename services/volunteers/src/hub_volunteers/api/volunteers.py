"""Routes for volunteers: registration, profile, lifecycle, checks, skills, hours, awards, data rights."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from hub_common.auth import Principal
from hub_common.concurrency import etag_for
from hub_common.http import IdempotencyKeyHeader, PageQuery, current_principal, idempotent_request, if_match_version
from hub_common.pagination import Page, find_page
from hub_volunteers import commands as cmd
from hub_volunteers.adapters.repository import AWARDS, HOURS, SIGNUPS, VOLUNTEERS, from_doc
from hub_volunteers.domain.hours import HoursEntry
from hub_volunteers.domain.shifts import Signup
from hub_volunteers.domain.skills import Award
from hub_volunteers.domain.volunteers import Status, Volunteer
from hub_volunteers.service import VolunteersService, require_self_or_staff, require_staff

Me = Annotated[Principal, Depends(current_principal)]
Expected = Annotated[int | None, Depends(if_match_version)]


class VolunteerSummary(BaseModel):
    """One row of the staff pipeline."""

    id: str
    hub_id: str
    status: Status
    name: str
    skills: list[str]
    best_check: str | None
    approved_hours: float
    created_at: datetime


class Totals(BaseModel):
    volunteer_id: str
    approved_hours: float
    pending_hours: float
    by_role: list[dict[str, Any]]
    milestones: list[int]
    next_milestone: int | None


class Recommendation(BaseModel):
    shift_id: str
    role_id: str
    role_title: str
    hub_id: str
    starts_at: datetime
    ends_at: datetime
    open_places: int
    score: float
    explanation: str
    factors: list[dict[str, Any]]


def _with_etag(response: Response, volunteer: Volunteer, principal: Principal) -> Volunteer:
    """The record with its ETag; the calendar feed secret is shown to the volunteer alone."""
    response.headers["ETag"] = etag_for(volunteer.version)
    if volunteer.sub is None or volunteer.sub != principal.sub:
        volunteer = volunteer.model_copy(update={"calendar_token": None})
    return volunteer


def build_router(service: VolunteersService) -> APIRouter:
    router = APIRouter(prefix="/v1/volunteers", tags=["volunteers"])
    db = service.ctx.db

    @router.post("", status_code=201, summary="Register as a volunteer (or staff/partner register someone)")
    async def register(
        body: cmd.RegisterVolunteer,
        request: Request,
        response: Response,
        principal: Me,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Volunteer:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump(mode="json"))
        volunteer = await service.register(principal, body, idem)
        response.headers["Location"] = f"/v1/volunteers/{volunteer.id}"
        return _with_etag(response, volunteer, principal)

    @router.post(
        "/sign-in-links",
        status_code=202,
        summary="Email a volunteer a link to sign in again (open to anyone; the answer is the same either way)",
    )
    async def request_sign_in_link(body: cmd.RequestSignInLink) -> dict[str, str]:
        await service.request_sign_in_link(str(body.email))
        return {"detail": "If a volunteer has this email address, we have sent them a link to sign in."}

    @router.get("/me", summary="Your own volunteer record")
    async def me(principal: Me, response: Response) -> Volunteer:
        return _with_etag(response, await service.me(principal), principal)

    @router.get("", summary="Staff pipeline: a hub's volunteers by status, oldest first")
    async def pipeline(
        principal: Me,
        page: Annotated[PageQuery, Depends()],
        hub_id: Annotated[str, Query(min_length=1, max_length=64)],
        status: Status = "applicant",
    ) -> Page[VolunteerSummary]:
        require_staff(principal, hub_id)
        docs, cursor = await find_page(
            db[VOLUNTEERS],
            {"hub_id": hub_id, "status": status},
            sort=[("created_at", 1)],
            limit=page.limit,
            cursor=page.cursor,
            hint="pipeline_v1",  # the dev database scans the collection for a cursor page without it
        )
        today = date.today()
        items = []
        for doc in docs:
            v = from_doc(Volunteer, doc)
            items.append(
                VolunteerSummary(
                    id=v.id,
                    hub_id=v.hub_id,
                    status=v.status,
                    name=v.name,
                    skills=[s.skill_id for s in v.skills],
                    best_check=v.best_check_on(today),
                    approved_hours=round(v.approved_minutes / 60, 2),
                    created_at=v.created_at,
                )
            )
        return Page[VolunteerSummary](items=items, next_cursor=cursor)

    @router.get("/{volunteer_id}", summary="A volunteer's record (themselves or staff of their hub)")
    async def get_volunteer(volunteer_id: str, principal: Me, response: Response) -> Volunteer:
        return _with_etag(response, await service.get_volunteer(principal, volunteer_id), principal)

    @router.patch("/{volunteer_id}", summary="Update contact details, availability, interests, channel consent")
    async def update(
        volunteer_id: str, body: cmd.UpdateProfile, principal: Me, expected: Expected, response: Response
    ) -> Volunteer:
        return _with_etag(response, await service.update_profile(principal, volunteer_id, body, expected), principal)

    @router.post(
        "/{volunteer_id}/status", summary="Staff: move along applicant → approved → active → inactive → archived"
    )
    async def transition(
        volunteer_id: str, body: cmd.Transition, principal: Me, expected: Expected, response: Response
    ) -> Volunteer:
        return _with_etag(response, await service.transition(principal, volunteer_id, body, expected), principal)

    @router.post("/{volunteer_id}/checks", status_code=201, summary="Staff: record a background check")
    async def record_check(volunteer_id: str, body: cmd.RecordCheck, principal: Me, response: Response) -> Volunteer:
        return _with_etag(response, await service.record_check(principal, volunteer_id, body), principal)

    @router.post("/{volunteer_id}/skills", status_code=201, summary="Add a skill (or change its level)")
    async def add_skill(volunteer_id: str, body: cmd.SkillClaim, principal: Me, response: Response) -> Volunteer:
        return _with_etag(response, await service.add_skill(principal, volunteer_id, body), principal)

    @router.post("/{volunteer_id}/accreditations", status_code=201, summary="Staff: record training/accreditation")
    async def add_accreditation(
        volunteer_id: str, body: cmd.AddAccreditation, principal: Me, response: Response
    ) -> Volunteer:
        return _with_etag(response, await service.add_accreditation(principal, volunteer_id, body), principal)

    @router.post("/{volunteer_id}/hours", status_code=201, summary="Log hours (by the volunteer or staff)")
    async def log_hours(
        volunteer_id: str,
        body: cmd.LogHours,
        request: Request,
        principal: Me,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> HoursEntry:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump(mode="json"))
        return await service.log_hours(principal, volunteer_id, body, idem)

    @router.get("/{volunteer_id}/hours", summary="A volunteer's logged hours, latest first")
    async def list_hours(volunteer_id: str, principal: Me, page: Annotated[PageQuery, Depends()]) -> Page[HoursEntry]:
        await service.get_volunteer(principal, volunteer_id)
        docs, cursor = await find_page(
            db[HOURS], {"volunteer_id": volunteer_id}, sort=[("worked_on", -1)], limit=page.limit, cursor=page.cursor
        )
        return Page[HoursEntry](items=[from_doc(HoursEntry, d) for d in docs], next_cursor=cursor)

    @router.get("/{volunteer_id}/totals", summary="Approved and pending hours, by role, milestones")
    async def totals(volunteer_id: str, principal: Me) -> Totals:
        volunteer = await service.get_volunteer(principal, volunteer_id)
        return Totals(**await service.totals(volunteer))

    @router.get("/{volunteer_id}/signups", summary="A volunteer's shift sign-ups, soonest first")
    async def signups(
        volunteer_id: str,
        principal: Me,
        page: Annotated[PageQuery, Depends()],
        since: datetime | None = None,
    ) -> Page[Signup]:
        await service.get_volunteer(principal, volunteer_id)
        query: dict[str, Any] = {"volunteer_id": volunteer_id}
        if since is not None:
            query["starts_at"] = {"$gte": since}
        docs, cursor = await find_page(
            db[SIGNUPS], query, sort=[("starts_at", 1)], limit=page.limit, cursor=page.cursor
        )
        return Page[Signup](items=[from_doc(Signup, d) for d in docs], next_cursor=cursor)

    @router.get(
        "/{volunteer_id}/recommended-shifts",
        tags=["matching"],
        summary="Open shifts this volunteer is eligible for, best match first, each score explained",
    )
    async def recommended(
        volunteer_id: str, principal: Me, limit: Annotated[int, Query(ge=1, le=100)] = 20
    ) -> list[Recommendation]:
        return [Recommendation(**r) for r in await service.recommend_shifts(principal, volunteer_id, limit)]

    @router.post(
        "/{volunteer_id}/awards", status_code=201, summary="Staff: give an award (e.g. Volunteer of the Month)"
    )
    async def give_award(
        volunteer_id: str,
        body: cmd.GiveAward,
        request: Request,
        principal: Me,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Award:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump(mode="json"))
        return await service.give_award(principal, volunteer_id, body, idem)

    @router.get("/{volunteer_id}/awards", summary="A volunteer's awards and milestones, latest first")
    async def awards(volunteer_id: str, principal: Me, page: Annotated[PageQuery, Depends()]) -> Page[Award]:
        volunteer = await service.repo.volunteer(volunteer_id)
        require_self_or_staff(principal, volunteer)
        docs, cursor = await find_page(
            db[AWARDS], {"volunteer_id": volunteer_id}, sort=[("given_at", -1)], limit=page.limit, cursor=page.cursor
        )
        return Page[Award](
            items=[from_doc(Award, d) for d in docs],
            next_cursor=cursor,
        )

    @router.get("/{volunteer_id}/export", summary="Everything the service holds about a volunteer (JSON)")
    async def export(volunteer_id: str, principal: Me) -> dict[str, Any]:
        return await service.export(principal, volunteer_id)

    @router.post("/{volunteer_id}/erase", summary="Erase: anonymise the record, keep aggregate hours")
    async def erase(volunteer_id: str, principal: Me) -> dict[str, Literal["erased"] | str]:
        volunteer = await service.erase(principal, volunteer_id)
        return {"id": volunteer.id, "status": "erased"}

    return router
