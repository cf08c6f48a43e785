"""The ``/v1`` API: hubs, the catalogue per hub, reports, workflow, support, public feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from hub_common.auth import Principal
from hub_common.concurrency import etag_for
from hub_common.errors import Forbidden, RuleViolation
from hub_common.http import (
    IdempotencyKeyHeader,
    PageQuery,
    current_principal,
    idempotent_request,
    if_match_version,
    optional_principal,
    require_roles,
)
from hub_common.pagination import Page, find_page
from hub_common.service import ServiceContext
from hub_issues.adapters import store
from hub_issues.api.schemas import (
    AssignIn,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    FeedbackIn,
    HubIn,
    HubLocation,
    HubOut,
    HubPatch,
    IssueOut,
    MergeIn,
    PriorityOut,
    ReportIn,
    ReportOut,
    StatsOut,
    SweepOut,
    TransitionIn,
    UpdateIn,
    YouSaidWeDidOut,
    category_view,
    hub_view,
    issue_view,
)
from hub_issues.domain import text
from hub_issues.domain.catalogue import Attribute, AttributeValue, Category
from hub_issues.domain.workflow import CLOSED_STATUSES, OPEN_STATUSES
from hub_issues.service import Contact, IssuesService, ReportRequest

Editor = Annotated[Principal, Depends(require_roles("staff", "operator"))]
Anyone = Annotated[Principal | None, Depends(optional_principal)]
Expected = Annotated[int | None, Depends(if_match_version)]
STATUSES = sorted(OPEN_STATUSES | CLOSED_STATUSES)


def _expected(header: int | None, body: int | None) -> int | None:
    if header is not None and body is not None and header != body:
        raise RuleViolation("If-Match and version disagree; send one of them")
    return header if header is not None else body


def _category(hub_id: str, body: CategoryIn) -> Category:
    return Category(
        hub_id=hub_id,
        code=body.code,
        name=body.name,
        description=body.description,
        group=body.group,
        keywords=tuple(body.keywords),
        target_response_hours=body.target_response_hours,
        active=body.active,
        attributes=tuple(
            Attribute(
                code=a.code,
                datatype=a.datatype,
                description=a.description,
                required=a.required,
                order=a.order,
                variable=a.variable,
                datatype_description=a.datatype_description,
                values=tuple(AttributeValue(v.key, v.name) for v in a.values),
            )
            for a in body.attributes
        ),
    )


def _issue_list_index(query: dict) -> str | None:
    """The index serving an issue search, most selective filter first.

    Named as a hint because our development database's planner scans the collection for a cursor
    page (the keyset ``$or``) instead of using the index it picks for the first page. A search
    near a point needs none (the planner takes the 2dsphere index) and SecantusDB fails on a hinted
    ``$geoWithin``.
    """
    if "location" in query:
        return None
    if "search_terms" in query:
        return "search_terms"
    if "hub_id" in query:
        if "status" in query:
            return "hub_status_newest"
        return "hub_assignee_newest" if "assignee" in query else "hub_newest"
    if "service_code" in query:
        return "code_newest"
    return "newest"


def _is_staff_for(principal: Principal | None, hub_id: str) -> bool:
    return principal is not None and principal.role in ("staff", "operator") and principal.can_act_for_hub(hub_id)


def build_router(ctx: ServiceContext) -> APIRouter:
    service = IssuesService(ctx)
    db = ctx.db
    router = APIRouter(prefix="/v1")

    # -- hubs -----------------------------------------------------------------------------------

    @router.post("/hubs", status_code=201, tags=["hubs"], summary="Define a hub and its boundary")
    async def create_hub(
        body: HubIn,
        request: Request,
        response: Response,
        principal: Editor,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> HubOut:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump())
        doc = await service.create_hub(
            principal,
            hub_id=body.id,
            name=body.name,
            boundary=body.boundary.model_dump(),
            is_default=body.is_default,
            idempotency=idem,
        )
        response.headers["ETag"] = etag_for(doc["version"])
        response.headers["Location"] = f"/v1/hubs/{doc['_id']}"
        return hub_view(doc)

    @router.get("/hubs", tags=["hubs"], summary="List hubs")
    async def list_hubs(page: Annotated[PageQuery, Depends()]) -> Page[HubOut]:
        docs, cursor = await find_page(db[store.HUBS], {}, sort=[("_id", 1)], limit=page.limit, cursor=page.cursor)
        return Page[HubOut](items=[hub_view(d) for d in docs], next_cursor=cursor)

    @router.get("/hubs/locate", tags=["hubs"], summary="Which hub a point belongs to")
    async def locate(
        lat: Annotated[float, Query(ge=-90, le=90)], lon: Annotated[float, Query(ge=-180, le=180)]
    ) -> HubLocation:
        return HubLocation(hub_id=await service.locate(lat, lon), lat=lat, lon=lon)

    @router.get("/hubs/{hub_id}", tags=["hubs"], summary="One hub")
    async def get_hub(hub_id: str, response: Response) -> HubOut:
        doc = await service.get_hub(hub_id)
        response.headers["ETag"] = etag_for(doc["version"])
        return hub_view(doc)

    @router.patch("/hubs/{hub_id}", tags=["hubs"], summary="Change a hub (If-Match or version)")
    async def update_hub(
        hub_id: str, body: HubPatch, response: Response, principal: Editor, if_match: Expected
    ) -> HubOut:
        changes = body.model_dump(exclude_unset=True, exclude={"version"})
        if "boundary" in changes and changes["boundary"] is None:
            raise RuleViolation("a hub needs a boundary")
        doc = await service.update_hub(principal, hub_id, changes, _expected(if_match, body.version))
        response.headers["ETag"] = etag_for(doc["version"])
        return hub_view(doc)

    # -- catalogue ------------------------------------------------------------------------------

    @router.post("/hubs/{hub_id}/services", status_code=201, tags=["catalogue"], summary="Add a category")
    async def create_category(
        hub_id: str,
        body: CategoryIn,
        request: Request,
        response: Response,
        principal: Editor,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> CategoryOut:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump())
        doc = await service.create_category(principal, _category(hub_id, body), idem)
        response.headers["ETag"] = etag_for(doc["version"])
        return category_view(doc)

    @router.get("/hubs/{hub_id}/services", tags=["catalogue"], summary="A hub's catalogue")
    async def list_categories(hub_id: str, page: Annotated[PageQuery, Depends()]) -> Page[CategoryOut]:
        docs, cursor = await find_page(
            db[store.CATEGORIES], {"hub_id": hub_id}, sort=[("code", 1)], limit=page.limit, cursor=page.cursor
        )
        return Page[CategoryOut](items=[category_view(d) for d in docs], next_cursor=cursor)

    @router.get("/hubs/{hub_id}/services/{code}", tags=["catalogue"], summary="One category")
    async def get_category(hub_id: str, code: str, response: Response) -> CategoryOut:
        doc = await service.get_category(hub_id, code)
        response.headers["ETag"] = etag_for(doc["version"])
        return category_view(doc)

    @router.patch("/hubs/{hub_id}/services/{code}", tags=["catalogue"], summary="Change a category")
    async def update_category(
        hub_id: str, code: str, body: CategoryPatch, response: Response, principal: Editor, if_match: Expected
    ) -> CategoryOut:
        changes = body.model_dump(exclude_unset=True, exclude={"version"})
        for name in ("name", "attributes", "keywords", "description", "group", "active"):
            if name in changes and changes[name] is None:
                raise RuleViolation(f"{name} cannot be null")
        doc = await service.update_category(principal, hub_id, code, changes, _expected(if_match, body.version))
        response.headers["ETag"] = etag_for(doc["version"])
        return category_view(doc)

    # -- issues ---------------------------------------------------------------------------------

    @router.post(
        "/issues",
        status_code=201,
        tags=["issues"],
        summary="Report an issue (signed in or with contact)",
        response_model_exclude_unset=True,
    )
    async def report(
        body: ReportIn,
        request: Request,
        response: Response,
        principal: Anyone,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> ReportOut:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump(mode="json"))
        contact = body.contact
        result = await service.report(
            principal,
            ReportRequest(
                service_code=body.service_code,
                description=body.description,
                lat=body.lat,
                lon=body.lon,
                address=body.address,
                address_id=body.address_id,
                zipcode=body.zipcode,
                media_url=str(body.media_url) if body.media_url else None,
                answers=body.attributes,
                asset_id=body.asset_id,
                jurisdiction_id=body.jurisdiction_id,
                contact=Contact(contact.name, str(contact.email) if contact.email else None, contact.phone)
                if contact
                else Contact(),
            ),
            idem,
        )
        issue = result["issue"]
        response.headers["ETag"] = etag_for(issue["version"])
        response.headers["Location"] = f"/v1/issues/{issue['_id']}"
        return ReportOut(issue=issue_view(issue), likely_duplicates=result["likely_duplicates"])

    @router.get(
        "/issues",
        tags=["issues"],
        summary="Search issues (public fields; staff of a hub also see its private fields)",
        response_model_exclude_unset=True,
    )
    async def list_issues(
        page: Annotated[PageQuery, Depends()],
        principal: Anyone,
        hub_id: str | None = None,
        status: Annotated[list[str] | None, Query(description=f"any of {', '.join(STATUSES)}")] = None,
        service_code: str | None = None,
        q: Annotated[str | None, Query(max_length=200, description="words in the description or address")] = None,
        lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
        lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
        radius_m: Annotated[float, Query(gt=0, le=10_000)] = 500,
        since: datetime | None = None,
        until: datetime | None = None,
        assignee: Annotated[str | None, Query(max_length=128, description="staff of the hub only")] = None,
    ) -> Page[IssueOut]:
        if assignee is not None and not (hub_id and _is_staff_for(principal, hub_id)):
            raise Forbidden("filtering by assignee needs hub_id and staff access to that hub")
        if (lat is None) != (lon is None):
            raise RuleViolation("give both lat and lon to search near a point")
        unknown = [s for s in status or [] if s not in STATUSES]
        if unknown:
            raise RuleViolation(
                f"unknown status {', '.join(unknown)}",
                errors=[{"field": "query.status", "message": f"one of {', '.join(STATUSES)}", "type": "enum"}],
            )
        query = store.issue_query(
            hub_id=hub_id,
            statuses=status,
            service_codes=[service_code] if service_code else None,
            near=(lat, lon, radius_m) if lat is not None and lon is not None else None,
            terms=text.query_terms(q) if q else None,
            since=since,
            until=until,
        )
        if assignee is not None:
            query["assignee"] = assignee
        docs, cursor = await find_page(
            db[store.ISSUES],
            query,
            sort=store.ISSUE_SORT,
            limit=page.limit,
            cursor=page.cursor,
            hint=_issue_list_index(query),
        )
        items = [issue_view(d, staff=_is_staff_for(principal, d["hub_id"])) for d in docs]
        return Page[IssueOut](items=items, next_cursor=cursor)

    @router.get(
        "/issues/{issue_id}",
        tags=["issues"],
        summary="One issue (staff of its hub also see private notes)",
        response_model_exclude_unset=True,
    )
    async def get_issue(issue_id: str, response: Response, principal: Anyone) -> IssueOut:
        doc = await service.get_issue(issue_id)
        response.headers["ETag"] = etag_for(doc["version"])
        return issue_view(doc, staff=_is_staff_for(principal, doc["hub_id"]))

    @router.post(
        "/issues/{issue_id}/transitions",
        tags=["workflow"],
        summary="Move an issue through the workflow",
        response_model_exclude_unset=True,
    )
    async def transition(
        issue_id: str,
        body: TransitionIn,
        response: Response,
        principal: Annotated[Principal, Depends(current_principal)],
        if_match: Expected,
    ) -> IssueOut:
        doc = await service.change_status(
            principal,
            issue_id,
            body.action,
            public_note=body.public_note,
            private_note=body.private_note,
            agency_responsible=body.agency_responsible,
            reason=body.reason,
            expected_version=_expected(if_match, body.version),
        )
        response.headers["ETag"] = etag_for(doc["version"])
        return issue_view(doc, staff=_is_staff_for(principal, doc["hub_id"]))

    @router.post(
        "/issues/{issue_id}/merge",
        tags=["workflow"],
        summary="Merge a duplicate into the original",
        response_model_exclude_unset=True,
    )
    async def merge(
        issue_id: str, body: MergeIn, response: Response, principal: Editor, if_match: Expected
    ) -> IssueOut:
        doc = await service.merge(
            principal,
            issue_id,
            into=body.into,
            public_note=body.public_note,
            private_note=body.private_note,
            expected_version=_expected(if_match, body.version),
        )
        response.headers["ETag"] = etag_for(doc["version"])
        return issue_view(doc, staff=True)

    @router.put(
        "/issues/{issue_id}/support",
        tags=["issues"],
        summary="'Me too' (one per person; repeat is harmless)",
        response_model_exclude_unset=True,
    )
    async def support(
        issue_id: str, response: Response, principal: Annotated[Principal, Depends(current_principal)]
    ) -> IssueOut:
        doc = await service.support(principal, issue_id)
        response.headers["ETag"] = etag_for(doc["version"])
        return issue_view(doc)

    @router.post(
        "/issues/{issue_id}/assign",
        tags=["workflow"],
        summary="Assign an open issue to a team or person",
        response_model_exclude_unset=True,
    )
    async def assign(
        issue_id: str, body: AssignIn, response: Response, principal: Editor, if_match: Expected
    ) -> IssueOut:
        doc = await service.assign(principal, issue_id, body.assignee.strip(), _expected(if_match, body.version))
        response.headers["ETag"] = etag_for(doc["version"])
        return issue_view(doc, staff=True)

    @router.post(
        "/issues/{issue_id}/updates",
        tags=["workflow"],
        summary="Publish a progress update (no status change)",
        response_model_exclude_unset=True,
    )
    async def publish_update(issue_id: str, body: UpdateIn, response: Response, principal: Editor) -> IssueOut:
        doc = await service.publish_update(principal, issue_id, body.public_note)
        response.headers["ETag"] = etag_for(doc["version"])
        return issue_view(doc, staff=True)

    @router.post(
        "/issues/{issue_id}/feedback",
        tags=["workflow"],
        summary="The reporter's answer to a feedback request ('not fixed' reopens)",
        response_model_exclude_unset=True,
    )
    async def feedback(
        issue_id: str, body: FeedbackIn, response: Response, principal: Annotated[Principal, Depends(current_principal)]
    ) -> IssueOut:
        doc = await service.give_feedback(
            principal, issue_id, fixed=body.fixed, satisfaction=body.satisfaction, comment=body.comment
        )
        response.headers["ETag"] = etag_for(doc["version"])
        return issue_view(doc)

    @router.delete(
        "/residents/me",
        status_code=204,
        tags=["issues"],
        summary="Forget me: unlink my reports and support, and erase my contact details",
    )
    async def forget_me(principal: Annotated[Principal, Depends(require_roles("resident"))]) -> Response:
        await service.forget_resident(principal)
        return Response(status_code=204)

    @router.post("/sweeps", tags=["workflow"], summary="Flag overdue issues and send due feedback requests now")
    async def sweep(principal: Annotated[Principal, Depends(require_roles("operator"))]) -> SweepOut:
        return SweepOut(**await service.sweep())

    # -- public feeds ---------------------------------------------------------------------------

    @router.get("/hubs/{hub_id}/priorities", tags=["feeds"], summary="Open issues ranked by support, then age")
    async def priorities(hub_id: str, page: Annotated[PageQuery, Depends()]) -> Page[PriorityOut]:
        docs, cursor = await find_page(
            db[store.ISSUES],
            {"hub_id": hub_id, "open": True},
            sort=[("support_count", -1), ("requested_at", 1)],
            limit=page.limit,
            cursor=page.cursor,
            hint="priorities",
        )
        items = [PriorityOut(id=d["_id"], **{k: d[k] for k in PriorityOut.model_fields if k != "id"}) for d in docs]
        return Page[PriorityOut](items=items, next_cursor=cursor)

    @router.get("/hubs/{hub_id}/you-said-we-did", tags=["feeds"], summary="Fixed issues and what was done")
    async def you_said_we_did(hub_id: str, page: Annotated[PageQuery, Depends()]) -> Page[YouSaidWeDidOut]:
        docs, cursor = await find_page(
            db[store.ISSUES],
            {"hub_id": hub_id, "fixed_at": {"$gte": store.EPOCH}},
            sort=[("fixed_at", -1), ("_id", -1)],
            limit=page.limit,
            cursor=page.cursor,
            hint="you_said_we_did",
        )
        items = [
            YouSaidWeDidOut(
                id=d["_id"],
                service_name=d["service_name"],
                you_said=d["description"],
                we_did=d["fix_note"],
                requested_at=d["requested_at"],
                fixed_at=d["fixed_at"],
                lat=d["lat"],
                lon=d["lon"],
            )
            for d in docs
        ]
        return Page[YouSaidWeDidOut](items=items, next_cursor=cursor)

    @router.get("/hubs/{hub_id}/stats", tags=["feeds"], summary="Area statistics per category")
    async def stats(hub_id: str, since: datetime | None = None, until: datetime | None = None) -> StatsOut:
        until = until or datetime.now(UTC)
        since = since or until - timedelta(days=365)
        if since > until:
            raise RuleViolation("since is after until")
        return StatsOut(**await service.statistics(hub_id, since, until))

    return router
