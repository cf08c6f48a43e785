"""The app factory against the real test MongoDB and Kafka: auth, problem+json, paging, idempotency, health."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, EmailStr, Field
from pymongo import ASCENDING, IndexModel

from hub_common.app import PROBLEM_JSON, create_app
from hub_common.auth import CLOCK_SKEW_S, Principal, Role
from hub_common.concurrency import check_version, etag_for
from hub_common.contracts.contacts import VolunteerContactUpserted
from hub_common.errors import Conflict, NotFound
from hub_common.http import (
    Idempotency,
    IfMatch,
    PageQuery,
    Paging,
    StaffForHub,
    require_roles,
    set_etag,
    use_case,
)
from hub_common.mongo import IndexSpec
from hub_common.pagination import Page, find_page
from hub_common.service import Components, ServiceContext, ServiceDefinition
from hub_common.settings import HubSettings
from hub_common.uow import IdempotentRequest, Transaction
from hub_testkit.infra import discard_test_database
from hub_testkit.outbox import count_outbox_events, outbox_events
from hub_testkit.tokens import issue_token
from hub_volunteers.settings import VolunteersSettings

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
INCOMING_TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    rank: int = 0


class ItemOut(BaseModel):
    id: str
    name: str
    rank: int


class PersonIn(BaseModel):
    name: str = Field(min_length=1)
    email: EmailStr
    age: int = Field(ge=0)


class Items:
    """The test app's one use case object, built by its bootstrap."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def page(self, paging: PageQuery, newest_first: bool) -> tuple[list[dict[str, Any]], str | None]:
        sort = [("created_at", -1)] if newest_first else [("rank", 1)]
        return await find_page(self.ctx.db["items"], {}, sort=sort, limit=paging.limit, cursor=paging.cursor)

    async def create(self, body: ItemIn, idempotency: IdempotentRequest | None) -> ItemOut:
        async def work(tx: Transaction) -> ItemOut:
            doc = {"_id": uuid.uuid4().hex, "name": body.name, "rank": body.rank, "created_at": datetime.now(UTC)}
            await tx.collection("items").insert_one(doc, session=tx.session)
            if body.name.startswith("announce"):
                tx.publish(VolunteerContactUpserted(person_id=doc["_id"], display_name=body.name), subject=doc["_id"])
            return ItemOut(id=doc["_id"], name=body.name, rank=body.rank)

        return await self.ctx.uow.run(work, idempotency=idempotency, result_type=ItemOut)


ItemsUseCase = Annotated[Items, use_case(lambda items: items)]
router = APIRouter(prefix="/v1")


@router.get("/staff-only")
async def staff_only(principal: Annotated[Principal, Depends(require_roles("staff"))]) -> dict[str, str]:
    return {"sub": principal.sub}


@router.get("/hubs/{hub_id}/staff-room")
async def staff_room(hub_id: str, principal: StaffForHub) -> dict[str, str]:
    return {"hub_id": hub_id, "sub": principal.sub}


@router.get("/things/{thing_id}")
async def get_thing(thing_id: str) -> dict[str, str]:
    raise NotFound(f"there is no thing {thing_id}")


@router.post("/things/{thing_id}/archive")
async def archive_thing(thing_id: str) -> dict[str, str]:
    raise Conflict(f"thing {thing_id} is already archived")


@router.put("/versioned")
async def update_versioned(expected: IfMatch, response: Response) -> dict[str, str]:
    check_version(expected, 3)
    set_etag(response, 4)
    return {"etag": etag_for(4)}


@router.post("/merge-patch")
async def merge_patch(patch: dict[str, Any]) -> dict[str, Any]:
    # A use case merging a patch into an entity validates the result: bad input must be a 422.
    return ItemIn.model_validate({"name": "kept", "rank": 1, **patch}).model_dump()


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("unexpected")


@router.post("/people", status_code=201)
async def create_person(body: PersonIn) -> dict[str, Any]:
    return body.model_dump()


@router.get("/items")
async def list_items(items: ItemsUseCase, paging: Paging, newest_first: bool = False) -> Page[ItemOut]:
    docs, next_cursor = await items.page(paging, newest_first)
    return Page[ItemOut](
        items=[ItemOut(id=d["_id"], name=d["name"], rank=d["rank"]) for d in docs], next_cursor=next_cursor
    )


