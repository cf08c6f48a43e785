"""HTTP API of the assets service: the asset map, room bookings, equipment loans, maintenance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from icalendar import Calendar, Event

from hub_assets.adapters.repository import AssetSearch
from hub_assets.api.hsds import hsds_router
from hub_assets.api.schemas import (
    AssetOut,
    BookingIn,
    CompleteIn,
    ConditionIn,
    DecisionIn,
    LoanIn,
    MaintenanceIn,
    NominationIn,
    PeriodicOut,
    ReasonIn,
    ReceivedIn,
    SeriesOut,
    UsageReport,
    WeeklyBookingIn,
)
from hub_assets.domain.acv import AcvStatus, Nomination
from hub_assets.domain.assets import Asset, AssetFields, normalise_tags, query_terms
from hub_assets.domain.bookings import Booking
from hub_assets.domain.loans import Loan
from hub_assets.domain.maintenance import MaintenanceRecord
from hub_assets.service import AssetsService
from hub_common.auth import Principal
from hub_common.concurrency import etag_for
from hub_common.contracts.assets import AssetKind, BookingStatus, LoanStatus
from hub_common.errors import NotFound, RuleViolation
from hub_common.http import (
    IdempotencyKeyHeader,
    PageQuery,
    current_principal,
    idempotent_request,
    if_match_version,
)
from hub_common.pagination import Page
from hub_common.service import ServiceContext

Caller = Annotated[Principal, Depends(current_principal)]
Version = Annotated[int | None, Depends(if_match_version)]
Paging = Annotated[PageQuery, Depends()]


def _tagged(response: Response, version: int) -> None:
    response.headers["ETag"] = etag_for(version)


def build_routers(ctx: ServiceContext, service: AssetsService | None = None) -> list[APIRouter]:
    svc = service or AssetsService(ctx.db, ctx.uow)
    return [
        _asset_routes(svc),
        _booking_routes(svc),
        _loan_routes(svc),
        _maintenance_routes(svc),
        hsds_router(svc),
        _acv_routes(svc),
        _periodic_routes(svc),
    ]


# --- asset map --------------------------------------------------------------------------------


def _asset_routes(svc: AssetsService) -> APIRouter:
    router = APIRouter(prefix="/v1/assets", tags=["asset map"])

    @router.post("", status_code=201, summary="Put an asset on the map (staff; partners: their directory entries)")
    async def register(
        body: AssetFields,
        request: Request,
        response: Response,
        principal: Caller,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Asset:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump(mode="json"))
        asset = await svc.register_asset(principal, body, idem)
        _tagged(response, asset.version)
        response.headers["Location"] = f"/v1/assets/{asset.id}"
        return asset

    @router.get("", summary="Search the map: text, kind, tag, hub, and distance from a point")
    async def search(
        page: Paging,
        q: Annotated[str | None, Query(max_length=200, description="words that must all match")] = None,
        kind: AssetKind | None = None,
        tag: Annotated[str | None, Query(max_length=40)] = None,
        hub_id: Annotated[str | None, Query(max_length=64)] = None,
        status: Literal["active", "inactive", "retired"] = "active",
        lat: Annotated[float | None, Query(ge=-90, le=90, description="search near this point (with lon)")] = None,
        lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
        radius_m: Annotated[float, Query(gt=0, le=50_000, description="with lat/lon")] = 2_000,
    ) -> Page[AssetOut]:
        terms = query_terms(q) if q else []
        if q and not terms:
            raise RuleViolation("q has no searchable words", errors=[{"field": "q", "message": "no letters or digits"}])
        normalised_tag = (normalise_tags([tag]) or [None])[0] if tag else None
        search = AssetSearch(terms=terms, kind=kind, tag=normalised_tag, hub_id=hub_id, status=status)
        if (lat is None) != (lon is None):
            raise RuleViolation("give both lat and lon to search near a point")
        if lat is not None and lon is not None:
            found, cursor = await svc.assets.search_near(
                search, lat=lat, lon=lon, radius_m=radius_m, limit=page.limit, cursor=page.cursor
            )
            items = [AssetOut(**a.model_dump(), distance_m=round(d, 1)) for a, d in found]
        else:
            assets, cursor = await svc.assets.search(search, limit=page.limit, cursor=page.cursor)
            items = [AssetOut(**a.model_dump()) for a in assets]
        return Page[AssetOut](items=items, next_cursor=cursor)

    @router.get("/{asset_id}", summary="One asset")
    async def get(asset_id: str, response: Response) -> Asset:
        asset = await svc.assets.get(asset_id)
        _tagged(response, asset.version)
        return asset

    @router.put("/{asset_id}", summary="Replace an asset's details (send If-Match)")
    async def update(
        asset_id: str, body: AssetFields, response: Response, principal: Caller, expected: Version
    ) -> Asset:
        asset = await svc.update_asset(principal, asset_id, body, expected)
        _tagged(response, asset.version)
        return asset

    @router.post("/{asset_id}/retire", summary="Take an asset off the map (send If-Match)")
    async def retire(asset_id: str, response: Response, principal: Caller, expected: Version) -> Asset:
        asset = await svc.retire_asset(principal, asset_id, expected)
        _tagged(response, asset.version)
        return asset

    @router.get("/{asset_id}/maintenance", tags=["maintenance"], summary="Maintenance records (hub staff)")
    async def maintenance(asset_id: str, page: Paging, principal: Caller) -> Page[MaintenanceRecord]:
        asset = await svc.assets.get(asset_id)
        svc.require_staff_of(principal, asset.hub_id)
        items, cursor = await svc.maintenance.for_asset(asset_id, limit=page.limit, cursor=page.cursor)
        return Page[MaintenanceRecord](items=items, next_cursor=cursor)

    @router.post("/{asset_id}/maintenance", status_code=201, tags=["maintenance"], summary="Open maintenance")
    async def open_maintenance(asset_id: str, body: MaintenanceIn, principal: Caller) -> MaintenanceRecord:
        return await svc.open_maintenance(principal, asset_id, body.summary)

    return router


# --- room bookings ----------------------------------------------------------------------------


def _booking_routes(svc: AssetsService) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["bookings"])

    @router.post("/rooms/{room_id}/bookings", status_code=201, summary="Book a room (any signed-in role it allows)")
    async def book(
        room_id: str,
        body: BookingIn,
        request: Request,
        response: Response,
        principal: Caller,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Booking:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump(mode="json"))
        booking = await svc.request_booking(
            principal,
            room_id,
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            purpose=body.purpose,
            attendees=body.attendees,
            organisation_id=body.organisation_id,
            contact=body.contact.to_contact() if body.contact else None,
            idempotency=idem,
        )
        _tagged(response, booking.version)
        response.headers["Location"] = f"/v1/bookings/{booking.id}"
        return booking

    @router.post(
        "/rooms/{room_id}/bookings/weekly",
        status_code=201,
        summary="Book a slot weekly; occurrences that cannot be booked come back as conflicts",
    )
    async def book_weekly(
        room_id: str,
        body: WeeklyBookingIn,
        request: Request,
        principal: Caller,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> SeriesOut:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump(mode="json"))
        result = await svc.request_weekly_series(
            principal,
            room_id,
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            weeks=body.weeks,
            purpose=body.purpose,
            attendees=body.attendees,
            organisation_id=body.organisation_id,
            idempotency=idem,
        )
        return SeriesOut(**result)

    @router.get(
        "/rooms/{room_id}/calendar.ics",
        summary="iCalendar feed of the room's confirmed bookings (busy times only, no booker details)",
        response_class=Response,
        responses={200: {"content": {"text/calendar": {}}}},
    )
    async def calendar(room_id: str) -> Response:
        room = await svc.assets.find(room_id)
        if room is None or room.kind != "room":
            raise NotFound(f"there is no room {room_id!r}")
        since = datetime.now(UTC) - timedelta(days=30)
        bookings = await svc.bookings.in_room(room_id, statuses=("confirmed",), since=since)
        cal = Calendar()
        cal.add("prodid", "-//Community Hub//assets//EN")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", room.name)
        for booking in bookings:
            event = Event()
            event.add("uid", f"{booking.id}@assets.hub")
            event.add("dtstamp", booking.updated_at)
            event.add("dtstart", booking.starts_at)
            event.add("dtend", booking.ends_at)
            event.add("summary", "Booked")
            event.add("status", "CONFIRMED")
            event.add("transp", "OPAQUE")
            if room.address:
                event.add("location", room.address)
            cal.add_component(event)
        return Response(cal.to_ical(), media_type="text/calendar; charset=utf-8")

    @router.get("/bookings", summary="Bookings: yours, or (hub staff) a hub's by status")
    async def list_bookings(
        page: Paging,
        principal: Caller,
        hub_id: Annotated[str | None, Query(max_length=64, description="staff: this hub's bookings")] = None,
        status: BookingStatus | None = None,
        room_id: Annotated[str | None, Query(max_length=64)] = None,
    ) -> Page[Booking]:
        if room_id is not None:
            room = await svc.assets.get(room_id)
            svc.require_staff_of(principal, room.hub_id)
            query: dict = {"room_id": room_id}
            if status:
                query["status"] = status
            items, cursor = await svc.bookings.page(query, hint="by_room", limit=page.limit, cursor=page.cursor)
        elif hub_id is not None:
            svc.require_staff_of(principal, hub_id)
            query = {"hub_id": hub_id, "status": status or "requested"}
            items, cursor = await svc.bookings.page(query, hint="by_hub", limit=page.limit, cursor=page.cursor)
        else:
            query = {"booker_id": principal.sub}
            if status:
                query["status"] = status
            items, cursor = await svc.bookings.page(query, hint="by_booker", limit=page.limit, cursor=page.cursor)
        return Page[Booking](items=items, next_cursor=cursor)

    @router.get("/usage", summary="Joint use of facilities: hours booked per room and per organisation (hub staff)")
    async def usage(
        principal: Caller,
        hub_id: Annotated[str, Query(max_length=64)],
        since: Annotated[datetime, Query(alias="from", description="start of the period (RFC 3339)")],
        until: Annotated[datetime, Query(alias="to", description="end of the period (exclusive)")],
    ) -> UsageReport:
        if since.tzinfo is None or until.tzinfo is None:
            raise RuleViolation("'from' and 'to' need a time zone (e.g. 2026-01-01T00:00:00Z)")
        return UsageReport.model_validate(await svc.usage_report(principal, hub_id, since, until))

    @router.post(
        "/me/forget",
        status_code=202,
        tags=["privacy"],
        summary="Forget me: drop my contact details everywhere and clear my bookings' free text",
    )
    async def forget_me(principal: Caller) -> dict[str, int]:
        return {"bookings_cleared": await svc.forget_me(principal)}

    @router.get("/bookings/{booking_id}", summary="One booking (its booker or hub staff)")
    async def get_booking(booking_id: str, response: Response, principal: Caller) -> Booking:
        booking = await svc.get_booking(principal, booking_id)
        _tagged(response, booking.version)
        return booking

    def transition_route(path: str, target: str, summary: str) -> None:
        @router.post(f"/bookings/{{booking_id}}/{path}", summary=summary, name=f"booking_{path}")
        async def change(
            booking_id: str, response: Response, principal: Caller, expected: Version, body: ReasonIn | None = None
        ) -> Booking:
            booking = await svc.change_booking(
                principal, booking_id, target, reason=body.reason if body else None, expected_version=expected
            )
            _tagged(response, booking.version)
            return booking

    transition_route("confirm", "confirmed", "Approve a requested booking (hub staff)")
    transition_route("decline", "declined", "Decline a requested booking (hub staff)")
    transition_route("cancel", "cancelled", "Cancel a booking (its booker or hub staff)")
    transition_route("complete", "completed", "Mark a confirmed booking as held (hub staff, after it ends)")
    return router


# --- equipment loans --------------------------------------------------------------------------


def _loan_routes(svc: AssetsService) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["loans"])

    @router.post("/equipment/{asset_id}/loans", status_code=201, summary="Reserve equipment (hub staff or partners)")
    async def reserve(
        asset_id: str,
        body: LoanIn,
        request: Request,
        response: Response,
        principal: Caller,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Loan:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump(mode="json"))
        loan = await svc.reserve_equipment(
            principal,
            asset_id,
            borrower_kind=body.borrower_kind,
            borrower_id=body.borrower_id,
            starts_at=body.starts_at,
            due_at=body.due_at,
            quantity=body.quantity,
            contact=body.contact.to_contact() if body.contact else None,
            idempotency=idem,
        )
        _tagged(response, loan.version)
        response.headers["Location"] = f"/v1/loans/{loan.id}"
        return loan

    @router.get("/loans", summary="A hub's loans by status (hub staff or partners)")
    async def list_loans(
        page: Paging,
        principal: Caller,
        hub_id: Annotated[str, Query(max_length=64)],
        status: LoanStatus = "checked_out",
    ) -> Page[Loan]:
        svc.require_staff_or_partner_of(principal, hub_id)
        items, cursor = await svc.loans.page(
            {"hub_id": hub_id, "status": status},
            hint="by_hub",
            sort=(("due_at", 1), ("_id", 1)),
            limit=page.limit,
            cursor=page.cursor,
        )
        return Page[Loan](items=items, next_cursor=cursor)

    @router.get("/loans/{loan_id}", summary="One loan")
    async def get_loan(loan_id: str, response: Response, principal: Caller) -> Loan:
        loan = await svc.loans.get(loan_id)
        svc.require_staff_or_partner_of(principal, loan.hub_id)
        _tagged(response, loan.version)
        return loan

    @router.post("/loans/{loan_id}/check-out", summary="Hand the equipment over")
    async def check_out(
        loan_id: str, body: ConditionIn, response: Response, principal: Caller, expected: Version
    ) -> Loan:
        loan = await svc.check_out(principal, loan_id, body.condition, expected)
        _tagged(response, loan.version)
        return loan

    @router.post("/loans/{loan_id}/check-in", summary="Take the equipment back, with its condition")
    async def check_in(
        loan_id: str, body: ConditionIn, response: Response, principal: Caller, expected: Version
    ) -> Loan:
        loan = await svc.check_in(principal, loan_id, body.condition, expected)
        _tagged(response, loan.version)
        return loan

    @router.post("/loans/{loan_id}/cancel", summary="Cancel a reservation")
    async def cancel(loan_id: str, response: Response, principal: Caller, expected: Version) -> Loan:
        loan = await svc.cancel_loan(principal, loan_id, expected)
        _tagged(response, loan.version)
        return loan

    return router


# --- maintenance ------------------------------------------------------------------------------


def _maintenance_routes(svc: AssetsService) -> APIRouter:
    router = APIRouter(prefix="/v1/maintenance", tags=["maintenance"])

    @router.post("/{record_id}/complete", summary="Complete a maintenance record (hub staff)")
    async def complete(
        record_id: str, body: CompleteIn, response: Response, principal: Caller, expected: Version
    ) -> MaintenanceRecord:
        record = await svc.complete_maintenance(principal, record_id, body.notes, expected)
        _tagged(response, record.version)
        return record

    return router


# --- assets of community value ----------------------------------------------------------------


def _acv_routes(svc: AssetsService) -> APIRouter:
    router = APIRouter(prefix="/v1/acv", tags=["assets of community value"])

    @router.post(
        "", status_code=201, summary="Nominate an asset of community value (a group's partner account, or staff)"
    )
    async def nominate(
        body: NominationIn,
        request: Request,
        response: Response,
        principal: Caller,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Nomination:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump(mode="json"))
        nomination = await svc.nominate_acv(
            principal,
            asset_id=body.asset_id,
            nominated_by=body.nominated_by,
            reason=body.reason,
            nominated_on=body.nominated_on,
            idempotency=idem,
        )
        _tagged(response, nomination.version)
        response.headers["Location"] = f"/v1/acv/{nomination.id}"
        return nomination

    @router.get("", summary="The public list of assets of community value (and nominations)")
    async def register(
        page: Paging, hub_id: Annotated[str | None, Query(max_length=64)] = None, status: AcvStatus = "listed"
    ) -> Page[Nomination]:
        items, cursor = await svc.acv.page(hub_id=hub_id, status=status, limit=page.limit, cursor=page.cursor)
        return Page[Nomination](items=items, next_cursor=cursor)

    @router.get("/{acv_id}", summary="One entry with its statutory dates")
    async def get(acv_id: str, response: Response) -> Nomination:
        nomination = await svc.acv.get(acv_id)
        _tagged(response, nomination.version)
        return nomination

    @router.post("/{acv_id}/decision", summary="List or refuse to list (hub staff)")
    async def decide(
        acv_id: str, body: DecisionIn, response: Response, principal: Caller, expected: Version
    ) -> Nomination:
        nomination = await svc.decide_acv(
            principal,
            acv_id,
            listed=body.listed,
            decided_on=body.decided_on,
            reason=body.reason,
            expected_version=expected,
        )
        _tagged(response, nomination.version)
        return nomination

    @router.post("/{acv_id}/disposal-notice", summary="The owner's notice of intent to sell: the interim moratorium")
    async def disposal_notice(
        acv_id: str, body: ReceivedIn, response: Response, principal: Caller, expected: Version
    ) -> Nomination:
        nomination = await svc.notice_of_disposal(principal, acv_id, body.received_on, expected)
        _tagged(response, nomination.version)
        return nomination

    @router.post("/{acv_id}/community-request", summary="A group's request to bid: the full moratorium")
    async def community_request(
        acv_id: str, body: ReceivedIn, response: Response, principal: Caller, expected: Version
    ) -> Nomination:
        nomination = await svc.community_request(principal, acv_id, body.received_on, expected)
        _tagged(response, nomination.version)
        return nomination

    return router


# --- periodic work ----------------------------------------------------------------------------


def _periodic_routes(svc: AssetsService) -> APIRouter:
    router = APIRouter(prefix="/v1/periodic", tags=["operations"])

    @router.post(
        "/run",
        summary="Run the periodic work now (operators): overdue loans, inspections due, past bookings, ACV dates",
        description="The worker will run this on a schedule once hub_common offers a periodic-task hook.",
    )
    async def run(principal: Caller) -> PeriodicOut:
        principal.require_role("operator")
        return PeriodicOut(**await svc.run_periodic_tasks())

    return router
