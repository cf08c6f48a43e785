"""OpenAPI and AsyncAPI documents: every route and every published event type is described."""

from __future__ import annotations

from hub_common.contracts import all_contracts
from hub_issues.__main__ import DEFINITION


async def test_openapi_lists_v1_and_open311_routes(api) -> None:
    paths = (await api.client.get("/openapi.json")).json()["paths"]
    for path in (
        "/v1/hubs",
        "/v1/hubs/{hub_id}/services",
        "/v1/issues",
        "/v1/issues/{issue_id}/transitions",
        "/v1/issues/{issue_id}/merge",
        "/v1/hubs/{hub_id}/priorities",
        "/open311/v2/discovery.{fmt}",
        "/open311/v2/services/{service_code}.{fmt}",
        "/open311/v2/requests.{fmt}",
        "/open311/v2/requests/{request_id}.{fmt}",
    ):
        assert path in paths, path
    form = paths["/open311/v2/requests.{fmt}"]["post"]["requestBody"]["content"]
    assert "api_key" in form["application/x-www-form-urlencoded"]["schema"]["properties"]
    listed = {p["name"] for p in paths["/open311/v2/requests.{fmt}"]["get"]["parameters"]}
    assert {"jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date", "status"} <= listed


async def test_asyncapi_lists_every_issues_event_and_the_asset_events(api) -> None:
    doc = (await api.client.get("/asyncapi.json")).json()
    names = {m["name"] for m in doc["components"]["messages"].values()}
    own = {c.type for c in all_contracts() if c.producer == "issues" and c.topic != "hub.issues.inbound"}
    assert own == set(DEFINITION.publishes)
    assert own <= names
    assert "hub.issues.report.submitted.v1" in names  # what partners publish to hub.issues.inbound
    receive = doc["operations"]["receive_hub_issues_inbound"]
    assert receive["action"] == "receive"
    assert {"hub.assets.asset.registered.v1", "hub.assets.asset.retired.v1"} <= names
