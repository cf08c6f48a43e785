"""OpenAPI links from a create to the operations on what it created (hub_common.openapi)."""

from __future__ import annotations

from hub_common.openapi import add_links


def _document() -> dict:
    def op(operation_id: str, created: str | None = None) -> dict:
        responses: dict = {"200": {"description": "ok"}}
        if created:
            schema = {"$ref": f"#/components/schemas/{created}"}
            responses = {"201": {"description": "created", "content": {"application/json": {"schema": schema}}}}
        return {"operationId": operation_id, "responses": responses}

    return {
        "paths": {
            "/v1/shifts": {"post": op("create_shift", "Shift"), "get": op("list_shifts")},
            "/v1/shifts/{shift_id}": {"get": op("get_shift"), "patch": op("update_shift")},
            "/v1/shifts/{shift_id}/cancel": {"post": op("cancel_shift")},
            "/v1/rooms/{room_id}/bookings": {"post": op("request_booking", "Booking")},
            "/v1/bookings/{booking_id}/confirm": {"post": op("confirm_booking")},
            "/v1/rooms/{room_id}/bookings/{booking_id}": {"get": op("get_room_booking")},
            "/v1/other/{thing_id}/{booking_id}": {"get": op("needs_another_id")},
            "/v1/notes": {"post": op("create_note", "Note")},
            "/v1/assets/{asset_id}/maintenance": {"post": op("open_maintenance", "MaintenanceRecord")},
            "/v1/maintenance/{record_id}/complete": {"post": op("complete_maintenance")},
        },
        "components": {
            "schemas": {
                "Shift": {"properties": {"id": {"type": "string"}}},
                "Booking": {"properties": {"id": {"type": "string"}}},
                "Note": {"properties": {"text": {"type": "string"}}},  # no id: nothing to link
                "MaintenanceRecord": {"properties": {"id": {"type": "string"}}},
            }
        },
    }


def test_a_create_links_to_the_operations_below_its_path() -> None:
    links = add_links(_document())["paths"]["/v1/shifts"]["post"]["responses"]["201"]["links"]
    assert set(links) == {"get_shift", "update_shift", "cancel_shift"}
    assert links["cancel_shift"] == {"operationId": "cancel_shift", "parameters": {"shift_id": "$response.body#/id"}}


def test_a_create_links_to_operations_named_after_its_schema_passing_its_own_path_parameters_on() -> None:
    links = add_links(_document())["paths"]["/v1/rooms/{room_id}/bookings"]["post"]["responses"]["201"]["links"]
    assert links["confirm_booking"]["parameters"] == {"booking_id": "$response.body#/id"}
    assert links["get_room_booking"]["parameters"] == {
        "booking_id": "$response.body#/id",
        "room_id": "$request.path.room_id",
    }
    assert "needs_another_id" not in links  # it needs an id the create cannot give


def test_a_create_without_an_id_gets_no_links() -> None:
    assert "links" not in add_links(_document())["paths"]["/v1/notes"]["post"]["responses"]["201"]


def test_a_nested_create_links_to_the_collection_it_names() -> None:
    create = add_links(_document())["paths"]["/v1/assets/{asset_id}/maintenance"]["post"]
    links = create["responses"]["201"]["links"]
    assert links["complete_maintenance"]["parameters"] == {"record_id": "$response.body#/id"}


def test_a_linked_write_that_honours_if_match_gets_the_created_etag_and_declared_links_are_kept() -> None:
    document = _document()
    document["paths"]["/v1/shifts/{shift_id}"]["patch"]["parameters"] = [{"name": "If-Match", "in": "header"}]
    declared = {"by_hand": {"operationId": "list_shifts", "parameters": {}}}
    document["paths"]["/v1/shifts"]["post"]["responses"]["201"]["links"] = declared

    links = add_links(document)["paths"]["/v1/shifts"]["post"]["responses"]["201"]["links"]

    assert links["update_shift"]["parameters"]["header.If-Match"] == "$response.header.ETag"
    assert "header.If-Match" not in links["get_shift"]["parameters"]
    assert links["by_hand"] == declared["by_hand"]