@router.post("/items", status_code=201)
async def create_item(body: ItemIn, items: ItemsUseCase, idempotency: Idempotency) -> ItemOut:
    return await items.create(body, idempotency)


def bootstrap(ctx: ServiceContext) -> Components:
    return Components(use_cases=Items(ctx))


DEFINITION = ServiceDefinition(
    name="volunteers",
    title="Test app",
    description="hub_common.app under test",
    settings_class=VolunteersSettings,
    bootstrap=bootstrap,
    routers=(router,),
    publishes=("hub.volunteers.contact.upserted.v1",),
    indexes=(IndexSpec("items", (IndexModel([("rank", ASCENDING)], name="rank"),)),),
)


@dataclass
class Api:
    client: httpx.AsyncClient
    settings: HubSettings
    ctx: ServiceContext

    def token(self, role: Role, sub: str | None = None, hubs: tuple[str, ...] = ()) -> dict[str, str]:
        token = issue_token(sub=sub or f"{role}-1", role=role, hubs=hubs)
        return {"Authorization": f"Bearer {token}"}


@contextlib.asynccontextmanager
async def running_app(settings: HubSettings, *, raise_app_exceptions: bool = True) -> AsyncIterator[Api]:
    """The app with its lifespan run, a client bound to it, and its test database dropped afterwards."""
    app = create_app(DEFINITION, settings)
    ctx: ServiceContext = app.state.ctx
    async with LifespanManager(app) as manager:
        try:
            transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=raise_app_exceptions)
            async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
                yield Api(client, settings, ctx)
        finally:
            await discard_test_database(ctx.client, settings.mongo_db)


@pytest.fixture
async def api(make_settings) -> AsyncIterator[Api]:
    async with running_app(make_settings(VolunteersSettings)) as running:
        yield running


