"""Partner reports from hub.issues.inbound, public updates, area statistics, overdue and feedback."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from issues_testkit import IN_NORTHFIELD, IN_RIVERSIDE, NORTHFIELD, RIVERSIDE, deliver

from hub_common.consumer import PermanentError
from hub_common.contracts.common import GeoPoint
from hub_common.contracts.identity import PartnerGrantsChanged, PartnerRegistered, PartnerRevoked
from hub_common.contracts.issues import PartnerReportSubmitted
from hub_common.envelope import Envelope
from hub_issues.adapters.issues import ISSUES
from hub_issues.domain.issue import feedback_due, fix_metrics, median, overdue
from hub_testkit.partners import grant_partner
from hub_testkit.service_api import assert_problem

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


# --- pure rules ---------------------------------------------------------------------------------


def test_fix_metrics_and_median() -> None:
    assert fix_metrics(T0, T0 + timedelta(hours=48), T0 + timedelta(hours=30)) == {
        "time_to_fix_h": 30.0,
        "fixed_on_time": True,
    }
    assert fix_metrics(T0, T0 + timedelta(hours=48), T0 + timedelta(hours=49))["fixed_on_time"] is False
    assert fix_metrics(T0, None, T0 + timedelta(days=400))["fixed_on_time"] is True
    assert median([]) is None and median([3, 1, 2]) == 2 and median([4, 1, 3, 2]) == 2.5


def test_overdue_and_feedback_due() -> None:
    assert overdue(True, T0, T0 + timedelta(seconds=1))
    assert not overdue(True, T0, T0) and not overdue(False, T0, T0 + timedelta(days=1)) and not overdue(True, None, T0)
    assert feedback_due("pending", T0, T0 + timedelta(days=28), timedelta(days=28))
    assert not feedback_due("pending", T0, T0 + timedelta(days=27), timedelta(days=28))
    assert not feedback_due("requested", T0, T0 + timedelta(days=90), timedelta(days=28))


# --- partner reports on hub.issues.inbound ---------------------------------------------------------


REPORT = PartnerReportSubmitted.event_type


@pytest.fixture
async def partners(api) -> None:
    """Two partners the registry grants Riverside and its report type (hub_common.partner_grants)."""
    for partner in ("riverside-housing", "other"):
        await grant_partner(api.db, partner, hubs=[RIVERSIDE], publishes=[REPORT])


def registry_event(data) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()), source="/hub/identity", type=data.event_type, time=T0, subject=data.partner_id, data=data
    )


def inbound(ref: str, source: str = "/partners/riverside-housing", **fields) -> Envelope:
    data = PartnerReportSubmitted(
        partner_ref=ref,
        service_code=fields.pop("service_code", "graffiti"),
        description="Tag on the garages",
        location=GeoPoint(lat=IN_RIVERSIDE[0], lon=IN_RIVERSIDE[1]),
        attributes=fields.pop("attributes", {"offensive": "no"}),
        reporter_ref="tenant-42",
        **fields,
    )
    return Envelope(id=str(uuid.uuid4()), source=source, type=data.event_type, time=T0, subject=ref, data=data)


async def test_partner_report_is_ingested_once_per_partner_reference(api, partners) -> None:
    await deliver(api, inbound("RH-1"))
    await deliver(api, inbound("RH-1"))  # the partner sent it again with a new ce_id
    await deliver(api, inbound("RH-1", source="/partners/other"))  # another partner's RH-1
    docs = await api.ctx.db[ISSUES].find({}).sort("requested_at", 1).to_list()
    assert len(docs) == 2
    first = docs[0]
    assert first["hub_id"] == RIVERSIDE and first["channel"] == "inbound"
    assert first["partner_key"] == "/partners/riverside-housing|RH-1"
    assert first["reporter_id"].startswith("ref-") and "tenant-42" not in first["reporter_id"]
    events = await api.outbox("hub.issues.issue.reported.v1")
    assert len(events) == 2 and not await api.outbox("hub.issues.contact.upserted.v1")


async def test_a_report_is_taken_only_from_a_partner_the_registry_grants_its_type_and_hub(api) -> None:
    """The read model follows hub.identity.events; each refusal dead-letters with its reason."""
    TENANTS = "/partners/tenants-union"
    changed = datetime.now(UTC)
    grants = {"organisation": "Riverside Housing", "consumes": [], "changed_at": changed}
    with pytest.raises(PermanentError, match="not in the partner registry"):
        await deliver(api, inbound("RH-9", source=TENANTS))
    # Registered for Northfield only: a report that falls in Riverside is refused, as over the API.
    north = PartnerRegistered(partner_id="tenants-union", hubs=[NORTHFIELD], publishes=[REPORT], **grants)
    await deliver(api, registry_event(north))
    with pytest.raises(PermanentError, match="cannot act for hub 'hub-riverside'"):
        await deliver(api, inbound("RH-9", source=TENANTS))
    # Granted Riverside but not the type.
    no_type = PartnerGrantsChanged(partner_id="tenants-union", hubs=[RIVERSIDE], publishes=[], **grants)
    await deliver(api, registry_event(no_type))
    with pytest.raises(PermanentError, match=r"is not granted 'hub\.issues\.report\.submitted\.v1'"):
        await deliver(api, inbound("RH-9", source=TENANTS))
    # Both: taken. A late copy of an older change does not roll the grants back.
    later = {**grants, "changed_at": changed + timedelta(seconds=1)}
    granted = PartnerGrantsChanged(partner_id="tenants-union", hubs=[RIVERSIDE], publishes=[REPORT], **later)
    await deliver(api, registry_event(granted))
    await deliver(api, registry_event(north))
    await deliver(api, inbound("RH-9", source=TENANTS))
    assert await api.count(ISSUES, partner_key=f"{TENANTS}|RH-9") == 1
    # Revoked: nothing more from it.
    revoked = PartnerRevoked(partner_id="tenants-union", revoked_at=changed + timedelta(seconds=2))
    await deliver(api, registry_event(revoked))
    with pytest.raises(PermanentError, match="has been revoked"):
        await deliver(api, inbound("RH-10", source=TENANTS))
    with pytest.raises(PermanentError, match="neither a partner nor a service"):
        await deliver(api, inbound("RH-11", source="https://somewhere.example"))
    assert await api.count(ISSUES, partner_key={"$regex": "^/partners/tenants-union"}) == 1


async def test_invalid_partner_reports_are_permanent_errors(api, partners) -> None:
    cases = [
        ({"service_code": "unicorns"}, "service_code"),
        ({"attributes": {"offensive": "maybe"}}, "attributes.offensive"),
        ({"asset_id": "asset-nope"}, "asset_id"),
    ]
    for fields, words in cases:
        with pytest.raises(PermanentError, match=words.replace(".", r"\.")):
            await deliver(api, inbound("RH-bad", **fields))
    assert await api.count(ISSUES) == 0


# --- updates, statistics, overdue, feedback --------------------------------------------------------


async def test_staff_publish_an_update_without_changing_status(api) -> None:
    issue_id = (await api.report()).json()["issue"]["id"]
    url = f"/v1/issues/{issue_id}/updates"
    assert_problem(await api.client.post(url, json={"public_note": "x"}, headers=api.auth("resident", "res-1")), 403)
    assert_problem(await api.client.post(url, json={"public_note": ""}, headers=api.staff()), 422)
    response = await api.client.post(url, json={"public_note": "Crew booked for Tuesday"}, headers=api.staff())
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "reported" and response.json()["status_notes"] == "Crew booked for Tuesday"
    [event] = await api.outbox("hub.issues.issue.update_published.v1")
    assert event["data"]["public_note"] == "Crew booked for Tuesday"
    public = (await api.client.get(f"/v1/issues/{issue_id}")).json()
    assert public["history"][-1]["action"] == "update" and public["version"] == 2


async def test_area_statistics(api) -> None:
    ids = [(await api.report(lat=IN_NORTHFIELD[0] + i * 0.01)).json()["issue"]["id"] for i in range(3)]
    graffiti = (await api.report(service_code="graffiti", attributes={"offensive": "no"})).json()["issue"]["id"]
    for issue_id in ids[:2]:
        await api.client.post(
            f"/v1/issues/{issue_id}/transitions", json={"action": "fix", "public_note": "done"}, headers=api.staff()
        )
    # One of them took 100 hours, beyond litter's 72-hour target.
    await api.ctx.db[ISSUES].update_one({"_id": ids[1]}, {"$set": {"time_to_fix_h": 100.0, "fixed_on_time": False}})
    stats = (await api.client.get(f"/v1/hubs/{NORTHFIELD}/stats")).json()
    assert (stats["reported"], stats["open"], stats["fixed"]) == (4, 2, 2)
    litter = next(c for c in stats["categories"] if c["service_code"] == "litter")
    assert (litter["reported"], litter["open"], litter["fixed"]) == (3, 1, 2)
    assert litter["share_fixed_within_target"] == 0.5
    assert 50 <= litter["median_hours_to_fix"] <= 50.01  # median of ~0 and 100
    assert next(c for c in stats["categories"] if c["service_code"] == "graffiti")["fixed"] == 0
    assert graffiti
    assert_problem(await api.client.get("/v1/hubs/hub-nowhere/stats"), 404)


async def test_sweep_flags_overdue_once_and_asks_for_feedback_after_the_delay(api) -> None:
    late = (await api.report()).json()["issue"]["id"]
    fixed = (await api.report(service_code="graffiti", attributes={"offensive": "no"})).json()["issue"]["id"]
    await api.client.post(
        f"/v1/issues/{fixed}/transitions", json={"action": "fix", "public_note": "Painted over"}, headers=api.staff()
    )
    service = api.use_cases.follow_up
    assert await service.sweep() == {"flagged_overdue": 0, "feedback_requested": 0}
    later = datetime.now(UTC) + timedelta(days=29)
    assert await service.sweep(now=later) == {"flagged_overdue": 1, "feedback_requested": 1}
    assert await service.sweep(now=later) == {"flagged_overdue": 0, "feedback_requested": 0}
    [overdue_event] = await api.outbox("hub.issues.issue.overdue.v1")
    assert overdue_event["subject"] == late
    [asked] = await api.outbox("hub.issues.issue.feedback_requested.v1")
    assert asked["subject"] == fixed and asked["data"]["reporter_id"] == "res-1"
    assert_problem(await api.client.post("/v1/sweeps", headers=api.staff()), 403)
    assert (await api.client.post("/v1/sweeps", headers=api.auth("operator"))).json() == {
        "flagged_overdue": 0,
        "feedback_requested": 0,
    }


async def test_feedback_once_by_the_reporter_and_not_fixed_reopens(api) -> None:
    issue_id = (await api.report()).json()["issue"]["id"]
    await api.client.post(
        f"/v1/issues/{issue_id}/transitions", json={"action": "fix", "public_note": "Cleared"}, headers=api.staff()
    )
    url = f"/v1/issues/{issue_id}/feedback"
    answer = {"fixed": False, "satisfaction": 2, "comment": "Bags are back"}
    assert_problem(await api.client.post(url, json=answer, headers=api.auth("resident", "res-1")), 409)  # not asked yet
    await api.use_cases.follow_up.sweep(now=datetime.now(UTC) + timedelta(days=28, minutes=1))
    assert_problem(await api.client.post(url, json=answer, headers=api.auth("resident", "res-2")), 403)
    assert_problem(
        await api.client.post(url, json={**answer, "satisfaction": 9}, headers=api.auth("resident", "res-1")), 422
    )
    response = await api.client.post(url, json=answer, headers=api.auth("resident", "res-1"))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "reported" and response.json()["open311_status"] == "open"
    assert_problem(await api.client.post(url, json=answer, headers=api.auth("resident", "res-1")), 409)  # one answer
    [received] = await api.outbox("hub.issues.issue.feedback_received.v1")
    assert received["data"]["fixed"] is False and received["data"]["satisfaction"] == 2
    assert "Bags are back" not in str(received["data"])
    [reopened] = await api.outbox("hub.issues.issue.reopened.v1")
    assert reopened["data"]["changed_by"] == "res-1"


async def test_staff_assign_an_open_issue(api) -> None:
    issue_id = (await api.report()).json()["issue"]["id"]
    url = f"/v1/issues/{issue_id}/assign"
    assert_problem(await api.client.post(url, json={"assignee": "crew"}, headers=api.staff(RIVERSIDE)), 403)
    assert_problem(await api.client.post(url, json={"assignee": ""}, headers=api.staff()), 422)
    assigned = await api.client.post(
        url, json={"assignee": "Street cleansing crew B", "version": 1}, headers=api.staff()
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["assignee"] == "Street cleansing crew B" and assigned.headers["etag"] == '"v2"'
    assert "assignee" not in (await api.client.get(f"/v1/issues/{issue_id}")).json()  # staff-only field
    assert_problem(await api.client.post(url, json={"assignee": "x", "version": 1}, headers=api.staff()), 412)
    [event] = await api.outbox("hub.issues.issue.assigned.v1")
    assert event["data"]["assignee"] == "Street cleansing crew B" and event["data"]["assigned_by"] == "staff-1"
    await api.client.post(
        f"/v1/issues/{issue_id}/transitions", json={"action": "fix", "public_note": "done"}, headers=api.staff()
    )
    assert_problem(await api.client.post(url, json={"assignee": "crew C"}, headers=api.staff()), 409)

    async def listed(headers, **params):
        return await api.client.get("/v1/issues", params=params, headers=headers)

    mine = await listed(api.staff(), hub_id=NORTHFIELD, assignee="Street cleansing crew B")
    assert [i["id"] for i in mine.json()["items"]] == [issue_id]
    assert mine.json()["items"][0]["reporter_id"] == "res-1"  # staff see private fields in lists too
    assert (await listed(api.staff(), hub_id=NORTHFIELD, assignee="nobody")).json()["items"] == []
    assert_problem(await listed({}, hub_id=NORTHFIELD, assignee="Street cleansing crew B"), 403)
    assert_problem(await listed(api.staff(RIVERSIDE), hub_id=NORTHFIELD, assignee="x"), 403)
    public = (await listed({}, hub_id=NORTHFIELD)).json()["items"][0]
    assert "reporter_id" not in public and "assignee" not in public


async def test_a_resident_is_forgotten(api) -> None:
    mine = (await api.report()).json()["issue"]["id"]
    other = (await api.report(headers=api.auth("resident", "res-2"), lat=IN_NORTHFIELD[0] + 0.01)).json()["issue"]["id"]
    supported = await api.client.put(f"/v1/issues/{other}/support", headers=api.auth("resident", "res-1"))
    assert supported.json()["support_count"] == 1
    assert_problem(await api.client.delete("/v1/residents/me"), 401)
    assert_problem(await api.client.delete("/v1/residents/me", headers=api.staff()), 403)

    response = await api.client.delete("/v1/residents/me", headers=api.auth("resident", "res-1"))
    assert response.status_code == 204
    mine_doc = await api.ctx.db[ISSUES].find_one({"_id": mine})
    other_doc = await api.ctx.db[ISSUES].find_one({"_id": other})
    assert "reporter_id" not in mine_doc and "res-1" not in mine_doc["followers"]
    assert "res-1" not in other_doc["supporters"] and "res-1" not in other_doc["followers"]
    assert other_doc["support_count"] == 0 and other_doc["reporter_id"] == "res-2"
    [erased] = await api.outbox("hub.issues.contact.erased.v1")
    assert erased["topic"] == "hub.contacts" and erased["data"] == {"person_id": "res-1"}
    reopen = await api.client.post(
        f"/v1/issues/{mine}/transitions",
        json={"action": "reopen", "public_note": "x"},
        headers=api.auth("resident", "res-1"),
    )
    assert_problem(reopen, 403)


async def test_the_worker_runs_the_sweep_on_its_schedule(api) -> None:
    from hub_common.scheduler import Scheduler

    issue_id = (await api.report()).json()["issue"]["id"]
    past = datetime.now(UTC) - timedelta(hours=1)
    await api.ctx.db[ISSUES].update_one({"_id": issue_id}, {"$set": {"expected_at": past}})
    scheduler = Scheduler(api.ctx.db, api.ctx.components.periodic)
    assert await scheduler.run_due() == ["issue-sweep", "retention"]  # retention: closed reports, unsent photos
    assert await scheduler.run_due() == []  # not again until the interval has passed
    assert (await api.ctx.db[ISSUES].find_one({"_id": issue_id}))["overdue"] is True
    assert len(await api.outbox("hub.issues.issue.overdue.v1")) == 1
