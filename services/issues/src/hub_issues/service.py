"""Use cases of the issues service: load -> domain rules -> save state and events in one transaction."""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from hub_common.auth import Principal
from hub_common.cache import TtlCache
from hub_common.concurrency import check_version
from hub_common.contracts.common import GeoPoint
from hub_common.contracts.contacts import ResidentContactErased, ResidentContactUpserted
from hub_common.contracts.issues import (
    IssueAcknowledged,
    IssueAssigned,
    IssueClosed,
    IssueDuplicateMerged,
    IssueFeedbackReceived,
    IssueFeedbackRequested,
    IssueFixed,
    IssueOverdue,
    IssueReferred,
    IssueReopened,
    IssueReported,
    IssueStatusEvent,
    IssueSupported,
    IssueUpdatePublished,
    IssueWorkStarted,
)
from hub_common.errors import Conflict, Forbidden, NotFound, RuleViolation
from hub_common.logging import get_logger
from hub_common.service import ServiceContext
from hub_common.uow import IdempotentRequest, Replayed, Transaction
from hub_issues.adapters import store
from hub_issues.domain import text
from hub_issues.domain.catalogue import Category, validate_answers
from hub_issues.domain.duplicates import Nearby, followers_after_merge, likely_duplicates
from hub_issues.domain.geo import centre_of, choose_hub, grid_cell, point, point_in_boundary, validate_boundary
from hub_issues.domain.issue import fields_after, fix_metrics, history_entry, median
from hub_issues.domain.workflow import Actor, StatusChange, WorkflowState, decide, open311_status
from hub_issues.settings import IssuesSettings

STATUS_EVENTS: dict[str, type[IssueStatusEvent]] = {
    "acknowledge": IssueAcknowledged,
    "start": IssueWorkStarted,
    "refer": IssueReferred,
    "fix": IssueFixed,
    "close": IssueClosed,
    "close_not_fixed": IssueClosed,
    "reopen": IssueReopened,
}
HUB_EDITORS = ("staff", "operator")
log = get_logger(__name__)


