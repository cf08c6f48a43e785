"""The repositories: each list query runs on the index it names, declared beside it; the verbs this
service adds to the base (put, add_if_missing, stored) behave; and bootstrap shares one object graph."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from volunteers_testkit import Api, World, role, shift

from hub_common.http import PageQuery
from hub_volunteers.adapters import INDEXES, awards, hours, roles, shifts, signups, skills, venues, volunteers
from hub_volunteers.adapters.roles import RoleRepository
from hub_volunteers.adapters.shifts import ShiftRepository

PAGE = PageQuery(limit=5, cursor=None)
NOW = datetime.now(UTC)

# (collection, index) of every hint an adapter names.
HINTS = [
    (volunteers.VOLUNTEERS, volunteers.PIPELINE),
    (skills.SKILLS, skills.BY_CATEGORY),
    (roles.ROLES, roles.BY_HUB_STATUS),
    (shifts.SHIFTS, shifts.BY_HUB_TIME),
    (shifts.SHIFTS, shifts.OPEN_BY_TIME),
    (signups.SIGNUPS, signups.ROSTER),
    (signups.SIGNUPS, signups.BY_VOLUNTEER),
    (hours.HOURS, hours.QUEUE),
    (hours.HOURS, hours.BY_VOLUNTEER),
    (awards.AWARDS, awards.BY_VOLUNTEER),
    (awards.AWARDS, awards.WALL),
    (venues.VENUES, venues.BY_HUB),
    (venues.EQUIPMENT, venues.BY_HUB),
]


@pytest.mark.parametrize(("collection", "index"), HINTS)
def test_every_hint_names_an_index_declared_for_its_collection(collection: str, index: str) -> None:
    declared = {m.document["name"] for spec in INDEXES if spec.collection == collection for m in spec.indexes}
    assert index in declared


async def test_every_list_query_runs_with_its_hint(api: Api) -> None:
    # A hint naming an index the collection lacks fails the query on the server.
    uc = api.use_cases
    await uc.volunteers.volunteers.pipeline("h", "applicant", PAGE)
    await uc.catalogue.skills.by_category("food", PAGE)
    await uc.catalogue.roles.in_hub("h", "published", None, PAGE)
    await uc.catalogue.roles.in_hub("h", "published", ["parks"], PAGE)
    await uc.shifts.shifts.in_hub("h", "published", NOW, PAGE)
    await uc.signups.signups.roster("s", "waitlisted", PAGE)
    await uc.signups.signups.of_volunteer("v", NOW, PAGE)
    await uc.hours.hours.queue("h", "pending", PAGE)
    await uc.hours.hours.of_volunteer("v", PAGE)
    await uc.hours.awards.of_volunteer("v", PAGE)
    await uc.hours.awards.wall("h", PAGE)
    await uc.venues.venues.in_hub("h", PAGE)
    await uc.venues.equipment.in_hub("h", PAGE)


async def test_roles_carry_their_search_words_and_add_if_missing_inserts_once(api: Api, world: World) -> None:
    repo = RoleRepository(api.db)
    item = role(id=f"role-{world.hub}", hub_id=world.hub, title="Parks helper", purpose="Tidy the riverside parks")
    assert await repo.add_if_missing(item) is True
    assert await repo.add_if_missing(item.model_copy(update={"title": "Changed"})) is False
    doc = await api.db["roles"].find_one({"_id": item.id})
    assert doc["title"] == "Parks helper"
    assert doc["search_terms"] == ["helper", "parks", "riverside", "the", "tidy"]
    assert (await repo.get(item.id)) == item
    page, _ = await repo.in_hub(world.hub, "published", ["parks", "riverside"], PAGE)
    assert [r.id for r in page] == [item.id]


async def test_put_writes_whatever_is_stored_and_stored_reads_documents_as_they_are(api: Api, world: World) -> None:
    repo = ShiftRepository(api.db)
    item = shift(id=f"shift-{world.hub}", hub_id=world.hub)
    await repo.put(item)
    await repo.put(item.model_copy(update={"capacity": 9}))
    assert (await repo.get(item.id)).capacity == 9
    [doc] = await repo.stored({"_id": item.id})
    assert doc["id"] == item.id and "_id" not in doc and doc["capacity"] == 9


async def test_counters_move_only_from_the_values_decided_on(api: Api, world: World) -> None:
    repo = ShiftRepository(api.db)
    seen = shift(id=f"shift-c-{world.hub}", hub_id=world.hub, capacity=1)
    await repo.add(seen)
    assert await repo.take_place(seen, "confirmed", None) is True
    assert await repo.take_place(seen, "confirmed", None) is False  # the counter moved on since `seen`
    full = await repo.get(seen.id)
    assert await repo.take_place(full, "confirmed", None) is False  # no place left
    assert await repo.take_place(full, "waitlisted", None) is True
    assert await repo.move_up_one(full, None) is False  # confirmed is at capacity
    assert await repo.release_place(seen.id, "confirmed", None) is True
    assert await repo.move_up_one(full, None) is True
    assert (await repo.get(seen.id)).model_dump(include={"confirmed", "waitlisted"}) == {
        "confirmed": 1,
        "waitlisted": 0,
    }


def test_bootstrap_builds_one_object_graph_shared_by_routes_handlers_and_the_worker(api: Api) -> None:
    components = api.ctx.components
    uc = components.use_cases
    assert components is api.ctx.components
    assert uc.shifts.waitlist is uc.signups and uc.personal_data.places is uc.signups  # one lock table
    assert uc.partners.registration is uc.volunteers and uc.partners.logging is uc.hours
    assert uc.volunteers.volunteers is uc.hours.volunteers is uc.reminders.volunteers
    warnings, retention = components.periodic
    assert (warnings.name, warnings.run) == ("expiry-warnings", uc.reminders.raise_expiry_warnings)
    assert retention.name == "retention"
    personal = uc.personal_data
    assert [rule.remove for rule in retention.run.__self__.rules] == [
        personal.erase_archived,
        personal.erase_closed_applications,
        personal.notify_inactive,
        personal.erase_unanswered,
    ]
    assert uc.hours.milestones == tuple(sorted(api.settings.milestone_hours))
    assert uc.volunteers.clock is api.ctx.clock  # the one clock
