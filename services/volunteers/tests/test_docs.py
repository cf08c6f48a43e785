"""OpenAPI and AsyncAPI documents are served and complete."""

from __future__ import annotations

from volunteers_testkit import Api

from hub_common.contracts import all_contracts


async def test_asyncapi_lists_every_event_published_and_consumed(api: Api) -> None:
    doc = (await api.client.get("/asyncapi.json")).json()
    names = {m["name"] for m in doc["components"]["messages"].values()}
    ours = {c.type for c in all_contracts() if c.producer == "volunteers"}
    assert ours <= names  # public events, contact events and the inbound partner types
    assert {
        "hub.assets.asset.registered.v1",
        "hub.assets.asset.retired.v1",
        "hub.issues.issue.reported.v1",
        "hub.volunteers.milestone.reached.v1",
        "hub.volunteers.registration.submitted.v1",
    } <= names
    sent = {
        ch["address"]
        for op in doc["operations"].values()
        if op["action"] == "send"
        for ch in [doc["channels"][op["channel"]["$ref"].rsplit("/", 1)[-1]]]
    }
    assert sent == {"hub.volunteers.events", "hub.contacts", "hub.privacy"}


async def test_openapi_documents_the_routes(api: Api) -> None:
    paths = (await api.client.get("/openapi.json")).json()["paths"]
    for path in (
        "/v1/volunteers",
        "/v1/volunteers/{volunteer_id}/status",
        "/v1/roles/{role_id}/publish",
        "/v1/shifts/{shift_id}/signups",
        "/v1/shifts/{shift_id}/matches",
        "/v1/hours/{hours_id}/approve",
        "/v1/volunteers/{volunteer_id}/shifts.ics",
        "/v1/recognition",
    ):
        assert path in paths, path
    assert all(op.get("summary") for methods in paths.values() for op in methods.values())