def assert_problem(response: httpx.Response, status: int, slug: str, instance: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["type"] == f"urn:hub:problem:{slug}"
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    if instance is not None:
        assert body["instance"] == instance
    return body


# --- auth -------------------------------------------------------------------------------------


async def test_anonymous_caller_gets_401_problem(api: Api) -> None:
    response = await api.client.get("/v1/staff-only")

    body = assert_problem(response, 401, "unauthorized", "/v1/staff-only")
    assert "Bearer" in body["detail"]


async def test_401_challenges_with_www_authenticate_bearer(api: Api) -> None:
    response = await api.client.get("/v1/staff-only")

    assert response.status_code == 401
    assert response.headers.get("www-authenticate", "").startswith("Bearer")


async def test_invalid_bearer_token_gets_401(api: Api) -> None:
    response = await api.client.get("/v1/staff-only", headers={"Authorization": "Bearer not.a.token"})
    assert_problem(response, 401, "unauthorized")

    forged = issue_token(sub="x", role="staff", issuer="https://someone-else.example")
    response = await api.client.get("/v1/staff-only", headers={"Authorization": f"Bearer {forged}"})
    assert_problem(response, 401, "unauthorized")

    expired = issue_token(sub="x", role="staff", ttl=timedelta(seconds=-(CLOCK_SKEW_S + 1)))
    response = await api.client.get("/v1/staff-only", headers={"Authorization": f"Bearer {expired}"})
    assert "expired" in assert_problem(response, 401, "unauthorized")["detail"]


@pytest.mark.parametrize("role", ["resident", "partner", "operator"])
async def test_other_roles_get_403(api: Api, role: Role) -> None:
    response = await api.client.get("/v1/staff-only", headers=api.token(role))

    body = assert_problem(response, 403, "forbidden", "/v1/staff-only")
    assert "staff" in body["detail"]


async def test_staff_gets_200(api: Api) -> None:
    response = await api.client.get("/v1/staff-only", headers=api.token("staff", sub="staff-77"))

    assert response.status_code == 200
    assert response.json() == {"sub": "staff-77"}


# --- problem details --------------------------------------------------------------------------


async def test_not_found_is_a_404_problem(api: Api) -> None:
    response = await api.client.get("/v1/things/t-1")

    body = assert_problem(response, 404, "not-found", "/v1/things/t-1")
    assert body["title"] == "Not found"
    assert body["detail"] == "there is no thing t-1"


async def test_conflict_is_a_409_problem(api: Api) -> None:
    response = await api.client.post("/v1/things/t-2/archive")

    body = assert_problem(response, 409, "conflict", "/v1/things/t-2/archive")
    assert body["title"] == "Conflict"
    assert body["detail"] == "thing t-2 is already archived"


async def test_stale_if_match_is_a_412_problem_with_the_current_etag(api: Api) -> None:
    assert (await api.client.put("/v1/versioned", headers={"If-Match": '"v3"'})).status_code == 200
    assert (await api.client.put("/v1/versioned")).status_code == 200

    response = await api.client.put("/v1/versioned", headers={"If-Match": '"v2"'})

    body = assert_problem(response, 412, "precondition-failed", "/v1/versioned")
    assert body["current_etag"] == '"v3"'


async def test_set_etag_gives_the_response_its_version_etag(api: Api) -> None:
    response = await api.client.put("/v1/versioned", headers={"If-Match": '"v3"'})
    assert response.headers["ETag"] == '"v4"'


async def test_staff_for_hub_admits_that_hubs_staff_and_operators_only(api: Api) -> None:
    path = "/v1/hubs/hub-a/staff-room"
    assert (await api.client.get(path, headers=api.token("staff", hubs=("hub-a",)))).json()["hub_id"] == "hub-a"
    assert (await api.client.get(path, headers=api.token("operator"))).status_code == 200
    assert_problem(await api.client.get(path, headers=api.token("staff", hubs=("hub-b",))), 403, "forbidden")
    assert_problem(await api.client.get(path, headers=api.token("resident", hubs=("hub-a",))), 403, "forbidden")
    assert_problem(await api.client.get(path), 401, "unauthorized")


async def test_unknown_route_and_wrong_method_are_problems(api: Api) -> None:
    assert_problem(await api.client.get("/v1/nowhere"), 404, "http-404", "/v1/nowhere")
    response = await api.client.delete("/v1/staff-only")
    assert_problem(response, 405, "http-405")
    assert "GET" in response.headers["allow"]


async def test_unexpected_error_is_a_500_problem_without_internals(make_settings) -> None:
    async with running_app(make_settings(VolunteersSettings), raise_app_exceptions=False) as running:
        response = await running.client.get("/v1/boom")

    body = assert_problem(response, 500, "internal")
    assert "unexpected" not in response.text
    assert "RuntimeError" not in response.text
    assert body["title"] == "Internal error"


async def test_unexpected_error_response_carries_the_trace(make_settings) -> None:
    async with running_app(make_settings(VolunteersSettings), raise_app_exceptions=False) as running:
        response = await running.client.get("/v1/boom", headers={"traceparent": INCOMING_TRACEPARENT})

    assert response.status_code == 500
    assert response.headers.get("traceparent", "").split("-")[1:2] == [TRACE_ID]


async def test_invalid_body_is_a_422_problem_listing_the_fields(api: Api) -> None:
    response = await api.client.post("/v1/people", json={"name": "", "email": "not-an-email", "age": -1})

    body = assert_problem(response, 422, "validation", "/v1/people")
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"body.name", "body.email", "body.age"}
    assert all(e["message"] and e["type"] for e in body["errors"])


async def test_missing_fields_and_malformed_json_are_422_problems(api: Api) -> None:
    response = await api.client.post("/v1/people", json={"name": "Ada"})
    fields = {e["field"] for e in assert_problem(response, 422, "validation")["errors"]}
    assert fields == {"body.email", "body.age"}

    response = await api.client.post(
        "/v1/people", content=b'{"name": "Ada",', headers={"content-type": "application/json"}
    )
    assert assert_problem(response, 422, "validation")["errors"]


async def test_valid_body_is_accepted(api: Api) -> None:
    person = {"name": "Ada", "email": "ada@example.org", "age": 36}
    response = await api.client.post("/v1/people", json=person)

    assert response.status_code == 201
    assert response.json() == person


# --- paging over a real collection ------------------------------------------------------------


