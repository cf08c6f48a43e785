"""Reporting: every check a report must pass, likely duplicates, and saving it with its events.

A report's hub comes from its location (or its jurisdiction / the default hub for an address
only); its category must be offered there; its answers must fit the category's questions; an
``asset_id`` must be a known asset not retired. The reporter's contact details never stay here:
they go to ``hub.contacts`` as an event, and the issue keeps only an opaque ``reporter_id``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.contact_details import Contact
from hub_common.contracts.contacts import ResidentContactUpserted
from hub_common.contracts.issues import IssueReported
from hub_common.errors import NotFound, RuleViolation
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_issues.adapters.assets import AssetRepository
from hub_issues.adapters.issues import IssueRepository
from hub_issues.domain.catalogue import validate_answers
from hub_issues.domain.duplicates import LikelyDuplicate, likely_duplicates
from hub_issues.domain.events import location_of
from hub_issues.domain.hub import Hub
from hub_issues.domain.issue import Issue
from hub_issues.service.photos import PhotoService
from hub_issues.service.places import PlaceService
from hub_issues.service.reference import ReferenceData

__all__ = ["Contact", "Report", "ReportRequest", "ReportingService"]


@dataclass
class ReportRequest:
    service_code: str
    description: str
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    media_url: str | None = None
    photo_ids: list[str] = field(default_factory=list)  # photos the caller uploaded for this report
    answers: dict[str, Any] = field(default_factory=dict)
    asset_id: str | None = None
    jurisdiction_id: str | None = None
    contact: Contact = field(default_factory=Contact)
    channel: str = "api"  # api | open311 | inbound
    partner_ref: str | None = None  # inbound: the partner's id of the report (idempotency)
    reporter_ref: str | None = None  # inbound: the partner's opaque id of the reporter
    attribute_field: Callable[[str], str] = lambda code: f"attributes.{code}"  # how errors name an answer


class Report(BaseModel):
    """What a report returns (and what a repeat with the same Idempotency-Key returns again)."""

    issue: Issue
    likely_duplicates: list[LikelyDuplicate]


@dataclass
class PreparedReport:
    issue: Issue
    reported: IssueReported
    contact: ResidentContactUpserted | None
    likely_duplicates: list[LikelyDuplicate]


class ReportingService:
    def __init__(
        self,
        uow: UnitOfWork,
        issues: IssueRepository,
        assets: AssetRepository,
        reference: ReferenceData,
        photos: PhotoService,
        places: PlaceService,
        *,
        clock: Clock,
        duplicate_radius_m: float,
    ) -> None:
        self.uow = uow
        self.issues = issues
        self.assets = assets
        self.reference = reference
        self.photos = photos
        self.places = places
        self.clock = clock
        self.duplicate_radius_m = duplicate_radius_m

    async def report(
        self, caller: Principal | None, request: ReportRequest, idempotency: IdempotentRequest | None = None
    ) -> Report:
        """Validate and save a report, with the open issues nearby that it likely duplicates."""
        prepared = await self.prepare(caller, request)

        async def work(tx: Transaction) -> Report:
            issue = prepared.issue
            if caller is not None and request.photo_ids:  # prepare refused photos from anonymous callers
                photos = await self.photos.attachable(tx, caller, request.photo_ids, at=issue.requested_at)
                issue = issue.model_copy(update={"photos": photos})
            return await self.save(tx, dataclasses.replace(prepared, issue=issue))

        report = await self.uow.run(work, idempotency=idempotency, result_type=Report)
        await self.photos.attached(request.photo_ids)
        return report

    async def ingest_partner_report(
        self, tx: Transaction, request: ReportRequest, *, source: str, partner: Principal | None = None
    ) -> None:
        """A partner's report from ``hub.issues.inbound``, ingested once per source and ``partner_ref``
        (the partner may send it again, even with a new event id). ``partner`` is the sender with the
        hubs it is granted (None: one of the platform's services): a report outside them is refused,
        as over the API. Raises why it can never be valid."""
        if await self.issues.has_partner_report(f"{source}|{request.partner_ref}", tx.session):
            return
        await self.save(tx, await self.prepare(partner, request, trusted_source=source))

    async def prepare(
        self, caller: Principal | None, request: ReportRequest, *, trusted_source: str | None = None
    ) -> PreparedReport:
        """Every check a report must pass (reads only): hub, category, answers, asset, duplicates.

        ``trusted_source`` is a partner system publishing on ``hub.issues.inbound``: it needs no
        contact details (its reporters are its own opaque references).
        """
        request = await self._placed(request)
        hub, precise = await self._hub_for(request)
        if caller is not None and caller.role in ("staff", "partner"):
            caller.require_hub(hub.id)
        if caller is None and request.photo_ids:
            raise RuleViolation(
                "sign in to send photos with a report (they are uploaded as the signed-in caller)",
                errors=[{"field": "photo_ids", "message": "photos need a signed-in caller", "type": "forbidden"}],
            )
        if caller is None and trusted_source is None and not (request.contact.name and request.contact.reachable):
            raise RuleViolation(
                "anonymous reports need a name and an email or phone number (or sign in)",
                errors=[{"field": "contact", "message": "name and email or phone required", "type": "missing"}],
            )
        category = await self.reference.category(hub.id, request.service_code)
        if category is None or not category.active:
            raise RuleViolation(
                f"service_code {request.service_code!r} is not offered in {hub.name}",
                errors=[{"field": "service_code", "message": "not offered in this area", "type": "unknown"}],
            )
        answers = validate_answers(category, request.answers, field_name=request.attribute_field)
        await self._check_asset(request.asset_id)
        lat, lon = (request.lat, request.lon) if precise else (hub.centre.lat, hub.centre.lon)
        duplicates = []
        if precise:
            nearby = await self.issues.nearby(lat, lon, category.code, self.duplicate_radius_m)
            duplicates = likely_duplicates(lat, lon, category.code, nearby, self.duplicate_radius_m)

        reporter_id = self._reporter_id(caller, request.contact)
        if trusted_source and request.reporter_ref:
            reporter_id = "ref-" + hashlib.sha256(f"{trusted_source}|{request.reporter_ref}".encode()).hexdigest()[:32]
        now = self.clock()
        issue = Issue(
            id=f"iss-{uuid.uuid4().hex[:12]}",
            hub_id=hub.id,
            service_code=category.code,
            service_name=category.name,
            group=category.group,
            description=request.description,
            lat=lat,
            lon=lon,
            location_precision="point" if precise else "hub",
            address=request.address,
            address_id=request.address_id,
            zipcode=request.zipcode,
            media_url=request.media_url,
            attributes=answers,
            asset_id=request.asset_id,
            reporter_id=reporter_id,
            # A partner's inbound report is the source's (its caller, the partner's grants, only checks the hub).
            submitted_by=trusted_source or (caller.sub if caller else None),
            submitted_by_role="partner" if trusted_source else (caller.role if caller else "anonymous"),
            channel=request.channel,
            partner_key=f"{trusted_source}|{request.partner_ref}" if trusted_source and request.partner_ref else None,
            followers=[reporter_id] if reporter_id else [],
            requested_at=now,
            updated_at=now,
            expected_at=now + timedelta(hours=category.target_response_hours)
            if category.target_response_hours
            else None,
        )
        reported = IssueReported(
            issue_id=issue.id,
            hub_id=hub.id,
            service_code=category.code,
            service_name=category.name,
            description=request.description,
            location=location_of(issue),
            address=request.address,
            asset_id=request.asset_id,
            reporter_id=reporter_id,
            requested_at=now,
        )
        contact = (
            self._contact_event(reporter_id, request.contact, hub.id)
            if reporter_id and request.contact.reachable
            else None
        )
        return PreparedReport(issue=issue, reported=reported, contact=contact, likely_duplicates=duplicates)

    async def save(self, tx: Transaction, prepared: PreparedReport) -> Report:
        issue = prepared.issue
        await self.issues.add(issue, tx.session)
        tx.publish(prepared.reported, subject=issue.id, hub_id=issue.hub_id)
        if prepared.contact is not None:
            tx.publish(prepared.contact, subject=prepared.contact.person_id)
        return Report(issue=issue, likely_duplicates=prepared.likely_duplicates)

    async def _placed(self, request: ReportRequest) -> ReportRequest:
        """An address-only report gets the position of its address or postcode when one is known (it
        is then placed like any other); otherwise it stays at its hub's centre, as before."""
        if request.lat is not None and request.lon is not None:
            return request
        place = await self.places.locate(request.address, request.zipcode)
        return dataclasses.replace(request, lat=place.lat, lon=place.lon) if place else request

    async def _hub_for(self, request: ReportRequest) -> tuple[Hub, bool]:
        """The hub a report belongs to, and whether it has a precise location."""
        if request.jurisdiction_id is not None and await self.reference.hub(request.jurisdiction_id) is None:
            raise NotFound(f"there is no jurisdiction (hub) {request.jurisdiction_id!r}")
        if request.lat is not None and request.lon is not None:
            hub_id = await self.reference.locate(request.lat, request.lon)
            precise = True
        elif request.address or request.address_id:
            hub_id = request.jurisdiction_id or await self.reference.default_hub_id()
            precise = False
        else:
            raise RuleViolation(
                "say where the issue is: lat and long, or an address",
                errors=[{"field": "location", "message": "lat/long or address required", "type": "missing"}],
            )
        hub = await self.reference.hub(hub_id) if hub_id else None
        if hub is None:
            raise RuleViolation(
                "this location is outside every hub's area and there is no default hub",
                errors=[{"field": "location", "message": "outside every hub", "type": "outside"}],
            )
        return hub, precise

    async def _check_asset(self, asset_id: str | None) -> None:
        if asset_id is None:
            return
        asset = await self.assets.find(asset_id)
        if asset is None or asset.retired:
            why = "is not a known community asset" if asset is None else "has been retired"
            raise RuleViolation(
                f"asset {asset_id!r} {why}",
                errors=[{"field": "asset_id", "message": why, "type": "unknown" if asset is None else "retired"}],
            )

    @staticmethod
    def _reporter_id(caller: Principal | None, contact: Contact) -> str | None:
        if caller is not None and caller.role == "resident":
            return caller.sub
        if contact.reachable:
            return f"res-{uuid.uuid4().hex}"
        return None

    @staticmethod
    def _contact_event(person_id: str, contact: Contact, hub_id: str) -> ResidentContactUpserted:
        channels = [c for c, present in (("email", contact.email), ("sms", contact.phone)) if present]
        return ResidentContactUpserted(
            person_id=person_id,
            display_name=((contact.name or "").strip() or "Resident")[:200],
            email=contact.email,
            phone=contact.phone,
            language=contact.language,
            hub_ids=[hub_id],
            consented_channels=channels,  # given with the report to hear about it
        )
