"""Address and postcode search, and address-only reports placed where the address is."""

from __future__ import annotations

import json

from hub_issues.adapters.gazetteer import Gazetteer
from hub_issues.adapters.nominatim import NominatimGeocoder
from hub_issues.domain.places import postcode_key
from hub_issues.service.places import PlaceService


def test_a_postcode_is_read_in_any_spelling() -> None:
    assert postcode_key(" nf11aa ") == postcode_key("NF1 1AA") == "NF1 1AA"
    assert postcode_key("Green Lane") is None and postcode_key("NF1") is None


async def test_the_gazetteer_finds_streets_landmarks_and_postcodes(api) -> None:
    def names(found: list[dict]) -> list[str]:
        return [place["name"] for place in found]

    green = (await api.client.get("/v1/places", params={"q": "green lane"})).json()
    assert set(names(green)) == {"Green Lane, Northfield", "Northfield Community Centre, 1 Green Lane"}
    [postcode] = (await api.client.get("/v1/places", params={"q": "nf1 1aa"})).json()
    assert postcode == {"name": "NF1 1AA", "kind": "postcode", "lat": 53.8149, "lon": -1.5497}
    # A whole address finds the most specific place it names.
    [street] = (await api.client.get("/v1/places", params={"q": "12 High Street, Northfield", "limit": 1})).json()
    assert street["name"] == "High Street, Northfield"
    assert (await api.client.get("/v1/places", params={"q": "Atlantis"})).json() == []
    assert (await api.client.get("/v1/places", params={"q": "x"})).status_code == 422


async def test_an_address_only_report_is_placed_at_its_address_or_else_at_the_hub(api) -> None:
    placed = await api.report(lat=None, lon=None, address="4 Mill Road, Riverside")
    assert placed.status_code == 201, placed.text
    issue = placed.json()["issue"]
    assert (issue["lat"], issue["lon"], issue["hub_id"]) == (53.7861, -1.5522, "hub-riverside")
    by_postcode = (await api.report(lat=None, lon=None, address="the bins", zipcode="NF1 2AB")).json()["issue"]
    assert (by_postcode["lat"], by_postcode["lon"]) == (53.8210, -1.5620)
    unknown = (await api.report(lat=None, lon=None, address="behind the old mill")).json()["issue"]
    stored = await api.db["issues"].find_one({"_id": unknown["id"]})
    assert stored["location_precision"] == "hub"  # nothing knew it: the default hub's centre, as before


async def test_a_configured_geocoder_is_asked_first_and_its_failure_falls_back_to_the_gazetteer(
    api, http_receiver
) -> None:
    answer = json.dumps([{"display_name": "1 Elm Row, Leeds", "lat": "53.81", "lon": "-1.55"}]).encode()
    with http_receiver(body=answer) as service:
        places = PlaceService(Gazetteer(api.db), NominatimGeocoder(service.url.removesuffix("/hook")))
        [found] = await places.search("1 Elm Row")
        assert (found.name, found.kind, found.lat) == ("1 Elm Row, Leeds", "address", 53.81)
        assert service.paths[0].startswith("/search?q=1+Elm+Row&format=jsonv2")
    with http_receiver([500], body=b"oops") as down:
        places = PlaceService(Gazetteer(api.db), NominatimGeocoder(down.url.removesuffix("/hook")))
        assert [p.name for p in await places.search("NF1 1AA")] == ["NF1 1AA"]  # the gazetteer answered