async def fetch_all(api: Api, limit: int, **params: Any) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        response = await api.client.get("/v1/items", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        cursor = page["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 10, "paging never ends"


async def test_paging_walks_every_document_once_in_sort_order(api: Api) -> None:
    ranks = [3, 1, 2, 2, 1, 3, 2]  # ties are broken by _id
    docs = [
        {"_id": f"item-{i}", "name": f"n{i}", "rank": rank, "created_at": datetime.now(UTC)}
        for i, rank in enumerate(ranks)
    ]
    await api.ctx.db["items"].insert_many(docs)

    pages = await fetch_all(api, limit=3)

    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    assert pages[-1]["next_cursor"] is None
    assert all(p["next_cursor"] for p in pages[:-1])
    seen = [item["id"] for page in pages for item in page["items"]]
    expected = [d["_id"] for d in sorted(docs, key=lambda d: (d["rank"], d["_id"]))]
    assert seen == expected


async def test_paging_by_a_descending_datetime_with_ties(api: Api) -> None:
    base = datetime(2025, 1, 1, 12, tzinfo=UTC)
    offsets = [0, 5, 5, 10, 0, 7, 5]  # minutes; several equal timestamps
    docs = [
        {"_id": f"ev-{i}", "name": f"e{i}", "rank": 0, "created_at": base + timedelta(minutes=m)}
        for i, m in enumerate(offsets)
    ]
    await api.ctx.db["items"].insert_many(docs)

    pages = await fetch_all(api, limit=3, newest_first="true")

    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    seen = [item["id"] for page in pages for item in page["items"]]
    expected = [d["_id"] for d in sorted(docs, key=lambda d: (-d["created_at"].timestamp(), d["_id"]))]
    assert seen == expected


async def test_a_page_exactly_full_has_no_next_cursor(api: Api) -> None:
    await api.ctx.db["items"].insert_many([{"_id": f"i{i}", "name": "n", "rank": i} for i in range(3)])

    pages = await fetch_all(api, limit=3)

    assert len(pages) == 1
    assert len(pages[0]["items"]) == 3
    assert pages[0]["next_cursor"] is None


async def test_empty_list(api: Api) -> None:
    response = await api.client.get("/v1/items")
    assert response.json() == {"items": [], "next_cursor": None}


async def test_limit_bounds_and_bad_cursor(api: Api) -> None:
    for limit in (0, 201, "many"):
        response = await api.client.get("/v1/items", params={"limit": limit})
        assert {e["field"] for e in assert_problem(response, 422, "validation")["errors"]} == {"query.limit"}
    assert (await api.client.get("/v1/items", params={"limit": 200})).status_code == 200

    response = await api.client.get("/v1/items", params={"cursor": "not-a-cursor"})
    assert_problem(response, 400, "invalid-cursor", "/v1/items")


# --- idempotent creates -----------------------------------------------------------------------


async def count_items(api: Api, **query: Any) -> int:
    return await api.ctx.db["items"].count_documents(query)


async def test_a_repeated_idempotency_key_returns_the_first_result(api: Api) -> None:
    headers = {**api.token("staff"), "Idempotency-Key": "create-1"}

    first = await api.client.post("/v1/items", json={"name": "chair", "rank": 1}, headers=headers)
    second = await api.client.post("/v1/items", json={"name": "chair", "rank": 1}, headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert await count_items(api) == 1
    assert await api.ctx.db["idempotency_keys"].count_documents({}) == 1


async def test_a_repeat_is_the_same_request_whatever_its_json_key_order_and_spacing(api: Api) -> None:
    headers = {**api.token("staff"), "Idempotency-Key": "create-order", "content-type": "application/json"}

    first = await api.client.post("/v1/items", content=b'{"name": "chair", "rank": 2}', headers=headers)
    repeat = await api.client.post("/v1/items", content=b'{"rank":2,"name":"chair"}', headers=headers)

    assert first.status_code == repeat.status_code == 201
    assert repeat.json() == first.json()
    assert await count_items(api) == 1


async def test_without_a_key_every_post_creates(api: Api) -> None:
    for _ in range(2):
        response = await api.client.post("/v1/items", json={"name": "chair"}, headers=api.token("staff"))
        assert response.status_code == 201
    assert await count_items(api) == 2


async def test_the_same_key_with_a_different_body_is_a_422_problem(api: Api) -> None:
    headers = {**api.token("staff"), "Idempotency-Key": "create-2"}
    first = await api.client.post("/v1/items", json={"name": "chair"}, headers=headers)
    assert first.status_code == 201

    response = await api.client.post("/v1/items", json={"name": "table"}, headers=headers)

    body = assert_problem(response, 422, "idempotency-key-reused", "/v1/items")
    assert "Idempotency-Key" in body["title"]
    assert await count_items(api) == 1
    assert await count_items(api, name="table") == 0


async def test_a_key_belongs_to_its_caller(api: Api) -> None:
    one = await api.client.post(
        "/v1/items", json={"name": "chair"}, headers={**api.token("staff", sub="a"), "Idempotency-Key": "k"}
    )
    other = await api.client.post(
        "/v1/items", json={"name": "chair"}, headers={**api.token("staff", sub="b"), "Idempotency-Key": "k"}
    )

    assert one.status_code == other.status_code == 201
    assert one.json()["id"] != other.json()["id"]
    assert await count_items(api) == 2


async def test_anonymous_keys_only_replay_the_very_same_body(api: Api) -> None:
    headers = {"Idempotency-Key": "anon-1"}
    first = await api.client.post("/v1/items", json={"name": "chair"}, headers=headers)
    repeat = await api.client.post("/v1/items", json={"name": "chair"}, headers=headers)
    other = await api.client.post("/v1/items", json={"name": "lamp"}, headers=headers)

    assert repeat.json() == first.json()
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]
    assert await count_items(api) == 2


async def test_concurrent_repeats_of_one_key_create_once(api: Api) -> None:
    headers = {**api.token("staff"), "Idempotency-Key": "race-1"}

    responses = await asyncio.gather(
        *(api.client.post("/v1/items", json={"name": "race"}, headers=headers) for _ in range(4))
    )

    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.json()["id"] for r in responses}) == 1
    assert await count_items(api) == 1


