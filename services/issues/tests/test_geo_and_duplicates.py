"""Hub boundaries and assignment, distances, and likely-duplicate detection (pure rules)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub_common import demo
from hub_common.errors import RuleViolation
from hub_common.geo import EARTH_RADIUS_M, distance_m
from hub_issues.domain import text
from hub_issues.domain.duplicates import Nearby, followers_after_merge, likely_duplicates
from hub_issues.domain.geo import (
    centre_of,
    choose_hub,
    grid_cell,
    grid_cells_around,
    point_in_boundary,
    validate_boundary,
)

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
NORTH, SOUTH = demo.HUBS[0]["boundary"], demo.HUBS[1]["boundary"]


def test_choose_hub_prefers_the_containing_hub_then_the_default() -> None:
    assert choose_hub(["hub-b"], "hub-default") == "hub-b"
    assert choose_hub([], "hub-default") == "hub-default"
    assert choose_hub([], None) is None
    # On a shared border both contain the point: the choice is stable whatever the order.
    assert choose_hub(["hub-riverside", "hub-northfield"], None) == "hub-northfield"
    assert choose_hub(["hub-northfield", "hub-riverside"], None) == "hub-northfield"


def test_point_in_boundary_on_the_demo_hubs() -> None:
    assert point_in_boundary(53.815, -1.55, NORTH)
    assert not point_in_boundary(53.815, -1.55, SOUTH)
    assert point_in_boundary(53.785, -1.55, SOUTH)
    assert not point_in_boundary(53.9, -1.55, NORTH)
    assert point_in_boundary(53.800, -1.55, NORTH) and point_in_boundary(53.800, -1.55, SOUTH)  # shared edge


def test_polygon_with_a_hole() -> None:
    holed = {
        "type": "Polygon",
        "coordinates": [SQUARE["coordinates"][0], [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6], [0.4, 0.4]]],
    }
    assert point_in_boundary(0.2, 0.2, holed)
    assert not point_in_boundary(0.5, 0.5, holed)


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        ({"type": "Point", "coordinates": [0, 0]}, "Polygon"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "at least 4"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "closed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}, "WGS84"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0], [0, 0]]]}, "3 distinct"),
        ({"type": "Polygon", "coordinates": [[[0, 0], ["a", 0], [1, 1], [0, 0]]]}, "[longitude, latitude]"),
        ({"type": "MultiPolygon", "coordinates": []}, "no polygons"),
    ],
)
def test_invalid_boundaries_are_refused(boundary, message) -> None:
    with pytest.raises(RuleViolation, match=message.replace("[", r"\[").replace("]", r"\]")):
        validate_boundary(boundary)


def test_centre_of_a_square() -> None:
    assert validate_boundary(SQUARE) == SQUARE
    assert centre_of(SQUARE) == (0.5, 0.5)


def test_distance_m() -> None:
    assert distance_m(53.8, -1.55, 53.8, -1.55) == 0
    # 0.001 degrees of latitude is about 111 m
    assert 110 < distance_m(53.8, -1.55, 53.801, -1.55) < 112


@given(st.floats(-80, 80), st.floats(-179, 179), st.floats(-80, 80), st.floats(-179, 179))
def test_distance_is_symmetric_and_non_negative(lat1, lon1, lat2, lon2) -> None:
    d = distance_m(lat1, lon1, lat2, lon2)
    assert d >= 0
    assert abs(d - distance_m(lat2, lon2, lat1, lon1)) < 1e-6


def test_likely_duplicates_same_category_open_and_near_only() -> None:
    lat, lon = 53.815, -1.55
    candidates = [
        Nearby("near", "litter", "reported", lat + 0.0002, lon),  # ~22 m
        Nearby("nearer", "litter", "in_progress", lat + 0.0001, lon),  # ~11 m
        Nearby("far", "litter", "reported", lat + 0.001, lon),  # ~111 m
        Nearby("other-category", "graffiti", "reported", lat, lon),
        Nearby("fixed", "litter", "fixed", lat, lon),
    ]
    found = likely_duplicates(lat, lon, "litter", candidates, radius_m=50)
    assert [f.issue_id for f in found] == ["nearer", "near"]
    assert 10 < found[0].distance_m < 12
    assert [f.issue_id for f in likely_duplicates(lat, lon, "litter", candidates, radius_m=150)] == [
        "nearer",
        "near",
        "far",
    ]


def test_followers_after_merge_counts_only_new_people() -> None:
    assert followers_after_merge(["a", "b"], ["b", "c", "c"]) == (["a", "b", "c"], 1)


def test_search_terms_are_normalised() -> None:
    assert text.terms("Fly-tipping on Café Road!", None, "a road") == ["fly", "tipping", "on", "cafe", "road"]


@given(
    lat=st.floats(-80, 80),
    lon=st.floats(-179, 179),
    radius_m=st.floats(1, 500),
    bearing=st.floats(0, 2 * math.pi),
    fraction=st.floats(0, 1),
)
def test_every_point_within_the_radius_is_in_one_of_the_searched_grid_cells(lat, lon, radius_m, bearing, fraction):
    # A point at distance radius * fraction along a bearing (spherical destination formula).
    delta = radius_m * fraction / EARTH_RADIUS_M
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(delta) + math.cos(p1) * math.sin(delta) * math.cos(bearing))
    l2 = l1 + math.atan2(
        math.sin(bearing) * math.sin(delta) * math.cos(p1), math.cos(delta) - math.sin(p1) * math.sin(p2)
    )
    other = (math.degrees(p2), math.degrees(l2))
    assert distance_m(lat, lon, *other) <= radius_m + 1e-6
    assert grid_cell(*other) in grid_cells_around(lat, lon, radius_m)


def test_the_grid_search_stays_small_for_the_largest_allowed_radius() -> None:
    assert len(grid_cells_around(53.8, -1.55, 50)) <= 9
    assert len(grid_cells_around(53.8, -1.55, 500)) <= 200