def utcnow() -> datetime:
    """Now, at the millisecond precision MongoDB stores (so a replayed answer equals the first)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def unwrap(result: Any) -> Any:
    return result.result if isinstance(result, Replayed) else result


@dataclass
class Contact:
    name: str | None = None
    email: str | None = None
    phone: str | None = None

    @property
    def reachable(self) -> bool:
        return bool(self.email or self.phone)


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
    answers: dict[str, Any] = field(default_factory=dict)
    asset_id: str | None = None
    jurisdiction_id: str | None = None
    contact: Contact = field(default_factory=Contact)
    channel: str = "api"  # api | open311 | inbound
    partner_ref: str | None = None  # inbound: the partner's id of the report (idempotency)
    reporter_ref: str | None = None  # inbound: the partner's opaque id of the reporter
    attribute_field: Any = lambda code: f"attributes.{code}"


@dataclass
class PreparedReport:
    doc: dict[str, Any]
    reported: IssueReported
    contact: ResidentContactUpserted | None
    likely_duplicates: list[dict[str, Any]]


class ReferenceData:
    """Hubs and categories as the report path reads them: through a per-process cache.

    Every report needs its hub (located by boundary) and its category; these change a few times a
    year, so reading them from MongoDB on every report was most of a report's database work. A
    change made through this process is seen at once; one made through another replica within
    ``HUB_REFERENCE_CACHE_S``. Staff pages and ETags still read the database.
    """

    def __init__(self, db: Any, ttl_s: float) -> None:
        self.db = db
        self._hubs: TtlCache[str, dict[str, dict[str, Any]]] = TtlCache(ttl_s)
        self._categories: TtlCache[str, dict[str, Any] | None] = TtlCache(ttl_s)

    async def hubs(self) -> dict[str, dict[str, Any]]:
        return await self._hubs.get("all", lambda: store.all_hubs(self.db))

    async def hub(self, hub_id: str) -> dict[str, Any] | None:
        return (await self.hubs()).get(hub_id)

    async def default_hub_id(self) -> str | None:
        return next((hub_id for hub_id, doc in sorted((await self.hubs()).items()) if doc.get("is_default")), None)

    async def locate(self, lat: float, lon: float) -> str | None:
        hubs = await self.hubs()
        containing = [hub_id for hub_id, doc in hubs.items() if point_in_boundary(lat, lon, doc["boundary"])]
        return choose_hub(containing, await self.default_hub_id())

    async def category(self, hub_id: str, code: str) -> dict[str, Any] | None:
        key = store.category_id(hub_id, code)
        return await self._categories.get(key, lambda: store.category_doc(self.db, hub_id, code))

    def changed(self) -> None:
        self._hubs.invalidate()
        self._categories.invalidate()


@functools.cache
def reference_data(ctx: ServiceContext) -> ReferenceData:
    """One cache per service context, shared by the /v1 and Open311 routers and the worker."""
    return ReferenceData(ctx.db, cast(IssuesSettings, ctx.settings).reference_cache_s)


class IssuesService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.db = ctx.db
        self.settings = cast(IssuesSettings, ctx.settings)
        self.reference = reference_data(ctx)

    # -- hubs -----------------------------------------------------------------------------------

    async def create_hub(
        self,
        principal: Principal,
        *,
        hub_id: str,
        name: str,
        boundary: dict[str, Any],
        is_default: bool,
        idempotency: IdempotentRequest | None = None,
    ) -> dict[str, Any]:
        principal.require_hub(hub_id)
        boundary = validate_boundary(boundary)
        lat, lon = centre_of(boundary)
        now = utcnow()

        async def work(tx: Transaction) -> dict[str, Any]:
            hubs = tx.collection(store.HUBS)
            if await hubs.find_one({"_id": hub_id}, {"_id": 1}, session=tx.session):
                raise Conflict(f"hub {hub_id!r} already exists")
            if is_default:
                await hubs.update_many({"is_default": True}, {"$set": {"is_default": False}}, session=tx.session)
            doc = {
                "_id": hub_id,
                "name": name,
                "boundary": boundary,
                "centre": {"lat": lat, "lon": lon},
                "is_default": is_default,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            await hubs.insert_one(doc, session=tx.session)
            return doc

        return await self._change_reference_data(work, idempotency)

    async def update_hub(
        self, principal: Principal, hub_id: str, changes: dict[str, Any], expected_version: int | None
    ) -> dict[str, Any]:
        principal.require_hub(hub_id)
        if "boundary" in changes:
            changes["boundary"] = validate_boundary(changes["boundary"])
            lat, lon = centre_of(changes["boundary"])
            changes["centre"] = {"lat": lat, "lon": lon}

        async def work(tx: Transaction) -> dict[str, Any]:
            hubs = tx.collection(store.HUBS)
            current = await hubs.find_one({"_id": hub_id}, session=tx.session)
            if current is None:
                raise NotFound(f"there is no hub {hub_id!r}")
            check_version(expected_version, current["version"])
            if changes.get("is_default"):
                await hubs.update_many(
                    {"is_default": True, "_id": {"$ne": hub_id}}, {"$set": {"is_default": False}}, session=tx.session
                )
            updated = {**current, **changes, "version": current["version"] + 1, "updated_at": utcnow()}
            await hubs.replace_one({"_id": hub_id, "version": current["version"]}, updated, session=tx.session)
            return updated

        return await self._change_reference_data(work)

    async def _change_reference_data(
        self, work: Callable[[Transaction], Awaitable[dict[str, Any]]], idempotency: IdempotentRequest | None = None
    ) -> dict[str, Any]:
        """Write a hub or category; this process's cache of them forgets what it held."""
        try:
            return unwrap(await self.ctx.uow.run(work, idempotency=idempotency))
        finally:
            self.reference.changed()

    async def get_hub(self, hub_id: str) -> dict[str, Any]:
        doc = await store.hub(self.db, hub_id)
        if doc is None:
            raise NotFound(f"there is no hub {hub_id!r}")
        return doc

    async def locate(self, lat: float, lon: float) -> str | None:
        return await self.reference.locate(lat, lon)

    # -- catalogue ------------------------------------------------------------------------------

    async def create_category(
        self, principal: Principal, category: Category, idempotency: IdempotentRequest | None = None
    ) -> dict[str, Any]:
        principal.require_hub(category.hub_id)
        await self.get_hub(category.hub_id)
        now = utcnow()

        async def work(tx: Transaction) -> dict[str, Any]:
            doc = {
                "_id": store.category_id(category.hub_id, category.code),
                **store.category_fields(category),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            if await tx.collection(store.CATEGORIES).find_one({"_id": doc["_id"]}, {"_id": 1}, session=tx.session):
                raise Conflict(f"hub {category.hub_id!r} already has a category {category.code!r}")
            await tx.collection(store.CATEGORIES).insert_one(doc, session=tx.session)
            return doc

        return await self._change_reference_data(work, idempotency)

    async def update_category(
        self, principal: Principal, hub_id: str, code: str, changes: dict[str, Any], expected_version: int | None
    ) -> dict[str, Any]:
        principal.require_hub(hub_id)

        async def work(tx: Transaction) -> dict[str, Any]:
            categories = tx.collection(store.CATEGORIES)
            current = await categories.find_one({"_id": store.category_id(hub_id, code)}, session=tx.session)
            if current is None:
                raise NotFound(f"hub {hub_id!r} has no category {code!r}")
            check_version(expected_version, current["version"])
            merged = {**store.category_fields(store.category_from_doc(current)), **changes}
            category = store.category_from_doc(merged)  # re-checks the attribute rules
            updated = {
                **current,
                **store.category_fields(category),
                "version": current["version"] + 1,
                "updated_at": utcnow(),
            }
            await categories.replace_one(
                {"_id": current["_id"], "version": current["version"]}, updated, session=tx.session
            )
            return updated

        return await self._change_reference_data(work)

    async def get_category(self, hub_id: str, code: str) -> dict[str, Any]:
        doc = await store.category_doc(self.db, hub_id, code)
        if doc is None:
            raise NotFound(f"hub {hub_id!r} has no category {code!r}")
        return doc

    # -- reporting ------------------------------------------------------------------------------

    async def report(
        self, principal: Principal | None, request: ReportRequest, idempotency: IdempotentRequest | None = None
    ) -> dict[str, Any]:
        """Validate and save a report; returns ``{"issue": doc, "likely_duplicates": [...]}``."""
        prepared = await self.prepare_report(principal, request)

        async def work(tx: Transaction) -> dict[str, Any]:
            return await self.save_report(tx, prepared)

        return unwrap(await self.ctx.uow.run(work, idempotency=idempotency))

    async def prepare_report(
        self, principal: Principal | None, request: ReportRequest, *, trusted_source: str | None = None
    ) -> PreparedReport:
        """Every check a report must pass (reads only): hub, category, answers, asset, duplicates.

        ``trusted_source`` is a partner system publishing on ``hub.issues.inbound``: it needs no
        contact details (its reporters are its own opaque references).
        """
        hub_doc, precise = await self._hub_for(request)
        hub_id = hub_doc["_id"]
        if principal is not None and principal.role in ("staff", "partner"):
            principal.require_hub(hub_id)
        if principal is None and trusted_source is None and not (request.contact.name and request.contact.reachable):
            raise RuleViolation(
                "anonymous reports need a name and an email or phone number (or sign in)",
                errors=[{"field": "contact", "message": "name and email or phone required", "type": "missing"}],
            )
        category_doc = await self.reference.category(hub_id, request.service_code)
        if category_doc is None or not category_doc.get("active", True):
            raise RuleViolation(
                f"service_code {request.service_code!r} is not offered in {hub_doc['name']}",
                errors=[{"field": "service_code", "message": "not offered in this area", "type": "unknown"}],
            )
        category = store.category_from_doc(category_doc)
        answers = validate_answers(category, request.answers, field_name=request.attribute_field)
        await self._check_asset(request.asset_id)
        lat, lon = (request.lat, request.lon) if precise else (hub_doc["centre"]["lat"], hub_doc["centre"]["lon"])
        duplicates = []
        if precise:
            nearby = await store.issues_near(self.db, lat, lon, category.code, self.settings.duplicate_radius_m)
            candidates = [Nearby(d["_id"], d["service_code"], d["status"], d["lat"], d["lon"]) for d in nearby]
            duplicates = likely_duplicates(lat, lon, category.code, candidates, self.settings.duplicate_radius_m)

        reporter_id = self._reporter_id(principal, request.contact)
        if trusted_source and request.reporter_ref:
            reporter_id = "ref-" + hashlib.sha256(f"{trusted_source}|{request.reporter_ref}".encode()).hexdigest()[:32]
        now = utcnow()
        issue_id = f"iss-{uuid.uuid4().hex[:12]}"
        doc = {
            "_id": issue_id,
            "hub_id": hub_id,
            "service_code": category.code,
            "service_name": category.name,
            "group": category.group,
            "description": request.description,
            "location": point(lat, lon),
            "lat": lat,
            "lon": lon,
            "location_precision": "point" if precise else "hub",
            "address": request.address,
            "address_id": request.address_id,
            "zipcode": request.zipcode,
            "media_url": request.media_url,
            "attributes": answers,
            "asset_id": request.asset_id,
            "reporter_id": reporter_id,
            "submitted_by": principal.sub if principal else trusted_source,
            "submitted_by_role": principal.role if principal else ("partner" if trusted_source else "anonymous"),
            "channel": request.channel,
            "status": "reported",
            "open": True,
            "status_notes": None,
            "agency_responsible": None,
            "history": [],
            "followers": [reporter_id] if reporter_id else [],
            "supporters": [],
            "support_count": 0,
            "requested_at": now,
            "updated_at": now,
            "expected_at": now + timedelta(hours=category.target_response_hours)
            if category.target_response_hours
            else None,
            "overdue": False,
            "feedback_state": "none",
            "version": 1,
            "search_terms": text.terms(issue_id, request.description, category.name, request.address, request.zipcode),
        }
        if precise:
            doc["near_key"] = store.near_key(category.code, grid_cell(lat, lon))
        if trusted_source and request.partner_ref:
            doc["partner_key"] = f"{trusted_source}|{request.partner_ref}"
        likely = [{"issue_id": d.issue_id, "distance_m": d.distance_m} for d in duplicates]
        reported = IssueReported(
            issue_id=issue_id,
            hub_id=hub_id,
            service_code=category.code,
            service_name=category.name,
            description=request.description,
            location=GeoPoint(lat=lat, lon=lon),
            address=request.address,
            asset_id=request.asset_id,
            reporter_id=reporter_id,
            requested_at=now,
        )
        contact = (
            self._contact_event(reporter_id, request.contact, hub_id)
            if reporter_id and request.contact.reachable
            else None
        )
        return PreparedReport(doc=doc, reported=reported, contact=contact, likely_duplicates=likely)

    async def save_report(self, tx: Transaction, prepared: PreparedReport) -> dict[str, Any]:
        doc = prepared.doc
        await tx.collection(store.ISSUES).insert_one(doc, session=tx.session)
        tx.publish(prepared.reported, subject=doc["_id"], hub_id=doc["hub_id"])
        if prepared.contact is not None:
            tx.publish(prepared.contact, subject=prepared.contact.person_id)
        return {"issue": doc, "likely_duplicates": prepared.likely_duplicates}

    async def _hub_for(self, request: ReportRequest) -> tuple[dict[str, Any], bool]:
        """The hub a report belongs to, and whether it has a precise location."""
        if request.jurisdiction_id is not None and await self.reference.hub(request.jurisdiction_id) is None:
            raise NotFound(f"there is no jurisdiction (hub) {request.jurisdiction_id!r}")
        if request.lat is not None and request.lon is not None:
            hub_id = await self.locate(request.lat, request.lon)
            precise = True
        elif request.address or request.address_id:
            hub_id = request.jurisdiction_id or await self.reference.default_hub_id()
            precise = False
        else:
            raise RuleViolation(
                "say where the issue is: lat and long, or an address",
                errors=[{"field": "location", "message": "lat/long or address required", "type": "missing"}],
            )
        hub_doc = await self.reference.hub(hub_id) if hub_id else None
        if hub_doc is None:
            raise RuleViolation(
                "this location is outside every hub's area and there is no default hub",
                errors=[{"field": "location", "message": "outside every hub", "type": "outside"}],
            )
        return hub_doc, precise

    async def _check_asset(self, asset_id: str | None) -> None:
        if asset_id is None:
            return
        asset = await store.latest_asset(self.db, asset_id)
        if asset is None or asset.get("status") == "retired":
            why = "is not a known community asset" if asset is None else "has been retired"
            raise RuleViolation(
                f"asset {asset_id!r} {why}",
                errors=[{"field": "asset_id", "message": why, "type": "unknown" if asset is None else "retired"}],
            )

    @staticmethod
    def _reporter_id(principal: Principal | None, contact: Contact) -> str | None:
        if principal is not None and principal.role == "resident":
            return principal.sub
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
            hub_ids=[hub_id],
            consented_channels=channels,  # given with the report to hear about it
        )

    # -- workflow -------------------------------------------------------------------------------

    async def get_issue(self, issue_id: str) -> dict[str, Any]:
        doc = await store.issue(self.db, issue_id)
        if doc is None:
            raise NotFound(f"there is no issue {issue_id!r}")
        return doc

    async def change_status(
        self,
        principal: Principal,
        issue_id: str,
        action: str,
        *,
        public_note: str,
        private_note: str | None = None,
        agency_responsible: str | None = None,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        if action == "mark_duplicate":
            raise RuleViolation("merge duplicates with POST /v1/issues/{id}/merge")
        now = utcnow()

        async def work(tx: Transaction) -> dict[str, Any]:
            doc = await self._load_for_change(tx, principal, issue_id, expected_version)
            change = decide(
                _state(doc),
                action,
                actor=Actor(principal.sub, principal.role),
                at=now,
                public_note=public_note,
                private_note=private_note,
                agency_responsible=agency_responsible,
                reason=reason,
                reopen_period=timedelta(days=self.settings.reopen_days),
            )
            updated = await self._apply(tx, doc, change)
            tx.publish(_status_event(STATUS_EVENTS[action], updated, change), subject=issue_id, hub_id=doc["hub_id"])
            return updated

        return await self.ctx.uow.run(work)

    async def merge(
        self,
        principal: Principal,
        issue_id: str,
        *,
        into: str,
        public_note: str,
        private_note: str | None = None,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        now = utcnow()

        async def work(tx: Transaction) -> dict[str, Any]:
            duplicate = await self._load_for_change(tx, principal, issue_id, expected_version)
            original = await store.issue(self.db, into, tx.session)
            if original is None:
                raise RuleViolation(
                    f"there is no issue {into!r} to merge into",
                    errors=[{"field": "into", "message": "unknown issue", "type": "unknown"}],
                )
            principal.require_hub(original["hub_id"])
            if original["status"] == "duplicate":
                raise Conflict(f"{into} is itself a duplicate of {original.get('duplicate_of')}; merge into that")
            change = decide(
                _state(duplicate),
                "mark_duplicate",
                actor=Actor(principal.sub, principal.role),
                at=now,
                public_note=public_note,
                private_note=private_note,
                duplicate_of=into,
            )
            updated = await self._apply(tx, duplicate, change)
            moved = [*duplicate.get("followers", []), *duplicate.get("supporters", [])]
            followers, added = followers_after_merge(original.get("followers", []), moved)
            supporters = list(
                dict.fromkeys(
                    [
                        *original.get("supporters", []),
                        *duplicate.get("supporters", []),
                        *([duplicate["reporter_id"]] if duplicate.get("reporter_id") else []),
                    ]
                )
            )
            supporters = [s for s in supporters if s != original.get("reporter_id")]
            await tx.collection(store.ISSUES).update_one(
                {"_id": into},
                {
                    "$set": {"followers": followers, "supporters": supporters, "support_count": len(supporters)},
                    "$inc": {"version": 1},
                },
                session=tx.session,
            )
            tx.publish(
                IssueDuplicateMerged(**_status_fields(updated, change), duplicate_of=into, followers_moved=added),
                subject=issue_id,
                hub_id=duplicate["hub_id"],
            )
            return updated

        return await self.ctx.uow.run(work)

    async def support(self, principal: Principal, issue_id: str) -> dict[str, Any]:
        """'Me too': one per person; a repeat changes nothing."""
        now = utcnow()

        async def work(tx: Transaction) -> dict[str, Any]:
            issues = tx.collection(store.ISSUES)
            doc = await issues.find_one({"_id": issue_id}, session=tx.session)
            if doc is None:
                raise NotFound(f"there is no issue {issue_id!r}")
            if principal.sub in doc.get("supporters", []) or principal.sub == doc.get("reporter_id"):
                return doc
            if not doc["open"]:
                raise Conflict(f"issue {issue_id} is {doc['status'].replace('_', ' ')}; support only open issues")
            doc["supporters"] = [*doc.get("supporters", []), principal.sub]
            doc["support_count"] = len(doc["supporters"])
            if principal.sub not in doc["followers"]:
                doc["followers"] = [*doc["followers"], principal.sub]
            doc["version"] += 1
            await issues.update_one(
                {"_id": issue_id},
                {
                    "$set": {
                        "supporters": doc["supporters"],
                        "support_count": doc["support_count"],
                        "followers": doc["followers"],
                    },
                    "$inc": {"version": 1},
                },
                session=tx.session,
            )
            tx.publish(
                IssueSupported(
                    issue_id=issue_id,
                    hub_id=doc["hub_id"],
                    service_code=doc["service_code"],
                    location=GeoPoint(lat=doc["lat"], lon=doc["lon"]),
                    supporter_id=principal.sub,
                    support_count=doc["support_count"],
                    supported_at=now,
                ),
                subject=issue_id,
                hub_id=doc["hub_id"],
            )
            return doc

        return await self.ctx.uow.run(work)

    async def assign(self, principal: Principal, issue_id: str, assignee: str, expected_version: int | None) -> dict:
        """Give an open issue to a team or person; recorded in the history, announced as an event."""
        now = utcnow()

        async def work(tx: Transaction) -> dict[str, Any]:
            doc = await self._load_for_change(tx, principal, issue_id, expected_version)
            if not doc["open"]:
                raise Conflict(f"issue {issue_id} is {doc['status'].replace('_', ' ')}; assign only open issues")
            entry = {
                "action": "assign",
                "from_status": doc["status"],
                "to_status": doc["status"],
                "at": now,
                "by": principal.sub,
                "by_role": principal.role,
                "public_note": f"Assigned to {assignee}",
            }
            await tx.collection(store.ISSUES).update_one(
                {"_id": issue_id},
                {
                    "$push": {"history": entry},
                    "$set": {"assignee": assignee, "updated_at": now},
                    "$inc": {"version": 1},
                },
                session=tx.session,
            )
            tx.publish(
                IssueAssigned(
                    issue_id=issue_id,
                    hub_id=doc["hub_id"],
                    service_code=doc["service_code"],
                    location=GeoPoint(lat=doc["lat"], lon=doc["lon"]),
                    status=doc["status"],
                    assignee=assignee,
                    assigned_by=principal.sub,
                    assigned_at=now,
                ),
                subject=issue_id,
                hub_id=doc["hub_id"],
            )
            return {
                **doc,
                "assignee": assignee,
                "history": [*doc["history"], entry],
                "updated_at": now,
                "version": doc["version"] + 1,
            }

        return await self.ctx.uow.run(work)

    async def publish_update(self, principal: Principal, issue_id: str, public_note: str) -> dict[str, Any]:
        """A progress note for the public without a status change (recorded in the history too)."""
        now = utcnow()

        async def work(tx: Transaction) -> dict[str, Any]:
            doc = await self._load_for_change(tx, principal, issue_id, None)
            entry = {
                "action": "update",
                "from_status": doc["status"],
                "to_status": doc["status"],
                "at": now,
                "by": principal.sub,
                "by_role": principal.role,
                "public_note": public_note.strip(),
            }
            await tx.collection(store.ISSUES).update_one(
                {"_id": issue_id},
                {
                    "$push": {"history": entry},
                    "$set": {"status_notes": entry["public_note"], "updated_at": now},
                    "$inc": {"version": 1},
                },
                session=tx.session,
            )
            tx.publish(
                IssueUpdatePublished(
                    issue_id=issue_id,
                    hub_id=doc["hub_id"],
                    service_code=doc["service_code"],
                    location=GeoPoint(lat=doc["lat"], lon=doc["lon"]),
                    status=doc["status"],
                    public_note=entry["public_note"],
                    published_by=principal.sub,
                    published_at=now,
                ),
                subject=issue_id,
                hub_id=doc["hub_id"],
            )
            return {
                **doc,
                "history": [*doc["history"], entry],
                "status_notes": entry["public_note"],
                "updated_at": now,
                "version": doc["version"] + 1,
            }

        return await self.ctx.uow.run(work)

    async def statistics(self, hub_id: str, since: datetime, until: datetime) -> dict[str, Any]:
        """Per category: reports, open, fixed, median hours to fix, share fixed within target."""
        await self.get_hub(hub_id)
        cursor = self.db[store.ISSUES].find(
            {"hub_id": hub_id, "requested_at": {"$gte": since, "$lte": until}},
            {"service_code": 1, "service_name": 1, "open": 1, "time_to_fix_h": 1, "fixed_on_time": 1},
        )
        rows: dict[str, dict[str, Any]] = {}
        async for doc in cursor:
            row = rows.setdefault(
                doc["service_code"],
                {
                    "service_code": doc["service_code"],
                    "service_name": doc["service_name"],
                    "reported": 0,
                    "open": 0,
                    "fix_hours": [],
                    "on_time": 0,
                },
            )
            row["reported"] += 1
            row["open"] += 1 if doc["open"] else 0
            if doc.get("time_to_fix_h") is not None:
                row["fix_hours"].append(doc["time_to_fix_h"])
                row["on_time"] += 1 if doc.get("fixed_on_time") else 0
        categories = []
        for row in sorted(rows.values(), key=lambda r: r["service_code"]):
            fixed = len(row["fix_hours"])
            categories.append(
                {
                    "service_code": row["service_code"],
                    "service_name": row["service_name"],
                    "reported": row["reported"],
                    "open": row["open"],
                    "fixed": fixed,
                    "median_hours_to_fix": median(row["fix_hours"]),
                    "share_fixed_within_target": round(row["on_time"] / fixed, 3) if fixed else None,
                }
            )
        all_hours = [h for r in rows.values() for h in r["fix_hours"]]
        on_time = sum(r["on_time"] for r in rows.values())
        return {
            "hub_id": hub_id,
            "since": since,
            "until": until,
            "reported": sum(r["reported"] for r in rows.values()),
            "open": sum(r["open"] for r in rows.values()),
            "fixed": len(all_hours),
            "median_hours_to_fix": median(all_hours),
            "share_fixed_within_target": round(on_time / len(all_hours), 3) if all_hours else None,
            "categories": categories,
        }

    async def sweep(self, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
        """Flag overdue open issues and ask reporters for feedback once the delay after a fix passed.

        Safe to run from several workers: each issue is claimed by a conditional update inside
        the transaction that also writes its event, so it is flagged (and announced) once.
        """
        now = now or utcnow()
        delay = timedelta(days=self.settings.feedback_after_days)
        respond_within = timedelta(days=self.settings.feedback_respond_days)
        issues = self.db[store.ISSUES]
        flagged = requested = 0
        late = await issues.find({"open": True, "overdue": False, "expected_at": {"$lt": now}}).limit(batch).to_list()
        for doc in late:

            async def flag(tx: Transaction, doc=doc) -> int:
                claimed = await tx.collection(store.ISSUES).update_one(
                    {"_id": doc["_id"], "overdue": False, "open": True},
                    {"$set": {"overdue": True, "overdue_at": now}},
                    session=tx.session,
                )
                if not claimed.modified_count:
                    return 0
                tx.publish(
                    IssueOverdue(
                        issue_id=doc["_id"],
                        hub_id=doc["hub_id"],
                        service_code=doc["service_code"],
                        service_name=doc["service_name"],
                        location=GeoPoint(lat=doc["lat"], lon=doc["lon"]),
                        status=doc["status"],
                        requested_at=doc["requested_at"],
                        expected_at=doc["expected_at"],
                        flagged_at=now,
                    ),
                    subject=doc["_id"],
                    hub_id=doc["hub_id"],
                )
                return 1

            flagged += await self.ctx.uow.run(flag)
        due = await issues.find({"feedback_state": "pending", "fixed_at": {"$lte": now - delay}}).limit(batch).to_list()
        for doc in due:

            async def ask(tx: Transaction, doc=doc) -> int:
                claimed = await tx.collection(store.ISSUES).update_one(
                    {"_id": doc["_id"], "feedback_state": "pending"},
                    {
                        "$set": {
                            "feedback_state": "requested",
                            "feedback_requested_at": now,
                            "feedback_respond_by": now + respond_within,
                        }
                    },
                    session=tx.session,
                )
                if not claimed.modified_count:
                    return 0
                tx.publish(
                    IssueFeedbackRequested(
                        issue_id=doc["_id"],
                        hub_id=doc["hub_id"],
                        service_code=doc["service_code"],
                        service_name=doc["service_name"],
                        location=GeoPoint(lat=doc["lat"], lon=doc["lon"]),
                        reporter_id=doc["reporter_id"],
                        fixed_at=doc["fixed_at"],
                        requested_at=now,
                        respond_by=now + respond_within,
                    ),
                    subject=doc["_id"],
                    hub_id=doc["hub_id"],
                )
                return 1

            requested += await self.ctx.uow.run(ask)
        return {"flagged_overdue": flagged, "feedback_requested": requested}

    async def give_feedback(
        self, principal: Principal, issue_id: str, *, fixed: bool, satisfaction: int | None, comment: str | None
    ) -> dict[str, Any]:
        """The reporter's one answer to a feedback request; "not fixed" reopens the issue."""
        now = utcnow()

        async def work(tx: Transaction) -> dict[str, Any]:
            doc = await store.issue(self.db, issue_id, tx.session)
            if doc is None:
                raise NotFound(f"there is no issue {issue_id!r}")
            if principal.sub != doc.get("reporter_id"):
                raise Forbidden("only the reporter of this issue can give feedback on it")
            if doc.get("feedback_state") != "requested":
                raise Conflict("there is no open feedback request for this issue (it takes one answer)")
            if doc.get("feedback_respond_by") and now > doc["feedback_respond_by"]:
                raise Conflict("the feedback request has expired")
            feedback = {"fixed": fixed, "satisfaction": satisfaction, "comment": comment, "received_at": now}
            await tx.collection(store.ISSUES).update_one(
                {"_id": issue_id, "feedback_state": "requested"},
                {"$set": {"feedback_state": "received", "feedback": feedback}, "$inc": {"version": 1}},
                session=tx.session,
            )
            doc = {**doc, "feedback_state": "received", "feedback": feedback, "version": doc["version"] + 1}
            tx.publish(
                IssueFeedbackReceived(
                    issue_id=issue_id,
                    hub_id=doc["hub_id"],
                    service_code=doc["service_code"],
                    location=GeoPoint(lat=doc["lat"], lon=doc["lon"]),
                    fixed=fixed,
                    satisfaction=satisfaction,
                    received_at=now,
                ),
                subject=issue_id,
                hub_id=doc["hub_id"],
            )
            if not fixed and doc["status"] in ("fixed", "closed"):
                change = decide(
                    _state(doc),
                    "reopen",
                    actor=Actor(principal.sub, "resident"),
                    at=now,
                    public_note="The reporter says it is not fixed",
                    reopen_period=timedelta.max,  # feedback may reopen after the usual period
                )
                doc = await self._apply(tx, doc, change)
                tx.publish(_status_event(IssueReopened, doc, change), subject=issue_id, hub_id=doc["hub_id"])
            return doc

        return await self.ctx.uow.run(work)

    async def forget_resident(self, principal: Principal) -> int:
        """A resident asks to be forgotten: drop their id from issues, tell notifications to erase them.

        Their reports stay (the public description is the council's record), but nothing links them
        to the person any more; their "me too"s are withdrawn.
        """
        person_id = principal.sub

        async def work(tx: Transaction) -> int:
            issues = tx.collection(store.ISSUES)
            reported = await issues.update_many(
                {"reporter_id": person_id},
                {"$set": {"reporter_id": None, "feedback_state": "none"}, "$inc": {"version": 1}},
                session=tx.session,
            )
            await issues.update_many(
                {"supporters": person_id},
                {"$pull": {"supporters": person_id}, "$inc": {"support_count": -1, "version": 1}},
                session=tx.session,
            )
            await issues.update_many({"followers": person_id}, {"$pull": {"followers": person_id}}, session=tx.session)
            tx.publish(ResidentContactErased(person_id=person_id), subject=person_id)
            return reported.modified_count

        return await self.ctx.uow.run(work)

    async def _load_for_change(
        self, tx: Transaction, principal: Principal, issue_id: str, expected_version: int | None
    ) -> dict[str, Any]:
        doc = await store.issue(self.db, issue_id, tx.session)
        if doc is None:
            raise NotFound(f"there is no issue {issue_id!r}")
        if principal.role in HUB_EDITORS:
            principal.require_hub(doc["hub_id"])
        elif principal.role == "partner":
            raise Forbidden("partners cannot change an issue's status")
        check_version(expected_version, doc["version"])
        return doc

    async def _apply(self, tx: Transaction, doc: dict[str, Any], change: StatusChange) -> dict[str, Any]:
        to_set, to_clear = fields_after(change)
        if change.action == "fix":
            to_set.update(fix_metrics(doc["requested_at"], doc.get("expected_at"), change.at))
            to_set["feedback_state"] = "pending" if doc.get("reporter_id") else "none"
        if doc.get("location_precision") == "point":
            # Only open issues carry the duplicate-search key: that search never reads closed history.
            if to_set["open"]:
                to_set["near_key"] = store.near_key(doc["service_code"], grid_cell(doc["lat"], doc["lon"]))
            else:
                to_clear.append("near_key")
        update: dict[str, Any] = {
            "$set": to_set,
            "$inc": {"version": 1},
            "$push": {"history": history_entry(change)},
        }
        if to_clear:
            update["$unset"] = dict.fromkeys(to_clear, "")
        result = await tx.collection(store.ISSUES).update_one(
            {"_id": doc["_id"], "version": doc["version"]}, update, session=tx.session
        )
        if result.matched_count != 1:
            check_version(doc["version"], doc["version"] + 1)  # changed meanwhile: 412
        updated = {k: v for k, v in doc.items() if k not in to_clear}
        updated.update(to_set)
        updated["version"] = doc["version"] + 1
        updated["history"] = [*doc.get("history", []), history_entry(change)]
        return updated


def _state(doc: dict[str, Any]) -> WorkflowState:
    return WorkflowState(
        issue_id=doc["_id"], status=doc["status"], reporter_id=doc.get("reporter_id"), closed_at=doc.get("closed_at")
    )


def _status_fields(doc: dict[str, Any], change: StatusChange) -> dict[str, Any]:
    return {
        "issue_id": doc["_id"],
        "hub_id": doc["hub_id"],
        "service_code": doc["service_code"],
        "service_name": doc["service_name"],
        "location": GeoPoint(lat=doc["lat"], lon=doc["lon"]),
        "asset_id": doc.get("asset_id"),
        "previous_status": change.from_status,
        "status": change.to_status,
        "open311_status": open311_status(change.to_status),
        "public_note": change.public_note,
        "agency_responsible": doc.get("agency_responsible"),
        "reason": change.reason,
        "changed_by": change.by,
        "reporter_id": doc.get("reporter_id"),
        "changed_by_role": change.by_role,
        "changed_at": change.at,
    }


def _status_event(event_class: type[IssueStatusEvent], doc: dict[str, Any], change: StatusChange) -> IssueStatusEvent:
    return event_class(**_status_fields(doc, change))


__all__ = ["Contact", "IssuesService", "ReportRequest"]