async def test_an_empty_idempotency_key_is_refused(api: Api) -> None:
    response = await api.client.post("/v1/items", json={"name": "chair"}, headers={"Idempotency-Key": ""})
    assert_problem(response, 422, "validation")
    assert await count_items(api) == 0


# --- health, metrics, AsyncAPI, tracing -------------------------------------------------------


async def test_liveness(api: Api) -> None:
    response = await api.client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_with_mongo_and_kafka_up(api: Api) -> None:
    response = await api.client.get("/health/ready")

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "checks": {"mongo": True, "kafka": True}}


async def test_readiness_is_503_when_mongo_is_unreachable(make_settings) -> None:
    settings = make_settings(VolunteersSettings, mongo_uri="mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300")
    app = create_app(DEFINITION, settings)  # no lifespan: start() would fail creating indexes
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            live = await client.get("/health/live")
            ready = await client.get("/health/ready")
    finally:
        await app.state.ctx.close()

    assert live.status_code == 200
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "checks": {"mongo": False, "kafka": True}}


async def test_readiness_is_503_when_kafka_is_unreachable(make_settings) -> None:
    async with running_app(make_settings(VolunteersSettings, kafka_bootstrap_servers="127.0.0.1:1")) as running:
        ready = await running.client.get("/health/ready")

    assert ready.status_code == 503
    assert ready.json()["checks"] == {"mongo": True, "kafka": False}


