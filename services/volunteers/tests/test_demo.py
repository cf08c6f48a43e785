"""Demo data: complete roles and shifts in both demo hubs, and idempotent on every start."""

from __future__ import annotations

from datetime import UTC, datetime

from hub_common.demo import HUBS
from hub_common.repository import from_document
from hub_testkit.outbox import count_outbox_events
from hub_volunteers.__main__ import DEFINITION
from hub_volunteers.adapters.roles import ROLES
from hub_volunteers.adapters.shifts import SHIFTS
from hub_volunteers.adapters.skills import SKILLS
from hub_volunteers.adapters.volunteers import VOLUNTEERS
from hub_volunteers.demo import seed_demo_data
from hub_volunteers.domain.roles import Role


async def test_demo_data_is_complete_and_idempotent(service_context) -> None:
    ctx = await service_context(DEFINITION)
    await seed_demo_data(ctx)
    counts = [await ctx.db[c].count_documents({}) for c in (SKILLS, ROLES, SHIFTS, VOLUNTEERS)]
    events = await count_outbox_events(ctx.db)
    await seed_demo_data(ctx)

    assert [await ctx.db[c].count_documents({}) for c in (SKILLS, ROLES, SHIFTS, VOLUNTEERS)] == counts
    assert await count_outbox_events(ctx.db) == events  # nothing published twice
    for hub in HUBS:
        roles = [from_document(Role, d) for d in await ctx.db[ROLES].find({"hub_id": hub["id"]}).to_list()]
        assert roles and all(r.status == "published" and r.missing_description() == [] for r in roles)
        assert await ctx.db[SHIFTS].count_documents({"hub_id": hub["id"], "status": "published"}) >= 2
    assert await count_outbox_events(ctx.db, {"type": "hub.volunteers.contact.upserted.v1"}) == counts[3]
    # Each hub has a shift running now with its demo volunteer on it: checking in can be tried at once.
    now = datetime.now(UTC)
    running = await ctx.db[SHIFTS].find({"starts_at": {"$lte": now}, "ends_at": {"$gt": now}}).to_list()
    assert sorted(s["hub_id"] for s in running) == sorted(h["id"] for h in HUBS)
    assert all(s["confirmed"] == 1 for s in running)
    places = await ctx.db["signups"].find({"shift_id": {"$in": [s["_id"] for s in running]}}).to_list()
    assert sorted(p["volunteer_id"] for p in places) == ["demo-vol-amira", "demo-vol-jo"]
    assert {p["status"] for p in places} == {"confirmed"}
