"""The mapping from the identity provider's groups to the services' role and hubs (no provider needed)."""

from __future__ import annotations

import pytest

from hub_web.oidc_groups import StaffAccess, parse_group_map

COUNCIL = parse_group_map(
    '{"/hubs/{hub}/staff": {"role": "staff"}, "/operators": {"role": "operator"}, "/privacy": {"role": "privacy"},'
    ' "Riverside Library Team": {"role": "staff", "hubs": ["hub-riverside"]},'
    ' "/hubs/{hub}/councillors": {"role": "councillor"}}'
)


def test_a_hub_staff_group_makes_the_person_staff_of_that_hub() -> None:
    assert COUNCIL.access_for(["/hubs/hub-northfield/staff"]) == StaffAccess("staff", ("hub-northfield",))


def test_staff_of_several_hubs_manage_them_all_and_named_groups_give_their_hubs() -> None:
    groups = ["/hubs/hub-northfield/staff", "Riverside Library Team", "/everyone"]
    assert COUNCIL.access_for(groups) == StaffAccess("staff", ("hub-northfield", "hub-riverside"))


def test_the_strongest_role_wins_and_operators_and_the_privacy_team_get_no_hubs() -> None:
    assert COUNCIL.access_for(["/hubs/hub-northfield/staff", "/operators"]) == StaffAccess("operator")
    assert COUNCIL.access_for(["/privacy"]) == StaffAccess("privacy")
    assert COUNCIL.access_for(["/privacy", "/hubs/hub-riverside/staff"]) == StaffAccess("staff", ("hub-riverside",))


def test_a_councillor_group_makes_a_councillor_of_its_hubs_and_staff_is_stronger() -> None:
    groups = ["/hubs/hub-northfield/councillors", "/hubs/hub-riverside/councillors"]
    assert COUNCIL.access_for(groups) == StaffAccess("councillor", ("hub-northfield", "hub-riverside"))
    both = ["/hubs/hub-northfield/councillors", "/hubs/hub-riverside/staff"]
    assert COUNCIL.access_for(both) == StaffAccess("staff", ("hub-riverside",))


@pytest.mark.parametrize(
    "groups",
    [
        [],
        ["/contractors"],
        ["/hubs/hub-northfield/volunteers"],  # not the staff group of the hub
        ["/hubs/hub-northfield/staff/extra"],  # the pattern matches the whole group, not a prefix
        ["/hubs/a/b/staff"],  # {hub} is one path segment: no way to name two
        ["/OPERATORS"],  # groups are compared exactly, as the provider spells them
    ],
)
def test_groups_the_map_does_not_name_grant_nothing(groups: list[str]) -> None:
    assert COUNCIL.access_for(groups) is None


def test_regex_characters_in_a_group_are_taken_literally() -> None:
    rules = parse_group_map('{"ops (all).*": {"role": "operator"}}')
    assert rules.access_for(["ops (all).*"]) == StaffAccess("operator")
    assert rules.access_for(["ops (all)xx"]) is None


def test_an_empty_map_grants_nothing_and_is_false() -> None:
    empty = parse_group_map("")
    assert not empty
    assert empty.access_for(["/operators"]) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", "not JSON"),
        ('["/operators"]', "must be a JSON object"),
        ('{"/operators": "operator"}', "must be an object"),
        ('{"/admins": {"role": "admin"}}', "role must be one of"),
        ('{"/staff": {"role": "staff"}}', "staff of which hubs"),
        ('{"/councillors": {"role": "councillor"}}', "councillor of which hubs"),
        ('{"/staff": {"role": "staff", "hubs": "hub-a"}}', "hubs must be a list"),
        ('{"/staff": {"role": "staff", "hubs": ["a/b"]}}', "hubs must be a list"),
        ('{"/ops/{hub}": {"role": "operator"}}', "only staff and councillors are given hubs"),
        ('{"/{hub}/{hub}": {"role": "staff"}}', "at most one"),
    ],
)
def test_a_malformed_map_is_refused_with_what_is_wrong(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_group_map(raw)