def request_counts(metrics_text: str) -> dict[frozenset, float]:
    """``hub_http_requests_total`` samples by label set (the exposition order of labels is not fixed)."""
    counts = {}
    for line in metrics_text.splitlines():
        match = re.fullmatch(r"hub_http_requests_total\{(.*)\} ([0-9.e+]+)", line)
        if match:
            labels = frozenset(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
            counts[labels] = float(match.group(2))
    return counts


async def test_metrics_count_requests_by_route_template(api: Api) -> None:
    await api.client.get("/v1/things/metric-probe-1")
    await api.client.get("/v1/things/metric-probe-2")

    response = await api.client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "hub_http_requests_total" in text
    counts = request_counts(text)
    key = {"service": "volunteers", "method": "GET", "route": "/v1/things/{thing_id}", "status": "404"}
    assert counts.get(frozenset(key.items()), 0) >= 2, "requests are labelled by route template and status"
    assert "metric-probe-1" not in text, "concrete paths must not become label values"
    assert "hub_http_request_duration_seconds_bucket" in text


async def test_asyncapi_document(api: Api) -> None:
    response = await api.client.get("/asyncapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["asyncapi"] == "3.0.0"
    assert document["servers"]["kafka"]["host"] == api.settings.kafka_bootstrap_servers
    message = document["components"]["messages"]["hub_volunteers_contact_upserted_v1"]
    assert message["name"] == "hub.volunteers.contact.upserted.v1"
    assert "email" in message["payload"]["properties"]
    assert document["channels"]["hub_contacts"]["address"] == "hub.contacts"
    assert document["operations"]["send_hub_contacts"]["action"] == "send"


async def test_openapi_lists_the_routes(api: Api) -> None:
    response = await api.client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/v1/items", "/v1/staff-only", "/health/ready"} <= set(paths)


async def test_every_response_carries_a_new_traceparent(api: Api) -> None:
    first = await api.client.get("/health/live")
    second = await api.client.get("/v1/things/x")

    ids = []
    for response in (first, second):
        match = re.fullmatch(r"00-([0-9a-f]{32})-([0-9a-f]{16})-01", response.headers["traceparent"])
        assert match is not None
        ids.append(match.group(1))
    assert ids[0] != ids[1]


async def test_an_incoming_trace_id_is_kept(api: Api) -> None:
    response = await api.client.get("/health/live", headers={"traceparent": INCOMING_TRACEPARENT})

    trace_id, span_id = response.headers["traceparent"].split("-")[1:3]
    assert trace_id == TRACE_ID
    assert span_id != "00f067aa0ba902b7", "the service answers with its own span"


async def test_an_invalid_incoming_traceparent_starts_a_new_trace(api: Api) -> None:
    zero = f"00-{'0' * 32}-00f067aa0ba902b7-01"
    response = await api.client.get("/health/live", headers={"traceparent": zero})

    trace_id = response.headers["traceparent"].split("-")[1]
    assert trace_id != "0" * 32
    assert len(trace_id) == 32


async def test_error_responses_carry_the_trace_too(api: Api) -> None:
    response = await api.client.get("/v1/staff-only", headers={"traceparent": INCOMING_TRACEPARENT})

    assert response.status_code == 401
    assert response.headers["traceparent"].split("-")[1] == TRACE_ID


async def test_the_request_trace_is_carried_into_the_events_it_causes(api: Api) -> None:
    response = await api.client.post(
        "/v1/items", json={"name": "announce me", "rank": 1}, headers={"traceparent": INCOMING_TRACEPARENT}
    )
    assert response.status_code == 201, response.text
    [record] = await outbox_events(api.ctx.db, {"subject": response.json()["id"]})
    assert record["status"] == "pending"
    assert record["traceparent"].split("-")[1] == TRACE_ID
    assert record["traceparent"] != INCOMING_TRACEPARENT  # a child span of the request, not the caller's


async def test_repeated_idempotent_create_writes_its_event_once(api: Api) -> None:
    headers = {"Idempotency-Key": "announce-once", **api.token("staff")}
    first = await api.client.post("/v1/items", json={"name": "announce twice", "rank": 2}, headers=headers)
    again = await api.client.post("/v1/items", json={"name": "announce twice", "rank": 2}, headers=headers)
    assert first.json() == again.json()
    assert await count_outbox_events(api.ctx.db, {"subject": first.json()["id"]}) == 1


async def test_a_model_refusing_merged_input_inside_a_use_case_is_a_422_not_a_500(api: Api) -> None:
    response = await api.client.post("/v1/merge-patch", json={"rank": "not a number"})
    body = assert_problem(response, 422, "validation", "/v1/merge-patch")
    assert [e["field"] for e in body["errors"]] == ["rank"]
    assert (await api.client.post("/v1/merge-patch", json={"rank": 5})).json() == {"name": "kept", "rank": 5}
