"""Open311 GeoReport v2: discovery, services, service definitions, POST/GET requests, JSON and XML, errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from issues_testkit import IN_NORTHFIELD, IN_RIVERSIDE, NORTHFIELD, RIVERSIDE

from hub_issues.adapters.issues import ISSUES

BASE = "/open311/v2"


def parse_xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314  (our own response, in a test)


def form(api, **fields):
    return {
        "api_key": api.token("partner", "partner-1", (NORTHFIELD, RIVERSIDE)),
        "service_code": "litter",
        "lat": str(IN_NORTHFIELD[0]),
        "long": str(IN_NORTHFIELD[1]),
        "description": "Overflowing bin on Elm Street",
        **fields,
    }


async def post(api, fmt="json", **fields):
    return await api.client.post(f"{BASE}/requests.{fmt}", data=form(api, **fields))


def open311_error(response, code: int, fmt: str = "json") -> str:
    assert response.status_code == code, response.text
    if fmt == "xml":
        assert response.headers["content-type"].startswith("text/xml")
        root = parse_xml(response.content)
        assert root.tag == "errors"
        assert root.find("error/code").text == str(code)
        return root.find("error/description").text
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()
    assert error["code"] == code
    return error["description"]


async def test_discovery_json_and_xml(api) -> None:
    body = (await api.client.get(f"{BASE}/discovery.json")).json()
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://hub.test/open311/v2"
    assert endpoint["formats"] == ["application/json", "text/xml"]
    xml = await api.client.get(f"{BASE}/discovery.xml")
    assert xml.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert xml.headers["content-type"] == "text/xml; charset=utf-8"
    root = parse_xml(xml.content)
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["application/json", "text/xml"]


async def test_services_list_and_definition(api) -> None:
    services = (await api.client.get(f"{BASE}/services.json")).json()
    by_code = {s["service_code"]: s for s in services}
    assert len(by_code) == len(services)  # one entry per code across the two hubs
    assert by_code["fly_tipping"]["metadata"] is True and by_code["dog_fouling"]["metadata"] is False
    assert by_code["litter"]["type"] == "realtime" and by_code["litter"]["group"] == "Street cleaning"
    assert by_code["litter"]["keywords"] == "rubbish,bin,waste"
    assert set(by_code["litter"]) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }

    xml = parse_xml((await api.client.get(f"{BASE}/services.xml", params={"jurisdiction_id": RIVERSIDE})).content)
    assert xml.tag == "services"
    assert "street_light" in [s.findtext("service_code") for s in xml.findall("service")]

    definition = (await api.client.get(f"{BASE}/services/fly_tipping.json")).json()
    assert definition["service_code"] == "fly_tipping"
    first = definition["attributes"][0]
    assert first["code"] == "waste_type" and first["datatype"] == "multivaluelist" and first["required"] is True
    assert first["variable"] is True and first["order"] == 1
    assert {"key": "furniture", "name": "Furniture or mattresses"} in first["values"]
    root = parse_xml((await api.client.get(f"{BASE}/services/fly_tipping.xml")).content)
    assert root.tag == "service_definition"
    assert root.findtext("attributes/attribute/code") == "waste_type"
    assert len(root.findall("attributes/attribute/values/value")) == 4 + 3


async def test_unknown_service_format_and_jurisdiction_are_open311_errors(api) -> None:
    assert "not found" in open311_error(await api.client.get(f"{BASE}/services/unicorns.json"), 404)
    assert "not found" in open311_error(await api.client.get(f"{BASE}/services/unicorns.xml"), 404, "xml")
    assert "format" in open311_error(await api.client.get(f"{BASE}/services.csv"), 400)
    open311_error(await api.client.get(f"{BASE}/services.json", params={"jurisdiction_id": "nowhere"}), 404)


async def test_post_request_with_attributes_and_contact(api) -> None:
    response = await post(
        api,
        service_code="fly_tipping",
        **{"attribute[waste_type][]": ["household", "furniture"], "attribute[amount]": "car"},
        email="sam@example.org",
        first_name="Sam",
        last_name="Smith",
        media_url="https://photos.example/2.jpg",
        address_string="Elm Street",
        jurisdiction_id=NORTHFIELD,
    )
    assert response.status_code == 201, response.text
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    doc = await api.ctx.db[ISSUES].find_one({"_id": created["service_request_id"]})
    assert doc["attributes"] == {"waste_type": ["household", "furniture"], "amount": "car"}
    assert doc["channel"] == "open311" and doc["submitted_by"] == "partner-1"
    assert doc["reporter_id"].startswith("res-")
    contact = (await api.outbox("hub.issues.contact.upserted.v1"))[0]["data"]
    assert contact["display_name"] == "Sam Smith" and contact["email"] == "sam@example.org"

    got = (await api.client.get(f"{BASE}/requests/{created['service_request_id']}.json")).json()
    assert got[0]["service_code"] == "fly_tipping" and got[0]["status"] == "open"
    assert "sam" not in str(got).lower()


async def test_post_request_in_xml_and_duplicate_notice(api) -> None:
    first = await post(api)
    response = await post(api, "xml", lat=str(IN_NORTHFIELD[0] + 0.0001))
    assert response.status_code == 201
    root = parse_xml(response.content)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id").startswith("iss-")
    assert first.json()[0]["service_request_id"] in root.findtext("request/service_notice")


BAD_POSTS = [
    ({"api_key": ""}, 400, "api_key"),
    ({"api_key": "not-a-jwt"}, 403, "api_key"),
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "unicorns"}, 400, "service_code"),
    ({"lat": "north"}, 400, "lat"),
    ({"lat": "", "long": ""}, 400, "lat"),
    ({"long": ""}, 400, "lat and long"),
    ({"email": "nope"}, 400, "email"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"service_code": "fly_tipping", "attribute[amount]": "lorry"}, 400, "attribute[amount]"),
    ({"asset_id": "asset-nope"}, 400, "asset_id"),
    ({"jurisdiction_id": "nowhere"}, 404, "jurisdiction"),
]


async def test_bad_posts_are_open311_errors_and_write_nothing(api) -> None:
    for fields, code, words in BAD_POSTS:
        description = open311_error(await post(api, **fields), code)
        assert words in description, (fields, description)
    assert await api.count(ISSUES) == 0
    assert await api.outbox() == []


async def test_api_key_roles_and_hub_scope(api) -> None:
    resident = api.token("resident")
    assert "partner or staff" in open311_error(await post(api, api_key=resident), 403)
    riverside_staff = api.token("staff", hubs=(RIVERSIDE,))
    open311_error(await post(api, "xml", api_key=riverside_staff), 403, "xml")
    assert (await post(api, api_key=api.token("staff", hubs=(NORTHFIELD,)))).status_code == 201
    assert await api.count(ISSUES) == 1


async def test_get_requests_filters_json_and_xml(api) -> None:
    a = (await post(api)).json()[0]["service_request_id"]
    b = (await post(api, service_code="graffiti", **{"attribute[offensive]": "no"}, lat=str(IN_RIVERSIDE[0]))).json()[
        0
    ]["service_request_id"]
    await api.client.post(
        f"/v1/issues/{a}/transitions", json={"action": "fix", "public_note": "Emptied"}, headers=api.staff()
    )

    async def ids(**params):
        response = await api.client.get(f"{BASE}/requests.json", params=params)
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert await ids() == [b, a]
    assert await ids(status="open") == [b]
    assert await ids(status="closed") == [a]
    assert await ids(status="open,closed") == [b, a]
    assert await ids(service_code="litter") == [a]
    assert await ids(jurisdiction_id=RIVERSIDE) == [b]
    assert await ids(service_request_id=f"{a},nope") == [a]
    past = datetime.now(UTC) - timedelta(days=30)
    assert await ids(start_date=(past - timedelta(days=10)).isoformat(), end_date=past.isoformat()) == []

    fixed = (await api.client.get(f"{BASE}/requests/{a}.json")).json()[0]
    assert fixed["status"] == "closed" and fixed["status_notes"] == "Emptied"
    assert fixed["lat"] == IN_NORTHFIELD[0] and fixed["long"] == IN_NORTHFIELD[1]
    assert fixed["requested_datetime"].endswith("+00:00") and fixed["expected_datetime"]
    assert set(fixed) >= {
        "service_request_id",
        "status",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }

    root = parse_xml((await api.client.get(f"{BASE}/requests.xml")).content)
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [b, a]
    assert root.find("request/long").text == str(IN_NORTHFIELD[1])


async def test_get_requests_errors(api) -> None:
    assert "90 days" in open311_error(
        await api.client.get(
            f"{BASE}/requests.json", params={"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}
        ),
        400,
    )
    open311_error(await api.client.get(f"{BASE}/requests.xml", params={"start_date": "yesterday"}), 400, "xml")
    open311_error(await api.client.get(f"{BASE}/requests.json", params={"status": "pending"}), 400)
    open311_error(await api.client.get(f"{BASE}/requests/iss-nope.xml"), 404, "xml")


async def test_token_lookup(api) -> None:
    request_id = (await post(api)).json()[0]["service_request_id"]
    assert (await api.client.get(f"{BASE}/tokens/{request_id}.json")).json() == [
        {"service_request_id": request_id, "token": request_id}
    ]
    open311_error(await api.client.get(f"{BASE}/tokens/nope.json"), 404)


async def test_xml_escapes_markup_and_keeps_unicode(api) -> None:
    text = 'Broken <bench> & "sign" near the café'
    request_id = (await post(api, description=text)).json()[0]["service_request_id"]
    response = await api.client.get(f"{BASE}/requests/{request_id}.xml")
    assert b"&lt;bench&gt; &amp;" in response.content
    assert parse_xml(response.content).findtext("request/description") == text
    assert (await api.client.get(f"{BASE}/requests/{request_id}.json")).json()[0]["description"] == text


async def test_idempotency_key_and_long_names_over_open311(api) -> None:
    headers = {"Idempotency-Key": "o311-1"}
    fields = form(api, first_name="F" * 100, last_name="L" * 100, phone="+44 7700 900456")
    first = await api.client.post(f"{BASE}/requests.json", data=fields, headers=headers)
    again = await api.client.post(f"{BASE}/requests.json", data=fields, headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json() == again.json()
    assert await api.count(ISSUES) == 1
    [contact] = await api.outbox("hub.issues.contact.upserted.v1")
    assert len(contact["data"]["display_name"]) == 200 and contact["data"]["consented_channels"] == ["sms"]


async def test_an_open311_key_belongs_to_its_api_key_and_another_body_is_refused(api) -> None:
    headers = {"Idempotency-Key": "o311-2"}
    first = await api.client.post(f"{BASE}/requests.json", data=form(api, description="one"), headers=headers)
    other = await api.client.post(f"{BASE}/requests.json", data=form(api, description="two"), headers=headers)
    assert first.status_code == 201, first.text
    assert "Idempotency-Key" in open311_error(other, 400, "json")
    assert await api.count(ISSUES) == 1


async def test_a_bearer_header_plays_no_part_in_an_open311_post(api) -> None:
    headers = {"Authorization": "Bearer not.a.token"}
    response = await api.client.post(f"{BASE}/requests.json", data=form(api), headers=headers)
    assert response.status_code == 201, response.text


async def test_errors_of_the_route_plumbing_are_open311_errors_too(api) -> None:
    long_key = {"Idempotency-Key": "k" * 300}
    response = await api.client.post(f"{BASE}/requests.xml", data=form(api), headers=long_key)
    assert "Idempotency-Key" in open311_error(response, 400, "xml")
    assert await api.count(ISSUES) == 0
