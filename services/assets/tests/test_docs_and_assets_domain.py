"""OpenAPI and AsyncAPI documents are served and complete; asset-map rules of the domain."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from assets_testkit import NORTH, Api
from pydantic import ValidationError

from hub_assets.__main__ import DEFINITION
from hub_assets.domain.assets import AssetFields, new_asset, query_terms, retired_asset, search_terms, updated_asset
from hub_common.errors import Conflict, RuleViolation

NOW = datetime(2026, 11, 1, tzinfo=UTC)


async def test_openapi_lists_every_route(api: Api) -> None:
    paths = (await api.client.get("/openapi.json")).json()["paths"]

    for path in (
        "/v1/assets",
        "/v1/assets/{asset_id}",
        "/v1/assets/{asset_id}/retire",
        "/v1/assets/{asset_id}/maintenance",
        "/v1/rooms/{room_id}/bookings",
        "/v1/rooms/{room_id}/bookings/weekly",
        "/v1/rooms/{room_id}/calendar.ics",
        "/v1/bookings",
        "/v1/bookings/{booking_id}/confirm",
        "/v1/usage",
        "/v1/equipment/{asset_id}/loans",
        "/v1/loans/{loan_id}/check-in",
        "/v1/maintenance/{record_id}/complete",
        "/v1/hsds/services",
        "/v1/hsds/organizations",
        "/v1/hsds/locations",
        "/v1/acv",
        "/v1/acv/{acv_id}/disposal-notice",
        "/v1/periodic/run",
    ):
        assert path in paths, path
    assert "Idempotency-Key" in str(paths["/v1/assets"]["post"]["parameters"])
    assert "If-Match" in str(paths["/v1/assets/{asset_id}"]["put"]["parameters"])


async def test_asyncapi_lists_every_event_published_and_consumed(api: Api) -> None:
    doc = (await api.client.get("/asyncapi.json")).json()
    messages = {m["name"] for m in doc["components"]["messages"].values()}
    sent = doc["operations"]["send_hub_assets_events"]["messages"]

    for event_type in (
        "hub.assets.asset.registered.v1",
        "hub.assets.booking.confirmed.v1",
        "hub.assets.loan.overdue.v1",
        "hub.assets.maintenance.opened.v1",
        "hub.assets.acv.moratorium_started.v1",
        "hub.assets.contact.upserted.v1",
        "hub.issues.issue.reported.v1",
        "hub.assets.directory_entry.submitted.v1",
    ):
        assert event_type in messages, event_type
    # All but the two contact types, which go to hub.contacts, and the privacy answer (hub.privacy).
    assert len(sent) == len(DEFINITION.publishes) - 3
    assert "send_hub_contacts" in doc["operations"] and "send_hub_privacy" in doc["operations"]
    assert "receive_hub_assets_inbound" in doc["operations"]
    assert "hub.assets.directory_entry.submitted.v1" not in DEFINITION.publishes


def fields(**kw) -> AssetFields:
    return AssetFields.model_validate({"kind": "room", "hub_id": NORTH, "name": "Main Hall", **kw})


def test_kind_details_default_for_rooms_and_are_required_for_services() -> None:
    assert fields().room is not None and fields().room.policy.requires_approval is False
    with pytest.raises(ValidationError, match="needs its 'service' details"):
        fields(kind="service")
    with pytest.raises(ValidationError, match="belong only to assets of kind equipment"):
        fields(equipment={"quantity": 2})
    with pytest.raises(ValidationError, match="min_minutes"):
        fields(room={"policy": {"min_minutes": 120, "max_minutes": 60}})


def test_search_terms_fold_accents_keep_prefixes_of_names_and_words_of_lists() -> None:
    terms = search_terms(
        fields(
            name="Café Hall", tags=["Step Free"], room={"facilities": ["Kitchen"], "accessibility": ["hearing loop"]}
        )
    )
    assert {"cafe", "caf", "hall", "hal", "free", "step", "ste", "kitchen", "hearing", "loop", "room"} <= set(terms)
    assert "kit" not in terms  # facilities are whole words only
    assert query_terms("  Café, café & HALL!! ") == ["cafe", "hall"]
    assert query_terms("!!!") == []


def test_update_rules_keep_kind_hub_and_history() -> None:
    asset = new_asset("a1", fields(owner_id="staff-1"), NOW)
    changed = updated_asset(asset, fields(name="Great Hall"), NOW)
    assert (changed.version, changed.name, changed.owner_id, changed.created_at) == (2, "Great Hall", "staff-1", NOW)
    with pytest.raises(RuleViolation):
        updated_asset(asset, fields(kind="space"), NOW)
    with pytest.raises(RuleViolation):
        updated_asset(asset, fields(hub_id="hub-riverside"), NOW)
    retired = retired_asset(asset, NOW)
    assert retired.status == "retired" and retired.snapshot()["status"] == "retired"
    with pytest.raises(Conflict):
        updated_asset(retired, fields(), NOW)
    with pytest.raises(Conflict):
        retired_asset(retired, NOW)
